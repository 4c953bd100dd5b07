"""`icp check`: how an ICP reads, and what a universe holds of each value, without building a list."""

from __future__ import annotations

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import parse_icp
from targeting.selection.icp_check import check_icp

ICP = parse_icp("""
name: checked
version: 3
filters:
  - {field: country, in: [USA, Canada]}
  - {field: industry, in: [devtools, Fintech]}
scoring:
  min_score: 0
  tiers: {A: 1}
  criteria:
    - {field: tags, contains_any: [B2B], points: 1}
""")

UNIVERSE = pl.DataFrame(
    [
        {"account_id": "a", "country": "US", "industry": "fintech", "tags": ["fintech", "b2b"]},
        {"account_id": "b", "country": "US", "industry": "developer_tools", "tags": ["developer_tools", "fintech"]},
        {"account_id": "c", "country": "DE", "industry": "fintech", "tags": ["fintech"]},
    ],
    schema=ACCOUNT_SCHEMA,
).lazy()


def test_without_a_universe_it_says_how_each_value_reads():
    check = check_icp(ICP)
    assert [(r.written, r.read_as) for r in check.respelled] == [
        ("USA", "US"),
        ("Canada", "CA"),
        ("Fintech", "fintech"),
        ("B2B", "b2b"),
    ]
    assert check.spec.filters[0].value == ["US", "CA"]
    assert (check.universe, check.values, check.warnings) == (None, [], [])


def test_with_a_universe_it_counts_every_value_and_warns_like_the_target_list():
    check = check_icp(ICP, UNIVERSE)
    counts = {(v.field, v.value): v.accounts for v in check.values}
    assert counts == {
        ("country", "US"): 2,
        ("country", "CA"): 0,
        ("industry", "devtools"): 0,
        ("industry", "fintech"): 2,
        ("tags", "b2b"): 1,
    }
    assert check.universe == 3
    assert (
        "filter industry in [devtools, Fintech]: value 'devtools' never occurs in the universe;"
        " did you mean 'developer_tools'?" in check.warnings
    )
    assert any("it occurs as a tag of 3 accounts" in w for w in check.warnings)
    assert check.to_json()["respelled"][0] == {
        "where": "filter country in [USA, Canada]",
        "written": "USA",
        "read_as": "US",
    }
