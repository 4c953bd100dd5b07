"""Scoring: every operator on scalar and list fields (nulls are unknown), points, tiers, reasons, drop step."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import Filter, parse_icp
from targeting.selection.scoring import condition_expr, score_accounts, step_names

AS_OF = date(2026, 1, 1)


def accounts(*rows: dict) -> pl.LazyFrame:
    """A tiny universe in the canonical schema; unspecified columns are null."""
    full = [{"account_id": f"a{i}", **row} for i, row in enumerate(rows)]
    return pl.DataFrame(full, schema=ACCOUNT_SCHEMA).lazy()


def evaluate(condition: dict, *rows: dict) -> list[bool | None]:
    expr = condition_expr(Filter.model_validate(condition), AS_OF)
    return accounts(*rows).select(expr.alias("out")).collect()["out"].to_list()


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ({"field": "industry", "eq": "SaaS"}, ["saas", "Fintech", None], [True, False, None]),
        (
            {"field": "industry", "in": ["saas", "FINTECH"]},
            ["SaaS", "fintech", "media", None],
            [True, True, False, None],
        ),
        ({"field": "industry", "not_in": ["saas"]}, ["SaaS", "media", None], [False, True, None]),
        ({"field": "industry", "matches": "^fin"}, ["FinTech", "defi", None], [True, False, None]),
        ({"field": "industry", "matches": "tech$"}, ["fintech", "technology", None], [True, False, None]),
        ({"field": "industry", "is_null": True}, ["saas", None], [False, True]),
        ({"field": "industry", "not_null": True}, ["saas", None], [True, False]),
        ({"field": "employees", "eq": 50}, [50, 51, None], [True, False, None]),
        ({"field": "employees", "in": [10, 50]}, [10, 11, None], [True, False, None]),
        ({"field": "employees", "not_in": [10]}, [10, 11, None], [False, True, None]),
        ({"field": "employees", "between": [20, 100]}, [19, 20, 100, 101, None], [False, True, True, False, None]),
        ({"field": "employees", "gte": 20}, [19, 20, None], [False, True, None]),
        ({"field": "employees", "lte": 20}, [20, 21, None], [True, False, None]),
        ({"field": "revenue_usd", "between": [1.5, 2.5]}, [1.5, 2.6, None], [True, False, None]),
        ({"field": "is_customer", "eq": True}, [True, False, None], [True, False, None]),
    ],
)
def test_scalar_operators(condition, values, expected):
    rows = [{condition["field"]: v} for v in values]
    assert evaluate(condition, *rows) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    # lists: [Salesforce, dbt], [hubspot], [], null
    [
        ({"field": "tech_stack", "eq": "salesforce"}, [True, False, False, None]),
        ({"field": "tech_stack", "in": ["hubspot", "x"]}, [False, True, False, None]),
        ({"field": "tech_stack", "not_in": ["hubspot"]}, [True, False, True, None]),
        ({"field": "tech_stack", "contains_any": ["SALESFORCE", "hubspot"]}, [True, True, False, None]),
        ({"field": "tech_stack", "contains_all": ["salesforce", "dbt"]}, [True, False, False, None]),
        ({"field": "tech_stack", "contains_all": ["salesforce", "hubspot"]}, [False, False, False, None]),
        ({"field": "tech_stack", "matches": "^sales"}, [True, False, False, None]),
        ({"field": "tech_stack", "is_null": True}, [False, False, False, True]),
        ({"field": "tech_stack", "not_null": True}, [True, True, True, False]),
    ],
)
def test_list_operators(condition, expected):
    rows = [{"tech_stack": v} for v in (["Salesforce", "dbt"], ["hubspot"], [], None)]
    assert evaluate(condition, *rows) == expected


def test_within_days_needs_a_recent_signal_date():
    cond = {"field": "hiring_roles", "contains_any": ["sales"], "within_days": 60}
    rows = [
        {"hiring_roles": ["sales"], "signals_at": date(2025, 12, 1)},  # 31 days before
        {"hiring_roles": ["sales"], "signals_at": date(2025, 11, 2)},  # exactly 60 days before
        {"hiring_roles": ["sales"], "signals_at": date(2025, 11, 1)},  # 61 days: too old
        {"hiring_roles": ["sales"], "signals_at": None},  # a match with no date is unknown
        {"hiring_roles": ["finance"], "signals_at": None},  # no match is a plain no
    ]
    assert evaluate(cond, *rows) == [True, True, False, None, False]


SPEC = """\
name: t
target_size: {min: 1, max: 2}
filters:
  - {field: industry, in: [saas]}
  - {field: employees, between: [20, 1000]}
