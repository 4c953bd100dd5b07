"""Counts, money, years and dates as exports write them ("51-200", "$1.2M", "2023.0", "03/01/2024")."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

import polars as pl

_MULTIPLIER = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_NUMBER = r"(\d+(?:\.\d+)?)(k|mm|m|bn|b|t)?"
# A count or an amount: "120", "2023.0", "51-200", "10001+", "$1.2M", "$10M-$50M"; ranges keep
# their low end (docs/file-formats.md), so only the first number is captured.
_AMOUNT = re.compile(
    rf"^(?:usd)?\$?{_NUMBER}(?:\+|(?:-|–|—|to)(?:usd)?\$?\d+(?:\.\d+)?(?:k|mm|m|bn|b|t)?)?"
    r"(?:usd|employees|people)?$"
).pattern
# Tried after ISO dates (with or without a time), in this order.
_DATE_FORMATS = ("%m/%d/%Y", "%d.%m.%Y", "%b %d %Y", "%d %b %Y", "%B %d %Y", "%d %B %Y")


DecimalMark = Literal[".", ","] | None
"""A file's decimal mark, read from its rows by `decimal_mark`; None where they do not say."""

# Evidence of a decimal mark: a separator followed by 1-2 or 4+ digits is a decimal ("2023.0",
# "45,0", "0.12345"), the same separator twice is a thousands one ("1.200.000"), and a number with
# both uses the last as the decimal ("1.234,56"). A lone separator before exactly three digits
# ("1.200", "2,000") says nothing: it is the ambiguous case.
_EVIDENCE = {
    ".": r"\d\.(?:\d{1,2}|\d{4,})(?:\D|$)|\d,\d{3},\d{3}|\d,\d{3}\.\d",
    ",": r"\d,(?:\d{1,2}|\d{4,})(?:\D|$)|\d\.\d{3}\.\d{3}|\d\.\d{3},\d",
}
# With no mark known, "1.200" is refused rather than guessed; "1,200" stays a thousands group,
# as most exports write it.
_AMBIGUOUS = r"(?:^|[^\d.,])\d{1,3}\.\d{3}(?:[^\d.,]|$)"


def decimal_mark(cells: pl.Series) -> DecimalMark:
    """The decimal mark a sample of a file's number cells shows, or None where it shows none or both.

    Args:
        cells: String cells of the file's number columns (a sample of rows is enough).

    Returns:
        "." or ","; None when no cell is evidence either way, or cells disagree.
    """
    text = cells.drop_nulls().str.replace_all(r"\s", "")
    shown = [mark for mark, pattern in _EVIDENCE.items() if text.str.contains(pattern).any()]
    return shown[0] if len(shown) == 1 else None


def is_ambiguous_number(raw: pl.Expr) -> pl.Expr:
    """A number like "1.200": a thousands group or a decimal, which only the file can tell."""
    return raw.str.replace_all(r"\s", "").str.contains(_AMBIGUOUS)


# A cell that is a plain number in the file's decimal mark ("8864956.0", "120"), which a cast reads
# exactly as the full parse below would: most cells of a revenue or headcount column.
_PLAIN_NUMBER = {".": r"^[0-9]+(?:\.[0-9]+)?$", ",": r"^[0-9]+$", None: r"^[0-9]+(?:\.[0-9]+)?$"}


def amount(raw: pl.Expr, decimal: DecimalMark = ".") -> pl.Expr:
    """Read counts and money ("1,001-5,000", "10001+", "$1.2M", "2023.0") as Float64.

    A plain number is cast; only the other cells go through the parse (it reads null elsewhere,
    and a string operation on a null cell costs nothing): over 1M Apollo revenues, one regex
    match and one cast instead of a dozen string passes and a capture-group extract.

    Args:
        raw: String expression.
        decimal: the file's decimal mark; the other separator groups thousands. With None, a
            number whose one separator precedes exactly three digits ("1.200") is unreadable
            rather than guessed; the rest is read with "." as the decimal mark.

    Returns:
        Float64 expression; a range gives its low end, unreadable text gives null.
    """
    plain = raw.str.contains(_PLAIN_NUMBER[decimal])
    value = pl.when(plain).then(raw.cast(pl.Float64, strict=False)).otherwise(_parsed_amount(raw, plain, decimal))
    if decimal is None:
        value = pl.when(is_ambiguous_number(raw)).then(None).otherwise(value)
    return value


