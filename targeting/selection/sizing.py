"""Size a scored universe: universe statistics, the funnel, tiers, verdict and warnings.

`universe_stats` reads only the columns the candidate edits need beforehand (quartiles of numeric
filter fields, counts and raw spellings of the values the spec names), all in one `collect_all`.
Everything else - funnel, tiers, coverage for warnings and every candidate's target count - is one
select of sums over Boolean expressions on the scored frame, collected once with streaming.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from targeting.icp.conditions import Condition, field_kind
from targeting.icp.spec import IcpSpec
from targeting.selection.scoring import SUPPRESSED, filter_column, step_names

QUARTILES = (("Q1", 0.25), ("median", 0.5), ("Q3", 0.75))
VALUE_OPS = ("eq", "in", "not_in", "contains_any", "contains_all")
_NUMERIC_OPS = ("between", "gte", "lte")
_MANY_VALUES = ("account_id", "name", "domain")
# An export's industry is often one of its tags (YC's first tag): a value asked of one is looked up
# in the other too, so the warnings can say where the accounts are.
_OTHER_FIELD = {"industry": "tags", "tags": "industry"}

Verdict = Literal["too_broad", "too_narrow", "ok"]

UNSHARED = pl.QueryOptFlags(comm_subplan_elim=False)
"""Optimizations for a `collect_all` over a streamed universe: each query scans the files itself.

