"""The rules of a derivation: filters, the anti-ICP, points and tiers, each from a prevalence table.

See `targeting.icp.derive` for the rules in words; this module holds their thresholds and choices.
Conditions are counted with `condition_expr`, the very expressions `target` runs, so a rule's
evidence counts exactly the accounts the rule keeps or drops.
"""

from __future__ import annotations

import math
from datetime import date

import polars as pl
from scipy.stats import norm

from targeting.columns import FUNDING_STAGES, REGIONS
from targeting.icp.conditions import Condition, field_kind, format_value
from targeting.icp.prevalence import BANDS, band_bounds, band_label, shrunk, wilson
from targeting.icp.spec import Criterion, Disqualifier, Filter
from targeting.selection.scoring import condition_expr

FILTER_SHARE = 0.7
MIN_CONDITIONAL_LIFT = 1.05
MAX_FILTERS = 5
MIN_KEPT_BEST = 0.5
MAX_FILTER_VALUES = 6
MAX_LIST_FILTER_VALUES = 2  # "held by 7 of the 10 best" is about one tool or tag, not any of many
DISQUALIFY_WORST_SHARE = 0.25
DISQUALIFY_RATIO = 3.0
MAX_DISQUALIFIERS = 3
MIN_CRITERION_LIFT = 1.5
MAX_CRITERIA = 8


def condition_of(field_name: str, values: list[str]) -> Condition:
    """A condition holding for any of `values` (bands for a numeric field, which must be contiguous)."""
    if field_name in BANDS:
        bounds = sorted(band_bounds(field_name, v) for v in values)
        low, high = bounds[0][0], bounds[-1][1]
        low = int(low) if float(low).is_integer() else low
        if high is None:
            return Condition(field=field_name, gte=low)
        return Condition(field=field_name, between=[low, int(high) if float(high).is_integer() else high])
    if field_kind(field_name) == "list":
        return Condition(field=field_name, contains_any=values)
    canonical = {"funding_stage": FUNDING_STAGES, "region": REGIONS}.get(field_name)
    if canonical:  # series_a, series_b, series_c reads better than the order of their lifts
        values = sorted(values, key=lambda v: canonical.index(v) if v in canonical else len(canonical))
    return Condition(field=field_name, eq=values[0]) if len(values) == 1 else Condition(field=field_name, in_=values)


def count_holding(frame: pl.LazyFrame | pl.DataFrame, conditions: list[Condition]) -> list[int]:
    if not conditions:
        return []
    today = date.today()
    row = (
        frame.lazy()
        .select(condition_expr(c, today).fill_null(False).sum().alias(str(i)) for i, c in enumerate(conditions))
        .collect()
        .row(0)
    )
    return [int(v) for v in row]


def all_pass(conditions: list[Condition]) -> pl.Expr:
    today = date.today()
    return (
        pl.all_horizontal([condition_expr(c, today).fill_null(False) for c in conditions])
        if conditions
        else pl.lit(True)
    )


def _candidate_values(rows: pl.DataFrame, field_name: str) -> list[list[str]]:
    """The value sets a filter on one field could take, smallest first.

    A list field's values are not exclusive, so its sets grow one value at a time, most informative
    first (share of the best times log shrunk lift: a tool most of the best hold and few others do
    comes before a rare one with a lucky lift, and before a common one everybody holds). A categorical field takes every value the best
    hold more often than the universe (shrunk lift above 1, at least two best), most held first;
    a numeric field the run of adjacent such bands around its strongest well-held band.
    """
    rows = rows.filter(pl.col("best") > 0)
    if field_kind(field_name) == "list":
        ordered = (
            rows.filter(pl.col("shrunk_lift") > 1)
            .with_columns(information=pl.col("p_best") * pl.col("shrunk_lift").log())
            .sort(["information", "best"], descending=True)["value"]
            .to_list()
        )
        return [ordered[: i + 1] for i in range(min(len(ordered), MAX_LIST_FILTER_VALUES))]
    if field_name not in BANDS:
        over = (
            rows.filter((pl.col("shrunk_lift") > 1) & (pl.col("best") >= 2))
            .sort(["best", "shrunk_lift"], descending=True)["value"]
            .to_list()
        )
        return [over[:MAX_FILTER_VALUES]] if over else []
    order = [band for band in _band_order(field_name) if band in set(rows["value"])]
    if not order:
        return []
    best = dict(zip(rows["value"], rows["best"]))
    lift = dict(zip(rows["value"], rows["shrunk_lift"]))
    heavy = [b for b in order if best[b] >= 0.15 * rows["n_best"][0]] or order
    start = order.index(max(heavy, key=lambda b: lift[b]))
    low = high = start
    # Adjacent in the field's own band order: a gap (a band no best account holds) ends the run.
    all_bands = _band_order(field_name)
    while (
        low > 0
        and order[low - 1] in lift
        and lift[order[low - 1]] > 1
        and _adjacent(all_bands, order[low - 1], order[low])
    ):
        low -= 1
    while high < len(order) - 1 and lift[order[high + 1]] > 1 and _adjacent(all_bands, order[high], order[high + 1]):
        high += 1
    return [order[low : high + 1]]


