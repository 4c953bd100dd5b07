"""Sizing: the funnel (removed/unknown/remaining), tiers, verdict, warnings and the count identity."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import parse_icp
from targeting.importing.suppression import read_suppression
from targeting.selection.sizing import size_verdict, universe_stats, universe_warnings
from targeting.selection.target_list import select_targets

AS_OF = date(2026, 1, 1)

SPEC = """\
name: sized
version: 2
target_size: {{min: {low}, max: {high}}}
filters:
  - {{field: industry, in: [saas, fintech]}}
  - {{field: employees, between: [20, 1000]}}
disqualifiers:
  - {{field: funding_stage, in: [public], reason: procurement}}
scoring:
  min_score: 2
  tiers: {{A: 4, B: 3}}
  criteria:
    - {{field: employees, between: [50, 200], points: 2}}
    - {{field: tech_stack, contains_any: [hubspot], points: 2}}
    - {{field: country, in: [US], points: 1}}
"""


def spec(low=1, high=100):
    return parse_icp(SPEC.format(low=low, high=high))


def accounts(*rows: dict) -> pl.LazyFrame:
    full = [{"account_id": f"a{i}.com", "domain": f"a{i}.com", **row} for i, row in enumerate(rows)]
    return pl.DataFrame(full, schema=ACCOUNT_SCHEMA).lazy()


UNIVERSE = accounts(
    {"industry": "saas", "employees": 100, "tech_stack": ["HubSpot"], "country": "US"},  # 5: A
    {"industry": "SaaS", "employees": 100, "country": "US"},  # 3: B
    {"industry": "fintech", "employees": 100},  # 2: untiered target
    {"industry": "fintech", "employees": 500},  # 0: below min score
    {"industry": None, "employees": 100},  # unknown industry
    {"industry": "media", "employees": 100},  # wrong industry
    {"industry": "saas", "employees": None},  # unknown size
    {"industry": "saas", "employees": 5000},  # too big
    {"industry": "saas", "employees": 100, "funding_stage": "public"},  # disqualified
    {"industry": "saas", "employees": 100, "funding_stage": None},  # null never disqualifies: 2
)


def test_funnel_counts_each_step_among_those_that_reached_it(tmp_path):
    suppress = tmp_path / "s.txt"
    suppress.write_text("a9.com\n")
    result = select_targets(
        UNIVERSE, spec(), suppression=read_suppression(suppress), as_of=AS_OF, rows_read=13, rejected=2, duplicates=1
    )
    summary = result.summary.model_dump()
    assert (summary["universe"], summary["suppressed"]) == (10, 1)
    assert summary["funnel"] == [
        {"step": "filter industry in [saas, fintech]", "removed": 2, "unknown": 1, "remaining": 7},
        {"step": "filter employees between [20, 1000]", "removed": 2, "unknown": 1, "remaining": 5},
        {"step": "disqualifier funding_stage in [public] (procurement)", "removed": 1, "unknown": 0, "remaining": 4},
        {"step": "min score 2", "removed": 1, "unknown": 0, "remaining": 3},
    ]
    assert summary["targets"] == 3
    assert summary["by_tier"] == {"A": 1, "B": 1, "untiered": 1}
    assert summary["rows_read"] == 13 and summary["reachable"] is None
    assert result.targets["account_id"].to_list() == ["a0.com", "a1.com", "a2.com"]
    assert result.targets["score"].to_list() == [5, 3, 2]


def test_summary_has_exactly_the_documented_keys():
    summary = select_targets(UNIVERSE, spec(), as_of=AS_OF).summary.model_dump()
    assert list(summary) == [
        "icp",
        "version",
        "rows_read",
        "rejected",
        "duplicates",
        "universe",
        "suppressed",
        "funnel",
        "targets",
        "by_tier",
        "reachable",
        "band",
        "verdict",
        "warnings",
        "suggestions",
    ]
    assert (summary["icp"], summary["version"], summary["band"]) == ("sized", 2, {"min": 1, "max": 100})


def test_reachable_counts_targets_with_a_reachable_contact():
    reachable = pl.LazyFrame({"account_id": ["a0.com", "a0.com", "a3.com", "zzz"]})
    summary = select_targets(UNIVERSE, spec(), reachable_account_ids=reachable, as_of=AS_OF).summary
    assert summary.reachable == 1  # a3 is reachable but not a target


def test_counts_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="rows_read 99"):
        select_targets(UNIVERSE, spec(), as_of=AS_OF, rows_read=99)


@pytest.mark.parametrize(("targets", "verdict"), [(199, "too_narrow"), (200, "ok"), (5000, "ok"), (5001, "too_broad")])
def test_verdict_band_includes_both_ends(targets, verdict):
    assert size_verdict(targets, 200, 5000) == verdict


@pytest.mark.parametrize(("low", "high", "verdict"), [(1, 4, "ok"), (5, 9, "too_narrow"), (1, 3, "too_broad")])
def test_verdict_in_summary(low, high, verdict):
    assert select_targets(UNIVERSE, spec(low, high), as_of=AS_OF).summary.verdict == verdict


def test_warnings_name_values_that_never_occur():
    text = SPEC.format(low=1, high=100).replace("in: [saas, fintech]", "in: [saas, computer software]")
    text = text.replace("in: [US]", "in: [US, Atlantis]")
    text += "    - {field: domain, matches: 'nowhere$', points: 1}\n    - {field: revenue_usd, gte: 5, points: 1}\n"
    icp = parse_icp(text)
    warnings = universe_warnings(icp, universe_stats(UNIVERSE, icp))
    assert warnings == [
        "filter industry in [saas, computer software]: value 'computer software' never occurs in the universe",
        "criterion country in [US, Atlantis]: value 'Atlantis' never occurs in the universe",
        "criterion domain matches nowhere$: pattern 'nowhere$' never matches in the universe",
        "criterion revenue_usd gte 5: field 'revenue_usd' is empty in the universe (every account is unknown)",
    ]


def test_matching_ignores_case_in_warnings():
    icp = parse_icp(SPEC.format(low=1, high=100).replace("in: [saas, fintech]", "in: [SAAS, FinTech]"))
    assert universe_warnings(icp, universe_stats(UNIVERSE, icp)) == []


def test_empty_universe():
    result = select_targets(accounts(), spec(), as_of=AS_OF)
    assert (result.summary.targets, result.summary.verdict) == (0, "too_narrow")
    assert result.summary.warnings == ["the universe is empty"]


_row = st.fixed_dictionaries(
    {
        "industry": st.sampled_from(["saas", "SaaS", "fintech", "media", None]),
        "employees": st.one_of(st.none(), st.integers(0, 3000)),
        "funding_stage": st.sampled_from(["public", "seed", None]),
        "tech_stack": st.one_of(st.none(), st.lists(st.sampled_from(["hubspot", "HUBSPOT", "dbt"]), max_size=3)),
        "country": st.sampled_from(["US", "us", "DE", None]),
    }
)


@settings(max_examples=30, deadline=None)
@given(rows=st.lists(_row, max_size=25), suppressed=st.sets(st.integers(0, 30), max_size=5))
def test_every_account_is_suppressed_removed_once_or_targeted(rows, suppressed):
    keys = pl.DataFrame(
        {
            "level": ["account"] * len(suppressed),
            "kind": "domain",
            "key": [f"a{i}.com" for i in sorted(suppressed)],
            "source": "t",
        }
    )
    result = select_targets(accounts(*rows), spec(), suppression=keys, as_of=AS_OF)
    s = result.summary
    removed = sum(step.removed for step in s.funnel)
    assert s.suppressed + removed + s.targets == s.universe == len(rows)
    assert s.suppressed == len([i for i in suppressed if i < len(rows)])
    assert all(step.unknown <= step.removed for step in s.funnel)
    assert result.targets.height == s.targets == sum(s.by_tier.values())
    remaining = s.universe - s.suppressed
    for step in s.funnel:
        remaining -= step.removed
        assert step.remaining == remaining


def test_a_value_that_never_occurs_gets_did_you_mean_from_the_universes_own_values():
    universe = accounts({"industry": "developer_tools"}, {"industry": "devops"}, {"industry": "fintech"})
    icp = parse_icp(SPEC.format(low=1, high=10).replace("in: [saas, fintech]", "in: [devtools, fintech]"))
    (warning,) = [w for w in select_targets(universe, icp, as_of=AS_OF).summary.warnings if "devtools" in w]
    assert warning.endswith("never occurs in the universe; did you mean 'developer_tools' or 'devops'?")


def test_an_industry_held_more_often_as_a_tag_says_where_the_accounts_are():
    universe = accounts(
        {"industry": "fintech", "tags": ["fintech"]},
        {"industry": "saas", "tags": ["saas", "fintech"]},
        {"industry": "b2b", "tags": ["b2b", "fintech"]},
    )
    icp = parse_icp(SPEC.format(low=1, high=10).replace("in: [saas, fintech]", "in: [fintech]"))
    warnings = select_targets(universe, icp, as_of=AS_OF).summary.warnings
    assert (
        "filter industry in [fintech]: 1 accounts have industry 'fintech'; it occurs as a tag of 3 accounts"
        " ({field: tags, contains_any: [fintech]} reaches them)" in warnings
    )
