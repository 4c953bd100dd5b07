"""Spend a round's contacts where the evidence is weakest: balance the contrast the ICP is closest to deciding.

A round samples each segment's accounts in seeded order, so a criterion most accounts meet (a CRM in
place, met by 80%) is contrasted against a small remainder round after round and its reading stays
unsure. Given the lineage's readings so far (`targeting.icp.reading`), the plan picks the one
criterion whose reading is the least certain (the widest posterior of its lift) among those not yet
decided and both sides of which are plannable (BALANCE_SHARE to 1 - BALANCE_SHARE of the reachable accounts), and takes each
segment's accounts alternately from its two sides. Sampling on a criterion, never on an outcome,
leaves every contrast's reading honest; a segment's own rate is then that of a balanced sample, and
design.json says which criterion was balanced (`balanced_on`).
"""

from __future__ import annotations

import math

import polars as pl
from scipy import stats

from campaigns.planning.design import Design, design_for
from targeting.icp.reading import SURE, Reading

BALANCE_SHARE = 0.1
"""A criterion met by fewer than this share of the reachable accounts (or by more than 1 minus it) is not balanced."""
BALANCE_BY = "design"
"""How the criterion is picked: `value` (the expected change a decision next round brings to the top of the
list), `widest` (the widest posterior of its lift, the rule before), or `design`: no single criterion, the
round designed for the joint reading over every criterion not yet sure (`campaigns.planning.design`), from a
lineage's first round on (the default: docs/benchmarks.md, "A round designed for the joint reading")."""
BALANCE_COUNT = 1
"""How many criteria a round balances at once: 1, or 2 (a factorial split: the four cells of the two
criteria's sides taken in turn, so each contrast is balanced with the other held equal)."""
DESIGN_TIERS = "own"
"""With BALANCE_BY `design`: `own` (each tier's allocation kept) or `pooled` (the tiers' quotas pooled into
one: the design picks from any tier, `Design.across_tiers`)."""
ROUND_SIZE = 100
"""The contacts a round sends, when the caller does not say (the loop's rounds of 100)."""


def decision_value(reading: Reading, share: float, needed: float, size: int = ROUND_SIZE) -> float:
    """The expected change to the top of the list if a round of `size` is balanced on this criterion.

    Preposterior: a balanced round adds about size/2 contacts on each side, so the lift's sd shrinks from
    s to s'; the posterior mean then lands N(m, s^2 - s'^2) and the sign is sure (a move) where it lies
    beyond z s'. The value is that probability times what a move is worth to the top of the list: the
    size of the lift (E|lift|, at least |m|) times the share of accounts whose rank it changes (the
    smaller side, min(share, 1 - share)).
    """
    if reading.lift is None or reading.lift_sd is None:
        return 0.0
    n = reading.n_with + reading.n_without
    rate = min(max((reading.k_with + reading.k_without) / n if n else 0.034, 0.005), 0.5)
    added = (size / 4) * rate * (1 - rate)  # information on the lift from size/2 contacts a side
    m, s = reading.lift, reading.lift_sd
    after = 1 / math.sqrt(1 / s**2 + added)
    spread = math.sqrt(max(s**2 - after**2, 1e-12))
    z = float(stats.norm.ppf(needed))
    sure_next = float(stats.norm.cdf((m - z * after) / spread) + stats.norm.cdf((-m - z * after) / spread))
    size_of_lift = s * math.sqrt(2 / math.pi) * math.exp(-(m**2) / (2 * s**2)) + m * (1 - 2 * stats.norm.cdf(-m / s))
    return sure_next * size_of_lift * min(share, 1 - share)