With common-subplan elimination Polars materializes the plan the queries share (the scan, or the
scored frame) whole in memory to feed them all: at 10M accounts the statistics peaked at 3.2 GB
that way and at 0.8 GB (and took half the time) with each query streaming its own scan.
"""


@dataclass
class UniverseStats:
    """What the universe holds for the fields a spec names."""

    rows: int = 0
    known: dict[str, int] = field(default_factory=dict)  # field -> non-null accounts
    quartiles: dict[str, dict[str, float]] = field(default_factory=dict)  # field -> {"Q1": ..}
    value_counts: dict[str, dict[Any, int]] = field(default_factory=dict)  # field -> {value: n}
    pattern_hits: dict[str, int] = field(default_factory=dict)  # "field|pattern" -> accounts
    spellings: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # field -> lower -> raw
    elsewhere: dict[tuple[str, Any], int] = field(default_factory=dict)  # (other field, value) -> accounts


def spec_conditions(spec: IcpSpec) -> list[tuple[str, Condition]]:
    return (
        [("filter", c) for c in spec.filters]
        + [("disqualifier", c) for c in spec.disqualifiers]
        + [("criterion", c) for c in spec.scoring.criteria]
    )


def _norm(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def universe_stats(accounts: pl.LazyFrame, spec: IcpSpec, *, with_coverage: bool = True) -> UniverseStats:
    """Quartiles of numeric filter fields and counts of every value the spec names.

    Args:
        accounts: the universe (before suppression) with the canonical columns.
        spec: the ICP whose fields and values are looked up.
        with_coverage: also count rows, known values and pattern hits (one more scan); the target
            list skips it and reads them from its main aggregation (`coverage_exprs`) instead.

    Returns:
        The statistics; list values are counted per element occurrence.
    """
    conditions = spec_conditions(spec)
    numeric = sorted({c.field for c in spec.filters if c.operator in _NUMERIC_OPS})
    wanted: dict[str, set[Any]] = {}
    for _, c in conditions:
        if c.operator in VALUE_OPS:
            values = c.value if isinstance(c.value, list) else [c.value]
            wanted.setdefault(c.field, set()).update(_norm(v) for v in values)
    stats = UniverseStats()
    # Every statistic in one `collect_all`, each query streaming only its own columns (UNSHARED:
    # a shared scan would be held whole); the results are small (quartiles, counts per value).
    quantiles = [
        pl.col(f).quantile(q, interpolation="nearest").alias(f"{f}|{name}") for f in numeric for name, q in QUARTILES
    ]
    fields = sorted(wanted.items())
    queries = [_value_counts(accounts, f, values) for f, values in fields]
    if quantiles:
        queries.append(accounts.select(quantiles))
    results = pl.collect_all(queries, engine="streaming", optimizations=UNSHARED) if queries else []
    if quantiles:
        for key, value in results.pop().row(0, named=True).items():
            f, name = key.split("|")
            if value is not None:
                stats.quartiles.setdefault(f, {})[name] = value
    for (f, _), counted in zip(fields, results, strict=True):
        tally: dict[Any, int] = {}
        spelled: dict[str, list[str]] = {}
        for value, n in counted.iter_rows():
            if value is None:
                continue
            tally[_norm(value)] = tally.get(_norm(value), 0) + n
            if isinstance(value, str):
                spelled.setdefault(value.lower(), []).append(value)
        stats.value_counts[f] = tally
        if f not in _MANY_VALUES and field_kind(f) in ("text", "list"):
            stats.spellings[f] = spelled
    if with_coverage:
        read_coverage(accounts.select(coverage_exprs(spec)).collect(engine="streaming").row(0, named=True), stats)
    return stats


def coverage_exprs(spec: IcpSpec) -> list[pl.Expr]:
    """Rows, non-null accounts per named field and accounts each `matches` pattern hits."""
    conditions = spec_conditions(spec)
    fields = {c.field for _, c in conditions} | ({"signals_at"} if any(c.within_days for _, c in conditions) else set())
    exprs = [pl.len().alias("coverage|rows")]
    exprs += [pl.col(f).is_not_null().sum().alias(f"coverage|known|{f}") for f in sorted(fields)]
    for other, value in _elsewhere(spec):
        held = pl.col(other).list.contains(value) if field_kind(other) == "list" else pl.col(other) == value
        exprs.append(held.fill_null(False).sum().alias(f"coverage|also|{other}|{value}"))
    for f, pattern in sorted({(c.field, c.value) for _, c in conditions if c.operator == "matches"}):
        hit = (
            pl.col(f).str.contains(f"(?i){pattern}")
            if field_kind(f) != "list"
            else (pl.col(f).list.eval(pl.element().str.contains(f"(?i){pattern}")).list.any())
        )
        exprs.append(hit.fill_null(False).sum().alias(f"coverage|re|{f}|{pattern}"))
    return exprs


def read_coverage(row: dict[str, Any], stats: UniverseStats) -> None:
    """Copy the `coverage_exprs` results of an aggregation row into `stats`."""
    for key, value in row.items():
        parts = key.split("|")
        if parts[0] != "coverage":
            continue
        if parts[1] == "rows":
            stats.rows = value
        elif parts[1] == "known":
            stats.known[parts[2]] = value
        elif parts[1] == "re":
            stats.pattern_hits["|".join(parts[2:])] = value
        elif parts[1] == "also":
            stats.elsewhere[(parts[2], "|".join(parts[3:]))] = value


def _elsewhere(spec: IcpSpec) -> list[tuple[str, str]]:
    """(other field, value) for every text value a condition on industry or tags names."""
    pairs = set()
    for _, c in spec_conditions(spec):
        if c.operator in VALUE_OPS and c.field in _OTHER_FIELD:
            values = c.value if isinstance(c.value, list) else [c.value]
            pairs.update((_OTHER_FIELD[c.field], v) for v in values if isinstance(v, str) and "|" not in v)
    return sorted(pairs)


def _value_counts(accounts: pl.LazyFrame, f: str, values: set[Any]) -> pl.LazyFrame:
    """Accounts (list elements) per raw value; for identifier-like fields only the spec's values."""
    kind = field_kind(f)
    col = pl.col(f).explode() if kind == "list" else pl.col(f)
    if f in _MANY_VALUES:  # millions of distinct names: count only what the spec asks about
        return (
            accounts.select(col.str.to_lowercase().alias("value"))
            .filter(pl.col("value").is_in(list(values)))
            .group_by("value")
            .agg(pl.len().alias("n"))
        )
    # Few distinct values: group raw spellings; lowercasing happens once per distinct value.
    return accounts.select(col.alias("value")).group_by("value").agg(pl.len().alias("n"))


def universe_warnings(spec: IcpSpec, stats: UniverseStats) -> list[str]:
    """Name every filter/disqualifier/criterion value the universe never holds."""
    if stats.rows == 0:
        return ["the universe is empty"]
    warnings = []
    for kind, c in spec_conditions(spec):
        where = f"{kind} {c.label}"
        if stats.known.get(c.field, 0) == 0 and c.operator not in ("is_null", "not_null"):
            warnings.append(f"{where}: field {c.field!r} is empty in the universe (every account is unknown)")
            continue
        if c.within_days and stats.known.get("signals_at", 0) == 0:
            warnings.append(f"{where}: no account has signals_at, so within {c.within_days} days never holds")
        if c.operator in VALUE_OPS:
            counts = stats.value_counts.get(c.field, {})
            for value in c.value if isinstance(c.value, list) else [c.value]:
                held = counts.get(_norm(value), 0)
                also = _also_held(c.field, value, held, stats)
                if held == 0:
                    hint = "" if c.field in _MANY_VALUES else _did_you_mean(value, counts)
                    warnings.append(f"{where}: value {value!r} never occurs in the universe{hint}{also}")
                elif also:
                    warnings.append(f"{where}: {held:,} accounts have {c.field} {value!r}{also}")
        elif c.operator == "matches" and stats.pattern_hits.get(f"{c.field}|{c.value}", 0) == 0:
            warnings.append(f"{where}: pattern {c.value!r} never matches in the universe")
    return warnings


