"""How common each account attribute is among the best, the worst and the whole universe.

An attribute is one value of a categorical field (`industry = saas`), one element of a list field
(`salesforce` in tech_stack) or one band of a numeric field (`employees 51-200`). A null holds no
attribute but still counts in its group's size, so a prevalence reads "of all the best customers".

Lift is prevalence among the best over prevalence in the universe. Small groups overstate it, so
each group's prevalence is also shrunk toward the universe's by `PRIOR_STRENGTH` pseudo-accounts
(a beta prior centred on the universe rate): 3 of 3 best reads as 3 of 13 plus the universe's
share of 10, not as 100%. Intervals are 95% Wilson intervals of the raw prevalence.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from targeting.icp.conditions import field_kind

PRIOR_STRENGTH = 10.0
Z95 = 1.959963984540054
CATEGORICAL_FIELDS = ("industry", "region", "country", "funding_stage", "status")
LIST_FIELDS = ("tech_stack", "tags", "hiring_roles", "growth_signals", "pain_points", "prior_solutions")
# Cut points a growth team already speaks in (LinkedIn's headcount bands, revenue and age brackets).
BANDS: dict[str, tuple[tuple[float, float | None], ...]] = {
    "employees": ((1, 10), (11, 50), (51, 200), (201, 500), (501, 1000), (1001, 5000), (5001, 10000), (10001, None)),
    "revenue_usd": (
        (0, 999_999),
        (1_000_000, 9_999_999),
        (10_000_000, 49_999_999),
        (50_000_000, 99_999_999),
        (100_000_000, 999_999_999),
        (1_000_000_000, None),
    ),
    "founded_year": ((0, 1999), (2000, 2009), (2010, 2014), (2015, 2019), (2020, 2022), (2023, None)),
}
ATTRIBUTE_FIELDS = (*CATEGORICAL_FIELDS, *LIST_FIELDS, *BANDS)
TABLE_SCHEMA = {"field": pl.String(), "value": pl.String(), "n": pl.Int64()}


def band_label(low: float, high: float | None) -> str:
    """`51-200`, `10001+`; revenue in millions/billions (`1M-10M`)."""

    def short(x: float) -> str:
        for size, unit in ((1e9, "B"), (1e6, "M")):
            if x >= size:
                return f"{x / size:g}{unit}"
        return f"{x:g}"

    if high is None:
        return f"{short(low)}+"
    shown_high = high + 1 if high >= 999_999 else high  # 1M-10M reads better than 1M-9.99999M
    return f"{short(low)}-{short(shown_high)}"


def band_expr(field: str) -> pl.Expr:
    """The band label of a numeric field's value; null outside every band or for null."""
    col = pl.col(field)
    expr = pl.lit(None, dtype=pl.String)
    for low, high in reversed(BANDS[field]):
        inside = col >= low if high is None else col.is_between(low, high, closed="both")
        expr = pl.when(inside).then(pl.lit(band_label(low, high))).otherwise(expr)
    return expr


def band_bounds(field: str, label: str) -> tuple[float, float | None]:
    """The (low, high) of the band called `label` (high None for an open top band)."""
    return next((lo, hi) for lo, hi in BANDS[field] if band_label(lo, hi) == label)


def value_counts(accounts: pl.LazyFrame, fields: list[str]) -> pl.LazyFrame:
    """Accounts holding each attribute: `field`, `value`, `n` (each account counted once per value)."""
    parts = []
    for name in fields:
        kind = field_kind(name)
        if kind == "list":
            values = accounts.select(pl.col(name).list.unique().alias("value")).explode("value")
        elif name in BANDS:
            values = accounts.select(band_expr(name).alias("value"))
        else:
            values = accounts.select(pl.col(name).cast(pl.String).alias("value"))
        parts.append(
            values.drop_nulls()
            .group_by("value")
            .agg(pl.len().cast(pl.Int64).alias("n"))
            .select(pl.lit(name).alias("field"), "value", "n")
        )
    if not parts:
        return pl.LazyFrame(schema=TABLE_SCHEMA)
    return pl.concat(parts)