def _parsed_amount(raw: pl.Expr, plain: pl.Expr, decimal: DecimalMark) -> pl.Expr:
    """The full parse of the cells that are not `plain` (null on the plain ones)."""
    text = pl.when(~plain).then(raw).str.to_lowercase().str.replace_all(r"\s", "")
    point, group = (",", ".") if decimal == "," else (".", ",")
    # A thousands separator is followed by exactly three digits; "45,0" read with "." as the decimal
    # mark is no number, not 450.
    misplaced = text.str.contains(rf"\{group}(?:\d{{0,2}}|\d{{4,}})(?:\D|$)|^\{group}")
    text = text.str.replace_all(group, "", literal=True).str.replace_all(point, ".", literal=True)
    text = text.str.replace_all("million", "m").str.replace_all("billion", "b").str.replace_all("thousand", "k")
    groups = text.str.extract_groups(_AMOUNT)
    number = groups.struct.field("1").cast(pl.Float64, strict=False)
    factor = groups.struct.field("2").fill_null("").replace_strict(_MULTIPLIER, default=None)
    return pl.when(misplaced).then(None).otherwise(number * factor)


def whole_number(raw: pl.Expr, decimal: DecimalMark = ".") -> pl.Expr:
    """Read a count ("51-200" -> 51, "10001+" -> 10001, "2023.0" -> 2023) as Int64; null if not whole."""
    value = amount(raw, decimal)
    return pl.when(value == value.floor()).then(value).otherwise(None).cast(pl.Int64, strict=False)


def founded_year(raw: pl.Expr, decimal: DecimalMark = ".") -> pl.Expr:
    """Read a year ("2023", "2023.0") as Int64; null when it is not a plausible founding year."""
    year = whole_number(raw, "," if decimal == "," else ".")  # "2.023" is no year: never ambiguous
    return pl.when(year.is_between(1600, 2100)).then(year).otherwise(None)


def date(raw: pl.Expr) -> pl.Expr:
    """A date from ISO ("2024-03-01", "2024-03-01T10:00:00Z"), US ("03/01/2024") or written text."""
    text = raw.str.strip_chars().str.replace_all(",", "")
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", 1).str.to_date("%Y-%m-%d", strict=False)
    others = [text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS]
    return pl.coalesce(iso, *others)


# A signal's date is a day that has passed: a CRM's "no date" sentinel (9999-12-31, 1900-01-01) or a
# year a spreadsheet shortened ("1/2/24" read as the year 24) is no date to count days from.
EARLIEST_DATE = _dt.date(1970, 1, 1)


def date_problem(text: pl.Expr | None, value: pl.Expr) -> pl.Expr:
    """Why a read date cannot be used (null: it can): a two-digit year, or a placeholder before 1970
    or after today."""
    latest = _dt.date.today() + _dt.timedelta(days=1)  # a file written today in a zone ahead of ours
    problem = (
        pl.when(value < EARLIEST_DATE)
        .then(pl.lit(f"a date before {EARLIEST_DATE.year}: a placeholder, not a signal's day"))
        .when(value > latest)
        .then(pl.lit("a date in the future (a placeholder such as 9999-12-31?): not a signal's day"))
    )
    if text is not None:
        two_digit = text.str.strip_chars().str.contains(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
        problem = (
            pl.when(two_digit).then(pl.lit("a two-digit year: write the year in full (2024-01-02)")).otherwise(problem)
        )
    return problem
