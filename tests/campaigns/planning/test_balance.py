"""Contacts where the evidence is weakest: the criterion a round balances, and the order that balances it."""

from __future__ import annotations

import polars as pl

from campaigns.planning.balance import balanced_order, criterion_to_balance, reachable_shares
from targeting.icp.reading import read_contrast


def test_the_least_certain_undecided_criterion_with_both_sides_plannable_is_balanced():
    readings = {
        "crm": read_contrast(4, 200, 4, 40, 0.034),  # few contacts without: the widest posterior
        "size": read_contrast(6, 120, 4, 120, 0.034),
        "decided": read_contrast(20, 120, 1, 120, 0.034),  # already sure: nothing left to learn for a move
        "rare": read_contrast(1, 12, 10, 228, 0.034),  # met by 2% of the reachable accounts
    }
    shares = {"crm": 0.8, "size": 0.5, "decided": 0.5, "rare": 0.02}
    assert readings["rare"].lift_sd > readings["crm"].lift_sd > readings["size"].lift_sd
    assert criterion_to_balance(readings, shares) == "crm"
    assert criterion_to_balance({"size": readings["size"]}, shares) == "size"
    assert criterion_to_balance({"decided": readings["decided"], "rare": readings["rare"]}, shares) is None
    assert criterion_to_balance({"none": read_contrast(0, 3, 0, 3, 0.034)}, {"none": 0.5}) is None


def test_the_balanced_order_alternates_the_two_sides_in_every_segment():
    n = 40
    pool = pl.DataFrame(
        {
            "account_id": [f"a{i}" for i in range(n)],
            "segment": ["A"] * 30 + ["B"] * 10,
            "_order": [f"{(i * 7919) % 1000:04d}" for i in range(n)],
        }
    )
    # 80% of the accounts meet crm.
    segments = pl.DataFrame(
        {"account_id": [f"a{i}" for i in range(n)], "criteria": [["crm"] if i % 5 else [] for i in range(n)]}
    )
    ordered = balanced_order(pool, segments, "crm").sort("segment", "_order")
    meets = ordered.join(segments, on="account_id", maintain_order="left").with_columns(
        pl.col("criteria").list.contains("crm").alias("m")
    )
    first_a = meets.filter(pl.col("segment") == "A").head(12)["m"].to_list()
    assert first_a == [True, False] * 6  # A has 6 without: alternating until they run out
    assert set(ordered["account_id"]) == set(pool["account_id"]) and ordered.height == n
    assert reachable_shares(pool, segments, ["crm"]) == {"crm": 0.8}


def test_two_criteria_balanced_at_once_take_the_four_cells_in_turn():
    n = 48
    pool = pl.DataFrame(
        {"account_id": [f"a{i}" for i in range(n)], "segment": ["A"] * n, "_order": [f"{i:04d}" for i in range(n)]}
    )
    # crm met by 3 in 4 accounts, size by half of each side: cells of 18, 18, 6 and 6 accounts.
    criteria = [[label for label, met in (("crm", i % 4 != 0), ("size", (i // 4) % 2 == 0)) if met] for i in range(n)]
    segments = pl.DataFrame({"account_id": pool["account_id"], "criteria": criteria})
    ordered = balanced_order(pool, segments, ("crm", "size")).sort("_order")
    cells = ordered.join(segments, on="account_id", maintain_order="left").select(
        pl.col("criteria").list.contains("crm").alias("crm"), pl.col("criteria").list.contains("size").alias("size")
    )
    first = cells.head(8).rows()
    assert sorted(set(first)) == [(False, False), (False, True), (True, False), (True, True)]
    assert all(first.count(cell) == 2 for cell in set(first))


def test_the_value_of_balancing_follows_how_close_a_decision_is_and_how_many_accounts_it_reorders(monkeypatch):
    from campaigns.planning import balance

    near = read_contrast(9, 100, 3, 100, 0.034)  # leaning clearly, not yet sure
    flat = read_contrast(5, 100, 5, 100, 0.034)  # no lean at all
    assert balance.decision_value(near, 0.5, 0.99) > balance.decision_value(flat, 0.5, 0.99) > 0
    assert balance.decision_value(near, 0.5, 0.99) > balance.decision_value(near, 0.1, 0.99)
    assert balance.decision_value(read_contrast(0, 3, 0, 3, 0.034), 0.5, 0.99) == 0
    monkeypatch.setattr(balance, "BALANCE_BY", "value")
    monkeypatch.setattr(balance, "BALANCE_COUNT", 2)
    readings = {"near": near, "flat": flat, "other": read_contrast(6, 100, 4, 100, 0.034)}
    shares = {"near": 0.5, "flat": 0.5, "other": 0.5}
    picked = balance.criterion_to_balance(readings, shares, 0.99)
    assert isinstance(picked, tuple) and picked[0] == "near" and len(picked) == 2
