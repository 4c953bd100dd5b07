"""The gate before export: a draft with an error-level lint issue is held for review, never sent.

`lint.SEVERITY` names the error codes. A contact with one gated draft is held whole (a lead row in a
sending tool carries the whole sequence), so every export and every campaign plan reads
`passing_drafts`/`draft_gated` from here, and `outbound draft` lists the gated drafts in review.csv.
"""

from __future__ import annotations

import polars as pl

from messaging.checks.lint import SEVERITY

ERROR_CODES = tuple(code for code, level in SEVERITY.items() if level == "error")
REVIEW_COLUMNS = ("contact_id", "email", "step", "issues")


def error_issues(issues: pl.Expr | None = None) -> pl.Expr:
    """The error-level entries of an `issues` list ("code: message"), in their order."""
    issues = pl.col("issues") if issues is None else issues
    code = pl.element().str.extract(r"^([a-z_]+)")
    return issues.fill_null(pl.lit([], dtype=pl.List(pl.String))).list.eval(
        pl.element().filter(code.is_in(list(ERROR_CODES)))
    )


def draft_gated() -> pl.Expr:
    """True for a draft with at least one error-level issue."""
    return error_issues().list.len() > 0


def passing_drafts(drafts: pl.DataFrame) -> pl.DataFrame:
    """The drafts of every contact none of whose drafts is gated (all of them where `issues` is absent)."""
    if "issues" not in drafts.columns:
        return drafts
    return drafts.filter(~draft_gated().any().over("contact_id"))


def review_rows(drafts: pl.DataFrame) -> pl.DataFrame:
    """review.csv: one row per gated draft with its error-level issues joined by "; "."""
    schema = {"contact_id": pl.String, "email": pl.String, "step": pl.Int64, "issues": pl.String}
    if "issues" not in drafts.columns or drafts.is_empty():
        return pl.DataFrame(schema=schema)
    return drafts.filter(draft_gated()).select(
        pl.col("contact_id").cast(pl.String),
        pl.col("email").cast(pl.String),
        pl.col("step").cast(pl.Int64),
        error_issues().list.join("; ").alias("issues"),
    )