def _adjacent(bands: list[str], a: str, b: str) -> bool:
    return bands.index(b) - bands.index(a) == 1


def _band_order(field_name: str) -> list[str]:
    return [band_label(lo, hi) for lo, hi in BANDS[field_name]]


def select_filters(table: pl.DataFrame, universe: pl.LazyFrame, best: pl.DataFrame, n_universe: int) -> list:
    n_best = best.height
    fields = table["field"].unique(maintain_order=True).to_list()
    if "region" in fields:  # one geography filter, at the coarser grain
        fields = [f for f in fields if f != "country"]
    candidates: list[Condition] = []
    for name in fields:
        sets = _candidate_values(table.filter(pl.col("field") == name), name)
        if not sets:
            continue
        conditions = [condition_of(name, values) for values in sets]
        coverage = count_holding(best, conditions)
        chosen = next((c for c, k in zip(conditions, coverage) if k >= FILTER_SHARE * n_best), None)
        if chosen is not None:
            candidates.append(chosen)
    if not candidates:
        return []
    k_u = count_holding(universe, candidates)
    k_b = count_holding(best, candidates)
    # Held by the best more often than by the universe beyond doubt: the interval of the best's
    # share lies above the universe's share, at 95% corrected for the fields tried (Bonferroni),
    # so that with ten best one lucky field among fifteen does not become a filter.
    z = _corrected_z(table)
    candidates = [
        c
        for c, ku, kb in zip(candidates, k_u, k_b)
        if ku and float(wilson([kb], [n_best], z=z)[0][0]) > ku / n_universe
    ]
    chosen: list[Condition] = []
    while candidates and len(chosen) < MAX_FILTERS:
        mask = all_pass(chosen)
        kept_universe, kept_best = universe.filter(mask), best.filter(mask)
        n_u = kept_universe.select(pl.len()).collect().item()
        n_b = kept_best.height
        k_u, k_b = count_holding(kept_universe, candidates), count_holding(kept_best, candidates)
        known = kept_universe.select(pl.col(c.field).is_not_null().mean() for c in candidates).collect().row(0)
        scored = []
        for c, ku, kb, filled in zip(candidates, k_u, k_b, known):
            if ku == 0 or kb < MIN_KEPT_BEST * n_best:
                continue
            lift = float(shrunk(kb, n_b, ku / n_u)) / (ku / n_u)
            # Information, not lift alone: a filter that keeps more of the best (fewer nulls, a
            # wider hold) beats a slightly sharper one that drops many of them.
            # A field the export often leaves blank drops accounts for missing data, not for fit.
            scored.append((kb / n_b * math.log(max(lift, 1e-9)) * (filled or 0.0), lift, c))
        if not scored:
            break
        _, lift, pick = max(scored, key=lambda s: s[0])
        if lift < MIN_CONDITIONAL_LIFT:
            break
        chosen.append(pick)
        candidates = [c for c in candidates if c is not pick]
    return [Filter.model_validate(c.model_dump(by_alias=True, exclude_none=True)) for c in chosen]


def _corrected_z(table: pl.DataFrame) -> float:
    """The z of a two-sided 95% interval, Bonferroni-corrected for the fields a derivation tries."""
    return float(norm.ppf(1 - 0.05 / (2 * max(table["field"].n_unique(), 1))))


def _values_of(condition: Condition) -> set[str]:
    value = condition.value
    return {str(v).lower() for v in (value if isinstance(value, list) else [value])}


