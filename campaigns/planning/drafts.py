"""The drafts a plan sends: reviewed ones as they are (an edit is detected and marked), the rest rendered.

`outbound draft` writes drafts.parquet (as rendered) and drafts.csv (the file people review and
edit). A draft whose CSV text differs from its rendered text was edited after drafting: the
edited text is used, marked `edited`, and linted again. A contact with an error-level issue in
any of its drafts (messaging's lint: placeholders, missing opt-out or postal address, ...) fails
the gate and is never planned.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from messaging import build_drafts, lint_drafts
from messaging.checks.gate import draft_gated

DRAFT_FIELDS = ("contact_id", "step", "variant", "subject", "body", "facts_used", "issues")


@dataclass(frozen=True)
class RenderSpecs:
    """What rendering a draft needs (loaded and checked by the caller)."""

    persona_rules: object
    messaging: object
    sender: object
    templates: object
    steps: int = 3


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("").str.replace_all("\r\n", "\n", literal=True).str.strip_chars_end()


def reviewed_drafts(rendered: pl.DataFrame, reviewed: pl.DataFrame | None, sender: object) -> pl.DataFrame:
    """Drafts as reviewed: the CSV's text where it differs from the rendered text, marked `edited`.

    Args:
        rendered: drafts.parquet (as `outbound draft` wrote it).
        reviewed: drafts.csv read as strings (None: no CSV beside it).
        sender: who is writing, for linting the edited drafts again.
    """
    drafts = rendered.with_columns(pl.col("step").cast(pl.Int64), pl.col("variant").cast(pl.String))
    if reviewed is None or not {"contact_id", "step", "subject", "body"} <= set(reviewed.columns):
        return drafts.with_columns(pl.lit(False).alias("edited"))
    keys = ["contact_id", "step", "variant"] if "variant" in reviewed.columns else ["contact_id", "step"]
    csv = reviewed.select(
        pl.col("contact_id").cast(pl.String),
        pl.col("step").cast(pl.Int64, strict=False),
        *([pl.col("variant").cast(pl.String)] if "variant" in keys else []),
        pl.col("subject").alias("_subject"),
        pl.col("body").alias("_body"),
    ).unique(keys, keep="first")
    joined = drafts.join(csv, on=keys, how="left", maintain_order="left")
    edited = pl.col("_subject").is_not_null() & (
        (_text(pl.col("_subject")) != _text(pl.col("subject"))) | (_text(pl.col("_body")) != _text(pl.col("body")))
    )
    marked = (
        joined.with_columns(edited.fill_null(False).alias("edited"))
        .with_columns(
            pl.when("edited").then(_text(pl.col("_subject"))).otherwise("subject").alias("subject"),
            pl.when("edited").then(_text(pl.col("_body"))).otherwise("body").alias("body"),
        )
        .drop("_subject", "_body")
    )
    if not marked["edited"].any():
        return marked
    relinted = lint_drafts(
        marked.filter("edited").with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("issues")),
        postal_address=sender.postal_address,
        opt_out_line=sender.opt_out_line,
    ).select(*[c for c in marked.columns])
    return pl.concat([marked.filter(~pl.col("edited")), relinted]).sort("contact_id", "step", "variant")


def render_drafts_for(
    candidates: pl.DataFrame, accounts: pl.DataFrame, personas: list[str], specs: RenderSpecs
) -> pl.DataFrame:
    """Render drafts for the candidates (one per account and persona) from the workspace's specs."""
    if candidates.is_empty():
        return pl.DataFrame(
            schema={
                "contact_id": pl.String,
                "step": pl.Int64,
                "variant": pl.String,
                "subject": pl.String,
                "body": pl.String,
                "facts_used": pl.List(pl.String),
                "issues": pl.List(pl.String),
                "edited": pl.Boolean,
            }
        )
    drafted = build_drafts(
        accounts,
        candidates,
        personas=personas,
        persona_rules=specs.persona_rules,
        messaging=specs.messaging,
        sender=specs.sender,
        templates=specs.templates,
        steps=specs.steps,
    ).drafts
    return drafted.with_columns(pl.lit(False).alias("edited"))


def passing_contacts(drafts: pl.DataFrame) -> pl.DataFrame:
    """Per contact: passes the gate (no error-level issue in any of its drafts), its step-1 variant, edited.

    The gate is messaging's (`draft_gated`), the one every export applies.
    """
    return (
        drafts.with_columns(draft_gated().alias("_error"))
        .group_by("contact_id")
        .agg(
            (~pl.col("_error").any()).alias("passes"),
            pl.col("variant").filter(pl.col("step") == pl.col("step").min()).sort().first().alias("variant"),
            pl.col("edited").any().alias("edited"),
        )
        .sort("contact_id")
    )


def drafts_json(drafts: pl.DataFrame) -> pl.DataFrame:
    """Per contact, its drafts as one JSON list of {step, variant, subject, body} (how the store keeps them)."""
    return (
        drafts.sort("contact_id", "step", "variant")
        .group_by("contact_id", maintain_order=True)
        .agg(pl.struct("step", "variant", "subject", "body").alias("_drafts"))
        .with_columns(pl.col("_drafts").list.eval(pl.element().struct.json_encode()).list.join(",").alias("_drafts"))
        .select("contact_id", (pl.lit("[") + pl.col("_drafts") + pl.lit("]")).alias("drafts"))
    )
