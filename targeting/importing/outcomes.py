"""Reading outcome files (`customers.csv`, `deals.csv`): columns, cells, and the match to the universe.

Both files name an account by `account_id` or `domain` (URLs and emails become domains through the
importer's own normalizer), so a row meets the universe's account exactly as `target` sees it.
Rows whose account is not in the universe are counted and shown, never dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing.normalize.web import domain as normalized_domain
from targeting.importing.reading import read_table

ROW = "_row"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f"}


def header_key(name: str) -> str:
    """`Close Date` -> `close_date`: how outcome-file headers are compared."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def read_outcome_table(path: str | Path, aliases: dict[str, tuple[str, ...]]) -> pl.DataFrame:
    """The file's cells as text, columns renamed to their canonical names, with a 1-based `_row`.

    Args:
        path: CSV, Parquet or NDJSON.
        aliases: canonical name -> the header keys that mean it (the first found wins).

    Raises:
        InputError: the file cannot be read, or names no account (`account_id` or `domain`).
    """
    frame = read_table(path)
    names = frame.collect_schema().names()
    keyed = {header_key(n): n for n in reversed(names)}
    renames = {}
    for canonical, keys in aliases.items():
        source = next((keyed[k] for k in keys if k in keyed), None)
        if source is not None and source not in renames:
            renames[source] = canonical
    if not {"account_id", "domain"} & set(renames.values()):
        raise InputError(
            "no account_id or domain column to match accounts by",
            path=path,
            field="columns",
            value=names[:12],
        )
    try:
        table = frame.select(pl.col(s).cast(pl.String).alias(c) for s, c in renames.items()).collect()
    except pl.exceptions.PolarsError as error:
        raise InputError(f"cannot read: {str(error).splitlines()[0]}", path=path) from None
    table = table.with_columns(pl.col(pl.String).str.strip_chars().replace("", None))
    return table.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64) + 1)


@dataclass(frozen=True)
class Matched:
    """Outcome rows that found their account, and what did not."""

    rows: pl.DataFrame
    unmatched: int
    unmatched_examples: list[str]


def match_accounts(table: pl.DataFrame, universe: pl.LazyFrame) -> Matched:
    """Give every row the universe `account_id` it names (by id first, then by domain).

    Returns:
        The matched rows with `account_id` replaced by the universe's, the count of rows that
        named no account of the universe, and up to five of the names they gave.
    """
    keys = universe.select(
        pl.col("account_id"),
        pl.col("account_id").str.to_lowercase().alias("_id_key"),
        pl.col("domain").str.to_lowercase().alias("_domain_key"),
    ).collect()
    by_id = keys.select("_id_key", pl.col("account_id").alias("_by_id")).unique("_id_key", keep="first")
    by_domain = (
        keys.drop_nulls("_domain_key")
        .select("_domain_key", pl.col("account_id").alias("_by_domain"))
        .unique("_domain_key", keep="first")
    )
    given_id = (
        table["account_id"] if "account_id" in table.columns else pl.Series([None] * table.height, dtype=pl.String)
    )
    given_domain = table["domain"] if "domain" in table.columns else pl.Series([None] * table.height, dtype=pl.String)
    work = table.with_columns(
        _given_id=given_id,
        _given_domain=given_domain,
    ).with_columns(
        _id_key=pl.col("_given_id").str.to_lowercase(),
        _domain_key=pl.coalesce(normalized_domain(pl.col("_given_domain")), normalized_domain(pl.col("_given_id"))),
    )
    work = work.join(by_id, on="_id_key", how="left").join(by_domain, on="_domain_key", how="left")
    work = work.with_columns(pl.coalesce("_by_id", "_by_domain").alias("_account"))
    missing = work.filter(pl.col("_account").is_null())
    shown = missing.select(pl.coalesce("_given_id", "_given_domain").fill_null("(blank)")).to_series()
    rows = (
        work.filter(pl.col("_account").is_not_null())
        .drop([c for c in ("account_id", "domain") if c in work.columns])
        .rename({"_account": "account_id"})
        .drop("_given_id", "_given_domain", "_id_key", "_domain_key", "_by_id", "_by_domain")
    )
    return Matched(rows=rows, unmatched=missing.height, unmatched_examples=shown.head(5).to_list())


def parse_dates(table: pl.DataFrame, column: str, path: str | Path) -> pl.Series:
    """`column` as dates (ISO, `2025/07/01`, `07/01/2025`, `01.07.2025`, ISO date-times); null stays null.

    Raises:
        InputError: a cell that is no date in any of those forms (its row and value named).
    """
    text = table[column]
    parsed = pl.select(
        pl.coalesce([text.str.to_datetime(f, strict=False).dt.date() for f in _DATE_FORMATS])
    ).to_series()
    bad = text.is_not_null() & parsed.is_null()
    if bad.any():
        row = table.filter(bad).row(0, named=True)
        raise InputError("not a date (expected YYYY-MM-DD)", path=path, line=row[ROW], field=column, value=row[column])
    return parsed.alias(column)


def parse_numbers(table: pl.DataFrame, column: str, path: str | Path) -> pl.Series:
    """`column` as numbers (`$1,200` reads 1200); null stays null.

    Raises:
        InputError: a cell that is no number (its row and value named).
    """
    text = table[column]
    parsed = text.str.replace_all(r"[$€£,\s]", "").cast(pl.Float64, strict=False)
    bad = text.is_not_null() & parsed.is_null()
    if bad.any():
        row = table.filter(bad).row(0, named=True)
        raise InputError("not a number", path=path, line=row[ROW], field=column, value=row[column])
    return parsed.alias(column)


def parse_flags(table: pl.DataFrame, column: str, path: str | Path) -> pl.Series:
    """`column` as booleans (true/false, yes/no, 1/0); null stays null.

    Raises:
        InputError: a cell that is neither (its row and value named).
    """
    text = table[column].str.to_lowercase()
    bad = text.is_not_null() & ~text.is_in(sorted(_TRUE | _FALSE))
    if bad.any():
        row = table.filter(bad).row(0, named=True)
        raise InputError("expected true or false", path=path, line=row[ROW], field=column, value=row[column])
    return pl.select(pl.when(text.is_null()).then(None).otherwise(text.is_in(sorted(_TRUE)))).to_series().alias(column)
