"""Canonical rows: each source row's canonical values, its account keys and its first problem.

A row's problem is a struct (column, value, reason) or null; `parsed_rows` numbers the source rows
from 1 in `ROW_COLUMN` and keeps the first problem in `PROBLEM_COLUMN`.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing import normalize as nz
from targeting.importing.column_plan import SourceColumn
from targeting.importing.held import DistinctCells
from targeting.importing.presets import ColumnMap, header_key
from targeting.importing.reading import extra_fields

ROW_COLUMN = "__source_row"
PROBLEM_COLUMN = "__problem"


def canonical_columns(
    sources: dict[str, list[SourceColumn]],
    schema: pl.Schema,
    targets: list[str],
    trusted: bool,
    decimal: nz.DecimalMark = ".",
    cells: DistinctCells | None = None,
) -> tuple[dict[str, pl.Expr], list[pl.Expr]]:
    """Each target's value (first non-empty over its sources; `description` joins them all) and a
    problem per unreadable source. With `cells` (a held file), repetitive columns are normalized once
    per distinct cell, and the expressions read `cells.frame`."""
    values: dict[str, pl.Expr] = {}
    problems: list[pl.Expr] = []
    for target in targets:
        group = sources[target]
        parsed = [
            nz.canonical_value(
                target, pl.col(s.header), schema[s.header], s.rule.separator, trusted=trusted, decimal=decimal
            )
            for s in group
        ]
        if cells is not None:
            parsed = [cells.normalized(s.header, p) for s, p in zip(group, parsed, strict=True)]
        if len(parsed) == 1:
            values[target] = parsed[0].value
        elif target == "description":  # several texts (YC's short and long) are all the account's words
            joined = pl.concat_str([p.value for p in parsed], separator="\n", ignore_nulls=True)
            values[target] = pl.when(joined.str.len_bytes() > 0).then(joined)
        else:
            values[target] = pl.coalesce([p.value for p in parsed])
        problems += [
            row_problem(p.unreadable, s.header, pl.col(s.header), p.reason)
            for s, p in zip(group, parsed, strict=True)
            if p.unreadable is not None
        ]
    return values, problems


def row_problem(flag: pl.Expr, column: str, raw: pl.Expr, reason: str | pl.Expr) -> pl.Expr:
    """The problem struct (column, raw value, reason) where `flag` holds, else null."""
    why = pl.lit(reason) if isinstance(reason, str) else reason
    return pl.when(flag).then(pl.struct(column=pl.lit(column), value=raw.cast(pl.String), reason=why))


_NUMBER_TARGETS = ("employees", "revenue_usd", "founded_year")


def file_decimal_mark(frame: pl.LazyFrame, sources: dict[str, list[SourceColumn]], schema: pl.Schema) -> nz.DecimalMark:
    """The decimal mark the file's number cells show, from its first 1,000 rows (text sources only)."""
    headers = sorted({s.header for t in _NUMBER_TARGETS for s in sources.get(t, []) if schema[s.header] == pl.String})
    if not headers:
        return "."
    sample = frame.select(headers).head(1_000).collect()
    return nz.decimal_mark(pl.concat([sample[h] for h in headers]))


def ragged_row_problem(
    schema: pl.Schema, present: list[str] | None = None, whole_row: pl.Expr | None = None
) -> pl.Expr | None:
    """The problem of a text row with more fields than its header, or None for a typed source.

    `present`: the columns the import kept (the value shown is the row's cells among them);
    `whole_row`: that value already read (`ragged_row_value`, in the scan), when some of those
    columns are no longer in the frame.
    """
    spare = extra_fields(schema)
    if not spare:
        return None
    fields = len(schema) - len(spare)
    ragged = pl.col(spare[0]).is_not_null()
    return row_problem(
        ragged,
        "(row)",
        ragged_row_value(schema, present, ragged) if whole_row is None else whole_row,
        f"the row has more fields than the header's {fields} (an unquoted separator inside a value?)",
    )


