"""Derive an ICP from the difference between the best and the worst customers (or won and lost deals).

The rules (`targeting.icp.derive_rules`), in the order they are applied:

- **filters** from what most of the best share: per field, the fewest list values, the
  categorical values or the run of adjacent numeric bands the best hold more often than the
  universe, held by `FILTER_SHARE` of the best (the field's rule of thumb: an attribute held by 7+
  of the 10 best) and above the universe's share beyond doubt (a 95% interval, Bonferroni-corrected
  for the fields tried); then forward selection, each step taking the candidate most informative
  among the accounts the filters so far keep, up to `MAX_FILTERS`, while the filters together keep
  at least `MIN_KEPT_BEST` of the best;
- **disqualifiers** (the anti-ICP) from what the worst share and the best do not: held by
  `DISQUALIFY_WORST_SHARE` of the worst and, shrunk, by a third as many of the best or fewer;
  plus `is_customer` where the universe marks customers (a target list is for prospects);
- **criteria** from shrunk lift over the universe, more common among the best beyond doubt:
  `round(log2(lift))` points, 1 to 3;
- **tiers** at the derived list's own score quantiles, `target_size` around its own size.

Every rule carries its evidence (counts among best, worst and universe, lift, shrunk lift, the 95%
interval of its share of the best) in `spec.evidence` and, in `derived_icp_text`, as a YAML comment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from targeting.errors import InputError
from targeting.icp.derive_rules import (
    FILTER_SHARE,
    count_holding,
    select_criteria,
    select_disqualifiers,
    select_filters,
    tiers_of,
)
from targeting.icp.evidence import RuleEvidence
from targeting.icp.prevalence import ATTRIBUTE_FIELDS, prevalence_table, wilson
from targeting.icp.spec import Disqualifier, IcpSpec
from targeting.selection.scoring import score_accounts

__all__ = ["Derivation", "RuleEvidence", "check_label_counts", "derive_from_labels"]

MIN_CLASS = 5
SMALL_CLASS = 30
WORKABLE = (2_000, 10_000)
DEFAULT_PERSONAS = ["economic_buyer", "champion", "technical_evaluator"]
# Identity, bookkeeping and the label itself (a won deal makes its account a customer) say
# nothing about fit.
NOT_ATTRIBUTES = {"account_id", "name", "domain", "source", "signals_at", "is_customer", "description"}


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


def derive_from_labels(
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
    filters = select_filters(table, universe, best, n_universe)
    disqualifiers = select_disqualifiers(table, filters, (best_name, worst_name))
    criteria = select_criteria(table, filters)
    if not filters and not criteria and not disqualifiers:
        raise InputError(
            f"nothing to learn: no attribute is held by more of the {n_best} {best_name} accounts than of the "
            f"universe ({', '.join(fields)} checked); more {best_name} accounts or richer account data would help",
            field="labels",
        )
    marked = "is_customer" in universe.collect_schema().names()
    if marked and universe.select(pl.col("is_customer").fill_null(False).any()).collect().item():
        # A target list is for prospects. Not derived, so it has no lift to show.
        disqualifiers.append(Disqualifier(field="is_customer", eq=True, reason="already a customer"))
    draft = IcpSpec(
        name=name,
        filters=filters,
        disqualifiers=disqualifiers,
        scoring={"criteria": criteria},
        personas=DEFAULT_PERSONAS,
    )
    scores = score_accounts(universe, draft, as_of).filter(pl.col("dropped_at").is_null()).select("score").collect()
    tiers = tiers_of(scores["score"])
    list_size = scores.height
    band = {"min": max(1, math.floor(list_size / 2)), "max": max(1, min(math.ceil(list_size * 2), n_universe))}
    spec = IcpSpec(
        name=name,
        version=1,
        parent=None,
        description=f"Derived from {source}: {how}.",
        created_at=(as_of or date.today()).isoformat(),
        author="outbound icp derive",
        target_size=band,
        filters=filters,
        disqualifiers=disqualifiers,
        scoring={"min_score": min(tiers.values()) if tiers else 0, "tiers": tiers, "criteria": criteria},
        personas=DEFAULT_PERSONAS,
    )
    evidence = _evidence(spec, universe, best, worst, n_universe)
    spec = spec.model_copy(update={"evidence": [e.as_dict() for e in evidence]})
    final = score_accounts(universe, spec, as_of).filter(pl.col("dropped_at").is_null())
    by_tier = dict(final.group_by("tier").len().collect().rows())
    by_tier = {t: int(by_tier.get(t, 0)) for t in spec.scoring.tiers}
    warnings = _warnings(n_best, n_worst, best_name, worst_name, list_size, n_universe, filters)
    return Derivation(
        spec=spec,
        evidence=evidence,
        attributes=table,
        how=how,
        source=source,
        n_best=n_best,
        n_worst=n_worst,
        n_universe=n_universe,
        list_size=list_size,
        by_tier=by_tier,
        warnings=warnings,
    )


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
                f"{best} and {MIN_CLASS} {worst} to compare",
                field="label",
                value=n,
            )


def _attribute_fields(universe: pl.LazyFrame) -> list[str]:
    names = universe.collect_schema().names()
    present = [f for f in ATTRIBUTE_FIELDS if f in names and f not in NOT_ATTRIBUTES]
    filled = universe.select(pl.col(f).is_not_null().any() for f in present).collect().row(0)
    return [f for f, any_value in zip(present, filled) if any_value]


def _evidence(
    spec: IcpSpec, universe: pl.LazyFrame, best: pl.DataFrame, worst: pl.DataFrame, n_universe: int
) -> list[RuleEvidence]:
    rules = [(f"filters[{i}]", c) for i, c in enumerate(spec.filters)]
    rules += [(f"disqualifiers[{i}]", c) for i, c in enumerate(spec.disqualifiers)]
    rules += [(f"scoring.criteria[{i}]", c) for i, c in enumerate(spec.scoring.criteria)]
    conditions = [c for _, c in rules]
    k_u, k_b, k_w = (
        count_holding(universe, conditions),
        count_holding(best, conditions),
        count_holding(worst, conditions),
    )
    return [
        RuleEvidence(
            rule=rule,
            label=c.label,
            best=kb,
            n_best=best.height,
            worst=kw,
            n_worst=worst.height,
            universe=ku,
            n_universe=n_universe,
            note=f"not derived: {ku:,} accounts of the universe are customers already"
            if c.field == "is_customer"
            else None,
        )
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
        warnings.append(
            f"no attribute is held by {FILTER_SHARE:.0%} of the {best} and rare in the universe: "
            "the ICP has no filters and ranks the whole universe by points"
        )
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
        warnings.append(
            f"the derived list is {size:,} accounts, over the field's workable {low:,}-{high:,}: "
            "raise min_score or add a filter"
        )
    return warnings
