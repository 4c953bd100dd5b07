"""A round designed for the joint reading: the accounts a design picks, and what it starts from."""

from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from campaigns.planning import balance
from campaigns.planning.design import Design, design_for, designed_order, seen_information
from targeting.icp.reading import INTERCEPT_SD, LIFT_SD, read_contrast


def _pool(met: list[bool], order: list[int], segment: list[str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    ids = [f"a{i}" for i in range(len(met))]
    pool = pl.DataFrame(
        {"account_id": ids, "segment": segment or ["A"] * len(met), "_order": [f"{k:06d}" for k in order]}
    )
    segments = pl.DataFrame({"account_id": ids, "criteria": [["crm"] if m else [] for m in met]})
    return pool, segments


def _first(ordered: pl.DataFrame, segments: pl.DataFrame, n: int, segment: str = "A") -> pl.DataFrame:
    return (
        ordered.filter(pl.col("segment") == segment)
        .sort("_order")
        .head(n)
        .join(segments, on="account_id", maintain_order="left")
    )


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(10, 80),
    wanted=st.integers(1, 40),
    seed=st.integers(0, 10_000),
)
def test_a_design_reorders_the_pool_only_and_gives_an_80_20_criterion_s_minority_its_half(n, wanted, seed):
    rng = np.random.default_rng(seed)
    met = [i % 5 != 0 for i in range(n)]  # 80% meet crm
    order = [int(k) for k in rng.permutation(n)]
    pool, segments = _pool(met, order)
    design = design_for(("crm",), None, 0.06)
    ordered, _ = designed_order(pool, segments, design, {"A": wanted})
    # Never an account outside the pool, never one twice, every account kept.
    assert sorted(ordered["account_id"]) == sorted(pool["account_id"])
    assert ordered["_order"].n_unique() == n
    picked = _first(ordered, segments, wanted)
    minority = picked.filter(pl.col("criteria").list.len() == 0).height
    available = n - sum(met)
    assert minority >= min(available, min(wanted, n) // 2)
    # A plain draw (the seeded order) gives the minority side its 20% on average; the design at least half.
    plain = _first(pool, segments, wanted).filter(pl.col("criteria").list.len() == 0).height
    if min(wanted, n) >= 10 and available >= min(wanted, n) // 2:
        assert minority >= plain


def test_the_seeded_order_breaks_ties_and_a_balanced_criterion_alternates():
    met = [i % 5 != 0 for i in range(40)]
    pool, segments = _pool(met, list(range(40)))
    ordered, _ = designed_order(pool, segments, design_for(("crm",), None, 0.06), {"A": 10})
    sides = _first(ordered, segments, 10)["criteria"].list.len().to_list()
    assert sides[0] == 0  # a0 is first in seeded order and a tie at the start goes to it
    # A tie (equal sides so far) goes to the seeded order, then the other side: one of each in every pair.
    assert all(sorted(sides[i : i + 2]) == [0, 1] for i in range(0, 10, 2))
    # Spares (not picked) follow in seeded order.
    rest = ordered.sort("_order").tail(30)["account_id"].to_list()
    assert rest == sorted(rest, key=lambda a: int(a[1:]))


def test_each_segment_gets_its_quota_and_what_one_segment_lacks_another_makes_up():
    # Segment A has no account without crm; B has plenty: the design fills B's quota from its minority side.
    met = [True] * 20 + [i % 2 == 0 for i in range(20)]
    pool, segments = _pool(met, list(range(40)), ["A"] * 20 + ["B"] * 20)
    ordered, _ = designed_order(pool, segments, design_for(("crm",), None, 0.06), {"A": 6, "B": 6})
    b = _first(ordered, segments, 6, "B")
    assert b.height == 6 and b.filter(pl.col("criteria").list.len() == 0).height >= 5
    assert ordered.filter(pl.col("segment") == "A").sort("_order").head(6)["_order"].str.starts_with("0").all()


def test_what_the_lineage_already_knows_is_the_prior_plus_the_pooled_contacts_information():
    outcomes = pl.DataFrame(
        {"criteria": [["crm"], ["crm"], ["crm"], []], "replied": [1, 0, 0, 0]},
        schema={"criteria": pl.List(pl.String), "replied": pl.Int8},
    )
    info = seen_information(outcomes, ("crm",), 0.1)
    x = np.array([[1, 0.5], [1, 0.5], [1, 0.5], [1, -0.5]])
    expected = np.diag([1 / INTERCEPT_SD**2, 1 / LIFT_SD**2]) + 0.09 * x.T @ x
    assert np.allclose(info, expected)
    assert np.allclose(seen_information(None, ("crm",), 0.1), np.diag([1 / INTERCEPT_SD**2, 1 / LIFT_SD**2]))
    # After rounds short of the minority side, the next design goes to it first.
    lopsided = pl.DataFrame(
        {"criteria": [["crm"]] * 90 + [[]] * 10, "replied": [0] * 100},
        schema={"criteria": pl.List(pl.String), "replied": pl.Int8},
    )
    pool, segments = _pool([i % 2 == 0 for i in range(40)], list(range(40)))
    ordered, _ = designed_order(pool, segments, design_for(("crm",), lopsided, 0.06), {"A": 10})
    assert _first(ordered, segments, 10).filter(pl.col("criteria").list.len() == 0).height >= 8


def test_a_round_is_designed_over_every_criterion_not_yet_sure_with_both_sides_plannable(monkeypatch):
    monkeypatch.setattr(balance, "BALANCE_BY", "design")
    readings = {
        "crm": read_contrast(4, 200, 4, 40, 0.034),
        "decided": read_contrast(20, 120, 1, 120, 0.034),  # already sure
        "rare": read_contrast(1, 12, 10, 228, 0.034),  # met by 2% of the reachable accounts
        "unread": read_contrast(0, 3, 0, 3, 0.034),  # no comparison yet: not sure
    }
    shares = {"crm": 0.8, "decided": 0.5, "rare": 0.02, "unread": 0.4}
    picked = balance.round_balance(readings, shares, 0.975)
    assert isinstance(picked, Design) and picked.labels == ("crm", "unread")
    assert str(picked) == "a design over crm and unread"
    assert balance.designs_first_round()
    assert balance.round_balance({"decided": readings["decided"]}, shares, 0.975) is None
    monkeypatch.setattr(balance, "BALANCE_BY", "widest")
    assert balance.round_balance(readings, shares, 0.975) == "crm" and not balance.designs_first_round()


def test_with_the_tiers_pooled_a_side_the_upper_tier_lacks_comes_from_the_lower_one_and_explore_keeps_its_share():
    from campaigns.planning.segments import EXPLORE

    # A (the upper tier) all meet crm; B meets it in half; explore keeps its own 4.
    met = [True] * 20 + [i % 2 == 0 for i in range(20)] + [True] * 10
    pool, segments = _pool(met, list(range(50)), ["A"] * 20 + ["B"] * 20 + [EXPLORE] * 10)
    wanted = {"A": 8, "B": 8, EXPLORE: 4}
    kept, kept_wanted = designed_order(pool, segments, design_for(("crm",), None, 0.06), wanted)
    pooled, pooled_wanted = designed_order(pool, segments, design_for(("crm",), None, 0.06, across_tiers=True), wanted)
    assert kept_wanted == wanted
    assert pooled_wanted[EXPLORE] == 4 and pooled_wanted["A"] + pooled_wanted["B"] == 16
    assert pooled_wanted["B"] > 8  # the minority side is in B only

    def without(ordered, counts):
        return sum(
            _first(ordered, segments, counts[s], s).filter(pl.col("criteria").list.len() == 0).height for s in counts
        )

    assert without(pooled, pooled_wanted) > without(kept, kept_wanted) and without(pooled, pooled_wanted) >= 8
