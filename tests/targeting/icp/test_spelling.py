"""ICP values read by the normalizer of the column they name, so people's spellings meet the data's."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import parse_icp
from targeting.icp.spelling import spoken_like_the_data
from targeting.selection.target_list import select_targets

SPEC = """
name: spelled
version: 1
target_size: {{min: 1, max: 100}}
filters:
  - {{field: {field}, {op}: {values}}}
scoring: {{min_score: 0, tiers: {{A: 0}}, criteria: []}}
personas: [economic_buyer]
"""


def spec(field: str, op: str, values: str):
    return parse_icp(SPEC.format(field=field, op=op, values=values))


@pytest.mark.parametrize(
    ("field", "op", "written", "read"),
    [
        ("country", "in", "[USA, United States, us, Germany]", ["US", "DE"]),
        ("funding_stage", "in", "[Series B, Seed, IPO]", ["series_b", "seed", "public"]),
        ("industry", "in", "[Fintech, Computer Software]", ["fintech", "computer_software"]),
        ("tags", "contains_any", "[Developer Tools, B2B]", ["developer_tools", "b2b"]),
        ("status", "eq", "Active", "active"),
        ("region", "in", "[North America, emea]", ["NA", "EMEA"]),
        ("domain", "eq", "https://www.Acme.com/about", "acme.com"),
    ],
)
def test_values_read_as_the_column_normalizes_them(field, op, written, read):
    respelled, notes = spoken_like_the_data(spec(field, op, written))
    assert respelled.filters[0].value == read
    assert notes and all(str(n).startswith(f"filter {field} {op}") for n in notes)


def test_canonical_values_are_left_alone():
    original = spec("country", "in", "[US, CA]")
    respelled, notes = spoken_like_the_data(original)
    assert respelled is original and notes == []


def test_a_value_the_normalizer_cannot_read_stays_as_written():
    respelled, notes = spoken_like_the_data(spec("country", "in", "[Narnia, USA]"))
    assert respelled.filters[0].value == ["Narnia", "US"]
    assert [(n.written, n.read_as) for n in notes] == [("USA", "US")]


def test_names_and_numbers_are_not_respelled():
    for field, op, values in (("name", "eq", "Acme Inc."), ("employees", "in", "[10, 20]")):
        original = spec(field, op, values)
        assert spoken_like_the_data(original)[0] is original


def test_a_spec_spelled_as_people_write_gives_the_canonical_list():
    universe = pl.DataFrame(
        [
            {
                "account_id": "a",
                "country": "US",
                "funding_stage": "series_b",
                "industry": "fintech",
                "status": "active",
            },
            {"account_id": "b", "country": "US", "funding_stage": "seed", "industry": "fintech", "status": "active"},
            {
                "account_id": "c",
                "country": "DE",
                "funding_stage": "series_b",
                "industry": "fintech",
                "status": "active",
            },
            {"account_id": "d", "country": "US", "funding_stage": "series_b", "industry": "saas", "status": "inactive"},
        ],
        schema=ACCOUNT_SCHEMA,
    ).lazy()
    template = """
name: s
version: 1
target_size: {{min: 1, max: 10}}
filters:
  - {{field: country, in: [{country}]}}
  - {{field: funding_stage, in: [{stage}]}}
  - {{field: industry, in: [{industry}]}}
  - {{field: status, in: [{status}]}}
scoring: {{min_score: 0, tiers: {{A: 0}}, criteria: []}}
personas: [economic_buyer]
"""
    people = parse_icp(template.format(country="USA", stage="Series B", industry="Fintech", status="Active"))
    canonical = parse_icp(template.format(country="US", stage="series_b", industry="fintech", status="active"))
    lists = [select_targets(universe, s, as_of=date(2026, 1, 1)) for s in (people, canonical)]
    assert lists[0].targets["account_id"].to_list() == lists[1].targets["account_id"].to_list() == ["a"]
    assert lists[0].summary.warnings == lists[1].summary.warnings == []
