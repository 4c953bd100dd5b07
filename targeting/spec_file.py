"""Read a YAML spec into plain dicts and lists that remember the line of every key and item.

PyYAML (already loaded by every command through Prefect) with YAML 1.2 booleans: only true/false
are booleans, so a country code `NO` or a value `yes` stays a string, as the YAML 1.2 spec says.
A repeated key is an error rather than a silent overwrite.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_BOOL = "tag:yaml.org,2002:bool"


class LineMap(dict):
    """A mapping that knows the 1-based line of each key."""

    lines: dict[Any, int]


class LineList(list):
    """A sequence that knows the 1-based line of each item."""

    lines: list[int]


class _Loader(yaml.SafeLoader):
    pass


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != _BOOL]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_with_lines(text: str) -> Any:
    """Parse YAML text into LineMap/LineList/scalars.

    Raises:
        yaml.MarkedYAMLError: the text is not valid YAML (its marks give the line).
    """
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def line_of(node: Any, key: Any) -> int | None:
    """The line of `key` (a mapping key or a sequence index) in a node read by `load_with_lines`."""
    if isinstance(node, LineMap):
        return node.lines.get(key)
    if isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node.lines):
        return node.lines[key]
    return None
