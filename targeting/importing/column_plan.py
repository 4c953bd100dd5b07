"""The column plan: which source columns feed which canonical column, and the headers nothing reads."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing.column_guess import guess_rules
from targeting.importing.presets import ColumnMap, ColumnRule, header_key
from targeting.importing.reading import cannot_read, extra_fields


@dataclass(frozen=True)
class SourceColumn:
    """A source header and the map rule that reads it."""

    header: str
    rule: ColumnRule


def plan_columns(
    column_map: ColumnMap, frame: pl.LazyFrame, path: str | Path
) -> tuple[dict[str, list[SourceColumn]], list[str], pl.Schema]:
    """Canonical column -> its source columns in map order, plus the headers nothing reads."""
    schema = _schema(frame, path)
    spare = set(extra_fields(schema))
    headers = {header_key(name): name for name in schema.names() if name not in spare}
    rules = column_map.rules()
    if column_map.guess_unmapped:
        taken = {target for key, rule in rules.items() if key in headers for target in rule.to}
        unmapped = [name for key, name in headers.items() if key not in rules]
        guessed = guess_rules(_collect(frame.head(500), path), unmapped, taken)
        rules = {**rules, **{header_key(name): rule for name, rule in guessed.items()}}
    sources: dict[str, list[SourceColumn]] = {}
    for key, rule in rules.items():
        if key in headers:
            for target in rule.to:
                sources.setdefault(target, []).append(SourceColumn(headers[key], rule))
    used = {header_key(s.header) for group in sources.values() for s in group}
    fallback = column_map.id_fallback
    if fallback is not None:
        used.add(header_key(fallback.column))
    unmapped = [name for key, name in headers.items() if key not in used]
    return sources, unmapped, schema


def no_usable_columns(path: str | Path, preset: str, schema: pl.Schema, kind: str) -> InputError:
    """The InputError for a file whose columns give no `kind` (account or contact) column."""
    names = [name for name in schema.names() if name not in extra_fields(schema)]
    headers = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    options = "--contacts-preset or a --contacts-map" if kind == "contact" else "--preset or a --map"
    return InputError(
        f"no usable {kind} columns under preset {preset!r} (its columns: {headers}); try another {options}",
        path=path,
    )


def _schema(frame: pl.LazyFrame, path: str | Path) -> pl.Schema:
    try:
        return frame.collect_schema()
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None


def _collect(frame: pl.LazyFrame, path: str | Path) -> pl.DataFrame:
    try:
        return frame.collect()
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None
