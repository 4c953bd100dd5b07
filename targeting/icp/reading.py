"""One reading of a contrast: the posterior the campaign report shows and `icp refine` acts on.

A contrast is two sides of a campaign's delivered contacts: the accounts that met a criterion
against those that did not, or a segment, persona or variant against the rest. The outcome is a
**genuine reply** (a person answered: a reply, positive or not, or a meeting; never an auto-reply,
never an unsubscribe): at real reply rates (a few per hundred, a third of them positive) positive
replies alone are too rare to learn from in rounds of 100.

The model is a Bayesian logistic regression of the outcome on the side: the intercept centred on the
prior reply rate (sd INTERCEPT_SD in log-odds), the side's log-odds lift centred on 0 (sd LIFT_SD: most
differences move the odds by less than e either way), fitted at its mode with the Laplace
approximation (exact enough for two groups); the sides are coded -1/2 and +1/2, so reading the
rest against the arm gives the same numbers with the sign flipped. It gives the lift's posterior mean and sd and
P(lift > 0), `p_better`. Equal counts give equal numbers, whatever the contrast is about.

A side with fewer than MIN_SIDE delivered contacts is no comparison: no probability is given. A
verdict (and a refinement's move) needs the sign of the lift to be SURE (P >= 0.975 either way) and
MIN_REPLIES genuine replies on the side it favours; anything else is "not enough evidence yet".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

LIFT_SD = 1.0
"""Prior sd of a side's log-odds lift."""
INTERCEPT_SD = 2.0
"""Prior sd of the log-odds reply rate around the prior reply rate."""
SURE = 0.975
"""How sure of the lift's sign a verdict (or a refinement's move) must be."""
MIN_SIDE = 10
"""Fewer delivered contacts than this on either side: no comparison."""
MIN_REPLIES = 3
"""Genuine replies a verdict needs on the side it favours."""


@dataclass(frozen=True)
class Reading:
    """One contrast read: its counts and the posterior of the lift (None where there is no comparison)."""

    k_with: int
    n_with: int
    k_without: int
    n_without: int
    lift: float | None
    lift_sd: float | None
    p_better: float | None

    @property
    def comparable(self) -> bool:
        return self.p_better is not None

    @property
    def verdict(self) -> str:
        """`likely_better`, `likely_worse`, `not_enough_evidence` or `no_comparison`."""
        if self.p_better is None:
            return "no_comparison"
        if self.p_better >= SURE and self.k_with >= MIN_REPLIES:
            return "likely_better"
        if self.p_better <= 1 - SURE and self.k_without >= MIN_REPLIES:
            return "likely_worse"
        return "not_enough_evidence"

    @property
    def ratio(self) -> float | None:
        """The observed reply rate with over without (None where either is unknown or zero without)."""
        if not self.n_with or not self.n_without or not self.k_without:
            return None
        return (self.k_with / self.n_with) / (self.k_without / self.n_without)

    @property
    def sure(self) -> float | None:
        """How sure the reading is of the lift's sign, whichever it is (None: no comparison)."""
        return None if self.p_better is None else max(self.p_better, 1 - self.p_better)


def read_contrast(k_with: int, n_with: int, k_without: int, n_without: int, prior_rate: float) -> Reading:
    """The reading of one contrast: genuine replies `k` of `n` delivered on each side.

    Args:
        k_with, n_with: replies and delivered contacts on the side read (the arm, the criterion met).
        k_without, n_without: the same for the rest.
        prior_rate: the prior reply rate the intercept is centred on, in (0, 1).
    """
    k_with, n_with, k_without, n_without = int(k_with), int(n_with), int(k_without), int(n_without)
    if min(n_with, n_without) < MIN_SIDE:
        return Reading(k_with, n_with, k_without, n_without, None, None, None)
    mean, sd = lift_posterior(k_with, n_with, k_without, n_without, prior_rate)
    p = float(stats.norm.cdf(mean / sd))
    return Reading(k_with, n_with, k_without, n_without, mean, sd, p)


def lift_posterior(k1: int, n1: int, k0: int, n0: int, prior_rate: float) -> tuple[float, float]:
    """Posterior mean and sd of the log-odds lift of side 1 over side 0 (mode by damped Newton, Laplace sd)."""
    k = np.array([k0, k1], dtype=float)
    n = np.array([n0, n1], dtype=float)
    # Symmetric coding (-1/2, +1/2): the intercept is the mean of the two sides' log-odds, so swapping
    # the sides only flips the lift's sign (with 0/1 coding, the side coded 1 would be shrunk less).
    x = np.array([[1.0, -0.5], [1.0, 0.5]])
    centre = np.array([float(special.logit(prior_rate)), 0.0])
    precision = np.diag([1 / INTERCEPT_SD**2, 1 / LIFT_SD**2])

    def log_posterior(beta: np.ndarray) -> float:
        eta = x @ beta
        loglik = k * special.log_expit(eta) + (n - k) * special.log_expit(-eta)
        return float(loglik.sum()) - 0.5 * float((beta - centre) @ precision @ (beta - centre))

    def curvature(beta: np.ndarray) -> np.ndarray:
        p = special.expit(x @ beta)
        return (x * (n * p * (1 - p))[:, None]).T @ x + precision

    beta, value = centre.copy(), log_posterior(centre)
    for _ in range(200):
        gradient = x.T @ (k - n * special.expit(x @ beta)) - precision @ (beta - centre)
        step = np.linalg.solve(curvature(beta), gradient)
        size = 1.0
        while size > 1e-6:  # the log posterior is concave: halve the step until it rises
            trial = beta + size * step
            if (trial_value := log_posterior(trial)) >= value - 1e-12:
                break
            size /= 2
        beta, value = trial, trial_value
        if float(np.abs(size * step).max()) < 1e-10:
            break
    cov = np.linalg.inv(curvature(beta))
    return float(beta[1]), float(math.sqrt(cov[1, 1]))


def sure_words(reading: Reading) -> str:
    """How sure a reading is of its direction, in words: "97% sure", "over 99% sure"."""
    sure = reading.sure
    if sure is None:
        return "no comparison"
    return "over 99% sure" if sure >= 0.995 else f"{sure:.0%} sure"


def times_words(reading: Reading, up: bool) -> str:
    """How much more (or less) often the side answered: "2.5 times as often", "3 times less often", "far more often"."""
    ratio = reading.ratio
    if ratio is None or ratio == 0:
        return "far more often" if up else "far less often"
    ratio = ratio if up else 1 / ratio
    shown = f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"
    return f"{shown} times as often" if up else f"{shown} times less often"
