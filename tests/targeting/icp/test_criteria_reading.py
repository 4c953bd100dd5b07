"""One reading: a contrast and the criteria read together are the same regression, so equal data give equal numbers."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.icp.reading import MIN_SIDE, read_contrast, read_criteria

RATE = 0.034


def _frame(blocks: list[tuple[list[str], int, int]]) -> pl.DataFrame:
    """(criteria met, delivered, genuine replies) blocks -> one row per delivered contact."""
    crit, replied = [], []
    for labels, n, k in blocks:
        crit += [labels] * n
        replied += [1] * k + [0] * (n - k)
    return pl.DataFrame(
        {"replied": replied, "criteria": crit}, schema={"replied": pl.Int64, "criteria": pl.List(pl.String)}
    )


@settings(max_examples=40, deadline=None)
@given(
    n1=st.integers(0, 60),
    n0=st.integers(0, 60),
    data=st.data(),
)
def test_one_criterion_read_together_is_its_contrast(n1, n0, data):
    k1 = data.draw(st.integers(0, n1))
    k0 = data.draw(st.integers(0, n0))
    reading = read_criteria(_frame([(["size"], n1, k1), ([], n0, k0)]), ["size"], RATE, "replied")["size"]
    contrast = read_contrast(k1, n1, k0, n0, RATE)
    assert (reading.k_with, reading.n_with, reading.k_without, reading.n_without) == (k1, n1, k0, n0)
    if contrast.p_better is None:
        assert reading.p_better is None and min(n1, n0) < MIN_SIDE
    else:
        assert reading.lift == pytest.approx(contrast.lift, abs=1e-6)
        assert reading.lift_sd == pytest.approx(contrast.lift_sd, abs=1e-6)
        assert reading.p_better == pytest.approx(contrast.p_better, abs=1e-6)


@settings(max_examples=25, deadline=None)
@given(k1=st.integers(0, 15), k0=st.integers(0, 15), n1=st.integers(15, 80), n0=st.integers(15, 80))
def test_swapping_the_sides_flips_the_lift_and_nothing_else(k1, k0, n1, n0):
    ab = read_contrast(k1, n1, k0, n0, RATE)
    ba = read_contrast(k0, n0, k1, n1, RATE)
    assert ab.lift == pytest.approx(-ba.lift, abs=1e-6) and ab.lift_sd == pytest.approx(ba.lift_sd, abs=1e-6)


def test_a_criterion_without_a_comparison_stays_out_of_the_model():
    # "rare" is met by 5 contacts: no comparison, and the others read as if it were not there.
    frame = _frame([(["size", "rare"], 5, 2), (["size"], 75, 10), ([], 80, 2)])
    both = read_criteria(frame, ["size", "rare"], RATE, "replied")
    alone = read_criteria(frame, ["size"], RATE, "replied")
    assert both["rare"].p_better is None and both["rare"].n_with == 5
    assert both["size"] == alone["size"]