def _did_you_mean(value: Any, counts: dict[Any, int]) -> str:
    """`; did you mean 'developer_tools'?` from the universe's own values, or nothing.

    An abbreviation ("devtools") is a subsequence of what it abbreviates, and such spellings come
    first; then the values closest by `difflib`.
    """
    asked = str(_norm(value))
    known = [str(k) for k in counts if isinstance(k, str)]
    ratio = {k: difflib.SequenceMatcher(None, asked, k).ratio() for k in known}
    abbreviated = sorted((k for k in known if _is_subsequence(asked, k)), key=lambda k: -ratio[k])
    close = difflib.get_close_matches(asked, known, n=2, cutoff=0.6)
    shown = list(dict.fromkeys([*abbreviated, *close]))[:2]
    return "; did you mean " + " or ".join(repr(k) for k in shown) + "?" if shown else ""


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return len(short) >= 3 and all(char in letters for char in short)


def _also_held(f: str, value: Any, held: int, stats: UniverseStats) -> str:
    """`; it occurs as a tag of 150 accounts` where the other field holds the value more often."""
    other = _OTHER_FIELD.get(f)
    n = stats.elsewhere.get((other, value), 0) if other else 0
    if n <= held:
        return ""
    as_what = "a tag" if other == "tags" else "the industry"
    hint = f"{{field: {other}, {'contains_any' if other == 'tags' else 'in'}: [{value}]}}"
    return f"; it occurs as {as_what} of {n:,} accounts ({hint} reaches them)"


def funnel_exprs(spec: IcpSpec) -> list[pl.Expr]:
    """Sums over Boolean expressions: universe, suppressed, targets, per-step removed/unknown, tiers."""
    steps = step_names(spec)
    dropped = pl.col("dropped_at")
    target = dropped.is_null()
    exprs = [pl.len().alias("universe"), pl.col(SUPPRESSED).sum().alias("suppressed"), target.sum().alias("targets")]
    for i, step in enumerate(steps):
        removed = dropped == step
        exprs.append(removed.sum().alias(f"removed|{i}"))
        unknown = removed & pl.col(filter_column(i)).is_null() if i < len(spec.filters) else pl.lit(False)
        exprs.append(unknown.sum().alias(f"unknown|{i}"))
    upper = None
    for name, threshold in spec.scoring.tiers.items():
        in_tier = target & (pl.col("score") >= threshold)
        if upper is not None:
            in_tier = in_tier & (pl.col("score") < upper)
        exprs.append(in_tier.sum().alias(f"tier|{name}"))
        upper = threshold
    lowest = min(spec.scoring.tiers.values(), default=None)
    untiered = target & (pl.col("score") < lowest) if lowest is not None else target
    exprs.append(untiered.sum().alias("tier|"))
    return exprs


@dataclass
class Funnel:
    """The counts one aggregation row holds, in the target_summary.json shapes."""

    universe: int
    suppressed: int
    targets: int
    steps: list[dict[str, Any]]
    by_tier: dict[str, int]


def read_funnel(row: dict[str, Any], spec: IcpSpec) -> Funnel:
    """Turn the aggregation row from `funnel_exprs` into funnel steps and tier counts."""
    remaining = row["universe"] - row["suppressed"]
    steps = []
    for i, step in enumerate(step_names(spec)):
        removed = int(row[f"removed|{i}"])
        remaining -= removed
        steps.append({"step": step, "removed": removed, "unknown": int(row[f"unknown|{i}"]), "remaining": remaining})
    by_tier = {name: int(row[f"tier|{name}"]) for name in spec.scoring.tiers}
    if row["tier|"]:
        by_tier["untiered"] = int(row["tier|"])  # targets scoring below the lowest tier threshold
    return Funnel(int(row["universe"]), int(row["suppressed"]), int(row["targets"]), steps, by_tier)


def size_verdict(targets: int, band_min: int, band_max: int) -> Verdict:
    """too_narrow below the band, too_broad above it, ok inside (both ends included)."""
    if targets < band_min:
        return "too_narrow"
    if targets > band_max:
        return "too_broad"
    return "ok"
