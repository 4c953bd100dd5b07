"""The report's statistics against hand-checked figures (docs/campaigns.md, "Reading a test honestly") and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from campaigns.report import stats
from targeting.errors import InputError


@pytest.mark.parametrize(("k", "n", "low", "high"), [(3, 100, 0.010, 0.085), (10, 100, 0.055, 0.174)])
def test_wilson_matches_methods_md(k, n, low, high):
    got = stats.wilson(k, n)
    assert got[0] == pytest.approx(low, abs=6e-4) and got[1] == pytest.approx(high, abs=6e-4)


def test_wilson_by_its_closed_form():
    # Independent: the Wilson score interval written out, z = 1.959964.
    k, n, z = 7, 120, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert stats.wilson(k, n) == pytest.approx((centre - half, centre + half), rel=1e-9)
    assert stats.wilson(0, 0) == (None, None)


def test_posterior_adds_the_evidence_to_the_prior():
    prior = stats.Prior()
    assert prior.rate == pytest.approx(0.034 * 0.14)
    a, b = stats.posterior(2, 10, prior.rate, prior.weight)
    assert (a, b) == pytest.approx((0.1904 + 2, 39.8096 + 8))
    # 2 of 10 does not look like a 20% segment: the posterior mean is shrunk toward the prior.
    assert a / (a + b) == pytest.approx(2.1904 / 50)


@pytest.mark.parametrize(
    ("arm", "rest"), [((3.2, 40.0), (1.5, 80.0)), ((1.0, 30.0), (4.0, 60.0)), ((0.19, 53.8), (7.2, 120.0))]
)
def test_p_better_agrees_with_monte_carlo(arm, rest):
    rng = np.random.default_rng(11)
    draws = 400_000
    expected = float(np.mean(rng.beta(*arm, draws) > rng.beta(*rest, draws)))
    assert stats.p_better(arm, rest) == pytest.approx(expected, abs=0.004)


def test_p_better_of_equal_posteriors_is_a_half():
    assert stats.p_better((2.0, 50.0), (2.0, 50.0)) == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize(("rate", "rest", "n"), [(0.06, 0.03, 750), (0.09, 0.03, 245)])
def test_next_round_n_matches_methods_md(rate, rest, n):
    assert stats.next_round_n(rate, rest) == pytest.approx(n, abs=3)


def test_next_round_n_by_the_classical_formula():
    # Independent: n = (z_a sqrt(2 pbar qbar) + z_b sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2.
    p1, p2, za, zb = 0.08, 0.035, 1.959963984540054, 0.8416212335729143
    pbar = (p1 + p2) / 2
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / (p1 - p2) ** 2
    assert stats.next_round_n(p1, p2) == math.ceil(n)
    assert stats.next_round_n(0.03, 0.03) is None


@pytest.mark.parametrize(
    ("p", "positives", "ci", "rest", "code"),
    [
        (0.97, 7, (0.08, 0.37), 0.03, "likely_better"),
        (0.99, 2, (0.08, 0.37), 0.03, "not_enough_evidence"),  # rests on a couple of replies
        (0.90, 9, (0.08, 0.37), 0.03, "not_enough_evidence"),
        (0.01, 7, (0.0, 0.21), 0.075, "not_enough_evidence"),  # its own interval still holds the rest's rate
        (0.01, 7, (0.004, 0.05), 0.12, "likely_worse"),
    ],
)
def test_verdict(p, positives, ci, rest, code):
    assert stats.verdict(p, positives, ci, rest) == code


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, True])
def test_a_prior_outside_zero_one_is_refused_naming_the_value(bad):
    with pytest.raises(InputError, match="--prior") as info:
        stats.prior_from(bad, source="--prior")
    assert str(bad) in str(info.value)