def wilson(k: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson interval of k successes in n (both ends; n = 0 gives 0-1)."""
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    safe = np.where(n > 0, n, 1.0)
    p = k / safe
    centre = (p + z * z / (2 * safe)) / (1 + z * z / safe)
    half = z * np.sqrt(p * (1 - p) / safe + z * z / (4 * safe * safe)) / (1 + z * z / safe)
    return np.where(n > 0, centre - half, 0.0), np.where(n > 0, centre + half, 1.0)


def shrunk(k: np.ndarray, n: np.ndarray, prior: np.ndarray, strength: float = PRIOR_STRENGTH) -> np.ndarray:
    """Prevalence k/n pulled toward `prior` by `strength` pseudo-accounts."""
    return (np.asarray(k, dtype=float) + strength * prior) / (np.asarray(n, dtype=float) + strength)


def prevalence_table(
    universe: pl.LazyFrame, labelled: pl.LazyFrame, fields: list[str], n_universe: int, n_best: int, n_worst: int
) -> pl.DataFrame:
    """Every attribute held by a best or worst account, with its prevalence, lift and interval.

    Args:
        universe: the accounts to compare with (the whole universe, or those passing some filters).
        labelled: the best and worst accounts among them, with a `label` column.
        fields: the account fields to read attributes from.
        n_universe, n_best, n_worst: the group sizes (accounts with a null still count).

    Returns:
        One row per attribute: field, value, best/worst/universe counts, raw prevalences
        (`p_best`, `p_worst`, `p_universe`), `lift` (p_best / p_universe), the shrunk prevalences
        and lifts (`best_shrunk`, `worst_shrunk`, `shrunk_lift`, `worst_lift`) and `best_low` /
        `best_high` (the 95% interval of p_best; `worst_low`, `worst_high` likewise); sorted by shrunk lift, highest first.
    """
    best = value_counts(labelled.filter(pl.col("label") == "best"), fields).rename({"n": "best"})
    worst = value_counts(labelled.filter(pl.col("label") == "worst"), fields).rename({"n": "worst"})
    held = pl.concat([best.select("field", "value"), worst.select("field", "value")]).unique()
    uni = value_counts(universe, fields).rename({"n": "universe"})
    table = (
        held.join(best, on=["field", "value"], how="left")
        .join(worst, on=["field", "value"], how="left")
        .join(uni, on=["field", "value"], how="left")
        .with_columns(pl.col("best", "worst", "universe").fill_null(0))
        .collect()
    )
    # The labelled accounts are part of the universe; a value no universe row holds cannot happen
    # unless the caller's frames disagree, and a zero would divide by zero below.
    k_u = np.maximum(table["universe"].to_numpy().astype(float), table["best"].to_numpy() + 0.0)
    p_u = k_u / max(n_universe, 1)
    k_b, k_w = table["best"].to_numpy(), table["worst"].to_numpy()
    best_shrunk, worst_shrunk = shrunk(k_b, n_best, p_u), shrunk(k_w, n_worst, p_u)
    low, high = wilson(k_b, np.full(len(k_b), n_best))
    worst_low, worst_high = wilson(k_w, np.full(len(k_w), n_worst))
    positive_p_u = np.where(p_u > 0, p_u, math.inf)
    return table.with_columns(
        n_best=pl.lit(n_best, dtype=pl.Int64),
        n_worst=pl.lit(n_worst, dtype=pl.Int64),
        n_universe=pl.lit(n_universe, dtype=pl.Int64),
        p_best=pl.Series(k_b / max(n_best, 1)),
        p_worst=pl.Series(k_w / max(n_worst, 1)),
        p_universe=pl.Series(p_u),
        lift=pl.Series(k_b / max(n_best, 1) / positive_p_u),
        best_shrunk=pl.Series(best_shrunk),
        worst_shrunk=pl.Series(worst_shrunk),
        shrunk_lift=pl.Series(best_shrunk / positive_p_u),
        worst_lift=pl.Series(worst_shrunk / positive_p_u),
        best_low=pl.Series(low),
        best_high=pl.Series(high),
        worst_low=pl.Series(worst_low),
        worst_high=pl.Series(worst_high),
    ).sort(["shrunk_lift", "field", "value"], descending=[True, False, False])


def attributes_that_matter(table: pl.DataFrame, min_support: int = 3, min_share: float = 0.05) -> pl.DataFrame:
    """The rows of a prevalence table worth a person's eye: held by enough of the best (or the worst)
    and more often than by the universe beyond doubt (the 95% interval above the universe's share).

    A value one best account holds and three accounts of the universe hold has a huge lift and
    means nothing; `min_support` accounts and `min_share` of the group keep it out.
    """

    def group(name: str, lift: str) -> pl.Expr:
        return (
            (pl.col(name) >= pl.max_horizontal(pl.lit(float(min_support)), min_share * pl.col(f"n_{name}")))
            & (pl.col(lift) >= 1.5)
            & (pl.col(f"{name}_low") > pl.col("p_universe"))
        )

    return table.filter(group("best", "shrunk_lift") | group("worst", "worst_lift"))