def _excluded_by(filters: list, field_name: str, value: str) -> bool:
    """True when an attribute can only be held by accounts the filters already drop."""
    for f in filters:
        if f.field != field_name:
            continue
        if field_name in BANDS:
            low, high = band_bounds(field_name, value)
            f_low = f.between[0] if f.between else f.gte
            f_high = f.between[1] if f.between else None
            inside = (f_high is None or low <= f_high) and (high is None or high >= f_low)
            if not inside:
                return True
        elif field_kind(field_name) != "list" and value.lower() not in _values_of(f):
            return True
    return False


def select_disqualifiers(table: pl.DataFrame, filters: list, names: tuple[str, str]) -> list:
    """The anti-ICP: what the worst share and the best do not, one disqualifier per field.

    Held by `DISQUALIFY_WORST_SHARE` of the worst, shrunk `DISQUALIFY_RATIO` times as often as by
    the best, and by the worst more often than by the universe beyond doubt (the Bonferroni-
    corrected interval, as for filters), on a field and value the filters do not already exclude.
    """
    rows = table.filter(
        (pl.col("p_worst") >= DISQUALIFY_WORST_SHARE)
        & (pl.col("worst") >= 3)
        & (pl.col("worst_shrunk") >= DISQUALIFY_RATIO * pl.col("best_shrunk"))
        & (pl.col("p_worst") > pl.col("p_universe"))
    ).sort("worst_lift", descending=True)
    if rows.height:
        low, _ = wilson(rows["worst"].to_numpy(), rows["n_worst"].to_numpy(), z=_corrected_z(table))
        rows = rows.filter(pl.Series(low) > rows["p_universe"])
    by_field: dict[str, list[dict]] = {}
    for row in rows.iter_rows(named=True):
        if _excluded_by(filters, row["field"], row["value"]) or row["field"] in BANDS:
            continue
        by_field.setdefault(row["field"], []).append(row)
    result = []
    for name, found in list(by_field.items())[:MAX_DISQUALIFIERS]:
        values = [r["value"] for r in found[:MAX_FILTER_VALUES]]
        top = found[0]
        reason = (
            f"{top['p_worst']:.0%} of the {names[1]} vs {top['p_best']:.0%} of the {names[0]} "
            f"hold {format_value(top['value'])}"
        )
        condition = condition_of(name, values)
        result.append(
            Disqualifier.model_validate({**condition.model_dump(by_alias=True, exclude_none=True), "reason": reason})
        )
    return result


def select_criteria(table: pl.DataFrame, filters: list) -> list:
    """Points for attributes more common among the best beyond doubt: `round(log2(shrunk lift))`, 1-3.

    Skipped: an attribute a one-value filter already requires, one the filters exclude, and a set
    of points that every value a filter admits would earn alike (a constant ranks nobody).
    """
    single = {(f.field, v) for f in filters for v in _values_of(f) if len(_values_of(f)) == 1}
    rows = table.filter(
        (pl.col("shrunk_lift") >= MIN_CRITERION_LIFT)
        & (pl.col("best") >= pl.max_horizontal(pl.lit(3.0), 0.1 * pl.col("n_best")))
        & (pl.col("best_low") > pl.col("p_universe"))  # more common among the best beyond doubt
    )
    chosen = []
    for row in rows.iter_rows(named=True):
        if (row["field"], row["value"].lower()) in single or _excluded_by(filters, row["field"], row["value"]):
            continue
        chosen.append((row["field"], row["value"], max(1, min(3, round(math.log2(row["shrunk_lift"]))))))
    filtered = {f.field for f in filters if field_kind(f.field) != "list"}
    constant = set()
    for name in filtered:
        admitted = {v for v in table.filter(pl.col("field") == name)["value"] if not _excluded_by(filters, name, v)}
        earned = {(v, p) for f, v, p in chosen if f == name}
        if admitted and {v for v, _ in earned} >= admitted and len({p for _, p in earned}) == 1:
            constant.add(name)
    return [
        Criterion.model_validate({**condition_of(f, [v]).model_dump(by_alias=True, exclude_none=True), "points": p})
        for f, v, p in chosen
        if f not in constant
    ][:MAX_CRITERIA]


def tiers_of(scores: pl.Series) -> dict[str, int]:
    """A at the top fifth of the derived list's scores, B at its median, C at its lowest score."""
    if scores.is_empty():
        return {}
    thresholds = [int(scores.quantile(q, interpolation="lower")) for q in (0.8, 0.5)] + [int(scores.min())]
    distinct = sorted(set(thresholds), reverse=True)
    return dict(zip("ABC", distinct))
