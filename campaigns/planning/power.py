"""What a segment's allocation can show: the smallest true rate it can tell from the prior.

A one-sample test of a proportion against the prior, two-sided, alpha 0.05, power 0.8, on Cohen's
effect size h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p0)) (statsmodels' normal power). The plan passes the
prior positive-reply rate (`campaigns.prior`: 0.476%); with 100 contacts only about 4.3% is
detectable (against a 3.4% reply rate, about 10%): a 100-contact round catches large misses only
(docs/campaigns.md, "Reading a test honestly"), and the plan says so per segment.
"""

from __future__ import annotations

import math

from statsmodels.stats.power import NormalIndPower

ALPHA = 0.05
POWER = 0.8
WEAK_DESIGN_RATIO = 3.0
"""A segment that can only detect a rate this many times the prior gets a warning (`--strict` refuses)."""


def detectable_rate(n: int, prior: float, *, alpha: float = ALPHA, power: float = POWER) -> float | None:
    """The smallest true rate above `prior` that `n` contacts tell from it; None when n is 0.

    Returns 1.0 when even a certain reply would not be told apart (tiny n).
    """
    if n <= 0:
        return None
    h = NormalIndPower().solve_power(
        effect_size=None, nobs1=n, alpha=alpha, power=power, ratio=0.0, alternative="two-sided"
    )
    angle = float(h) + 2 * math.asin(math.sqrt(prior))
    if angle >= math.pi:
        return 1.0
    return round(math.sin(angle / 2) ** 2, 4)


def is_weak_design(rate: float | None, prior: float) -> bool:
    """True where only a difference of WEAK_DESIGN_RATIO times the prior (or none) is detectable."""
    return rate is None or rate >= WEAK_DESIGN_RATIO * prior
