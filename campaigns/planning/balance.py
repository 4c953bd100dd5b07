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

import polars as pl

from targeting.icp.reading import SURE, Reading

BALANCE_SHARE = 0.1
"""A criterion met by fewer than this share of the reachable accounts (or by more than 1 minus it) is not balanced."""


def criterion_to_balance(readings: dict[str, Reading], shares: dict[str, float], needed: float = SURE) -> str | None:
    """The criterion a round should balance, or None (no reading yet, or none short of the bar).

    Args:
        readings: label -> the lineage's pooled reading of that criterion so far.
        shares: label -> the share of the reachable accounts that meet it.
        needed: how sure a move must be (`targeting.icp.refine.change_at`).
    """
    open_ = [
        (reading.lift_sd, label)
        for label, reading in readings.items()
        if reading.sure is not None
        and reading.lift_sd is not None
        and reading.sure < needed
        and BALANCE_SHARE <= shares.get(label, 0.0) <= 1 - BALANCE_SHARE
    ]
    if not open_:
        return None
    return max(open_)[1]


def balanced_order(pool: pl.DataFrame, segments: pl.DataFrame, label: str) -> pl.DataFrame:
    """`pool` with `_order` rewritten so each segment's accounts alternate between meeting `label` and not.

    Within each side the seeded order is kept; ties between sides go to the side that meets it.
    """
    sides = segments.select(
        "account_id", pl.col("criteria").list.contains(pl.lit(label)).fill_null(False).alias("_side")
    ).unique("account_id")
    ranked = (
        pool.select("segment", "account_id", "_order")
        .unique("account_id")
        .join(sides, on="account_id", how="left")
        .with_columns(pl.col("_side").fill_null(False))
        .with_columns(pl.col("_order").rank("ordinal").over("segment", "_side").alias("_bal"))
        .select(
            "account_id",
            pl.format(
                "{}-{}-{}", pl.col("_bal").cast(pl.String).str.zfill(9), (~pl.col("_side")).cast(pl.Int8), "_order"
            ).alias("_balanced"),
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