def ragged_row_value(schema: pl.Schema, present: list[str] | None = None, ragged: pl.Expr | None = None) -> pl.Expr:
    """The value a ragged row's problem shows: its cells among `present`, joined by " | ".

    With `ragged` (the rows that are), the cells are joined on those rows alone and the others give
    "": a problem's value is read where its flag holds, and joining every row's cells (a YC row's
    descriptions among them) copied the whole file once more.
    """
    shown = [name for name in schema.names() if present is None or name in present]
    cells = [pl.col(name) if ragged is None else pl.when(ragged).then(pl.col(name)) for name in shown]
    return pl.concat_str(cells, separator=" | ", ignore_nulls=True)


def account_keys(
    values: dict[str, pl.Expr],
    sources: dict[str, list[SourceColumn]],
    schema: pl.Schema,
    column_map: ColumnMap,
    path: str | Path,
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The account id, the domain and the problem of a row without an id."""
    fallback = column_map.id_fallback
    fallback_header = next(
        (name for name in schema.names() if fallback and header_key(name) == header_key(fallback.column)),
        None,
    )
    if not ({"account_id", "domain", "email"} & values.keys() or fallback_header):
        wanted = [s for t in ("account_id", "domain") for s in _map_sources(column_map, t)] + (
            [fallback.column] if fallback else []
        )
        looked_for = ", ".join(map(repr, wanted)) or "account_id, domain"
        raise InputError(f"no column gives an account id (looked for {looked_for}); try --preset or --map", path=path)
    nothing = pl.lit(None, pl.String)
    email_domain = nz.email_domain(values["email"]) if "email" in values else nothing
    domain = pl.coalesce(values.get("domain", nothing), email_domain)
    by_fallback = nothing
    if fallback_header is not None:
        by_fallback = pl.lit(fallback.prefix) + nz.blank_to_null(pl.col(fallback_header).cast(pl.String))
    account_id = pl.coalesce(values.get("account_id", nothing), domain, by_fallback)
    shown = next((sources[t][0].header for t in ("domain", "account_id", "email") if t in sources), fallback_header)
    reason = "no account id: no company domain (shared hosts such as github.com or gmail.com do not count)"
    if fallback_header is not None:
        reason += f" and no {fallback_header!r}"
    return (
        account_id,
        domain,
        row_problem(account_id.is_null(), shown or "", pl.col(shown) if shown else nothing, reason),
    )


def _map_sources(column_map: ColumnMap, target: str) -> list[str]:
    return [source for source, rule in column_map.columns.items() if rule is not None and target in rule.to]


def source_value(values: dict[str, pl.Expr], preset: str, path: str | Path) -> pl.Expr:
    """The `source` column: the file's own, else `<preset>:<file name>`."""
    return pl.coalesce(values.get("source", pl.lit(None, pl.String)), pl.lit(f"{preset}:{Path(str(path)).name}"))


def file_stem(path: str | Path) -> str:
    """The file name without its suffix (nor a glob's `*`), for row ids such as `<stem>-<row>`."""
    return Path(str(path)).stem.replace("*", "")


def parsed_rows(
    frame: pl.LazyFrame, values: dict[str, pl.Expr], problems: list[pl.Expr], order: list[str]
) -> pl.LazyFrame:
    """Source rows numbered from 1, their canonical values and their first problem (null if none)."""
    problem = pl.coalesce(problems) if len(problems) > 1 else problems[0]
    return frame.with_row_index(ROW_COLUMN, offset=1).select(
        pl.col(ROW_COLUMN).cast(pl.Int64),
        *[values[name].alias(name) for name in order],
        problem.alias(PROBLEM_COLUMN),
    )


def conform(frame: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Exactly `schema`: its columns, in order, with its dtypes; missing ones as typed nulls."""
    present = frame.collect_schema().names()
    return frame.select(
        pl.col(name).cast(dtype) if name in present else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )
