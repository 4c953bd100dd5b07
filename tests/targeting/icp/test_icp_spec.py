"""The ICP file: loading, validation errors with file/line/field/value, dumping and edits."""

from __future__ import annotations

import pytest

from targeting.errors import InputError
from targeting.icp.spec import IcpSpec, apply_edit, dump_icp, load_icp, parse_icp

EXAMPLE = """\
name: mid-market-saas           # the lineage: versions of one ICP share the name
version: 1
parent: null                    # the version it was refined from, set by refine
target_size: {min: 200, max: 5000}
filters:                        # every one must hold
  - {field: industry, in: [saas, fintech]}
  - {field: employees, between: [20, 1000]}
disqualifiers:                  # anti-ICP: any one drops the account, with its reason
  - {field: funding_stage, in: [public], reason: buys through procurement}
scoring:
  min_score: 3
  tiers: {A: 5, B: 4, C: 3}
  criteria:
    - {name: sweet-spot size, field: employees, between: [50, 200], points: 2}
    - {field: tech_stack, contains_any: [salesforce, hubspot], points: 2}
    - {field: hiring_roles, contains_any: [sales, revops], points: 1, within_days: 60}
    - {field: country, in: [US, CA], points: 1}
personas: [economic_buyer, champion, technical_evaluator]
"""


def _write(tmp_path, text):
    path = tmp_path / "icp.yaml"
    path.write_text(text)
    return path


def test_loads_the_product_example(tmp_path):
    spec = load_icp(_write(tmp_path, EXAMPLE))
    assert spec.name == "mid-market-saas"
    assert [f.operator for f in spec.filters] == ["in", "between"]
    assert spec.filters[0].value == ["saas", "fintech"]
    assert spec.disqualifiers[0].reason == "buys through procurement"
    assert list(spec.scoring.tiers) == ["A", "B", "C"]
    assert spec.scoring.criteria[2].within_days == 60
    assert spec.scoring.criteria[1].label == "tech_stack contains_any [salesforce, hubspot]"
    assert spec.personas == ["economic_buyer", "champion", "technical_evaluator"]


def test_dump_round_trips(tmp_path):
    spec = load_icp(_write(tmp_path, EXAMPLE))
    again = parse_icp(dump_icp(spec))
    assert again == spec


def test_metadata_fields_are_named(tmp_path):
    text = EXAMPLE.replace("parent: null", "parent: 1\ndescription: refined\nevidence: [replies from c1]")
    spec = load_icp(_write(tmp_path, text))
    assert (spec.parent, spec.description, spec.evidence) == (1, "refined", ["replies from c1"])


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "fragment"),
    [
        ("between: [20, 1000]}", "between: [1000, 20]}", 7, "filters[1].between", "lower bound is above upper bound"),
        ("in: [saas, fintech]", "equals: saas", 6, "filters[0].equals", "unknown key 'equals'"),
        ("field: industry", "field: industri", 6, "filters[0].field", "unknown account column"),
        ("between: [20, 1000]}", "between: [twenty, 1000]}", 7, "filters[1].between", "numbers"),
        ("{min: 200, max: 5000}", "{min: 5000, max: 200}", 4, "target_size", "min 5000 is above max 200"),
        ("tiers: {A: 5, B: 4, C: 3}", "tiers: {A: 3, B: 4}", 12, "scoring.tiers", "descend"),
        ("[economic_buyer,", "[ceo,", 18, "personas", "unknown persona 'ceo'"),
        (
            "field: country, in: [US, CA]",
            "field: country, contains_any: [US]",
            17,
            "scoring.criteria[3].contains_any",
            "needs a list field",
        ),
        ("field: country, in: [US, CA]", "field: country, gte: 5", 17, "scoring.criteria[3].gte", "numeric field"),
        ("field: country, in: [US, CA]", "field: employees, eq: many", 17, "scoring.criteria[3].eq", "number"),
        (
            "field: country, in: [US, CA]",
            "field: country, matches: '(x'",
            17,
            "scoring.criteria[3].matches",
            "not a valid regular expression",
        ),
        ("points: 1, within_days: 60", "points: 1, within_days: 0", 16, "scoring.criteria[2].within_days", "positive"),
        (
            "field: country, in: [US, CA], points: 1",
            "field: country, in: [US], points: 1, within_days: 5",
            17,
            "scoring.criteria[3].within_days",
            "needs a list field",
        ),
        ("hubspot], points: 2}", "hubspot], points: two}", 15, "scoring.criteria[1].points", "whole number"),
        (
            "contains_any: [sales, revops]",
            "contains_any: [sales], in: [x]",
            16,
            "scoring.criteria[2]",
            "exactly one operator",
        ),
        (", reason: buys through procurement", "", 9, "disqualifiers[0].reason", "missing required key"),
        ("parent: null", "parent: null\nevidence: [3]", 4, "evidence[0]", "valid string"),
        ("version: 1", "version: 1\ncolour: blue", 3, "colour", "unknown key 'colour'"),
    ],
)
def test_errors_name_file_line_field_and_value(tmp_path, old, new, line, field, fragment):
    assert old in EXAMPLE
    path = _write(tmp_path, EXAMPLE.replace(old, new, 1))
    with pytest.raises(InputError) as caught:
        load_icp(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}, field '{field}'")
    assert fragment in message
    assert caught.value.line == line and caught.value.field == field


def test_error_shows_the_bad_value(tmp_path):
    path = _write(tmp_path, EXAMPLE.replace("between: [20, 1000]}", "between: [1000, 20]}"))
    with pytest.raises(InputError, match=r"icp.yaml:7, field 'filters\[1\].between', value \[1000, 20\]"):
        load_icp(path)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = _write(tmp_path, EXAMPLE.replace("tiers: {A: 5, B: 4, C: 3}", "tiers: {A: 5, B: 4, C: 3"))
    with pytest.raises(InputError) as caught:
        load_icp(path)
    assert str(caught.value).startswith(f"{path}:")
    assert "not valid YAML" in str(caught.value)
    assert caught.value.line is not None and caught.value.line >= 12


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="nope.yaml"):
        load_icp(tmp_path / "nope.yaml")


def test_not_a_mapping_is_input_error():
    with pytest.raises(InputError, match="must be a YAML mapping"):
        parse_icp("- just\n- a list\n")


def test_norway_is_a_country_not_false():
    spec = parse_icp("name: x\nfilters:\n  - {field: country, in: [NO, SE]}\n")
    assert spec.filters[0].value == ["NO", "SE"]


@pytest.fixture
def spec() -> IcpSpec:
    return parse_icp(EXAMPLE)


def test_apply_edit_set_min_score(spec):
    assert apply_edit(spec, {"op": "set_min_score", "min_score": 5}).scoring.min_score == 5
    assert spec.scoring.min_score == 3  # the original is untouched


def test_apply_edit_replace_and_drop_filter(spec):
    edited = apply_edit(spec, {"op": "replace_filter", "index": 1, "filter": {"field": "employees", "gte": 50}})
    assert (edited.filters[1].operator, edited.filters[1].value) == ("gte", 50)
    dropped = apply_edit(spec, {"op": "drop_filter", "index": 0})
    assert [f.field for f in dropped.filters] == ["employees"]


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        ({"op": "explode"}, "unknown edit op"),
        ({"op": "drop_filter", "index": 9}, "no filter at this index"),
        (
            {"op": "replace_filter", "index": 0, "filter": {"field": "employees", "between": [9, 1]}},
            "lower bound is above upper bound",
        ),
        ({"op": "set_min_score"}, "needs key 'min_score'"),
    ],
)
def test_apply_edit_errors(spec, edit, fragment):
    with pytest.raises(InputError, match=fragment):
        apply_edit(spec, edit)
