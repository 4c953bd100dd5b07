"""Segments: the ICP's tiers, and explore for accounts just under the minimum or failing one filter."""

from __future__ import annotations

import polars as pl

from campaigns.planning.segments import hypotheses, segment_accounts
from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import parse_icp

SPEC = parse_icp(
    """
name: t
version: 2
target_size: {min: 1, max: 100}
filters:
  - {field: industry, in: [saas]}
  - {field: employees, between: [20, 1000]}
disqualifiers:
  - {field: funding_stage, in: [public], reason: procurement}
scoring:
  min_score: 3
  tiers: {A: 5, B: 3}
  criteria:
    - {field: employees, between: [50, 200], points: 2}
    - {field: country, in: [US], points: 1}
    - {field: tech_stack, contains_any: [hubspot], points: 2}
personas: [champion]
"""
)


def accounts(rows: list[dict]) -> pl.LazyFrame:
    base = {name: None for name in ACCOUNT_SCHEMA}
    return pl.DataFrame([base | r for r in rows], schema=ACCOUNT_SCHEMA).lazy()


def test_tiers_and_near_misses_and_nothing_else():
    frame = accounts(
        [
            {
                "account_id": "a",
                "domain": "a.com",
                "industry": "saas",
                "employees": 100,
                "country": "US",
                "tech_stack": ["hubspot"],
            },  # 5: A
            {"account_id": "b", "domain": "b.com", "industry": "saas", "employees": 100, "country": "US"},  # 3: B
            {"account_id": "c", "domain": "c.com", "industry": "saas", "employees": 100},  # 2: one under -> explore
            {
                "account_id": "d",
                "domain": "d.com",
                "industry": "fintech",
                "employees": 100,
                "country": "US",
            },  # one filter fails -> explore
            {
                "account_id": "e",
                "domain": "e.com",
                "industry": "fintech",
                "employees": 5000,
                "country": "US",
                "tech_stack": ["hubspot"],
            },  # two filters fail
            {
                "account_id": "f",
                "domain": "f.com",
                "industry": "saas",
                "employees": 100,
                "country": "US",
                "funding_stage": "public",
            },  # disqualified
            {"account_id": "g", "domain": "g.com", "industry": "saas", "employees": 30},  # 0 points: too far under
            {
                "account_id": "h",
                "domain": "h.com",
                "industry": "saas",
                "employees": 100,
                "country": "US",
                "is_customer": True,
            },
            {"account_id": "i", "domain": "i.com", "industry": "saas", "employees": 100, "country": "US"},  # suppressed
        ]
    )
    got = dict(
        segment_accounts(frame, SPEC, excluded_keys=["i.com"]).select("account_id", "segment").collect().iter_rows()
    )
    assert got == {"a": "A", "b": "B", "c": "explore", "d": "explore"}


def test_every_segment_says_what_it_tests():
    text = hypotheses(SPEC)
    assert "t v2" in text["A"] and "scoring 5 or more" in text["A"] and "below 5" in text["B"]
    assert "score is 2" in text["explore"] and "exactly one filter" in text["explore"]


def test_accounts_left_out_are_counted_by_reason():
    from campaigns.ledger import sha256
    from campaigns.planning.segments import excluded_accounts

    frame = accounts(
        [
            {"account_id": "a", "domain": "a.com", "is_customer": True},
            {"account_id": "b", "domain": "b.com"},
            {"account_id": "c", "domain": "c.com"},
            {"account_id": "d", "domain": "d.com"},
            {"account_id": "e", "domain": "e.com"},
        ]
    )
    book = pl.DataFrame({"kind": ["domain_sha256"], "key": [sha256("d.com")], "reason": ["forgotten"]})
    got = excluded_accounts(frame, customer_keys=["B"], suppressed_keys=["c.com", "a.com"], ledger=book)
    assert got == {"customers": 2, "suppressed domains": 2}