def criterion_to_balance(
    readings: dict[str, Reading], shares: dict[str, float], needed: float = SURE, size: int = ROUND_SIZE
) -> str | tuple[str, ...] | None:
    """The criterion a round should balance (BALANCE_COUNT of them, as a tuple, when that is above 1), or
    None (no reading yet, or none short of the bar).

    Args:
        readings: label -> the lineage's pooled reading of that criterion so far.
        shares: label -> the share of the reachable accounts that meet it.
        needed: how sure a move must be (`targeting.icp.refine.change_at`).
        size: the contacts the round sends.
    """
    open_ = [
        (
            decision_value(reading, shares[label], needed, size) if BALANCE_BY == "value" else reading.lift_sd,
            label,
        )
        for label, reading in readings.items()
        if reading.sure is not None
        and reading.lift_sd is not None
        and reading.sure < needed
        and BALANCE_SHARE <= shares.get(label, 0.0) <= 1 - BALANCE_SHARE
    ]
    if not open_:
        return None
    if BALANCE_COUNT > 1:
        return tuple(label for _, label in sorted(open_, reverse=True)[:BALANCE_COUNT])
    return max(open_)[1]


def designs_first_round() -> bool:
    """Whether a lineage's first round is balanced too (a design needs no reading: it starts from the prior)."""
    return BALANCE_BY == "design"


def round_balance(
    readings: dict[str, Reading],
    shares: dict[str, float],
    needed: float = SURE,
    size: int = ROUND_SIZE,
    outcomes: pl.DataFrame | None = None,
    prior_rate: float = 0.034,
) -> str | tuple[str, ...] | Design | None:
    """What a round is balanced on: `criterion_to_balance`'s pick, or with BALANCE_BY `design` a `Design`
    over every criterion not yet sure (no reading yet, or short of `needed`) with both sides plannable.

    Args:
        readings: label -> the lineage's pooled reading of that criterion so far (spec order; a reading
            with no comparison where nothing is pooled yet).
        shares: label -> the share of the reachable accounts that meet it.
        needed: how sure a move must be (`targeting.icp.refine.change_at`).
        size: the contacts the round sends.
        outcomes: the lineage's pooled outcomes (None: a first round), for what the design already knows.
        prior_rate: the prior reply rate.
    """
    if BALANCE_BY != "design":
        return criterion_to_balance(readings, shares, needed, size) if readings else None
    open_ = tuple(
        label
        for label, reading in readings.items()
        if (reading.sure is None or reading.sure < needed)
        and BALANCE_SHARE <= shares.get(label, 0.0) <= 1 - BALANCE_SHARE
    )
    return design_for(open_, outcomes, prior_rate, DESIGN_TIERS == "pooled") if open_ else None


def balanced_order(pool: pl.DataFrame, segments: pl.DataFrame, label: str | tuple[str, ...]) -> pl.DataFrame:
    """`pool` with `_order` rewritten so each segment's accounts alternate between meeting `label` and not.

    Within each side the seeded order is kept; ties between sides go to the side that meets it. Given
    several labels, the cells of their sides are taken in turn (a factorial split).
    """
    labels = (label,) if isinstance(label, str) else tuple(label)
    met = [pl.col("criteria").list.contains(pl.lit(one)).fill_null(False) for one in labels]
    cell = pl.concat_str([(~m).cast(pl.Int8).cast(pl.String) for m in met])
    sides = segments.select("account_id", cell.alias("_side")).unique("account_id")
    ranked = (
        pool.select("segment", "account_id", "_order")
        .unique("account_id")
        .join(sides, on="account_id", how="left")
        .with_columns(pl.col("_side").fill_null("1" * len(labels)))
        .with_columns(pl.col("_order").rank("ordinal").over("segment", "_side").alias("_bal"))
        .select(
            "account_id",
            pl.format("{}-{}-{}", pl.col("_bal").cast(pl.String).str.zfill(9), "_side", "_order").alias("_balanced"),
        )
    )
    return (
        pool.join(ranked, on="account_id", how="left")
        .with_columns(pl.col("_balanced").alias("_order"))
        .drop("_balanced")
    )


def reachable_shares(pool: pl.DataFrame, segments: pl.DataFrame, labels: list[str]) -> dict[str, float]:
    """label -> the share of the reachable accounts (`pool`'s) that meet it."""
    accounts = pool.select("account_id").unique().join(segments.select("account_id", "criteria"), on="account_id")
    if accounts.is_empty():
        return dict.fromkeys(labels, 0.0)
    row = accounts.select(
        pl.col("criteria").list.contains(pl.lit(label)).fill_null(False).mean().alias(str(i))
        for i, label in enumerate(labels)
    ).row(0)
    return {label: float(v or 0.0) for label, v in zip(labels, row)}
