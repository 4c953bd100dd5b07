"""Template drafts + their accounts -> drafter jobs, and the drafter's outcomes back onto the drafts."""

from __future__ import annotations

import polars as pl

from messaging.drafting.seam import Drafter, DraftJob, DraftOutcome, Progress

USAGE_COLUMNS = ("contact_id", "step", "source", "cached", "tokens_in", "tokens_out", "cost_usd", "calls")


def draft_jobs(drafts: pl.DataFrame, accounts: pl.DataFrame) -> list[DraftJob]:
    """One job per draft row, carrying its account's fields as a plain dict."""
    by_account = {row["account_id"]: row for row in accounts.iter_rows(named=True)}
    return [
        DraftJob(
            contact_id=str(row["contact_id"]),
            step=int(row["step"]),
            variant=str(row["variant"]),
            persona=str(row["persona"]),
            first_name=row["first_name"] or "",
            last_name=row["last_name"] or "",
            email=row["email"] or "",
            account={k: v for k, v in by_account.get(row["account_id"], {}).items() if k != "account_id"}
            | {"company": row["company"]},
            subject=row["subject"] or "",
            body=row["body"] or "",
            facts_used=tuple(row["facts_used"] or ()),
        )
        for row in drafts.iter_rows(named=True)
    ]


def apply_drafter(
    drafts: pl.DataFrame, accounts: pl.DataFrame, drafter: Drafter, progress: Progress | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The drafts as the drafter wrote them (same rows, same order) and each draft's usage.

    Args:
        drafts: Template drafts (`build_drafts`' columns before lint).
        accounts: account_id and the account fields the drafts were made from.
        drafter: Who writes each draft.
        progress: Called with the running totals as drafts complete.

    Returns:
        (drafts with subject, body, facts_used, source and fallback_reason from the drafter,
        usage: contact_id, step, source, cached, tokens_in, tokens_out, cost_usd, calls).
    """
    outcomes: list[DraftOutcome] = drafter.draft(draft_jobs(drafts, accounts), progress)
    if len(outcomes) != drafts.height:
        raise RuntimeError(f"drafter {drafter.name} returned {len(outcomes)} drafts for {drafts.height} jobs")
    written = pl.DataFrame(
        {
            "subject": [o.subject for o in outcomes],
            "body": [o.body for o in outcomes],
            "facts_used": [list(o.facts_used) for o in outcomes],
            "source": [o.source for o in outcomes],
            "fallback_reason": [o.fallback_reason for o in outcomes],
        },
        schema={
            "subject": pl.String,
            "body": pl.String,
            "facts_used": pl.List(pl.String),
            "source": pl.String,
            "fallback_reason": pl.String,
        },
    )
    usage = pl.DataFrame(
        {
            "contact_id": drafts["contact_id"],
            "step": drafts["step"],
            "source": written["source"],
            "cached": [o.cached for o in outcomes],
            "tokens_in": [o.tokens_in for o in outcomes],
            "tokens_out": [o.tokens_out for o in outcomes],
            "cost_usd": [o.cost_usd for o in outcomes],
            "calls": [o.calls for o in outcomes],
        },
        schema_overrides={"tokens_in": pl.Int64, "tokens_out": pl.Int64, "cost_usd": pl.Float64, "calls": pl.Int64},
    )
    return drafts.with_columns(written), usage
