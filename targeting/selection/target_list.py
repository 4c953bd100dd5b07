"""The target list: score, size and select a universe against an ICP, with its summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import IcpSpec
from targeting.icp.spelling import spoken_like_the_data
from targeting.importing.suppression import suppressed_account_keys
from targeting.memory import holds_in_memory
from targeting.selection.scoring import criterion_column, reasons_expr, score_accounts
from targeting.selection.sizing import (
    UniverseStats,
    coverage_exprs,
    funnel_exprs,
    read_coverage,
    read_funnel,
    size_verdict,
    universe_stats,
    universe_warnings,
)
from targeting.selection.suggestions import (
    Candidate,
    Suggestion,
    candidate_edits,
    candidate_exprs,
    rank_suggestions,
)

TARGET_COLUMNS = [*ACCOUNT_SCHEMA, "score", "tier", "reasons"]


class FunnelStep(BaseModel):
    """One funnel step: accounts it removed (`unknown` of them for a null field) and those left."""

    step: str
    removed: int
    unknown: int
    remaining: int


class Band(BaseModel):
    """The target size band from the ICP."""

    min: int
    max: int


class TargetSummary(BaseModel):
    """Exactly `target_summary.json` (docs/file-formats.md)."""

    icp: str
    version: int
    rows_read: int
    rejected: int
    duplicates: int
    universe: int
    suppressed: int
    funnel: list[FunnelStep]
    targets: int
    by_tier: dict[str, int]
    reachable: int | None
    band: Band
    verdict: Literal["too_broad", "too_narrow", "ok"]
    warnings: list[str]
    suggestions: list[Suggestion]


@dataclass
class TargetList:
    """Target accounts (score desc, then account_id; with score, tier, reasons) and the summary.

    `targets` is None when the caller's `sink` took the list (a streamed universe).
    """

    targets: pl.DataFrame | None
    summary: TargetSummary


Sink = Callable[[pl.LazyFrame], pl.LazyFrame]
"""Turns the target list's plan into a lazy sink (`lambda plan: plan.sink_parquet(path, lazy=True)`)."""
Complete = Callable[[pl.LazyFrame], pl.LazyFrame]
"""Fills, over the targets alone, account columns the universe left for later (facts nothing scores)."""


def fields_read(spec: IcpSpec) -> set[str]:
    """The account columns a spec's filters, disqualifiers and criteria read (`signals_at` with `within_days`)."""
    conditions = [*spec.filters, *spec.disqualifiers, *spec.scoring.criteria]
    return {c.field for c in conditions} | ({"signals_at"} if any(c.within_days for c in conditions) else set())


def select_targets(
    accounts: pl.LazyFrame,
    spec: IcpSpec,
    *,
    suppression: pl.DataFrame | None = None,
    reachable_account_ids: pl.LazyFrame | None = None,
    as_of: date | None = None,
    rows_read: int | None = None,
    rejected: int = 0,
    duplicates: int = 0,
    sink: Sink | None = None,
    complete: Complete | None = None,
    in_memory: bool | None = None,
) -> TargetList:
    """Score and size a universe against an ICP.

    Args:
        accounts: the deduplicated universe with the canonical ACCOUNT_SCHEMA columns.
        spec: the validated ICP.
        suppression: from `read_suppression`; its account-level keys (account ids, domains)
            remove accounts before the filters. Contact-level emails are not applied here.
        reachable_account_ids: accounts with a sendable contact in an ICP persona (column
            `account_id`); when given, the summary counts reachable targets.
        as_of: the day `within_days` counts back from (default: today).
        rows_read: rows in the source file (default: universe + rejected + duplicates).
        rejected: rows the import rejected.
        duplicates: rows folded into another account.
        sink: for a streamed universe (`holds_in_memory` says no), where the sorted list goes:
            it is sunk in the same pass that counts the funnel and the suggestions, and never
            held whole. A universe held in memory ignores it (its list is returned).
        complete: fills the columns the universe left for later (`fields_read` says which the spec
            needs over the whole universe); applied to the targets alone, in the pass that lists them.
        in_memory: hold the universe in memory or stream it, as its import decided
            (`AccountImport.held`); None: `holds_in_memory` by its rows.

    Returns:
        The target list (None if sunk) and its summary.

    Raises:
        ValueError: the counts do not add up to rows_read (the caller's counts disagree).
    """
    as_of = as_of or date.today()
    spec, _ = spoken_like_the_data(spec)
    # rows_read bounds the universe from above; without it a count is cheap (Parquet metadata).
    rows = rows_read if rows_read is not None else accounts.select(pl.len()).collect().item()
    if in_memory is None:
        in_memory = holds_in_memory(rows)
    if in_memory:
        accounts = accounts.collect(engine="streaming").lazy()
    stats = universe_stats(accounts, spec, with_coverage=False)
    keys = None if suppression is None else suppressed_account_keys(suppression)
    scored = score_accounts(accounts, spec, as_of, suppressed_keys=keys, spellings=stats.spellings, with_reasons=False)
    candidates = candidate_edits(spec, stats)
    ids = None
    if reachable_account_ids is not None:  # counted in the same pass as the funnel
        ids = reachable_account_ids.select("account_id").unique().collect().to_series()
    aggregate = scored.select(aggregation_exprs(spec, stats, candidates, as_of, reachable_ids=ids))
    criteria = [criterion_column(i) for i in range(len(spec.scoring.criteria))]
    listed = scored.filter(pl.col("dropped_at").is_null())
    targets_lf = (
        (listed if complete is None else complete(listed))
        .select(*ACCOUNT_SCHEMA, "score", "tier", *criteria)
        .sort(["score", "account_id"], descending=[True, False])
    )
    reasons = reasons_expr(spec.scoring.criteria, stats.spellings)
    targets: pl.DataFrame | None
    if in_memory or sink is None:
        targets, agg = pl.collect_all([targets_lf, aggregate], engine="streaming")
        # Explain after collecting: reasons are half the list's memory, and building them inside
        # the streaming query holds several copies of a 2M-row target list at once.
        targets = targets.with_columns(reasons.alias("reasons")).select(TARGET_COLUMNS)
    else:
        # Streamed: the sink and the aggregation row in one `collect_all` over one scored scan
        # (shared: scoring once costs less than scoring each query's own scan, 86 s against 103 s
        # at 20M, and the shared part stays within the streaming engine's memory budget: 3.5 GB
        # peak at 20M against 3.3 GB unshared). Reasons are built after the sort, as the sorted
        # rows stream out to the sink. The sort spills to disk past the streaming engine's memory
        # budget (`flows` sets it), so the list is never held whole.
        plan = targets_lf.with_columns(reasons.alias("reasons")).select(TARGET_COLUMNS)
        _, agg = pl.collect_all([sink(plan), aggregate], engine="streaming")
        targets = None
    summary = summarize(
        spec,
        stats,
        candidates,
        agg.row(0, named=True),
        rows_read=rows_read,
        rejected=rejected,
        duplicates=duplicates,
        listed=None if targets is None else targets.height,  # a sunk list is counted by the caller
    )
    return TargetList(targets=targets, summary=summary)


