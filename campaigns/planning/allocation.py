"""How many contacts each segment gets.

`explore` gets its share first. The first round of a lineage splits the rest evenly over the
tiers; once earlier rounds have outcomes, each remaining contact goes to the segment whose draw
from its pooled Beta posterior is highest (Thompson sampling): promising segments get more,
uncertain ones still get some. No segment gets more than it can reach; what one cannot take goes
to the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from campaigns.planning.segments import EXPLORE
from campaigns.prior import PRIOR_WEIGHT


@dataclass(frozen=True)
class SegmentEvidence:
    """A segment's pooled outcomes over the lineage's earlier rounds."""

    delivered: int
    positive: int


def posterior(evidence: SegmentEvidence | None, prior: float) -> tuple[float, float]:
    """Beta(alpha, beta) of a segment's rate: the prior (weight PRIOR_WEIGHT) plus its evidence."""
    a, b = prior * PRIOR_WEIGHT, (1 - prior) * PRIOR_WEIGHT
    if evidence is not None:
        a += evidence.positive
        b += max(evidence.delivered - evidence.positive, 0)
    return a, b


def allocate(
    reachable: dict[str, int],
    size: int,
    *,
    explore: float,
    prior: float,
    evidence: dict[str, SegmentEvidence] | None = None,
    seed: int = 0,
) -> tuple[dict[str, int], str]:
    """Contacts per segment, and the method used (`even` or `thompson`).

    Args:
        reachable: segment -> accounts with a sendable contact (plan order).
        size: contacts wanted in all.
        explore: the share for `explore` (0 to 1).
        prior: the prior positive-reply rate the posteriors start from (`campaigns.prior.Prior.rate`):
            the evidence counts positive replies.
        evidence: pooled outcomes per segment from earlier rounds (None or empty: first round).
        seed: the seed of the Thompson draws.
    """
    total = min(size, sum(reachable.values()))
    wanted = {name: 0 for name in reachable}
    if EXPLORE in reachable:
        wanted[EXPLORE] = min(reachable[EXPLORE], round(total * explore))
    tiers = [name for name in reachable if name != EXPLORE and reachable[name] > 0]
    method = "thompson" if evidence and any(e.delivered for e in evidence.values()) else "even"
    remaining = total - wanted.get(EXPLORE, 0)
    if method == "even":
        _fill_evenly(wanted, tiers, reachable, remaining)
    else:
        _fill_by_thompson(wanted, tiers, reachable, remaining, prior, evidence or {}, seed)
    # What the tiers could not take goes back to explore (and the other way round).
    _fill_evenly(wanted, [n for n in reachable if reachable[n] > wanted[n]], reachable, total - sum(wanted.values()))
    return wanted, method


def _fill_evenly(wanted: dict[str, int], names: list[str], reachable: dict[str, int], n: int) -> None:
    while n > 0:
        open_ = [name for name in names if wanted[name] < reachable[name]]
        if not open_:
            return
        share, extra = divmod(n, len(open_))
        for i, name in enumerate(open_):
            take = min(share + (1 if i < extra else 0), reachable[name] - wanted[name])
            wanted[name] += take
            n -= take


def _fill_by_thompson(
    wanted: dict[str, int],
    names: list[str],
    reachable: dict[str, int],
    n: int,
    prior: float,
    evidence: dict[str, SegmentEvidence],
    seed: int,
) -> None:
    rng = np.random.default_rng(seed)
    params = {name: posterior(evidence.get(name), prior) for name in names}
    for _ in range(n):
        open_ = [name for name in names if wanted[name] < reachable[name]]
        if not open_:
            return
        draws = [rng.beta(*params[name]) for name in open_]
        wanted[open_[int(np.argmax(draws))]] += 1
