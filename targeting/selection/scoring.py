"""Compile an ICP spec to Polars expressions and score accounts lazily.

A condition compiles to a Boolean expression that is null exactly when the account's field is
null (or, with `within_days`, when a match has no `signals_at`): null is "unknown", it never
satisfies a filter or earns points, and the funnel counts it separately.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.conditions import Condition, field_kind
from targeting.icp.spec import Criterion, IcpSpec
from targeting.icp.spelling import spoken_like_the_data
from targeting.identity import domain_suppressed_expr

SUPPRESSED = "_suppressed"
SUPPRESSION_STEP = "suppression"
_SEPARATOR = "\x1f"  # ASCII unit separator: never part of a label or a value


def filter_column(index: int) -> str:
    """Column holding filter `index`'s outcome (True passes, False fails, null unknown)."""
    return f"_filter_{index}"


def disqualifier_column(index: int) -> str:
    """Column holding whether disqualifier `index` holds (True drops the account)."""
    return f"_disqualifier_{index}"


def criterion_column(index: int) -> str:
    """Column holding whether criterion `index` earned its points."""
    return f"_criterion_{index}"


def step_names(spec: IcpSpec) -> list[str]:
    """The funnel steps after suppression, in order: filters, disqualifiers, minimum score."""
    names = [f"filter {f.label}" for f in spec.filters]
    names += [f"disqualifier {d.label} ({d.reason})" for d in spec.disqualifiers]
    names.append(f"min score {spec.scoring.min_score}")
    seen: dict[str, int] = {}
    unique = []
    for name in names:  # two identical filters still need two distinct step names
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return unique


Spellings = dict[str, dict[str, list[str]]]
"""field -> lowercased value -> the raw spellings the universe holds (from `universe_stats`)."""


def condition_expr(cond: Condition, as_of: date, spellings: Spellings | None = None) -> pl.Expr:
    """The Boolean expression for one condition; null where the field is unknown.

    Args:
        cond: the condition.
        as_of: the day `within_days` counts back from.
        spellings: when the universe's raw spellings of this field are known, text is matched
            against them exactly instead of lowercasing every value (same result, half the work).
    """
    col = pl.col(cond.field)
    kind = field_kind(cond.field)
    op, value = cond.operator, cond.value
    if op == "is_null":
        return col.is_null()
    if op == "not_null":
        return col.is_not_null()
    known = (spellings or {}).get(cond.field)
    if kind == "list":
        expr = _list_expr(col, op, value, known)
    else:
        expr = _scalar_expr(col, kind, op, value, known)
    if cond.within_days:
        # Kleene AND: a non-match stays False, a match without a signal date becomes unknown.
        expr = expr & (pl.col("signals_at") >= as_of - timedelta(days=cond.within_days))
    return expr


def _lower(values: list) -> list:
    return [v.lower() if isinstance(v, str) else v for v in values]


def _raw(values: list[str], known: dict[str, list[str]]) -> pl.Expr:
    raw = [spelling for v in dict.fromkeys(_lower(values)) for spelling in known.get(v, [])]
    return pl.lit(pl.Series(raw, dtype=pl.String)).implode()


def _scalar_expr(col: pl.Expr, kind: str, op: str, value: object, known: dict | None) -> pl.Expr:
    if kind == "text" and op in ("eq", "in", "not_in"):
        values = [value] if op == "eq" else value
        if known is not None:
            hit = col.is_in(_raw(values, known))
        else:
            hit = col.str.to_lowercase().is_in(_lower(values))
        return ~hit if op == "not_in" else hit
    if op == "eq":
        return col == value
    if op == "in":
        return col.is_in(value)
    if op == "not_in":
        return ~col.is_in(value)
    if op == "between":
        return col.is_between(value[0], value[1], closed="both")
    if op == "gte":
        return col >= value
    if op == "lte":
        return col <= value
    if op == "matches":
        return col.str.contains(f"(?i){value}")
    raise ValueError(f"operator {op!r} does not apply to a {kind} field")


def _any_element(col: pl.Expr, values: list[str], known: dict | None) -> pl.Expr:
    if known is not None:
        return col.list.eval(pl.element().is_in(_raw(values, known))).list.any()
    return col.list.eval(pl.element().str.to_lowercase().is_in(_lower(values))).list.any()


def _list_expr(col: pl.Expr, op: str, value: object, known: dict | None) -> pl.Expr:
    if op == "eq":
        return _any_element(col, [value], known)
    if op in ("in", "contains_any"):
        return _any_element(col, value, known)
    if op == "not_in":
        return ~_any_element(col, value, known)
    if op == "contains_all":
        return pl.all_horizontal(_any_element(col, [v], known) for v in dict.fromkeys(_lower(value)))
    if op == "matches":
        return col.list.eval(pl.element().str.contains(f"(?i){value}")).list.any()
    raise ValueError(f"operator {op!r} does not apply to a list field")


def suppressed_expr(keys: Collection[str] | pl.Series | None) -> pl.Expr:
    """True for accounts whose account_id (case-insensitive) is a suppression key, or whose domain is
    a suppressed domain key or a subdomain of one (`targeting.identity`)."""
    if keys is None or len(keys) == 0:
        return pl.lit(False)
    lowered = pl.Series("keys", list(keys), dtype=pl.String).str.to_lowercase().unique()
    domains = [k for k in lowered.to_list() if k and "." in k]
    return (
        pl.col("account_id").str.to_lowercase().is_in(lowered.implode())
        | domain_suppressed_expr(pl.col("domain"), domains)
    ).fill_null(False)


