"""Decisions onto drafts: `review_status`, review.csv, and the drafts `campaign plan --reviewed-only` keeps.

review_status is one of approved, edited (approved with the reviewer's text), rejected (with a
reason) and unreviewed, per draft. The unit a reviewer decides on is a contact's sequence: it is
sent whole (a lead row carries every step), so it is approved whole, rejected whole, and each step
edited on its own (`sequence_status`). A contact is planned with `--reviewed-only` when every one of
its drafts is approved or edited; its rejected drafts are listed with their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from campaigns.review.decisions import LATEST_SCHEMA, drafted_hash_expr

REVIEW_CSV_COLUMNS = (
    "contact_id",
    "email",
    "step",
    "variant",
    "review_status",
    "reason",
    "decided_at",
    "issues",
    "subject",
    "body",
)
STATUSES = ("approved", "edited", "rejected", "unreviewed")


def with_decisions(drafts: pl.DataFrame, latest: pl.DataFrame) -> pl.DataFrame:
    """The drafts with their latest decision: `review_status`, `reason`, `decided_at`, `version`, the text as decided.

    Args:
        drafts: drafts.parquet's rows, `subject`/`body` as they will be sent before the review.
        latest: `ReviewLog.latest()`.

    `drafted_subject`/`drafted_body` keep the text as drafted; an edit replaces `subject`, `body`
    and `issues` (its checks run again on save); `version` changes with every decision.
    """
    keyed = drafts.with_columns(
        pl.col("step").cast(pl.Int64),
        pl.col("variant").cast(pl.String),
        pl.col("drafted") if "drafted" in drafts.columns else drafted_hash_expr().alias("drafted"),
        pl.col("subject").alias("drafted_subject"),
        pl.col("body").alias("drafted_body"),
    )
    joined = keyed.join(
        latest.select(*LATEST_SCHEMA),
        on=["contact_id", "step", "variant", "drafted"],
        how="left",
        maintain_order="left",
    )
    edited = pl.col("decision") == "edited"
    return joined.with_columns(
        pl.col("decision").fill_null("unreviewed").alias("review_status"),
        pl.when(edited).then("decided_subject").otherwise("subject").alias("subject"),
        pl.when(edited).then("decided_body").otherwise("body").alias("body"),
        pl.when(edited)
        .then(pl.col("decided_issues").str.json_decode(pl.List(pl.String)))
        .otherwise("issues")
        .alias("issues"),
        pl.col("seq").fill_null(0).alias("version"),
    ).drop("decision", "decided_subject", "decided_body", "decided_issues", "seq")


def review_csv(reviewed: pl.DataFrame) -> pl.DataFrame:
    """review.csv: every draft with its review_status, reason, time, checks and text."""
    return reviewed.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("email").cast(pl.String),
        pl.col("step").cast(pl.Int64),
        pl.col("variant").cast(pl.String),
        "review_status",
        "reason",
        pl.col("decided_at").dt.strftime("%Y-%m-%dT%H:%M:%S"),
        pl.col("issues").list.join("; ").alias("issues"),
        "subject",
        "body",
    )


SEQUENCE_STATUSES = ("unreviewed", "partly reviewed", "approved", "rejected")


def sequence_status() -> pl.Expr:
    """Per draft, its contact's sequence as a whole: rejected where a step is rejected, approved where every
    step is approved or edited, unreviewed where none is decided, else partly reviewed (a step edited, the
    sequence not approved yet)."""
    status = pl.col("review_status")
    return (
        pl.when((status == "rejected").any().over("contact_id"))
        .then(pl.lit("rejected"))
        .when(status.is_in(["approved", "edited"]).all().over("contact_id"))
        .then(pl.lit("approved"))
        .when((status == "unreviewed").all().over("contact_id"))
        .then(pl.lit("unreviewed"))
        .otherwise(pl.lit("partly reviewed"))
        .alias("sequence_status")
    )


def progress(reviewed: pl.DataFrame) -> dict[str, int]:
    """Sequences (contacts) per sequence_status and how many were reviewed of all; drafts per review_status."""
    drafts = dict(reviewed.group_by("review_status").len().iter_rows())
    out = {status: int(drafts.get(status, 0)) for status in STATUSES}
    sequences = reviewed.with_columns(sequence_status()).unique("contact_id")
    counts = dict(sequences.group_by("sequence_status").len().iter_rows())
    done = counts.get("approved", 0) + counts.get("rejected", 0)
    return out | {
        "drafts": reviewed.height,
        "contacts": sequences.height,
        "reviewed": int(done),
        "sequences_approved": int(counts.get("approved", 0)),
        "sequences_rejected": int(counts.get("rejected", 0)),
        "partly": int(counts.get("partly reviewed", 0)),
    }


@dataclass(frozen=True)
class ReviewedOnly:
    """What `--reviewed-only` plans from: the approved contacts and the rejected drafts with their reasons."""

    approved: list[str]
    rejected: pl.DataFrame  # contact_id, step, variant, reason
    unreviewed_contacts: int


def reviewed_only(review: pl.DataFrame) -> ReviewedOnly:
    """The contacts every one of whose drafts is approved or edited, from review.csv read as strings.

    Raises:
        KeyError: review.csv has no `review_status` column (the caller names the file).
    """
    status = review.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("step").cast(pl.String),
        pl.col("variant").cast(pl.String) if "variant" in review.columns else pl.lit(None, pl.String).alias("variant"),
        pl.col("review_status").cast(pl.String).str.strip_chars().str.to_lowercase(),
        pl.col("reason").cast(pl.String) if "reason" in review.columns else pl.lit(None, pl.String).alias("reason"),
    )
    per_contact = status.group_by("contact_id").agg(
        pl.col("review_status").is_in(["approved", "edited"]).all().alias("approved"),
        (pl.col("review_status") == "unreviewed").any().alias("unreviewed"),
        (pl.col("review_status") == "rejected").any().alias("rejected"),
    )
    return ReviewedOnly(
        approved=per_contact.filter("approved")["contact_id"].sort().to_list(),
        rejected=status.filter(pl.col("review_status") == "rejected")
        .select("contact_id", "step", "variant", "reason")
        .sort("contact_id", "step"),
        unreviewed_contacts=per_contact.filter(pl.col("unreviewed") & ~pl.col("rejected")).height,
    )
