"""Backtest: AUC against a count of pairs, win rates by tier, the split review trigger, leaks set aside."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from targeting.errors import InputError
from targeting.icp.backtest import OUT, backtest_on_deals
from targeting.icp.separation import bootstrap_auc, roc_auc
from targeting.icp.spec import IcpSpec


def _pairs_auc(won, lost) -> float:
    wins = sum(1.0 if w > lo else 0.5 if w == lo else 0.0 for w, lo in itertools.product(won, lost))
    return wins / (len(won) * len(lost))


def test_auc_counts_ties_as_half_and_matches_every_pair():
    rng = np.random.default_rng(2)
    won, lost = rng.integers(0, 5, 40), rng.integers(0, 4, 55)
    assert roc_auc(won, lost) == pytest.approx(_pairs_auc(won, lost))
    low, high = bootstrap_auc(won, lost, seed=1)
    assert low < roc_auc(won, lost) < high
    assert bootstrap_auc(won, lost, seed=1) == (low, high)


SPEC = IcpSpec.model_validate(
    {
        "name": "t",
        "filters": [{"field": "industry", "in": ["saas"]}],
        "disqualifiers": [{"field": "is_customer", "eq": True, "reason": "already a customer"}],
        "scoring": {
            "tiers": {"A": 2, "B": 1, "C": 0},
            "criteria": [
                {"field": "employees", "between": [50, 500], "points": 1},
                {"field": "region", "eq": "NA", "points": 1},
            ],
        },
    }
)


def _universe_and_deals(n: int = 200, seed: int = 3, drift: bool = False):
    rng = np.random.default_rng(seed)
    ids = [f"a{i}.com" for i in range(n)]
    industry = rng.choice(["saas", "media"], n)
    employees = rng.choice([20, 100, 2000], n)
    region = rng.choice(["NA", "EMEA"], n)
    fit = (industry == "saas").astype(int) * (1 + (employees == 100) + (region == "NA"))
    start = date(2025, 1, 1)
    closed = [start + timedelta(days=int(d)) for d in rng.integers(0, 365, n)]
    late = np.array([c >= date(2025, 7, 1) for c in closed])
    p = np.array([0.05, 0.3, 0.55, 0.8])[fit]
    if drift:  # after the split the top tier wins no more often than anyone
        p = np.where(late, 0.2, p)
    won = rng.random(n) < p
    universe = pl.LazyFrame(
        {
            "account_id": ids,
            "domain": ids,
            "industry": industry,
            "employees": employees,
            "region": region,
            "is_customer": won,
        }
    )
    deals = pl.DataFrame(
        {
            "deal_id": [f"d{i}" for i in range(n)],
            "account_id": ids,
            "outcome": np.where(won, "won", "lost"),
            "closed_at": closed,
            "amount": [1000.0] * n,
            "_row": list(range(2, n + 2)),
        }
    )
    return universe, deals


def test_win_rates_fall_by_tier_and_the_score_separates_won_from_lost():
    universe, deals = _universe_and_deals()
    summary = backtest_on_deals(universe, SPEC, deals)
    rates = {r["segment"]: r["win_rate"] for r in summary["by_tier"]}
    assert rates["A"] > rates["B"] > rates[OUT]
    assert sum(r["deals"] for r in summary["by_tier"]) == summary["deals"] == 200
    sep = summary["separation"]
    assert 0.5 < sep["auc_low"] < sep["auc"] < sep["auc_high"]
    assert summary["top_tier_lift"]["lift"] > 1
    assert 10 <= len(summary["recent"]) <= 20
    assert summary["recent"][0]["closed_at"] >= summary["recent"][-1]["closed_at"]
    # is_customer is the outcome itself here: it is set aside, and said so.
    assert any("is_customer" in w for w in summary["warnings"])


def test_a_split_flags_the_review_trigger_when_the_top_tier_win_rate_drops():
    universe, deals = _universe_and_deals(n=400, drift=True)
    summary = backtest_on_deals(universe, SPEC, deals, split=date(2025, 7, 1))
    assert [p["period"] for p in summary["periods"]] == ["before", "after"]
    review = summary["review"]
    assert review["segment"] == "A" and review["flag"] and review["drop_points"] > 10
    assert any(w.startswith("review the ICP") for w in summary["warnings"])


def test_a_steady_icp_raises_no_review_trigger():
    universe, deals = _universe_and_deals(n=400, seed=4)
    review = backtest_on_deals(universe, SPEC, deals, split=date(2025, 7, 1))["review"]
    assert review["drop_points"] is not None and review["drop_points"] <= 10 and not review["flag"]


def test_too_few_deals_warn_and_nothing_to_compare_is_refused():
    universe, deals = _universe_and_deals(n=14)
    summary = backtest_on_deals(universe, SPEC, deals)
    assert any(w.startswith("too few deals to say anything") for w in summary["warnings"])
    with pytest.raises(InputError, match="no lost deal"):
        backtest_on_deals(universe, SPEC, deals.with_columns(outcome=pl.lit("won")))


@pytest.mark.parametrize("split", [date(2020, 1, 1), date(2030, 1, 1)])
def test_a_split_outside_the_closing_dates_is_refused(split):
    universe, deals = _universe_and_deals()
    with pytest.raises(InputError, match="split date outside the deals' closing dates") as error:
        backtest_on_deals(universe, SPEC, deals, split=split)
    assert split.isoformat() in str(error.value)
