"""Derive an ICP from the difference between the best and the worst customers (or won and lost deals).

The rules, in the order they are applied:

- **filters** from what most of the best share: per field, the fewest values (or contiguous
  numeric bands) held by `FILTER_SHARE` of the best (the field's rule of thumb: an attribute held
  by 7+ of the 10 best) whose shrunk lift over the universe is at least `MIN_FILTER_LIFT`; then
  forward selection, each step taking the candidate that still narrows the list most among the
  accounts the filters so far keep, up to `MAX_FILTERS`, while the filters together keep at least
  `MIN_KEPT_BEST` of the best;
- **disqualifiers** (the anti-ICP) from what the worst share and the best do not: held by
  `DISQUALIFY_WORST_SHARE` of the worst and, shrunk, by a third as many of the best or fewer;
- **criteria** from shrunk lift among the accounts the filters keep: `round(log2(lift))` points,
  1 to 3;
- **tiers** at the derived list's own score quantiles, `target_size` around its own size.

Every rule carries its evidence (counts among best, worst and universe, lift, shrunk lift, the 95%
interval of its share of the best) in `spec.evidence` and, in `icp_text`, as a YAML comment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl
from scipy.stats import norm

from targeting.columns import FUNDING_STAGES, REGIONS
from targeting.errors import InputError
from targeting.icp.conditions import Condition, field_kind, format_value
from targeting.icp.prevalence import (
    ATTRIBUTE_FIELDS,
    BANDS,
    band_bounds,
    prevalence_table,
    shrunk,
    wilson,
)
from targeting.icp.spec import Disqualifier, IcpSpec
from targeting.selection.scoring import condition_expr, score_accounts

FILTER_SHARE = 0.7
MIN_FILTER_LIFT = 1.3
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
MIN_CLASS = 5
DEBUG = False
SMALL_CLASS = 30
WORKABLE = (2_000, 10_000)
DEFAULT_PERSONAS = ["economic_buyer", "champion", "technical_evaluator"]
# Identity, bookkeeping and the label itself (a won deal makes its account a customer) say
# nothing about fit.
NOT_ATTRIBUTES = {"account_id", "name", "domain", "source", "signals_at", "is_customer", "description"}


@dataclass
class RuleEvidence:
    """What one derived rule rests on: its counts among best, worst and universe."""

    rule: str
    label: str
    best: int
    n_best: int
    worst: int
    n_worst: int
    universe: int
    n_universe: int
    note: str | None = None

    @property
    def lift(self) -> float:
        """Share of the best over share of the universe."""
        p_u = self.universe / max(self.n_universe, 1)
        return (self.best / max(self.n_best, 1)) / p_u if p_u else math.inf

    @property
    def shrunk_lift(self) -> float:
        """The lift with the best's share shrunk toward the universe's (`prevalence.shrunk`)."""
        p_u = self.universe / max(self.n_universe, 1)
        return float(shrunk(self.best, self.n_best, p_u)) / p_u if p_u else math.inf

    def interval(self) -> tuple[float, float]:
        """95% Wilson interval of the share of the best."""
        low, high = wilson([self.best], [self.n_best])
        return float(low[0]), float(high[0])

    def comment(self, names: tuple[str, str]) -> str:
        """`44/46 best (96%, 95% CI 85-99%), 3/54 worst (6%), 1.6% of 20,000; lift 61x (shrunk 41x)`."""
        if self.note:
            return self.note
        low, high = self.interval()
        best, worst = names
        return (
            f"{self.best}/{self.n_best} {best} ({_pct(self.best, self.n_best)}, 95% CI {low:.0%}-{high:.0%}), "
            f"{self.worst}/{self.n_worst} {worst} ({_pct(self.worst, self.n_worst)}), "
            f"{_pct(self.universe, self.n_universe, 1)} of {self.n_universe:,} accounts; "
            f"lift {_times(self.lift)} (shrunk {_times(self.shrunk_lift)})"
        )

    def as_dict(self) -> dict[str, Any]:
        """The structured form kept in the spec's `evidence` list and the JSON summary."""
        low, high = self.interval()
        return {
            "rule": self.rule, "label": self.label,
            "best": f"{self.best}/{self.n_best}", "worst": f"{self.worst}/{self.n_worst}",
            "universe": f"{self.universe}/{self.n_universe}",
            "lift": _round(self.lift), "shrunk_lift": _round(self.shrunk_lift),
            "best_ci": [round(low, 3), round(high, 3)],
        }