def aggregation_exprs(
    spec: IcpSpec,
    stats: UniverseStats,
    candidates: list[Candidate],
    as_of: date,
    *,
    reachable_ids: pl.Series | None = None,
) -> list[pl.Expr]:
    """Every count the summary needs, as sums over the scored frame (`score_accounts`).

    Each is a plain sum of a Boolean (or `pl.len()`), so the rows computed over the parts of a
    universe add up to the row of the whole: score and count each part where it lies, sum the rows,
    then `summarize`. `stats` must be the whole universe's (the candidates and spellings depend on it).
    """
    exprs = [*funnel_exprs(spec), *coverage_exprs(spec), *candidate_exprs(spec, candidates, as_of, stats.spellings)]
    if reachable_ids is not None:
        reached = pl.col("dropped_at").is_null() & pl.col("account_id").is_in(reachable_ids.implode())
        exprs.append(reached.sum().alias("reachable"))
    return exprs


def summarize(
    spec: IcpSpec,
    stats: UniverseStats,
    candidates: list[Candidate],
    row: dict[str, Any],
    *,
    rows_read: int | None = None,
    rejected: int = 0,
    duplicates: int = 0,
    listed: int | None = None,
) -> TargetSummary:
    """The summary from one aggregation row of `aggregation_exprs` (whole, or summed over parts).

    Args:
        spec: the ICP as `select_targets` scored it (after `spoken_like_the_data`).
        stats: the universe statistics; the row's coverage counts are copied into them.
        candidates: the candidate edits, in the order `aggregation_exprs` counted them.
        row: column -> count; `reachable` present when reachable accounts were counted.
        rows_read, rejected, duplicates: the import's row accounting.
        listed: rows of the target list, when the caller holds it (checked against the funnel).

    Raises:
        ValueError: the counts do not add up to rows_read, or the list does not hold the targets.
    """
    read_coverage(row, stats)
    funnel = read_funnel(row, spec)
    band = spec.target_size
    verdict = size_verdict(funnel.targets, band.min, band.max)
    counted = [int(row[f"candidate|{n}"]) for n in range(len(candidates))]
    suggestions = [] if verdict == "ok" else rank_suggestions(candidates, counted, funnel.targets, (band.min, band.max))
    reachable = int(row["reachable"]) if "reachable" in row else None
    if rows_read is None:
        rows_read = funnel.universe + rejected + duplicates
    removed = sum(step["removed"] for step in funnel.steps)
    accounted = rejected + duplicates + funnel.suppressed + removed + funnel.targets
    if accounted != rows_read or (listed is not None and listed != funnel.targets):
        raise ValueError(
            f"counts do not add up: rows_read {rows_read} != rejected {rejected} + duplicates {duplicates}"
            f" + suppressed {funnel.suppressed} + removed {removed} + targets {funnel.targets}"
        )
    return TargetSummary(
        icp=spec.name,
        version=spec.version,
        rows_read=rows_read,
        rejected=rejected,
        duplicates=duplicates,
        universe=funnel.universe,
        suppressed=funnel.suppressed,
        funnel=[FunnelStep(**step) for step in funnel.steps],
        targets=funnel.targets,
        by_tier=funnel.by_tier,
        reachable=reachable,
        band=Band(min=band.min, max=band.max),
        verdict=verdict,
        warnings=universe_warnings(spec, stats),
        suggestions=suggestions,
    )
