"""Per-partition partial aggregates of a target list, and how they combine into the whole summary.

A partitioned universe is sized in two rounds, each one small result per partition:

1. `partition_stats`: the universe statistics the candidate edits need, in a form that adds up
   exactly: value counts and raw spellings per field (sums and unions), and for each numeric
   filter field a histogram (value -> accounts), from which `merge_stats` takes the exact
   `nearest` quartiles the single pass takes (`nearest_quantile`).
2. `partition_aggregates`: every funnel, tier, coverage and candidate count of one partition
   (all of them sums) and its targets. `combine_aggregates` adds the rows, `summarize` turns the
   sums, the targets of every partition and the merged statistics into the `TargetList` a
   single-process run gives, the same numbers exactly.

Only these small results and the targets leave a partition; the accounts stay where they are read.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import IcpSpec
from targeting.selection.scoring import criterion_column, reasons_expr, score_accounts
from targeting.selection.sizing import (
    QUARTILES,
    UniverseStats,
    coverage_exprs,
    funnel_exprs,
    universe_stats,
)
from targeting.selection.suggestions import Candidate, candidate_exprs
from targeting.selection.target_list import TARGET_COLUMNS, TargetList
from targeting.selection.target_list import summarize as summary_from_row

NUMERIC_OPS = ("between", "gte", "lte")


def numeric_fields(spec: IcpSpec) -> list[str]:
    """The numeric filter fields whose quartiles the candidate edits move bounds to."""
    return sorted({c.field for c in spec.filters if c.operator in NUMERIC_OPS})


@dataclass
class PartitionStats:
    """One partition's share of the universe statistics; `merge_stats` adds them up."""

    value_counts: dict[str, dict[Any, int]] = field(default_factory=dict)  # field -> {value: n}
    spellings: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # field -> lower -> raw
    histograms: dict[str, dict[Any, int]] = field(default_factory=dict)  # numeric field -> {value: n}


def partition_stats(accounts: pl.LazyFrame, spec: IcpSpec) -> PartitionStats:
    """Value counts, spellings and numeric histograms of one partition (before suppression).

    Args:
        accounts: the partition's deduplicated accounts (canonical columns).
        spec: the ICP, respelled as the data spells it (`spoken_like_the_data`).
    """
    stats = universe_stats(accounts, spec, with_coverage=False)
    histograms = {}
    for name in numeric_fields(spec):
        counts = accounts.select(pl.col(name).drop_nulls().value_counts()).unnest(name).collect(engine="streaming")
        histograms[name] = dict(zip(counts[name].to_list(), counts["count"].to_list(), strict=True))
    return PartitionStats(value_counts=stats.value_counts, spellings=stats.spellings, histograms=histograms)


def merge_stats(parts: Iterable[PartitionStats]) -> UniverseStats:
    """The whole universe's statistics from its partitions' (coverage is read later, from the sums)."""
    merged = UniverseStats()
    histograms: dict[str, dict[Any, int]] = {}
    for part in parts:
        for name, counts in part.value_counts.items():
            tally = merged.value_counts.setdefault(name, {})
            for value, n in counts.items():
                tally[value] = tally.get(value, 0) + n
        for name, spelled in part.spellings.items():
            into = merged.spellings.setdefault(name, {})
            for lower, raw in spelled.items():
                into[lower] = list(dict.fromkeys([*into.get(lower, []), *raw]))
        for name, counts in part.histograms.items():
            into = histograms.setdefault(name, {})
            for value, n in counts.items():
                into[value] = into.get(value, 0) + n
    for name, histogram in sorted(histograms.items()):
        if histogram:
            merged.quartiles[name] = {label: nearest_quantile(histogram, q) for label, q in QUARTILES}
    return merged


