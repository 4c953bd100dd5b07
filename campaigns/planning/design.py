"""A round designed for the joint reading: every criterion not yet sure gets accounts on both sides at once.

The criteria are read together (`targeting.icp.reading.read_criteria`: a logistic regression of the
genuine reply on every criterion, each side coded -1/2 and +1/2). How much a round can teach that
reading is its information matrix, X'WX (W = p(1 - p) per contact at the reply rate p). A round drawn
in seeded order from the targets puts about a fifth of its accounts on the minority side of a criterion
most accounts meet (a CRM in place, North America: met by 80%), round after round, so its lift stays
unsure. A designed round picks its accounts greedily, one at a time, each the account that adds most
to log det of the information so far on the intercept and the criteria not yet sure (D-optimal: the
information of the lineage's pooled rounds, the prior's precision, then each account picked), within
each segment's quota (the allocation is unchanged): the side a criterion lacks is worth most, and a
cell two criteria share is avoided when another makes them tell apart. Ties keep the seeded order.

Picking accounts on their criteria, never on an outcome, keeps every reading honest; a segment's own
rate is then that of a designed sample, and design.json says so (`balanced_on`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from campaigns.planning.segments import EXPLORE
from targeting.icp.reading import INTERCEPT_SD, LIFT_SD

TIERS = "\x00tiers"
"""The one quota of the tiers pooled (`Design.across_tiers`): a name no segment has."""

PRIOR_CONTACTS = 20
"""The prior reply rate's weight, in contacts, when the pooled rate sets a contact's weight."""


@dataclass(frozen=True)
class Design:
    """What a designed round is built on: the criteria not yet sure and what the lineage already knows of them."""

    labels: tuple[str, ...]
    information: tuple[tuple[float, ...], ...]
    """The information on (intercept, each label's lift) of the prior and the lineage's pooled rounds."""
    rate: float
    """The reply rate the weight of a contact is taken at (p(1 - p))."""
    across_tiers: bool = False
    """The tiers' quotas pooled into one (a relaxation: the design picks from any tier, `explore` keeps its
    share), so a side the upper tiers lack can come from the lower ones; each tier then gets what the design
    picked from it, not its allocation."""

    def __str__(self) -> str:
        return "a design over " + _words(self.labels)


def _words(labels: tuple[str, ...]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def sides(criteria: pl.Expr, labels: tuple[str, ...] | list[str], unknown: pl.Expr | None = None) -> list[pl.Expr]:
    """Each label's side as the reading codes it: +1/2 met, -1/2 not, 0 unknown."""
    out = []
    for label in labels:
        met = criteria.list.contains(pl.lit(label)).fill_null(False)
        missing = unknown.list.contains(pl.lit(label)).fill_null(False) if unknown is not None else pl.lit(False)
        out.append(pl.when(missing).then(0.0).when(met).then(0.5).otherwise(-0.5).alias(label))
    return out


def seen_information(outcomes: pl.DataFrame | None, labels: tuple[str, ...], rate: float) -> np.ndarray:
    """The prior's precision plus X'WX of the pooled delivered contacts, on (intercept, each label's lift).

    Args:
        outcomes: the lineage's pooled outcomes (one row per delivered contact: `criteria`, optional
            `unknown`), or None in a lineage's first round.
        labels: the criteria the design is over.
        rate: the reply rate a contact's weight is taken at.
    """
    information = np.diag([1 / INTERCEPT_SD**2] + [1 / LIFT_SD**2] * len(labels))
    if outcomes is None or outcomes.is_empty():
        return information
    unknown = pl.col("unknown") if "unknown" in outcomes.columns else None
    x = outcomes.select(sides(pl.col("criteria"), labels, unknown)).to_numpy()
    x = np.column_stack([np.ones(len(x)), x])
    return information + rate * (1 - rate) * (x.T @ x)


