"""Universe import: an export file -> canonical accounts or contacts, with every row accounted for.

Counting (PRODUCT.md, "Rules that make counts agree"): each source row ends in exactly one of
`rejected` (it cannot be used), `duplicates` (an account file row whose account_id an earlier row
already has; the first row wins whole, so an account is always one real source row), `folded`
(a people file's person row whose company an earlier person row already gave; person rows are not
duplicate accounts), or the universe. So `rows_read == len(rejected) + duplicates + folded + universe`.
A people file folds by account_id (the domain): each company column takes its first non-empty
value over the company's person rows and list columns take the union of their items, in order.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from targeting import normalize as nz
from targeting.columns import ACCOUNT_SCHEMA, CONTACT_SCHEMA, LIST_COLUMNS
from targeting.errors import InputError
from targeting.presets import PERSON_TARGETS, ColumnMap, ColumnRule, header_key, resolve_column_map

REJECTED_SCHEMA = {
    "source_row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}
_ROW = "__source_row"
_PROBLEM = "__problem"


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

    @property
    def universe(self) -> int:
        """Accounts in `accounts`: the rows read that were not rejected, duplicates or folded."""
        return self.rows_read - self.rejected.height - self.duplicates - self.folded

    def counts(self) -> dict[str, int]:
        """rows_read, rejected, duplicates, folded and universe, for a run summary."""
        return {
            "rows_read": self.rows_read,
            "rejected": self.rejected.height,
            "duplicates": self.duplicates,
            "folded": self.folded,
            "universe": self.universe,
        }


@dataclass(frozen=True)
class ContactImport:
    """Canonical contacts from one file, and where every source row went."""

    contacts: pl.LazyFrame
    rows_read: int
    rejected: pl.DataFrame
    duplicates: int
    unmapped: list[str]

    @property
    def universe(self) -> int:
        """Contacts in `contacts`: the rows read that were neither rejected nor duplicates."""
        return self.rows_read - self.rejected.height - self.duplicates

    def counts(self) -> dict[str, int]:
        """rows_read, rejected, duplicates and universe, for a run summary."""
        return {
            "rows_read": self.rows_read,
            "rejected": self.rejected.height,
            "duplicates": self.duplicates,
            "universe": self.universe,
        }


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
    column_map = resolve_column_map(preset, column_map)
    frame = read_table(path)
    sources, unmapped, schema = _plan(column_map, frame, path)
    if not any(target in ACCOUNT_SCHEMA for target in sources):
        raise _no_usable_columns(path, preset, schema, "account")
    people_shaped = any(target in sources for target in PERSON_TARGETS)
    trusted = column_map.trusted
    values, problems = _canonical_columns(
        sources, schema, [t for t in ACCOUNT_SCHEMA if t in sources], trusted
    )
    if people_shaped and "email" in sources:
        values["email"] = _canonical_columns(sources, schema, ["email"], trusted)[0]["email"]
    account_id, domain, missing = _account_keys(values, sources, schema, column_map, path)
    values.update(account_id=account_id, domain=domain, source=_source(values, preset, path))
    if "country" in values and not (trusted and "region" in values):
        # Derived from the country; a region column given with it only fills rows without a country.
        # A canonical file's own region is taken as it is (checked against REGIONS).
        values["region"] = pl.coalesce(
            nz.region_of(values["country"]), values.get("region", pl.lit(None, pl.String))
        )
    order = [t for t in ACCOUNT_SCHEMA if t in values]
    parsed = _parse(frame, values, [*problems, missing], order)
    valid = parsed.filter(pl.col(_PROBLEM).is_null()).drop(_ROW, _PROBLEM)
    rejected, kept, distinct = _account_rows(parsed, valid, "account_id", path)
    if rejected.is_empty():  # nothing to filter out: the accounts are a plain projection of the scan
        valid = frame.select(values[name].alias(name) for name in order)
    repeated = kept - distinct
    accounts = valid
    if repeated:  # the counts are known already: a file without repeats skips the fold entirely
        accounts = (
            _fold_people(valid)
            if people_shaped
            else valid.unique("account_id", keep="first", maintain_order=True)
        )
    duplicates, folded = (0, repeated) if people_shaped else (repeated, 0)
    return AccountImport(
        accounts=_conform(accounts, ACCOUNT_SCHEMA),
        rows_read=kept + rejected.height,
        rejected=rejected,
        duplicates=duplicates,
        folded=folded,
        people_shaped=people_shaped,
        unmapped=unmapped,
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
    column_map = resolve_column_map(preset, column_map)
    frame = read_table(path)
    sources, unmapped, schema = _plan(column_map, frame, path)
    if not any(target in sources for target in PERSON_TARGETS if target != "title"):
        raise _no_usable_columns(path, preset, schema, "contact")
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
    values, problems = _canonical_columns(
        sources, schema, [t for t in wanted if t in sources], column_map.trusted
    )
    account_id, _, missing = _account_keys(values, sources, schema, column_map, path)
    nameless = pl.all_horizontal(
        values.get(t, pl.lit(None, pl.String)).is_null() for t in ("email", "first_name", "last_name")
    )
    row_id = pl.lit(f"{_stem(path)}-") + pl.col(_ROW).cast(pl.String)
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
        "source": _source(values, preset, path),
    }
    no_person = _problem(nameless, "email", pl.lit(None, pl.String), "no email or name: not a person")
    parsed = _parse(frame, contact, [*problems, missing, no_person], list(contact))
    valid = parsed.filter(pl.col(_PROBLEM).is_null()).drop(_ROW, _PROBLEM)
    rejected, kept, distinct = _account_rows(parsed, valid, "contact_id", path)
    return ContactImport(
        contacts=_conform(
            valid.unique("contact_id", keep="first", maintain_order=True) if kept > distinct else valid,
            CONTACT_SCHEMA,
        ),
        rows_read=kept + rejected.height,
        rejected=rejected,
        duplicates=kept - distinct,
        unmapped=unmapped,
    )


# --- reading -------------------------------------------------------------------------------------

_READERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
}


def read_table(path: str | Path) -> pl.LazyFrame:
    """Scan a CSV/TSV (all cells as text; quoted cells may span lines), Parquet or NDJSON source.

    Args:
        path: a file, a directory of Parquet partitions, or a glob such as `parts/*.parquet`.

    Returns:
        The source columns as they are, lazily.

    Raises:
        InputError: missing or empty file, unknown extension, or content that is not what the
            extension says.
    """
    text = str(path)
    if any(char in text for char in "*?[") and not Path(text).exists():
        files = sorted(Path(p) for p in glob.glob(text, recursive=True))
        if not files:
            raise InputError("no file matches this pattern", path=text)
        kind = _kind(files[0])
        heads = [_check_content(file, kind) for file in files]
        return _scan(text, kind, files[0], heads[0])
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InputError("directory holds no .parquet partitions", path=path)
        heads = [_check_content(file, "parquet") for file in files]
        return _scan(str(path / "**" / "*.parquet"), "parquet", path, heads[0])
    if not path.exists():
        raise InputError("file not found", path=path)
    kind = _kind(path)
    return _scan(str(path), kind, path, _check_content(path, kind))


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise InputError(
            f"unknown file type; expected one of {', '.join(sorted(_READERS))}",
            path=path,
            field="extension",
            value=suffix or "(none)",
        )
    return _READERS[suffix]


def _check_content(path: Path, kind: str) -> bytes:
    """The file's first bytes, once they show it is what its extension says."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head.strip():
        raise InputError("file is empty", path=path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text; save it as UTF-8 (CSV UTF-8 in Excel)", path=path)
    is_parquet = head.startswith(b"PAR1")
    if kind == "parquet" and not is_parquet:
        raise InputError("not a Parquet file (no PAR1 header; is it text?)", path=path)
    if kind in ("csv", "tsv") and (is_parquet or b"\x00" in head):
        raise InputError(
            f"not {kind.upper()} text (it looks binary{', Parquet' if is_parquet else ''})", path=path
        )
    first = head.lstrip()[:1]
    if kind == "ndjson" and first != b"{":
        raise InputError(
            "not NDJSON (each line should be a JSON object)",
            path=path,
            value=head.lstrip()[:20].decode(errors="replace"),
        )
    if kind == "json" and first not in (b"{", b"["):
        raise InputError("not JSON", path=path, value=head.lstrip()[:20].decode(errors="replace"))
    return head


def _separator(kind: str, head: bytes) -> str:
    # Spreadsheets in many European locales export CSV with ";": the header line tells.
    header = head.splitlines()[0] if head else b""
    if kind == "tsv":
        return "\t"
    return ";" if header.count(b";") > header.count(b",") else ","


def _scan(source: str, kind: str, shown: Path, head: bytes) -> pl.LazyFrame:
    try:
        if kind in ("csv", "tsv"):
            frame = pl.scan_csv(
                source, infer_schema=False, separator=_separator(kind, head), encoding="utf8-lossy"
            )
            # A quoted empty cell ("") is as empty as a bare one, also for the canonical fast path.
            return frame.with_columns(pl.col(pl.String).replace("", None))
        if kind == "parquet":
            return pl.scan_parquet(source)
        if kind == "json" and Path(source).read_bytes().lstrip()[:1] == b"[":
            return pl.read_json(source).lazy()
        return pl.scan_ndjson(source, infer_schema_length=1000)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise InputError(f"cannot read: {_first_line(error)}", path=shown) from None


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


# --- planning: which source column feeds which canonical column ---------------------------------


@dataclass(frozen=True)
class _Source:
    header: str
    rule: ColumnRule


def _plan(
    column_map: ColumnMap, frame: pl.LazyFrame, path: str | Path
) -> tuple[dict[str, list[_Source]], list[str], pl.Schema]:
    """Canonical column -> its source columns in map order, plus the headers nothing reads."""
    schema = _schema(frame, path)
    headers = {header_key(name): name for name in schema.names()}
    rules = column_map.rules()
    if column_map.guess_unmapped:
        from targeting.column_guess import guess_rules  # column_guess reads files through this module

        taken = {target for key, rule in rules.items() if key in headers for target in rule.to}
        unmapped = [name for key, name in headers.items() if key not in rules]
        guessed = guess_rules(_collect(frame.head(500), path), unmapped, taken)
        rules = {**rules, **{header_key(name): rule for name, rule in guessed.items()}}
    sources: dict[str, list[_Source]] = {}
    for key, rule in rules.items():
        if key in headers:
            for target in rule.to:
                sources.setdefault(target, []).append(_Source(headers[key], rule))
    used = {header_key(s.header) for group in sources.values() for s in group}
    fallback = column_map.id_fallback
    if fallback is not None:
        used.add(header_key(fallback.column))
    unmapped = [name for key, name in headers.items() if key not in used]
    return sources, unmapped, schema


def _schema(frame: pl.LazyFrame, path: str | Path) -> pl.Schema:
    try:
        return frame.collect_schema()
    except pl.exceptions.PolarsError as error:
        raise InputError(f"cannot read: {_first_line(error)}", path=path) from None


def _collect(frame: pl.LazyFrame, path: str | Path) -> pl.DataFrame:
    try:
        return frame.collect()
    except pl.exceptions.PolarsError as error:
        raise InputError(f"cannot read: {_first_line(error)}", path=path) from None


# --- assembling ---------------------------------------------------------------------------------


def _canonical_columns(
    sources: dict[str, list[_Source]], schema: pl.Schema, targets: list[str], trusted: bool
) -> tuple[dict[str, pl.Expr], list[pl.Expr]]:
    """Each target's value (first non-empty over its sources) and a problem per unreadable source."""
    values: dict[str, pl.Expr] = {}
    problems: list[pl.Expr] = []
    for target in targets:
        group = sources[target]
        parsed = [
            nz.canonical_value(target, pl.col(s.header), schema[s.header], s.rule.separator, trusted=trusted)
            for s in group
        ]
        values[target] = pl.coalesce([p.value for p in parsed]) if len(parsed) > 1 else parsed[0].value
        problems += [
            _problem(p.unreadable, s.header, pl.col(s.header), p.reason)
            for s, p in zip(group, parsed, strict=True)
            if p.unreadable is not None
        ]
    return values, problems


def _problem(flag: pl.Expr, column: str, raw: pl.Expr, reason: str) -> pl.Expr:
    return pl.when(flag).then(
        pl.struct(column=pl.lit(column), value=raw.cast(pl.String), reason=pl.lit(reason))
    )


def _account_keys(
    values: dict[str, pl.Expr],
    sources: dict[str, list[_Source]],
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
        raise InputError(
            f"no column gives an account id (looked for {looked_for}); try --preset or --map", path=path
        )
    nothing = pl.lit(None, pl.String)
    email_domain = nz.email_domain(values["email"]) if "email" in values else nothing
    domain = pl.coalesce(values.get("domain", nothing), email_domain)
    by_fallback = nothing
    if fallback_header is not None:
        by_fallback = pl.lit(fallback.prefix) + nz.blank_to_null(pl.col(fallback_header).cast(pl.String))
    account_id = pl.coalesce(values.get("account_id", nothing), domain, by_fallback)
    shown = next(
        (sources[t][0].header for t in ("domain", "account_id", "email") if t in sources), fallback_header
    )
    reason = "no account id: no company domain (shared hosts such as github.com or gmail.com do not count)"
    if fallback_header is not None:
        reason += f" and no {fallback_header!r}"
    return (
        account_id,
        domain,
        _problem(account_id.is_null(), shown or "", pl.col(shown) if shown else nothing, reason),
    )


def _map_sources(column_map: ColumnMap, target: str) -> list[str]:
    return [source for source, rule in column_map.columns.items() if rule is not None and target in rule.to]


def _source(values: dict[str, pl.Expr], preset: str, path: str | Path) -> pl.Expr:
    return pl.coalesce(
        values.get("source", pl.lit(None, pl.String)), pl.lit(f"{preset}:{Path(str(path)).name}")
    )


def _stem(path: str | Path) -> str:
    return Path(str(path)).stem.replace("*", "")


def _parse(
    frame: pl.LazyFrame, values: dict[str, pl.Expr], problems: list[pl.Expr], order: list[str]
) -> pl.LazyFrame:
    """Source rows numbered from 1, their canonical values and their first problem (null if none)."""
    problem = pl.coalesce(problems) if len(problems) > 1 else problems[0]
    return frame.with_row_index(_ROW, offset=1).select(
        pl.col(_ROW).cast(pl.Int64),
        *[values[name].alias(name) for name in order],
        problem.alias(_PROBLEM),
    )


def _account_rows(
    parsed: pl.LazyFrame, valid: pl.LazyFrame, key: str, path: str | Path
) -> tuple[pl.DataFrame, int, int]:
    """The rejected rows (materialized), the rows kept and their distinct keys, in one pass."""
    problem = pl.col(_PROBLEM).struct
    rejected_rows = parsed.filter(pl.col(_PROBLEM).is_not_null()).select(
        pl.col(_ROW).alias("source_row"),
        problem.field("column").alias("column"),
        problem.field("value").alias("value"),
        problem.field("reason").alias("reason"),
    )
    # Distinct 64-bit hashes are distinct keys, and hashing is 3x cheaper than comparing strings at
    # 10M rows; only when hashes repeat are the keys themselves counted.
    counts = valid.select(pl.len().alias("kept"), pl.col(key).hash().n_unique().alias("distinct"))
    try:
        rejected, totals = pl.collect_all([rejected_rows, counts])
        kept, distinct = totals.row(0)
        if distinct < kept:
            distinct = valid.select(pl.col(key).n_unique()).collect().item()
    except pl.exceptions.PolarsError as error:
        raise InputError(f"cannot read: {_first_line(error)}", path=path) from None
    if kept + rejected.height == 0:
        raise InputError("no data rows (a header only?)", path=path)
    return rejected.cast(REJECTED_SCHEMA), kept, distinct


def _fold_people(valid: pl.LazyFrame) -> pl.LazyFrame:
    """One account per account_id: first non-empty company value, list columns unioned in order."""
    columns = [name for name in valid.collect_schema().names() if name != "account_id"]
    # A company whose person rows all lack a list keeps it unknown (null), not an empty list.
    return valid.group_by("account_id", maintain_order=True).agg(
        pl.when(pl.col(name).is_not_null().any()).then(
            pl.col(name).explode().drop_nulls().unique(maintain_order=True)
        )
        if name in LIST_COLUMNS
        else pl.col(name).drop_nulls().first()
        for name in columns
    )


def _conform(frame: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
    """Exactly `schema`: its columns, in order, with its dtypes; missing ones as typed nulls."""
    present = frame.collect_schema().names()
    return frame.select(
        pl.col(name).cast(dtype) if name in present else pl.lit(None, dtype).alias(name)
        for name, dtype in schema.items()
    )


def _no_usable_columns(path: str | Path, preset: str, schema: pl.Schema, kind: str) -> InputError:
    headers = ", ".join(schema.names()[:8]) + (", ..." if schema.len() > 8 else "")
    return InputError(
        f"no usable {kind} columns under preset {preset!r} (its columns: {headers}); "
        "try another --preset or a --map",
        path=path,
    )