disqualifiers:
  - {field: funding_stage, in: [public], reason: procurement}
scoring:
  min_score: 2
  tiers: {A: 4, B: 2}
  criteria:
    - {name: sweet-spot size, field: employees, between: [50, 200], points: 2}
    - {field: tech_stack, contains_any: [salesforce, hubspot], points: 2}
    - {name: late stage, field: funding_stage, eq: series_d_plus, points: -1}
"""


def test_score_tier_reasons_and_drop_step():
    spec = parse_icp(SPEC)
    universe = accounts(
        {"industry": "saas", "employees": 120, "tech_stack": ["hubspot", "slack"]},  # 4 -> A
        {"industry": "saas", "employees": 120, "funding_stage": "series_d_plus"},  # 1 -> min score
        {"industry": None, "employees": 120},  # unknown industry
        {"industry": "saas", "employees": 5},  # too small
        {"industry": "saas", "employees": 60, "funding_stage": "public"},  # disqualified
        {"industry": "saas", "employees": 300, "tech_stack": ["Salesforce"]},  # 2 -> B
    )
    scored = score_accounts(universe, spec, AS_OF, suppressed_keys=["A5"]).collect()
    steps = step_names(spec)
    assert steps == [
        "filter industry in [saas]",
        "filter employees between [20, 1000]",
        "disqualifier funding_stage in [public] (procurement)",
        "min score 2",
    ]
    assert scored["score"].to_list() == [4, 1, 2, 0, 2, 2]
    assert scored["tier"].to_list() == ["A", None, "B", None, "B", "B"]
    assert scored["dropped_at"].cast(pl.String).to_list() == [
        None,
        steps[3],
        steps[0],
        steps[1],
        steps[2],
        "suppression",
    ]
    assert scored["reasons"][0].to_list() == [
        "+2 sweet-spot size: employees=120",
        "+2 tech_stack contains_any [salesforce, hubspot]: tech_stack=hubspot",
    ]
    assert scored["reasons"][1].to_list() == [
        "+2 sweet-spot size: employees=120",
        "-1 late stage: funding_stage=series_d_plus",
    ]
    assert scored["_filter_0"].to_list()[2] is None  # kept as unknown for the funnel


def test_score_accounts_stays_lazy():
    spec = parse_icp(SPEC)
    assert isinstance(score_accounts(accounts({"industry": "saas"}), spec, AS_OF), pl.LazyFrame)


def test_duplicate_step_names_are_made_distinct():
    spec = parse_icp("name: t\nfilters:\n  - {field: industry, eq: a}\n  - {field: industry, eq: a}\n")
    assert step_names(spec)[:2] == ["filter industry eq a", "filter industry eq a #2"]


def test_known_spellings_give_the_same_result_as_lowercasing():
    from targeting.selection.sizing import universe_stats

    spec = parse_icp(SPEC.replace("in: [saas]", "in: [SAAS, fintech]"))
    universe = accounts(
        {"industry": "SaaS", "employees": 60, "tech_stack": ["HUBSPOT"], "funding_stage": "Public"},
        {"industry": "saas", "employees": 60, "tech_stack": ["hubspot", None]},
        {"industry": "FinTech", "employees": 60, "tech_stack": []},
        {"industry": "media", "employees": 60, "tech_stack": None, "funding_stage": "SERIES_D_PLUS"},
        {"industry": None, "employees": None},
    )
    stats = universe_stats(universe, spec)
    assert set(stats.spellings["industry"]["saas"]) == {"SaaS", "saas"}
    plain = score_accounts(universe, spec, AS_OF).collect()
    fast = score_accounts(universe, spec, AS_OF, spellings=stats.spellings).collect()
    assert fast.equals(plain)
    assert plain["score"].to_list() == [4, 4, 2, 1, 0]
    assert plain["dropped_at"].cast(pl.String).to_list()[0].startswith("disqualifier")
