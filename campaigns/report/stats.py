"""The statistics of one arm against the rest: interval, posterior, P(better), verdict, next round.

Every figure comes from scipy or statsmodels: the 95% Wilson interval (`proportion_confint`), the
Beta posteriors (`scipy.stats.beta`), the probability one Beta beats another (`scipy.integrate`),
and the contacts per arm a two-proportion test needs (statsmodels' `samplesize_proportions_2indep_onetail`,
which gives docs/campaigns.md's ~750 per arm for 3% vs 6% and ~245 for 3% vs 9%). The prior is
`campaigns.prior`'s (re-exported here).
"""

from __future__ import annotations

import math

from scipy import integrate
from scipy.stats import beta as beta_dist
from statsmodels.stats.proportion import proportion_confint, samplesize_proportions_2indep_onetail

from campaigns.prior import (  # noqa: F401 (re-exported: the report reads the prior from here)
    BENCHMARK_POSITIVE_SHARE,
    BENCHMARK_REPLY_RATE,
    PRIOR_WEIGHT,
    Prior,
    prior_from,
)

LIKELY = 0.95
"""P(better) at or above this (or at or below 1 - this) is a verdict; between is not enough evidence."""
MIN_POSITIVE = 3
"""A verdict must rest on more than a couple of positive replies (arm and rest together)."""
ALPHA, POWER = 0.05, 0.8
MAX_NEXT_ROUND = 100_000
"""Beyond this many contacts per arm the difference is called too small to confirm (None)."""


def wilson(successes: int, n: int) -> tuple[float | None, float | None]:
    """The 95% Wilson interval of successes / n; (None, None) when n is 0."""
    if n <= 0:
        return None, None
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def posterior(successes: int, n: int, prior_rate: float, weight: float) -> tuple[float, float]:
    """Beta(a, b) of a rate: the prior (mean `prior_rate`, `weight` contacts) plus successes of n."""
    return prior_rate * weight + successes, (1 - prior_rate) * weight + max(n - successes, 0)


def p_better(arm: tuple[float, float], rest: tuple[float, float]) -> float:
    """P(X > Y) for X ~ Beta(*arm), Y ~ Beta(*rest): the integral of f_X(x) F_Y(x) over [0, 1]."""
    x, y = beta_dist(*arm), beta_dist(*rest)
    # Integrate where X has its mass; the breakpoints keep quad from missing a narrow peak.
    lo, hi = float(x.ppf(1e-12)), float(x.isf(1e-12))
    value, _ = integrate.quad(lambda t: x.pdf(t) * y.cdf(t), lo, hi, points=[float(x.mean())], limit=200)
    return min(max(float(value), 0.0), 1.0)


def verdict(p: float, positive_total: int, ci: tuple[float | None, float | None], rest_rate: float | None) -> str:
    """`likely_better`, `likely_worse` or `not_enough_evidence`.

    A verdict needs P(better) >= LIKELY (or <= 1 - LIKELY), at least MIN_POSITIVE positive replies in
    the contrast, and the arm's own 95% Wilson interval clear of the rest's rate: a benchmark prior
    far from the campaign's data cannot make a verdict for an arm of a handful of contacts on its own.
    """
    low, high = ci
    if positive_total < MIN_POSITIVE or low is None or high is None or rest_rate is None:
        return "not_enough_evidence"
    if p >= LIKELY and low > rest_rate:
        return "likely_better"
    if p <= 1 - LIKELY and high < rest_rate:
        return "likely_worse"
    return "not_enough_evidence"


def next_round_n(rate: float, rest_rate: float) -> int | None:
    """Contacts per arm a two-sided two-proportion test (alpha 0.05, power 0.8) needs to confirm rate vs rest_rate.

    None when there is no difference to confirm or it would take more than MAX_NEXT_ROUND per arm.
    """
    diff = rate - rest_rate
    if not 0 < rest_rate < 1 or not 0 < rate < 1 or abs(diff) < 1e-9:
        return None
    n = samplesize_proportions_2indep_onetail(diff, rest_rate, POWER, ratio=1, alpha=ALPHA, alternative="two-sided")
    if not math.isfinite(n) or n > MAX_NEXT_ROUND:
        return None
    return int(math.ceil(n))
