"""Candidate spec edits that resize a target list, counted in the sizing aggregation, then ranked.

The candidate set (docs/icp.md, "Suggestions"): every minimum score an account can reach, each numeric filter's
bounds moved to the universe's quartiles, each filter dropped, each list filter cut to its most
common values. Each candidate is one Boolean expression over the scored frame, so all are counted in
one pass; applying its `edit` with `targeting.icp.spec.apply_edit` and running again yields exactly
the counted targets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict

from targeting.icp.conditions import format_value
from targeting.icp.spec import Filter, IcpSpec
from targeting.selection.scoring import SUPPRESSED, Spellings, condition_expr, disqualifier_column, filter_column
from targeting.selection.sizing import QUARTILES, UniverseStats

_SHOWN = 5
_MAX_SCORES = 60


class Suggestion(BaseModel):
    """One ranked change: readable text, the structured edit, and the targets it yields."""

    model_config = ConfigDict(frozen=True)

    change: str
    edit: dict[str, Any]
    targets: int


@dataclass(frozen=True)
class Candidate:
    """A spec edit and what it changes: a new minimum score, or filter `index` replaced/dropped."""

    change: str
    edit: dict[str, Any]
    min_score: int | None = None
    index: int | None = None
    replacement: Filter | None = None


def candidate_edits(spec: IcpSpec, stats: UniverseStats) -> list[Candidate]:
    """Every candidate edit for this spec and universe, without duplicates."""
    current = spec.scoring.min_score
    out = [
        Candidate(f"min score {current} -> {score}", {"op": "set_min_score", "min_score": score}, min_score=score)
        for score in _reachable_scores(spec)
        if score != current
    ]
    for i, f in enumerate(spec.filters):
        for text, new in _variants(f, stats):
            edit = {
                "op": "replace_filter",
                "index": i,
                "filter": new.model_dump(by_alias=True, exclude_none=True, mode="json"),
            }
            out.append(Candidate(f"filter {f.label} -> {text}", edit, index=i, replacement=new))
        out.append(Candidate(f"drop filter {f.label}", {"op": "drop_filter", "index": i}, index=i))
    unique: dict[str, Candidate] = {}
    for candidate in out:
        unique.setdefault(repr(candidate.edit), candidate)
    return list(unique.values())


def _reachable_scores(spec: IcpSpec) -> range:
    """Every minimum score that can change the list: from the lowest score an account can have to the
    highest, one past each end being the same as the end (all pass, none pass)."""
    points = [c.points for c in spec.scoring.criteria]
    low = sum(p for p in points if p < 0)
    high = sum(p for p in points if p > 0)
    if high - low > _MAX_SCORES:  # large point values: a spread of thresholds, ends included
        step = (high - low) // _MAX_SCORES + 1
        return range(low, high + 1, step)
    return range(low, high + 1)


def _variants(f: Filter, stats: UniverseStats) -> list[tuple[str, Filter]]:
    op, value = f.operator, f.value
    base = f.model_dump(by_alias=True, exclude_none=True)
    base.pop("name", None)  # the label of a moved filter must describe the new range
    out = []
    quartiles = stats.quartiles.get(f.field, {})
    points = [(name, _exact(quartiles[name], value)) for name, _ in QUARTILES if name in quartiles]
    if op == "between":
        lo, hi = value
        for name, q in points:
            if q != lo and q <= hi:
                out.append((f"{format_value([q, hi])} (lower bound at the {name})", {**base, "between": [q, hi]}))
            if q != hi and q >= lo:
                out.append((f"{format_value([lo, q])} (upper bound at the {name})", {**base, "between": [lo, q]}))
    elif op in ("gte", "lte"):
        out += [(f"{op} {format_value(q)} (the {name})", {**base, op: q}) for name, q in points if q != value]
    elif op in ("in", "contains_any", "contains_all") and len(value) > 1:
        counts = stats.value_counts.get(f.field, {})
        ranked = sorted(value, key=lambda v: -counts.get(v.lower() if isinstance(v, str) else v, 0))
        for keep in range(1, len(value)):
            kept = ranked[:keep]
            out.append((f"{op} {format_value(kept)} (its {keep} most common)", {**base, op: kept}))
    return [(text, Filter.model_validate(data)) for text, data in out]


def _exact(quartile: float, like: Any) -> int | float:
    """Quartiles of an integer column are whole: keep them ints so the YAML edit reads cleanly."""
    values = like if isinstance(like, list) else [like]
    if all(isinstance(v, int) for v in values) and float(quartile).is_integer():
        return int(quartile)
    return quartile


def candidate_exprs(
    spec: IcpSpec, candidates: list[Candidate], as_of: date, spellings: Spellings | None = None
) -> list[pl.Expr]:
    """One `sum` per candidate over the scored frame: the targets that candidate would yield."""
    passes = [pl.col(filter_column(i)).fill_null(False) for i in range(len(spec.filters))]
    kept = ~pl.col(SUPPRESSED)
    for j in range(len(spec.disqualifiers)):
        kept = kept & ~pl.col(disqualifier_column(j)).fill_null(False)
    exprs = []
    for n, c in enumerate(candidates):
        if c.min_score is not None:
            expr = pl.all_horizontal(kept, *passes) & (pl.col("score") >= c.min_score)
        else:
            others = [p for i, p in enumerate(passes) if i != c.index]
            if c.replacement is not None:
                others.append(condition_expr(c.replacement, as_of, spellings).fill_null(False))
            expr = pl.all_horizontal(kept, *others) & (pl.col("score") >= spec.scoring.min_score)
        exprs.append(expr.sum().alias(f"candidate|{n}"))
    return exprs


def rank_suggestions(
    candidates: list[Candidate], counts: list[int], targets: int, band: tuple[int, int]
) -> list[Suggestion]:
    """Candidates that bring the count closer to the band: in-band ones first (least change first),
    then the rest by distance to the band. A list inside the band gets none.

    Args:
        candidates: the candidate edits, in `candidate_exprs` order.
        counts: each candidate's target count.
        targets: the current target count.
        band: (min, max) of the target size band.

    Returns:
        At most five suggestions, each strictly closer to the band than the current count (widening
        when too narrow, narrowing when too broad); none when no candidate is.
    """
    low, high = band

    def distance(n: int) -> float:
        if low <= n <= high:
            return 0.0
        if n == 0:
            return math.inf
        return math.log(low / n) if n < low else math.log(n / high)

    def key(item: tuple[int, Candidate, int]) -> tuple[float, float, int]:
        order, _, n = item
        change = abs(math.log((n + 1) / (targets + 1)))
        return (distance(n), change if distance(n) == 0 else 0.0, order)

    items = [(order, c, n) for order, (c, n) in enumerate(zip(candidates, counts))]
    closer = [item for item in items if distance(item[2]) < distance(targets)]
    ranked = sorted(closer, key=key)[:_SHOWN]
    return [Suggestion(change=c.change, edit=c.edit, targets=n) for _, c, n in ranked]
