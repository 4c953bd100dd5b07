"""Read a YAML spec file into a pydantic model; every error names the file, line, field and value.

Every spec the pipeline reads (`icp.yaml`, `personas.yaml`, `messaging.yaml`, `sender.yaml`, column
maps) comes through here, so a user sees one kind of message, e.g.
`icp.yaml:7, field 'filters[1].between', value [1000, 20]: lower bound is above upper bound`.

PyYAML (already loaded by every command through Prefect) with YAML 1.2 booleans: only true/false
are booleans, so a country code `NO` or a value `yes` stays a string, as the YAML 1.2 spec says.
Keys are text (a column header `2024` too); a repeated key is an error rather than a silent
overwrite. Every key and list item remembers its line, which is how a pydantic error location
becomes a line of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from targeting.errors import InputError, _short

Spec = TypeVar("Spec", bound=BaseModel)
FieldNames = Literal["path", "dots", "key"]

# How each kind of file has always named a field: the ICP `filters[1].between`, the persona rules
# `personas.0.seniority`, a column map its key alone (a source column name says where it is).
_FIELD_NAMES: dict[str, Callable[[list[Any]], str]] = {
    "path": lambda parts: "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).removeprefix("."),
    "dots": lambda parts: ".".join(map(str, parts)),
    "key": lambda parts: next((str(p) for p in reversed(parts) if isinstance(p, str)), ""),
}
_BOOL = "tag:yaml.org,2002:bool"
# Bounds on the work a spec may ask for: a real ICP is a few kilobytes with a dozen criteria.
MAX_SPEC_BYTES = 256 * 1024
MAX_ITEMS = 2_000  # list items in the whole document (criteria, filters, values, ...)
MAX_ALIASES = 50  # alias uses (`*name`); an alias bomb expands a few lines into billions of nodes
_MISSING = object()


class LineMap(dict):
    """A mapping that knows the 1-based line of each key."""

    lines: dict[Any, int]


class LineList(list):
    """A sequence that knows the 1-based line of each item."""

    lines: list[int]


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.items = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.events.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"more than {MAX_ALIASES} aliases (*name): refused, a spec needs few", mark
                )
        return super().compose_node(parent, index)


# Booleans are re-added below, YAML 1.2's; YAML 1.1's `=` tag goes for good: PyYAML cannot construct
# it, so a bare `=` would be reported as invalid YAML.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag not in (_BOOL, "tag:yaml.org,2002:value")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineMap:
    loader.flatten_mapping(node)
    result = LineMap()
    result.lines = {}
    for key_node, value_node in node.value:
        key = str(loader.construct_object(key_node, deep=True))
        if key in result:
            problem = f"found duplicate key {key!r} (first at line {result.lines[key]})"
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark, problem, key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    loader.items += len(node.value)
    if loader.items > MAX_ITEMS:
        problem = f"more than {MAX_ITEMS:,} list items in one spec: refused"
        raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_with_lines(text: str) -> Any:
    """Parse YAML text into LineMap/LineList/scalars.

    Raises:
        yaml.YAMLError: the text is not valid YAML (a MarkedYAMLError's marks give the line).
    """
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def line_of(node: Any, key: Any) -> int | None:
    """The line of `key` (a mapping key or a sequence index) in a node read by `load_with_lines`."""
    if isinstance(node, LineMap):
        return node.lines.get(key)
    if isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node.lines):
        return node.lines[key]
    return None


def load_spec(
    model: type[Spec],
    path: str | Path,
    *,
    text: str | None = None,
    what: str = "a spec file",
    fields: FieldNames = "path",
) -> Spec:
    """Read and validate a YAML spec file.

    Args:
        model: the pydantic model the file must validate as.
        path: the file to read; given `text`, only the name errors cite.
        text: the YAML text when it is not read from `path` (a shipped default, a stored ICP).
        what: the kind of file (`a column map`), for the message when it is not a mapping.
        fields: how errors name a field: `path` (`filters[1].between`), `dots`
            (`personas.0.seniority`) or `key` (the last key alone).

    Returns:
        The validated model.

    Raises:
        InputError: the file cannot be read, is not YAML or not a mapping, or does not validate;
            the message names the file, the line, the field and the bad value.
    """
    return validate_spec(model, read_spec(path, text=text), path, what=what, fields=fields)


def read_spec(path: str | Path, *, text: str | None = None) -> Any:
    """The YAML document in `path` (or `text`), its mappings and lists remembering their lines.

    Raises:
        InputError: the file cannot be read, is not UTF-8 or is not valid YAML.
    """
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            why = "not found" if isinstance(exc, FileNotFoundError) else exc.strerror or str(exc)
            raise InputError(f"cannot read file ({why})", path=path) from None
        if len(raw) > MAX_SPEC_BYTES:
            raise InputError(
                f"spec file is {len(raw):,} bytes; a spec is at most {MAX_SPEC_BYTES:,} (is this the right file?)",
                path=path,
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputError("not UTF-8 text", path=path, line=line, value=raw[exc.start : exc.end]) from None
    if len(text.encode("utf-8")) > MAX_SPEC_BYTES:
        raise InputError(f"spec text is over {MAX_SPEC_BYTES:,} bytes", path=path)
    try:
        return load_with_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"not valid YAML: {problem}", path=path, line=mark.line + 1 if mark else None) from None


def validate_spec(
    model: type[Spec], document: Any, path: str | Path, *, what: str = "a spec file", fields: FieldNames = "path"
) -> Spec:
    """Validate a document from `read_spec` (or plain data) as `model`, errors located in the file.

    Raises:
        InputError: the document is not a mapping or does not validate.
    """
    if not isinstance(document, dict):
        reason = f"must be a YAML mapping ({what} is a mapping of {', '.join(_keys_at(model, ()))})"
        raise InputError(("empty; " if document is None else "") + reason, path=path, value=document)
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
    loc, value, has_value = tuple(error["loc"]), error.get("input"), True
    reason = error["msg"].removeprefix("Value error, ")
    # An unknown key is the bad value itself; the message names it and the keys that would do.
    if loc[-1:] == ("[key]",):
        value, has_value = loc[-2], False
        reason = f"unknown key {value!r}; {reason.replace('Input should be', 'expected')}"
    elif error["type"] == "extra_forbidden":
        written = "" if isinstance(value, dict | list) else f" (with value {_short(value)})"
        expected = ", ".join(_keys_at(model, loc[:-1]))
        value, has_value = loc[-1], False
        reason = f"unknown key {value!r}{written}" + (f"; expected one of {expected}" if expected else "")
    elif error["type"] == "missing":
        value, has_value = None, False
        reason = f"missing required key {loc[-1]!r}"
    raise spec_error(reason, document, loc, path=path, fields=fields, value=value, has_value=has_value) from None


def spec_error(
    reason: str,
    document: Any,
    loc: tuple[Any, ...],
    *,
    path: str | Path,
    fields: FieldNames = "path",
    value: object = None,
    has_value: bool | None = None,
) -> InputError:
    """An InputError for the keys and indexes `loc` of a document from `read_spec`, with its field and line."""
    parts: list[Any] = []
    line, node = None, document
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(node, dict):
            line, node = line_of(node, part) or line, node.get(part, _MISSING)
        elif isinstance(node, list) and isinstance(part, int):
            line, node = line_of(node, part) or line, node[part] if part < len(node) else _MISSING
        elif node is not _MISSING:
            continue  # pydantic's name for a union branch or a short form, where the file has a plain value
        parts.append(part)
    field = _FIELD_NAMES[fields](parts) or None
    return InputError(reason, path=path, line=line, field=field, value=value, has_value=has_value)


def _keys_at(model: Any, loc: tuple[Any, ...]) -> list[str]:
    """The keys the model takes at `loc`, found by walking its annotations; [] where it takes any."""
    for part in (*loc, None):
        while get_origin(model) in (Annotated, Union, UnionType):
            model = next(arg for arg in get_args(model) if arg is not type(None))
        if isinstance(model, type) and issubclass(model, BaseModel):
            keys = {field.alias or name: field.annotation for name, field in model.model_fields.items()}
            if part is None:
                return list(keys)
            model = keys.get(part, model)  # else a union branch named in the location
        elif get_origin(model) in (list, dict) and part is not None:
            model = get_args(model)[-1]
    return []