def nearest_quantile(histogram: dict[Any, int], q: float) -> float:
    """Polars' `quantile(q, interpolation="nearest")` of the values a histogram counts.

    Polars takes the sorted value at index `round((n - 1) * q)` (half away from zero) and returns
    it as a float; the same index into the cumulative counts gives the same value.
    """
    total = sum(histogram.values())
    index = _round_half_away((total - 1) * q)
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if index < seen:
            return float(value)
    raise ValueError("empty histogram")


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def partition_aggregates(
    accounts: pl.LazyFrame,
    spec: IcpSpec,
    stats: UniverseStats,
    candidates: list[Candidate],
    as_of: date,
    suppressed_keys: pl.Series | None,
) -> tuple[dict[str, int], pl.DataFrame]:
    """Score one partition: its funnel, tier, coverage and candidate sums, and its targets.

    Args:
        accounts: the partition's deduplicated accounts.
        spec: the respelled ICP.
        stats: the merged universe statistics (their spellings make text matching exact and fast).
        candidates: the candidate edits, from the merged statistics.
        as_of: the day `within_days` counts back from (one day for every partition).
        suppressed_keys: account ids and domains suppressed at account level.

    Returns:
        The sums by name (`combine_aggregates` adds them over partitions) and the targets with
        score, tier and each criterion's outcome (reasons are built once, on the whole list).
    """
    scored = score_accounts(
        accounts, spec, as_of, suppressed_keys=suppressed_keys, spellings=stats.spellings, with_reasons=False
    )
    aggregate = scored.select(
        *funnel_exprs(spec), *coverage_exprs(spec), *candidate_exprs(spec, candidates, as_of, stats.spellings)
    )
    criteria = [criterion_column(i) for i in range(len(spec.scoring.criteria))]
    targets = scored.filter(pl.col("dropped_at").is_null()).select(*ACCOUNT_SCHEMA, "score", "tier", *criteria)
    targets_df, agg = pl.collect_all([targets, aggregate], engine="streaming")
    return {name: int(value or 0) for name, value in agg.row(0, named=True).items()}, targets_df


def combine_aggregates(rows: Iterable[dict[str, int]]) -> dict[str, int]:
    """The universe's sums from its partitions' (every aggregate is a count, so they add)."""
    total: dict[str, int] = {}
    for row in rows:
        for name, value in row.items():
            total[name] = total.get(name, 0) + value
    return total


def summarize(
    spec: IcpSpec,
    stats: UniverseStats,
    candidates: list[Candidate],
    row: dict[str, int],
    targets: list[pl.DataFrame],
    *,
    reachable_account_ids: pl.LazyFrame | None,
    rows_read: int,
    rejected: int,
    duplicates: int,
) -> TargetList:
    """The target list and summary of the whole universe from its partitions' results.

    Args:
        spec: the respelled ICP.
        stats: the merged statistics (`merge_stats`); coverage is filled from `row` here.
        candidates: the candidate edits counted in `row`.
        row: the combined sums (`combine_aggregates`).
        targets: each partition's targets (`partition_aggregates`).
        reachable_account_ids: accounts with a sendable contact in an ICP persona, or None.
        rows_read: rows in every partition.
        rejected: rows the imports rejected.
        duplicates: rows folded into an account read before (in the partition or an earlier one).

    Raises:
        ValueError: the counts do not add up to rows_read.
    """
    whole = pl.concat(targets) if targets else _no_targets(spec)
    whole = whole.sort(["score", "account_id"], descending=[True, False])
    reasons = reasons_expr(spec.scoring.criteria, stats.spellings)
    whole = whole.with_columns(reasons.alias("reasons")).select(TARGET_COLUMNS)
    if reachable_account_ids is not None:
        ids = reachable_account_ids.select("account_id").unique().collect()
        row = {**row, "reachable": whole.join(ids, on="account_id", how="semi").height}
    # The single-process run's own summary, from the summed row: one place builds and checks it.
    summary = summary_from_row(
        spec, stats, candidates, row, rows_read=rows_read, rejected=rejected, duplicates=duplicates, listed=whole.height
    )
    return TargetList(targets=whole, summary=summary)


def _no_targets(spec: IcpSpec) -> pl.DataFrame:
    schema = {**ACCOUNT_SCHEMA, "score": pl.Int64, "tier": pl.String}
    schema |= {criterion_column(i): pl.Boolean for i in range(len(spec.scoring.criteria))}
    return pl.DataFrame(schema=schema)
