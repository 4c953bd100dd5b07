"""YAML specs read with the line of every key and item, YAML 1.2 booleans, no duplicate keys, and
every error naming the file, the line, the field and the bad value."""

from __future__ import annotations

from typing import Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from targeting.errors import InputError
from targeting.icp.spec import parse_icp
from targeting.spec_file import line_of, load_spec, load_with_lines, read_spec, spec_error


def test_lines_of_keys_and_items():
    data = load_with_lines("name: x\nfilters:\n  - {field: country, in: [NO, US]}\n  - {field: a, eq: 1}\n")
    assert line_of(data, "filters") == 2
    assert [line_of(data["filters"], i) for i in range(2)] == [3, 4]
    assert line_of(data["filters"][1], "eq") == 4 and line_of(data, "missing") is None


@pytest.mark.parametrize(
    ("text", "value"), [("NO", "NO"), ("yes", "yes"), ("off", "off"), ("true", True), ("False", False)]
)
def test_only_true_and_false_are_booleans(text, value):
    assert load_with_lines(f"v: {text}\n")["v"] == value


def test_keys_are_text_and_a_bare_equals_sign_too():
    assert list(load_with_lines("2024: revenue_usd\n1.5: x\nNO: y\n")) == ["2024", "1.5", "NO"]
    assert load_with_lines("v: =\n") == {"v": "="}


def test_a_repeated_key_is_an_error_at_its_line():
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        load_with_lines("name: a\nversion: 1\nname: b\n")
    assert caught.value.problem_mark.line + 1 == 3 and "'name'" in caught.value.problem


def test_icp_with_a_repeated_key_names_the_file_and_line():
    with pytest.raises(InputError, match=r"icp.yaml:3: not valid YAML: found duplicate key 'name'"):
        parse_icp("name: a\nversion: 1\nname: b\n", path="icp.yaml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Step(_Strict):
    channel: Literal["email", "call"]
    wait_days: int = 0


class Stage(_Strict):
    name: str
    steps: list[Step]


class Plan(_Strict):
    title: str
    stages: list[Stage]
    owners: dict[Literal["sales", "marketing"], str] = {}


PLAN = """\
title: outbound q3
stages:
  - name: warm up
    steps:
      - {channel: email}
  - name: follow up
    steps:
      - {channel: email, wait_days: 3}
      - channel: call
        wait_days: 7
owners: {sales: ana}
"""


def _load(tmp_path, text, **options):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path, load_spec(Plan, path, what="a plan", **options)


def _error(tmp_path, old, new, **options):
    assert old in PLAN
    with pytest.raises(InputError) as caught:
        _load(tmp_path, PLAN.replace(old, new, 1), **options)
    return caught.value


def test_a_good_file_loads(tmp_path):
    _, plan = _load(tmp_path, PLAN)
    assert [step.wait_days for step in plan.stages[1].steps] == [3, 7]


def test_a_bad_field_deep_in_a_list(tmp_path):
    error = _error(tmp_path, "wait_days: 7", "wait_dayz: 7")
    assert str(error).startswith(f"{tmp_path / 'plan.yaml'}:10, field 'stages[1].steps[1].wait_dayz': ")
    assert "unknown key 'wait_dayz' (with value 7); expected one of channel, wait_days" in str(error)
    assert (error.line, error.field, error.value) == (10, "stages[1].steps[1].wait_dayz", "wait_dayz")


def test_a_wrong_type(tmp_path):
    error = _error(tmp_path, "wait_days: 3", "wait_days: soon")
    assert str(error).startswith(f"{tmp_path / 'plan.yaml'}:8, field 'stages[1].steps[0].wait_days', value 'soon': ")
    assert "valid integer" in str(error)


def test_a_value_outside_the_allowed_ones(tmp_path):
    error = _error(tmp_path, "channel: call", "channel: fax")
    assert str(error).startswith(f"{tmp_path / 'plan.yaml'}:9, field 'stages[1].steps[1].channel', value 'fax': ")
    assert "'email' or 'call'" in str(error)


def test_an_unknown_mapping_key_is_the_bad_value(tmp_path):
    error = _error(tmp_path, "{sales: ana}", "{sales: ana,\n  legal: bo}")
    assert (error.line, error.field, error.value) == (12, "owners.legal", "legal")
    assert "unknown key 'legal'; expected 'sales' or 'marketing'" in str(error)


def test_a_missing_key_names_where_it_belongs(tmp_path):
    error = _error(tmp_path, "  - name: warm up\n    steps:", "  - steps:")
    assert str(error).startswith(f"{tmp_path / 'plan.yaml'}:3, field 'stages[0].name': missing required key 'name'")


def test_a_duplicate_key_names_both_lines(tmp_path):
    error = _error(tmp_path, "        wait_days: 7", "        wait_days: 7\n        channel: email")
    assert str(error) == (
        f"{tmp_path / 'plan.yaml'}:11: not valid YAML: found duplicate key 'channel' (first at line 9)"
    )


def test_a_yaml_syntax_error(tmp_path):
    error = _error(tmp_path, "{channel: email}", "{channel: email")
    assert str(error).startswith(f"{tmp_path / 'plan.yaml'}:6: not valid YAML: ")
    assert error.line == 6


def test_a_file_that_is_not_utf8_names_the_line_and_bytes(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"title: outbound\nstages:\n  - name: caf\xe9\n")
    with pytest.raises(InputError) as caught:
        load_spec(Plan, path)
    assert str(caught.value) == f"{path}:3, value b'\\xe9': not UTF-8 text"


def test_a_directory_is_an_unreadable_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_spec(Plan, tmp_path)
    assert str(caught.value).startswith(f"{tmp_path}: cannot read file (")


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError) as caught:
        load_spec(Plan, tmp_path / "nope.yaml")
    assert str(caught.value) == f"{tmp_path / 'nope.yaml'}: cannot read file (not found)"


@pytest.mark.parametrize(("text", "reason"), [("", "empty; must be"), ("- a\n", "must be"), ("just text\n", "must be")])
def test_a_file_that_is_not_a_mapping_says_what_it_should_hold(tmp_path, text, reason):
    with pytest.raises(InputError) as caught:
        _load(tmp_path, text)
    assert f"{reason} a YAML mapping (a plan is a mapping of title, stages, owners)" in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "field"),
    [("path", "stages[1].steps[1].wait_dayz"), ("dots", "stages.1.steps.1.wait_dayz"), ("key", "wait_dayz")],
)
def test_field_names_in_each_style(tmp_path, fields, field):
    assert _error(tmp_path, "wait_days: 7", "wait_dayz: 7", fields=fields).field == field


def test_a_check_after_validation_is_located_too(tmp_path):
    document = read_spec("plan.yaml", text=PLAN)
    error = spec_error(
        "no such channel", document, ("stages", 1, "steps", 1, "channel"), path="plan.yaml", value="call"
    )
    assert str(error) == "plan.yaml:9, field 'stages[1].steps[1].channel', value 'call': no such channel"
    beyond = spec_error("gone", document, ("stages", 5, "name"), path="plan.yaml")
    assert (beyond.line, beyond.field) == (2, "stages[5].name")