@dataclass
class Derivation:
    """A derived ICP: the spec, its evidence, the prevalence table it came from, the list it yields."""

    spec: IcpSpec
    evidence: list[RuleEvidence]
    attributes: pl.DataFrame
    how: str
    source: str
    n_best: int
    n_worst: int
    n_universe: int
    list_size: int
    by_tier: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def group_names(self) -> tuple[str, str]:
        """What best and worst are called in evidence: customers or deals."""
        return ("won", "lost") if self.source == "deals" else ("best", "worst")


def derive_icp(
    universe: pl.LazyFrame,
    labels: pl.DataFrame,
    *,
    how: str,
    source: str = "customers",
    name: str = "derived-icp",
    as_of: date | None = None,
) -> Derivation:
    """Derive an ICP from labelled accounts.

    Args:
        universe: the canonical accounts (`import_accounts(...).accounts`, ideally collected once).
        labels: `account_id`, `label` (best, worst) for accounts of the universe.
        how: how best and worst were chosen, for the spec's description.
        source: `customers` (best vs worst customers) or `deals` (won vs lost).
        name: the lineage name of the new ICP.
        as_of: the day of `created_at` (default today).

    Returns:
        The derivation; `derivation.spec` is version 1 of its lineage and runs through `target`.

    Raises:
        InputError: fewer than `MIN_CLASS` best or worst accounts, or no attribute that tells the
            best from the universe (nothing to learn).
    """
    best_name, worst_name = ("won", "lost") if source == "deals" else ("best", "worst")
    n_universe = universe.select(pl.len()).collect().item()
    labelled = universe.join(labels.lazy().select("account_id", "label"), on="account_id", how="inner").collect()
    n_best = int((labelled["label"] == "best").sum())
    n_worst = int((labelled["label"] == "worst").sum())
    check_label_counts(n_best, n_worst, best_name, worst_name, source)
    fields = _attribute_fields(universe)
    table = prevalence_table(universe, labelled.lazy(), fields, n_universe, n_best, n_worst)
    best = labelled.filter(pl.col("label") == "best")
    worst = labelled.filter(pl.col("label") == "worst")
    filters = _select_filters(table, universe, best, n_universe)
    disqualifiers = _disqualifiers(table, filters, (best_name, worst_name))
    customers_already = universe.select(pl.col("is_customer").fill_null(False).sum()).collect().item() \
        if "is_customer" in universe.collect_schema().names() else 0
    if customers_already:  # a target list is for prospects: not derived, so no lift to show
        disqualifiers.append(Disqualifier(field="is_customer", eq=True, reason="already a customer"))
    criteria = _criteria(table, filters)
    if not filters and not criteria and not disqualifiers:
        raise InputError(
            f"nothing to learn: no attribute is held by more of the {n_best} {best_name} accounts than of the "
            f"universe ({', '.join(fields)} checked); more {best_name} accounts or richer account data would help",
            field="labels",
        )
    draft = IcpSpec(name=name, filters=filters, disqualifiers=disqualifiers,
                    scoring={"criteria": criteria}, personas=DEFAULT_PERSONAS)
    scores = score_accounts(universe, draft, as_of).filter(pl.col("dropped_at").is_null()).select("score").collect()
    tiers = _tiers(scores["score"])
    list_size = scores.height
    band = {"min": max(1, math.floor(list_size / 2)), "max": max(1, min(math.ceil(list_size * 2), n_universe))}
    spec = IcpSpec(
        name=name, version=1, parent=None,
        description=f"Derived from {source}: {how}.",
        created_at=(as_of or date.today()).isoformat(), author="outbound icp derive",
        target_size=band, filters=filters, disqualifiers=disqualifiers,
        scoring={"min_score": min(tiers.values()) if tiers else 0, "tiers": tiers, "criteria": criteria},
        personas=DEFAULT_PERSONAS,
    )
    evidence = _evidence(spec, universe, best, worst, n_universe)
    spec = spec.model_copy(update={"evidence": [e.as_dict() for e in evidence]})
    final = score_accounts(universe, spec, as_of).filter(pl.col("dropped_at").is_null())
    by_tier = dict(final.group_by("tier").len().collect().rows())
    by_tier = {t: int(by_tier.get(t, 0)) for t in spec.scoring.tiers}
    warnings = _warnings(n_best, n_worst, best_name, worst_name, list_size, n_universe, filters)
    return Derivation(spec=spec, evidence=evidence, attributes=table, how=how, source=source, n_best=n_best,
                      n_worst=n_worst, n_universe=n_universe, list_size=list_size, by_tier=by_tier, warnings=warnings)