def score_accounts(
    accounts: pl.LazyFrame,
    spec: IcpSpec,
    as_of: date | None = None,
    *,
    suppressed_keys: Collection[str] | pl.Series | None = None,
    spellings: Spellings | None = None,
    with_reasons: bool = True,
) -> pl.LazyFrame:
    """Add every funnel and scoring column to the universe, lazily.

    Args:
        accounts: the universe with the canonical ACCOUNT_SCHEMA columns.
        spec: the validated ICP.
        as_of: the day `within_days` counts back from (default: today).
        suppressed_keys: account ids or domains suppressed at account level.
        spellings: the universe's raw spellings per field (`UniverseStats.spellings`), for speed.
        with_reasons: add `reasons` (skip it when they are computed later for targets only).

    Returns:
        The accounts plus `_suppressed`, one `_filter_i`/`_disqualifier_j`/`_criterion_k` column
        per rule, `score` (int), `tier` (by score alone; null below the lowest tier), `reasons`
        (one "+2 sweet-spot size: employees=120" per earned criterion) and `dropped_at` (an Enum of
        the step that removed the account; null for targets).
    """
    as_of = as_of or date.today()
    # An ICP meets a universe in the data's spelling, whoever calls (targeting, planning, backtests).
    spec, _ = spoken_like_the_data(spec)
    criteria = spec.scoring.criteria
    steps = step_names(spec)
    step_dtype = pl.Enum([SUPPRESSION_STEP, *steps])
    rules = [suppressed_expr(suppressed_keys).alias(SUPPRESSED)]
    rules += [condition_expr(f, as_of, spellings).alias(filter_column(i)) for i, f in enumerate(spec.filters)]
    rules += [
        condition_expr(d, as_of, spellings).alias(disqualifier_column(i)) for i, d in enumerate(spec.disqualifiers)
    ]
    rules += [
        condition_expr(c, as_of, spellings).fill_null(False).alias(criterion_column(i)) for i, c in enumerate(criteria)
    ]
    points = [pl.when(pl.col(criterion_column(i))).then(c.points).otherwise(0) for i, c in enumerate(criteria)]
    score = pl.sum_horizontal(points).cast(pl.Int64) if points else pl.lit(0, dtype=pl.Int64)

    dropped = pl.when(pl.col(SUPPRESSED)).then(pl.lit(SUPPRESSION_STEP, dtype=step_dtype))
    for i in range(len(spec.filters)):
        dropped = dropped.when(~pl.col(filter_column(i)).fill_null(False)).then(pl.lit(steps[i], dtype=step_dtype))
    offset = len(spec.filters)
    for j in range(len(spec.disqualifiers)):
        dropped = dropped.when(pl.col(disqualifier_column(j)).fill_null(False)).then(
            pl.lit(steps[offset + j], dtype=step_dtype)
        )
    dropped = dropped.when(pl.col("score") < spec.scoring.min_score).then(pl.lit(steps[-1], dtype=step_dtype))
    dropped = dropped.otherwise(pl.lit(None, dtype=step_dtype))

    scored = (
        accounts.with_columns(rules)
        .with_columns(score.alias("score"))
        .with_columns(tier_expr(spec).alias("tier"), dropped.alias("dropped_at"))
    )
    return scored.with_columns(reasons_expr(criteria, spellings).alias("reasons")) if with_reasons else scored


def tier_expr(spec: IcpSpec) -> pl.Expr:
    """The tier name for `score` (highest threshold met), null below every threshold."""
    tier = pl.lit(None, dtype=pl.String)
    for name, threshold in reversed(spec.scoring.tiers.items()):
        tier = pl.when(pl.col("score") >= threshold).then(pl.lit(name)).otherwise(tier)
    return tier


def reasons_expr(criteria: list[Criterion], spellings: Spellings | None = None) -> pl.Expr:
    """A list of "+2 sweet-spot size: employees=120" strings, one per criterion the account earned."""
    if not criteria:
        return pl.lit([], dtype=pl.List(pl.String))
    parts = [
        pl.when(pl.col(criterion_column(i))).then(
            pl.concat_str(
                [pl.lit(f"{c.points:+d} {c.label}: {c.field}="), _shown_value(c, spellings)], ignore_nulls=True
            )
        )
        for i, c in enumerate(criteria)
    ]
    # One joined string split once is far cheaper than concat_list over many nullable columns. A
    # leading sentinel makes "no reasons" split to [sentinel] rather than [""], so dropping the
    # first element is always right, and no when/then over a list column (half the cost) is needed.
    joined = pl.concat_str([pl.lit(""), *parts], separator=_SEPARATOR, ignore_nulls=True)
    return joined.str.split(_SEPARATOR).list.slice(1)


def field_is_float(field: str) -> bool:
    """True for float account columns (revenue_usd)."""
    return ACCOUNT_SCHEMA[field] == pl.Float64()


def _shown_value(cond: Condition, spellings: Spellings | None = None) -> pl.Expr:
    """The account's value that earned the points; for a list, the elements that matched."""
    col = pl.col(cond.field)
    kind = field_kind(cond.field)
    if kind == "number" and field_is_float(cond.field):
        whole = col.round(0) == col  # 5000000.0 reads better as 5000000
        return pl.when(whole).then(col.cast(pl.Int64).cast(pl.String)).otherwise(col.cast(pl.String))
    if kind != "list":
        return col.cast(pl.String).fill_null("null")
    op, value = cond.operator, cond.value
    known = (spellings or {}).get(cond.field)
    if op in ("eq", "in", "contains_any", "contains_all"):
        values = value if isinstance(value, list) else [value]
        if known is not None:
            keep = pl.element().is_in(_raw(values, known))
        else:
            keep = pl.element().str.to_lowercase().is_in(_lower(values))
    elif op == "matches":
        keep = pl.element().str.contains(f"(?i){value}")
    else:
        return col.list.join(",").fill_null("null")
    return col.list.filter(keep).list.join(",")
