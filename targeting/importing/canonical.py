"""Universe import: an export file -> canonical accounts or contacts, with every row accounted for.

Counting (docs/file-formats.md, "Rows, duplicates and the people fold"): each source row ends in
exactly one of `rejected` (it cannot be used), `duplicates` (an account file row whose account_id an
earlier row already has; the first row wins whole, so an account is always one real source row),
`folded` (a people file's person row whose company an earlier person row already gave; person rows
are not duplicate accounts), or the universe. So
`rows_read == len(rejected) + duplicates + folded + universe`.
The people fold is `targeting.importing.row_accounting.fold_people`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA, CONTACT_SCHEMA
from targeting.errors import InputError
from targeting.importing import normalize as nz
from targeting.importing.canonical_rows import (
    ROW_COLUMN,
    account_keys,
    canonical_columns,
    conform,
    file_decimal_mark,
    file_stem,
    parsed_rows,
    ragged_row_problem,
    ragged_row_value,
    row_problem,
    source_value,
)
from targeting.importing.column_plan import no_usable_columns, plan_columns
from targeting.importing.held import DistinctCells, held_file
from targeting.importing.normalize import region_of
from targeting.importing.presets import PERSON_TARGETS, ColumnMap, header_key, resolve_column_map
from targeting.importing.reading import cannot_read, extra_fields, read_table, text_encoding
from targeting.importing.row_accounting import REJECTED_SCHEMA, accounted_rows, fold_people

# REJECTED_SCHEMA is the schema of `rejected`; read_table is how the import reads its file.
__all__ = [
    "REJECTED_SCHEMA",
    "AccountImport",
    "ContactImport",
    "import_accounts",
    "import_contacts",
    "read_table",
]


@dataclass(frozen=True)
class AccountImport:
    """Canonical accounts from one file, and where every source row went."""

    accounts: pl.LazyFrame
    rows_read: int
    rejected: pl.DataFrame
    duplicates: int
    folded: int
    people_shaped: bool
    unmapped: list[str]
    # The canonical columns some source column fed (the rest are typed nulls): the facts step
    # derives pain_points, growth_signals and prior_solutions only where the file carries none.
    carried: tuple[str, ...] = ()
    # The text encoding the file was read in (utf-8, cp1252, utf_16, ...); None for Parquet/JSON.
    encoding: str | None = None
    # Whether the import held the file in memory (`targeting.memory.holds_in_memory`, rows and a text
    # file's bytes), so later passes hold or stream alike; None where it read a canonical file as it is.
    held: bool | None = None

    @property
    def universe(self) -> int:
        """Accounts in `accounts`: the rows read that were not rejected, duplicates or folded."""
        return self.rows_read - self.rejected.height - self.duplicates - self.folded


@dataclass(frozen=True)
class ContactImport:
    """Canonical contacts from one file, and where every source row went."""

    contacts: pl.LazyFrame
    rows_read: int
    rejected: pl.DataFrame
    duplicates: int
    unmapped: list[str]
    # The contact columns some source column fed: a draft greets by `first_name` and sends to `email`.
    carried: tuple[str, ...] = ()
    encoding: str | None = None  # as AccountImport.encoding

    @property
    def universe(self) -> int:
        """Contacts in `contacts`: the rows read that were neither rejected nor duplicates."""
        return self.rows_read - self.rejected.height - self.duplicates


def import_accounts(
    path: str | Path, *, preset: str = "canonical", column_map: ColumnMap | str | Path | None = None
) -> AccountImport:
    """Import a universe of accounts from an account file or a people-shaped export.

    Args:
        path: CSV/TSV, Parquet (file, directory or glob) or NDJSON.
        preset: `canonical`, `yc`, `apollo`, `hubspot` or `clay`.
        column_map: a `ColumnMap` or a YAML map file that overrides the preset.

    Returns:
        The accounts (exactly ACCOUNT_SCHEMA, lazy) and the row accounting; rows that cannot be
        used are in `rejected` with the source column, value and reason.

    Raises:
        InputError: the file, preset or map cannot be used at all.
    """
    column_map, frame, sources, unmapped, schema = _planned(path, "account", preset, column_map)
    if _canonical_typed(column_map, sources, schema):
        fast = _canonical_accounts(frame, sources, unmapped, preset, path)
        if fast is not None:
            return fast
    people_shaped = any(target in sources for target in PERSON_TARGETS)
    trusted = column_map.trusted
    try:
        decimal = file_decimal_mark(frame, sources, schema)
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None
    frame = _needed_columns(frame, sources, schema, column_map)
    frame, in_scan, whole_row = _texts_in_scan(frame, sources, schema, trusted)
    cells = _distinct_cells(frame, path)
    targets = [t for t in ACCOUNT_SCHEMA if t in sources and t not in in_scan]
    values, problems = canonical_columns(sources, schema, targets, trusted, decimal, cells)
    values.update(in_scan)
    if people_shaped and "email" in sources:
        values["email"] = canonical_columns(sources, schema, ["email"], trusted, cells=cells)[0]["email"]
    if cells is not None:
        frame = cells.frame.lazy()
    if "domain" in values:
        # The domain feeds the account id, the domain and the missing-id problem: read once, as a
        # column (the engine does not share it between them: 3.4 CPU s against 1.4 at 1M websites).
        frame = frame.with_columns(values["domain"].alias(_DOMAIN))
        values["domain"] = pl.col(_DOMAIN)
    account_id, domain, missing = account_keys(values, sources, schema, column_map, path)
    values.update(account_id=account_id, domain=domain, source=source_value(values, preset, path))
    if "country" in values and not (trusted and "region" in values):
        # Derived from the country; a region column given with it only fills rows without a country.
        # A canonical file's own region is taken as it is (checked against REGIONS).
        values["region"] = pl.coalesce(region_of(values["country"]), values.get("region", pl.lit(None, pl.String)))
    order = [t for t in ACCOUNT_SCHEMA if t in values]
    parsed = parsed_rows(frame, values, _with_ragged([*problems, missing], schema, frame, whole_row), order)
    plain = frame.select(values[name].alias(name) for name in order)
    rejected, valid, kept, distinct = accounted_rows(parsed, "account_id", path, held=cells is not None, plain=plain)
    repeated = kept - distinct
    accounts = valid
    if repeated:  # the counts are known already: a file without repeats skips the fold entirely
        accounts = (
            fold_people(valid) if people_shaped else valid.unique("account_id", keep="first", maintain_order=True)
        )
    duplicates, folded = (0, repeated) if people_shaped else (repeated, 0)
    return AccountImport(
        accounts=conform(accounts, ACCOUNT_SCHEMA),
        rows_read=kept + rejected.height,
        rejected=rejected,
        duplicates=duplicates,
        folded=folded,
        people_shaped=people_shaped,
        unmapped=unmapped,
        carried=tuple(t for t in ACCOUNT_SCHEMA if t in sources),
        encoding=text_encoding(path),
        held=cells is not None,
    )


_DOMAIN = "__domain"  # the read domain, a column of the file while its rows are parsed
_DESCRIPTION = "__description"  # the description read in the scan (`_texts_in_scan`)
_WHOLE_ROW = "__whole_row"  # a ragged row's cells, read in the scan before the description's sources go


def _texts_in_scan(
    frame: pl.LazyFrame, sources: dict, schema: pl.Schema, trusted: bool
) -> tuple[pl.LazyFrame, dict[str, pl.Expr], pl.Expr | None]:
    """The description read in the scan and its source columns dropped before the file is held.

    The description's texts (YC's short and long ones: most of a 2 GB file) are held once, as the
    account's description, never as raw cells beside it; nor are they hashed into a distinct-cell
    table. A ragged row's shown value, which includes those cells, is read in the same scan.

    Returns:
        The frame, {"description": its column} (empty when it is not read in the scan) and the
        ragged rows' whole-row value (None when the frame keeps every column it shows).
    """
    group = sources.get("description", [])
    headers = {source.header for source in group}
    elsewhere = {source.header for target, g in sources.items() if target != "description" for source in g}
    if not group or headers & elsewhere or any(schema[h] != pl.String for h in headers):
        return frame, {}, None
    value = canonical_columns(sources, schema, ["description"], trusted)[0]["description"]
    added = [value.alias(_DESCRIPTION)]
    whole_row = None
    if extra_fields(schema):
        ragged = pl.col(extra_fields(schema)[0]).is_not_null()
        shown = ragged_row_value(schema, frame.collect_schema().names(), ragged)
        added.append(pl.when(ragged).then(shown).alias(_WHOLE_ROW))
        whole_row = pl.col(_WHOLE_ROW)
    return frame.with_columns(added).drop(headers), {"description": pl.col(_DESCRIPTION)}, whole_row


def _canonical_typed(column_map: ColumnMap, sources: dict, schema: pl.Schema) -> bool:
    """A canonical file whose every column is a canonical account column of its canonical dtype
    (a canonical Parquet universe): its values need no normalizer, only the checks."""
    if not column_map.trusted or column_map.id_fallback is not None or "account_id" not in sources:
        return False
    if "country" in sources and "region" not in sources:  # the region is derived from the country
        return False
    return all(
        target in ACCOUNT_SCHEMA and len(group) == 1 and schema[group[0].header] == ACCOUNT_SCHEMA[target]
        for target, group in sources.items()
    )


def _canonical_accounts(
    frame: pl.LazyFrame, sources: dict, unmapped: list[str], preset: str, path: str | Path
) -> AccountImport | None:
    """The accounts of a canonical-typed file in one cheap pass, or None if any row needs the full import.

    The pass reads only the account ids and the enumerations: the row count, ids missing, ids
    repeated (64-bit hashes first, the ids themselves only if hashes repeat) and enumeration values
    that are not canonical. When all are zero the file's rows are the accounts exactly as the full
    import would give them (nothing rejected, nothing folded), and the accounts are a plain scan,
    with no expression left to evaluate in every later pass over them.
    """
    columns = {target: pl.col(group[0].header) for target, group in sources.items()}
    checks = [
        pl.len().alias("rows"),
        columns["account_id"].null_count().alias("no_id"),
        columns["account_id"].hash().n_unique().alias("distinct"),
    ]
    checks += [
        flag.sum().alias(f"off|{target}")
        for target, column in columns.items()
        if (flag := nz.not_canonical(target, column)) is not None
    ]
    try:
        row = frame.select(checks).collect(engine="streaming").row(0, named=True)
        if row["distinct"] < row["rows"]:
            row["distinct"] = frame.select(columns["account_id"].n_unique()).collect(engine="streaming").item()
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None
    if row["rows"] == 0:
        raise InputError("no data rows (a header only?)", path=path)
    if row["no_id"] or row["distinct"] < row["rows"] or any(v for k, v in row.items() if k.startswith("off|")):
        return None
    values = {target: column.alias(target) for target, column in columns.items()}
    values["source"] = source_value(values, preset, path).alias("source")
    return AccountImport(
        accounts=conform(frame.select(values[t] for t in ACCOUNT_SCHEMA if t in values), ACCOUNT_SCHEMA),
        rows_read=row["rows"],
        rejected=pl.DataFrame(schema=REJECTED_SCHEMA),
        duplicates=0,
        folded=0,
        people_shaped=False,
        unmapped=unmapped,
        carried=tuple(t for t in ACCOUNT_SCHEMA if t in sources),
        encoding=text_encoding(path),
    )


def import_contacts(
    path: str | Path, *, preset: str = "canonical", column_map: ColumnMap | str | Path | None = None
) -> ContactImport:
    """Import contacts from a contact file or a people-shaped export; each keeps its account by domain.

    The account id is derived exactly as `import_accounts` derives it from the same row (the
    explicit id, else the company domain, else the email's domain unless it is free mail, else
    the preset's id fallback). The contact id is the file's, else the email, else `<file>-<row>`.

    Args:
        path: CSV/TSV, Parquet (file, directory or glob) or NDJSON.
        preset: `canonical`, `yc`, `apollo`, `hubspot` or `clay`.
        column_map: a `ColumnMap` or a YAML map file that overrides the preset.

    Returns:
        The contacts (exactly CONTACT_SCHEMA, lazy) and the row accounting.

    Raises:
        InputError: the file, preset or map cannot be used at all (e.g. it has no person columns).
    """
    column_map, frame, sources, unmapped, schema = _planned(path, "contact", preset, column_map)
    country = "contact_country" if "contact_country" in sources else "country"
    wanted = [
        "contact_id",
        "first_name",
        "last_name",
        "email",
        "email_status",
        "title",
        country,
        "account_id",
        "domain",
        "source",
    ]
    frame = _needed_columns(frame, sources, schema, column_map)
    cells = _distinct_cells(frame, path)
    values, problems = canonical_columns(
        sources, schema, [t for t in wanted if t in sources], column_map.trusted, cells=cells
    )
    if cells is not None:
        frame = cells.frame.lazy()
    account_id, _, missing = account_keys(values, sources, schema, column_map, path)
    nameless = pl.all_horizontal(
        values.get(t, pl.lit(None, pl.String)).is_null() for t in ("email", "first_name", "last_name")
    )
    row_id = pl.lit(f"{file_stem(path)}-") + pl.col(ROW_COLUMN).cast(pl.String)
    contact = {
        "contact_id": pl.coalesce(
            values.get("contact_id", pl.lit(None, pl.String)),
            values.get("email", pl.lit(None, pl.String)),
            row_id,
        ),
        "account_id": account_id,
        **{t: values[t] for t in ("first_name", "last_name", "email", "title") if t in values},
        "email_status": pl.coalesce(values.get("email_status", pl.lit(None, pl.String)), pl.lit("unknown")),
        "country": values.get(country, pl.lit(None, pl.String)),
        "source": source_value(values, preset, path),
    }
    no_person = row_problem(nameless, "email", pl.lit(None, pl.String), "no email or name: not a person")
    parsed = parsed_rows(frame, contact, _with_ragged([*problems, missing, no_person], schema, frame), list(contact))
    rejected, valid, kept, distinct = accounted_rows(parsed, "contact_id", path, held=cells is not None)
    contacts = valid.unique("contact_id", keep="first", maintain_order=True) if kept > distinct else valid
    # One person is one contact: rows whose emails are one key (`targeting.identity`: Ann.Lee@x.io and
    # ANN.LEE@x.io) under two contact ids fold into the first.
    email, same_person = pl.col("email"), 0
    if "email" in contact:
        counts = contacts.select(email.count().alias("with"), email.drop_nulls().n_unique().alias("people"))
        repeated = counts.collect(engine="streaming").row(0, named=True)
        same_person = repeated["with"] - repeated["people"]
    if same_person:
        contacts = contacts.filter(email.is_null() | email.is_first_distinct())
    return ContactImport(
        contacts=conform(contacts, CONTACT_SCHEMA),
        rows_read=kept + rejected.height,
        rejected=rejected,
        duplicates=kept - distinct + same_person,
        unmapped=unmapped,
        carried=tuple(t for t in CONTACT_SCHEMA if t in sources),
        encoding=text_encoding(path),
    )


def check_importable(
    path: str | Path, kind: str, *, preset: str = "canonical", column_map: ColumnMap | str | Path | None = None
) -> None:
    """Raise now if a file cannot be imported at all as `kind` ("account" or "contact").

    Reads the header (and a small sample where the map guesses columns), so a command can reject an
    unusable file, preset or map before its flow starts.

    Raises:
        InputError: the file, preset or map cannot be used at all, or it has no data rows.
    """
    frame = _planned(path, kind, preset, column_map)[1]
    try:
        empty = frame.head(1).collect().is_empty()
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None
    if empty:
        raise InputError("no data rows (a header only?)", path=path)


def _with_ragged(
    problems: list[pl.Expr], schema: pl.Schema, frame: pl.LazyFrame, whole_row: pl.Expr | None = None
) -> list[pl.Expr]:
    # A ragged row's fields are shifted, so its own problem comes before any value's.
    ragged = ragged_row_problem(schema, frame.collect_schema().names(), whole_row)
    return problems if ragged is None else [ragged, *problems]


def _needed_columns(frame: pl.LazyFrame, sources: dict, schema: pl.Schema, column_map: ColumnMap) -> pl.LazyFrame:
    """Only the columns the import reads (its sources, the id fallback, the spare fields of a ragged
    row): a 2,000-column export is not held whole for the few its map needs."""
    fallback = column_map.id_fallback
    names = {source.header for group in sources.values() for source in group}
    names |= {n for n in schema.names() if fallback is not None and header_key(n) == header_key(fallback.column)}
    names |= set(extra_fields(schema))
    keep = [n for n in schema.names() if n in names]
    return frame.select(keep) if len(keep) < len(schema) else frame


def _distinct_cells(frame: pl.LazyFrame, path: str | Path) -> DistinctCells | None:
    """The file held in memory, its repetitive columns to be normalized per distinct cell; None if
    it is streamed."""
    held = held_file(frame, path)
    return None if held is None else DistinctCells(held)


def _planned(
    path: str | Path, kind: str, preset: str, column_map: ColumnMap | str | Path | None
) -> tuple[ColumnMap, pl.LazyFrame, dict, list[str], pl.Schema]:
    column_map = resolve_column_map(preset, column_map)
    frame = read_table(path)
    sources, unmapped, schema = plan_columns(column_map, frame, path)
    if kind == "account":
        usable = any(target in ACCOUNT_SCHEMA for target in sources)
    else:
        usable = any(target in sources for target in PERSON_TARGETS if target != "title")
    if not usable:
        raise no_usable_columns(path, preset, schema, kind)
    return column_map, frame, sources, unmapped, schema