def check_label_counts(n_best: int, n_worst: int, best: str, worst: str, source: str) -> None:
    """Refuse a comparison with no (or under `MIN_CLASS`) accounts on one side.

    Raises:
        InputError: naming the side and its count.
    """
    what = "deals" if source == "deals" else "customers"
    if n_best == 0 or n_worst == 0:
        only = best if n_worst == 0 else worst
        raise InputError(
            f"nothing to learn: all {n_best + n_worst} matched {what} are {only}; "
            f"derivation compares {best} with {worst} and needs at least {MIN_CLASS} of each",
            field="label",
        )
    for label, n in ((best, n_best), (worst, n_worst)):
        if n < MIN_CLASS:
            raise InputError(
                f"only {n} {label} accounts matched the universe; derivation needs at least {MIN_CLASS} "
                f"{best} and {MIN_CLASS} {worst} to compare", field="label", value=n,
            )


def _attribute_fields(universe: pl.LazyFrame) -> list[str]:
    names = universe.collect_schema().names()
    present = [f for f in ATTRIBUTE_FIELDS if f in names and f not in NOT_ATTRIBUTES]
    filled = universe.select(pl.col(f).is_not_null().any() for f in present).collect().row(0)
    return [f for f, any_value in zip(present, filled) if any_value]


def _condition(field_name: str, values: list[str]) -> Condition:
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


def _counts(frame: pl.LazyFrame | pl.DataFrame, conditions: list[Condition]) -> list[int]:
    if not conditions:
        return []
    today = date.today()
    row = frame.lazy().select(
        condition_expr(c, today).fill_null(False).sum().alias(str(i)) for i, c in enumerate(conditions)
    ).collect().row(0)
    return [int(v) for v in row]


def _all_pass(conditions: list[Condition]) -> pl.Expr:
    today = date.today()
    return pl.all_horizontal([condition_expr(c, today).fill_null(False) for c in conditions]) if conditions else pl.lit(True)


def _candidate_values(rows: pl.DataFrame, field_name: str) -> list[list[str]]:
    """The value sets a filter on one field could take, smallest first.

    A list field's values are not exclusive, so its sets grow one value at a time by shrunk lift
    (the fewest values most of the best hold). A categorical field takes every value the best
    hold more often than the universe (shrunk lift above 1, at least two best), most held first;
    a numeric field the run of adjacent such bands around its strongest well-held band.
    """
    rows = rows.filter(pl.col("best") > 0)
    if field_kind(field_name) == "list":
        ordered = rows.filter(pl.col("shrunk_lift") > 1).sort(
            ["shrunk_lift", "best"], descending=True)["value"].to_list()
        return [ordered[: i + 1] for i in range(min(len(ordered), MAX_LIST_FILTER_VALUES))]
    if field_name not in BANDS:
        over = rows.filter((pl.col("shrunk_lift") > 1) & (pl.col("best") >= 2)).sort(
            ["best", "shrunk_lift"], descending=True)["value"].to_list()
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
    while low > 0 and order[low - 1] in lift and lift[order[low - 1]] > 1 and _adjacent(all_bands, order[low - 1], order[low]):
        low -= 1
    while high < len(order) - 1 and lift[order[high + 1]] > 1 and _adjacent(all_bands, order[high], order[high + 1]):
        high += 1
    return [order[low: high + 1]]


def _adjacent(bands: list[str], a: str, b: str) -> bool:
    return bands.index(b) - bands.index(a) == 1


def _band_order(field_name: str) -> list[str]:
    from targeting.icp.prevalence import band_label

    return [band_label(lo, hi) for lo, hi in BANDS[field_name]]


def _select_filters(table: pl.DataFrame, universe: pl.LazyFrame, best: pl.DataFrame, n_universe: int) -> list:
    from targeting.icp.spec import Filter

    n_best = best.height
    fields = table["field"].unique(maintain_order=True).to_list()
    if "region" in fields:  # one geography filter, at the coarser grain
        fields = [f for f in fields if f != "country"]
    candidates: list[Condition] = []
    for name in fields:
        sets = _candidate_values(table.filter(pl.col("field") == name), name)
        if not sets:
            continue
        conditions = [_condition(name, values) for values in sets]
        coverage = _counts(best, conditions)
        chosen = next((c for c, k in zip(conditions, coverage) if k >= FILTER_SHARE * n_best), None)
        if chosen is not None:
            candidates.append(chosen)
    if not candidates:
        return []
    k_u = _counts(universe, candidates)
    k_b = _counts(best, candidates)
    # Held by the best more often than by the universe beyond doubt: the interval of the best's
    # share lies above the universe's share, at 95% corrected for the fields tried (Bonferroni),
    # so that with ten best one lucky field among fifteen does not become a filter.
    z = float(norm.ppf(1 - 0.05 / (2 * max(len(fields), 1))))
    candidates = [
        c for c, ku, kb in zip(candidates, k_u, k_b)
        if ku and float(wilson([kb], [n_best], z=z)[0][0]) > ku / n_universe
    ]
    chosen: list[Condition] = []
    while candidates and len(chosen) < MAX_FILTERS:
        mask = _all_pass(chosen)
        kept_universe, kept_best = universe.filter(mask), best.filter(mask)
        n_u = kept_universe.select(pl.len()).collect().item()
        n_b = kept_best.height
        k_u, k_b = _counts(kept_universe, candidates), _counts(kept_best, candidates)
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
        if DEBUG:
            print([(round(x, 3), round(y, 3), c.label) for x, y, c in scored])
        if lift < MIN_CONDITIONAL_LIFT:
            break
        chosen.append(pick)
        candidates = [c for c in candidates if c is not pick]
    return [Filter.model_validate(c.model_dump(by_alias=True, exclude_none=True)) for c in chosen]


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


def _disqualifiers(table: pl.DataFrame, filters: list, names: tuple[str, str]) -> list:
    rows = table.filter(
        (pl.col("p_worst") >= DISQUALIFY_WORST_SHARE) & (pl.col("worst") >= 3)
        & (pl.col("worst_shrunk") >= DISQUALIFY_RATIO * pl.col("best_shrunk"))
        & (pl.col("p_worst") > pl.col("p_universe"))
    ).sort("worst_lift", descending=True)
    by_field: dict[str, list[dict]] = {}
    for row in rows.iter_rows(named=True):
        if _excluded_by(filters, row["field"], row["value"]) or row["field"] in BANDS:
            continue
        by_field.setdefault(row["field"], []).append(row)
    result = []
    for name, found in list(by_field.items())[:MAX_DISQUALIFIERS]:
        values = [r["value"] for r in found[:MAX_FILTER_VALUES]]
        top = found[0]
        reason = (f"{top['p_worst']:.0%} of the {names[1]} vs {top['p_best']:.0%} of the {names[0]} "
                  f"hold {format_value(top['value'])}")
        condition = _condition(name, values)
        result.append(Disqualifier.model_validate({**condition.model_dump(by_alias=True, exclude_none=True),
                                                   "reason": reason}))
    return result


