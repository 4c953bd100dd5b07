"""YAML specs read with the line of every key and item, YAML 1.2 booleans, no duplicate keys."""

from __future__ import annotations

import pytest
import yaml

from targeting.icp.spec import parse_icp
from targeting.errors import InputError
from targeting.spec_file import line_of, load_with_lines


def test_lines_of_keys_and_items():
    data = load_with_lines("name: x\nfilters:\n  - {field: country, in: [NO, US]}\n  - {field: a, eq: 1}\n")
    assert line_of(data, "filters") == 2
    assert [line_of(data["filters"], i) for i in range(2)] == [3, 4]
    assert line_of(data["filters"][1], "eq") == 4 and line_of(data, "missing") is None


@pytest.mark.parametrize(("text", "value"), [("NO", "NO"), ("yes", "yes"), ("off", "off"), ("true", True), ("False", False)])
def test_only_true_and_false_are_booleans(text, value):
    assert load_with_lines(f"v: {text}\n")["v"] == value


def test_a_repeated_key_is_an_error_at_its_line():
    with pytest.raises(yaml.MarkedYAMLError) as caught:
        load_with_lines("name: a\nversion: 1\nname: b\n")
    assert caught.value.problem_mark.line + 1 == 3 and "'name'" in caught.value.problem


def test_icp_with_a_repeated_key_names_the_file_and_line():
    with pytest.raises(InputError, match=r"icp.yaml:3: not valid YAML: found duplicate key 'name'"):
        parse_icp("name: a\nversion: 1\nname: b\n", path="icp.yaml")