def design_for(
    labels: tuple[str, ...], outcomes: pl.DataFrame | None, prior_rate: float, across_tiers: bool = False
) -> Design:
    """The design of a round over `labels`, given the lineage's pooled outcomes so far.

    A contact's weight is taken at the pooled reply rate, shrunk towards `prior_rate` by PRIOR_CONTACTS.
    """
    rate = prior_rate
    if outcomes is not None and not outcomes.is_empty() and "replied" in outcomes.columns:
        replies = float(outcomes["replied"].cast(pl.Float64).fill_null(0.0).sum())
        rate = (replies + PRIOR_CONTACTS * prior_rate) / (outcomes.height + PRIOR_CONTACTS)
    information = seen_information(outcomes, labels, rate)
    return Design(tuple(labels), tuple(tuple(float(v) for v in row) for row in information), float(rate), across_tiers)


def designed_order(
    pool: pl.DataFrame, segments: pl.DataFrame, design: Design, wanted: dict[str, int]
) -> tuple[pl.DataFrame, dict[str, int]]:
    """`pool` with `_order` rewritten so each segment's first accounts are the design's picks, and the
    contacts each segment is then given (its allocation; with `across_tiers`, what the design picked there).

    Greedy D-optimal: the next pick goes to the quota least filled (a segment's, or the tiers' together),
    and is the account of it whose sides x add most to log det(M) (the largest x'M^-1 x; the first in
    seeded order on a tie); M then gains p(1 - p) x x'. The accounts not picked follow in seeded order
    (spares for drafts that fail the checks).
    """
    accounts = pool.select("segment", "account_id", "_order").unique("account_id").sort("segment", "_order")
    met = segments.select("account_id", "criteria").unique("account_id")
    frame = accounts.join(met, on="account_id", how="left", maintain_order="left")
    if frame.is_empty():
        return pool, wanted
    x = frame.select(sides(pl.col("criteria"), design.labels)).to_numpy()
    x = np.column_stack([np.ones(len(x)), x])
    inverse = np.linalg.inv(np.array(design.information, dtype=float))
    weight = design.rate * (1 - design.rate)
    segment_of = frame["segment"].to_numpy()
    quota_of = {name: (TIERS if design.across_tiers and name != EXPLORE else name) for name in wanted}
    quotas: dict[str, int] = {}
    for name, n in wanted.items():
        quotas[quota_of[name]] = quotas.get(quota_of[name], 0) + n
    in_quota = np.array([quota_of.get(str(name), "") for name in segment_of])
    open_ = {q: np.flatnonzero(in_quota == q) for q, n in quotas.items() if n > 0}
    filled = dict.fromkeys(open_, 0)
    position = np.full(len(x), -1)
    for step in range(sum(min(quotas[q], len(rows)) for q, rows in open_.items())):
        q = min((q for q in open_ if filled[q] < quotas[q] and len(open_[q])), key=lambda q: (filled[q] / quotas[q], q))
        rows = open_[q]
        candidates = x[rows]
        gain = np.einsum("ij,jk,ik->i", candidates, inverse, candidates)
        pick = int(np.argmax(gain))  # the first of the best: seeded order on a tie
        row = rows[pick]
        position[row] = step
        open_[q] = np.delete(rows, pick)
        filled[q] += 1
        v = inverse @ x[row]
        inverse -= np.outer(v, v) * weight / (1 + weight * float(x[row] @ v))
    keys = [f"{p:09d}" if p >= 0 else f"~{o}" for p, o in zip(position, frame["_order"].to_list())]
    ranked = pl.DataFrame({"account_id": frame["account_id"], "_designed": keys})
    ordered = (
        pool.join(ranked, on="account_id", how="left", maintain_order="left")
        .with_columns(pl.col("_designed").alias("_order"))
        .drop("_designed")
    )
    if not design.across_tiers:
        return ordered, wanted
    picked = {name: int(((segment_of == name) & (position >= 0)).sum()) for name in wanted}
    return ordered, {name: (wanted[name] if quota_of[name] == name else picked[name]) for name in wanted}