def _criteria(table: pl.DataFrame, filters: list) -> list:
    from targeting.icp.spec import Criterion

    single = {(f.field, v) for f in filters for v in _values_of(f) if len(_values_of(f)) == 1}
    rows = table.filter(
        (pl.col("shrunk_lift") >= MIN_CRITERION_LIFT) & (pl.col("best") >= pl.max_horizontal(pl.lit(3.0), 0.1 * pl.col("n_best")))
        & (pl.col("best_low") > pl.col("p_universe"))  # more common among the best beyond doubt
    )
    result = []
    for row in rows.iter_rows(named=True):
        if (row["field"], row["value"].lower()) in single or _excluded_by(filters, row["field"], row["value"]):
            continue
        condition = _condition(row["field"], [row["value"]])
        points = max(1, min(3, round(math.log2(row["shrunk_lift"]))))
        result.append(Criterion.model_validate({**condition.model_dump(by_alias=True, exclude_none=True),
                                                "points": points}))
        if len(result) == MAX_CRITERIA:
            break
    return result


def _tiers(scores: pl.Series) -> dict[str, int]:
    """A at the top fifth of the derived list's scores, B at its median, C at its lowest score."""
    if scores.is_empty():
        return {}
    thresholds = [int(scores.quantile(q, interpolation="lower")) for q in (0.8, 0.5)] + [int(scores.min())]
    distinct = sorted(set(thresholds), reverse=True)
    return dict(zip("ABC", distinct))


def _evidence(spec: IcpSpec, universe: pl.LazyFrame, best: pl.DataFrame, worst: pl.DataFrame,
              n_universe: int) -> list[RuleEvidence]:
    rules = [(f"filters[{i}]", c) for i, c in enumerate(spec.filters)]
    rules += [(f"disqualifiers[{i}]", c) for i, c in enumerate(spec.disqualifiers)]
    rules += [(f"scoring.criteria[{i}]", c) for i, c in enumerate(spec.scoring.criteria)]
    conditions = [c for _, c in rules]
    k_u, k_b, k_w = _counts(universe, conditions), _counts(best, conditions), _counts(worst, conditions)
    return [
        RuleEvidence(rule=rule, label=c.label, best=kb, n_best=best.height, worst=kw, n_worst=worst.height,
                     universe=ku, n_universe=n_universe,
                     note=f"not derived: {ku:,} accounts of the universe are customers already" if c.field == "is_customer" else None)
        for (rule, c), ku, kb, kw in zip(rules, k_u, k_b, k_w)
    ]


def _warnings(n_best: int, n_worst: int, best: str, worst: str, size: int, n_universe: int, filters: list) -> list[str]:
    warnings = []
    if min(n_best, n_worst) < SMALL_CLASS:
        low, high = wilson([7], [10]) if min(n_best, n_worst) <= 10 else wilson([21], [30])
        n = 10 if min(n_best, n_worst) <= 10 else 30
        warnings.append(
            f"small sample: {n_best} {best} and {n_worst} {worst}; a share of 70% among {n} could be "
            f"{low[0]:.0%}-{high[0]:.0%} (95% interval), so every line below is a hypothesis: test it before trusting it"
        )
    if not filters:
        warnings.append(f"no attribute is held by {FILTER_SHARE:.0%} of the {best} and rare in the universe: "
                        "the ICP has no filters and ranks the whole universe by points")
    if size >= n_universe:
        warnings.append(f"the derived ICP keeps the whole universe ({n_universe:,} accounts): a market, not a profile")
    low, high = WORKABLE
    if size < low:
        warnings.append(
            f"the derived list is {size:,} accounts, under the field's workable {low:,}-{high:,}: this universe "
            f"({n_universe:,} accounts) cannot yield a workable list in this profile; add accounts like these "
            "(another export) rather than loosening the profile"
        )
    elif size > high:
        warnings.append(f"the derived list is {size:,} accounts, over the field's workable {low:,}-{high:,}: "
                        "raise min_score or add a filter")
    return warnings


def _pct(k: int, n: int, digits: int = 0) -> str:
    return f"{k / n:.{digits}%}" if n else "-"


def _times(x: float) -> str:
    if math.isinf(x):
        return "inf"
    return f"{x:.1f}x" if x < 10 else f"{x:.0f}x"


def _round(x: float) -> float | None:
    return None if math.isinf(x) else round(x, 2)
