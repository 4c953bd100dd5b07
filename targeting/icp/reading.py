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

The criteria of an ICP are read together (`read_criteria`): the same regression with one lift per
criterion, each side coded -1/2 and +1/2, so each lift is the criterion's with the other criteria
held equal (a criterion whose accounts mostly also meet another does not take the other's credit).
Its reading keeps the criterion's own counts; with one criterion it is that criterion's contrast.
The report shows it and `icp refine` acts on it: the same function on the same contacts.

A side with fewer than MIN_SIDE delivered contacts is no comparison: no probability is given. A
verdict (and a refinement's move) needs the sign of the lift to be SURE (P >= 0.975 either way) and
MIN_REPLIES genuine replies on the side it favours; anything else is "not enough evidence yet".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl
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
    """Posterior mean and sd of the log-odds lift of side 1 over side 0 (`logistic_posterior` of two rows)."""
    # Symmetric coding (-1/2, +1/2): the intercept is the mean of the two sides' log-odds, so swapping
    # the sides only flips the lift's sign (with 0/1 coding, the side coded 1 would be shrunk less).
    x = np.array([[1.0, -0.5], [1.0, 0.5]])
    mean, cov = logistic_posterior(x, np.array([k0, k1]), np.array([n0, n1]), prior_rate, [LIFT_SD])
    return float(mean[1]), float(math.sqrt(cov[1, 1]))


def logistic_posterior(
    x: np.ndarray, k: np.ndarray, n: np.ndarray, prior_rate: float, sds: list[float]
) -> tuple[np.ndarray, np.ndarray]:
    """The Bayesian logistic regression every reading is: posterior mode and Laplace covariance.

    Args:
        x: one row per group of contacts alike: 1 (the intercept), then each lift's side (-1/2 or +1/2,
            0 where unknown).
        k, n: genuine replies and delivered contacts of each row.
        prior_rate: the intercept's prior centre (its log-odds), sd INTERCEPT_SD.
        sds: each lift's prior sd (centred on 0).

    The mode is scipy's trust-region Newton fit of the log posterior (concave: one maximum); the
    covariance is the inverse of its Hessian there (the Laplace approximation).
    """
    from scipy import optimize

    x, k, n = np.asarray(x, float), np.asarray(k, float), np.asarray(n, float)
    centre = np.zeros(x.shape[1])
    centre[0] = float(special.logit(prior_rate))
    precision = 1 / np.array([INTERCEPT_SD, *sds], dtype=float) ** 2

    def negative(beta: np.ndarray) -> float:
        eta = x @ beta
        loglik = k * special.log_expit(eta) + (n - k) * special.log_expit(-eta)
        return -float(loglik.sum()) + 0.5 * float((precision * (beta - centre) ** 2).sum())

    def gradient(beta: np.ndarray) -> np.ndarray:
        return -(x.T @ (k - n * special.expit(x @ beta))) + precision * (beta - centre)

    def hessian(beta: np.ndarray) -> np.ndarray:
        p = special.expit(x @ beta)
        return (x * (n * p * (1 - p))[:, None]).T @ x + np.diag(precision)

    fit = optimize.minimize(negative, centre, jac=gradient, hess=hessian, method="trust-exact", options={"gtol": 1e-10})
    return fit.x, np.linalg.inv(hessian(fit.x))


def read_criteria(outcomes: pl.DataFrame, labels: list[str], prior_rate: float, outcome: str) -> dict[str, Reading]:
    """Every criterion read together: its counts (with it, without it) and its lift with the others held equal.

    Args:
        outcomes: one row per delivered contact (or account): `outcome` (0/1), `criteria` (the labels its
            account met); an optional `unknown` (labels not evaluated for it) leaves it out of that
            criterion's counts and puts it in the middle of its side (coded 0) with a term of its own.
        labels: the criteria, in spec order.
        prior_rate: the prior rate of the outcome the intercept is centred on.
        outcome: the 0/1 column read (`replied`: genuine replies).

    A criterion with fewer than MIN_SIDE contacts on either side is no comparison and stays out of
    the model (its reading has no probability).
    """
    has_unknown = "unknown" in outcomes.columns
    exprs, counts = [], []
    for i, label in enumerate(labels):
        met = pl.col("criteria").list.contains(pl.lit(label)).fill_null(False)
        missing = pl.col("unknown").list.contains(pl.lit(label)).fill_null(False) if has_unknown else pl.lit(False)
        exprs.append(pl.when(missing).then(0.0).when(met).then(0.5).otherwise(-0.5).alias(f"_c{i}"))
        if has_unknown:
            exprs.append(missing.cast(pl.Float64).alias(f"_u{i}"))
    y = pl.col(outcome).cast(pl.Float64).fill_null(0.0)
    groups = (
        outcomes.lazy()
        .select(*exprs, y.alias("_y"))
        .group_by(pl.exclude("_y"))
        .agg(pl.col("_y").sum().alias("_k"), pl.len().alias("_n"))
    ).collect()
    for i, _ in enumerate(labels):
        side = pl.col(f"_c{i}")
        counts.append(
            tuple(
                int(v or 0)
                for v in groups.select(
                    pl.col("_k").filter(side > 0).sum().alias("kw"),
                    pl.col("_n").filter(side > 0).sum().alias("nw"),
                    pl.col("_k").filter(side < 0).sum().alias("ko"),
                    pl.col("_n").filter(side < 0).sum().alias("no"),
                ).row(0)
            )
        )
    compared = [i for i, (_, n1, _, n0) in enumerate(counts) if min(n1, n0) >= MIN_SIDE]
    columns = [f"_c{i}" for i in compared]
    if has_unknown:
        columns += [f"_u{i}" for i in compared if groups[f"_u{i}"].sum() > 0]
    lifts: dict[int, tuple[float, float]] = {}
    if compared and groups.height:
        x = np.column_stack([np.ones(groups.height), *(groups[c].to_numpy() for c in columns)])
        mean, cov = logistic_posterior(
            x, groups["_k"].to_numpy(), groups["_n"].to_numpy(), prior_rate, [LIFT_SD] * len(columns)
        )
        lifts = {i: (float(mean[1 + j]), float(math.sqrt(cov[1 + j, 1 + j]))) for j, i in enumerate(compared)}
    readings = {}
    for i, label in enumerate(labels):
        if i in lifts:
            lift, sd = lifts[i]
            readings[label] = Reading(*counts[i], lift, sd, float(stats.norm.cdf(lift / sd)))
        else:
            readings[label] = Reading(*counts[i], None, None, None)
    return readings


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
