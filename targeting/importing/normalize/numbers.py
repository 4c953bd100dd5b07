"""Counts, money, years and dates as exports write them ("51-200", "$1.2M", "2023.0", "03/01/2024")."""

from __future__ import annotations

import re

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


def amount(raw: pl.Expr) -> pl.Expr:
    """Read counts and money ("1,001-5,000", "10001+", "$1.2M", "2023.0") as Float64.

    Args:
        raw: String expression.

    Returns:
        Float64 expression; a range gives its low end, unreadable text gives null.
    """
    text = (
        raw.str.to_lowercase()
        .str.replace_all(r"[,\s]", "")
        .str.replace_all("million", "m")
        .str.replace_all("billion", "b")
        .str.replace_all("thousand", "k")
    )
    groups = text.str.extract_groups(_AMOUNT)
    number = groups.struct.field("1").cast(pl.Float64, strict=False)
    factor = groups.struct.field("2").fill_null("").replace_strict(_MULTIPLIER, default=None)
    return number * factor


def whole_number(raw: pl.Expr) -> pl.Expr:
    """Read a count ("51-200" -> 51, "10001+" -> 10001, "2023.0" -> 2023) as Int64; null if not whole."""
    value = amount(raw)
    return pl.when(value == value.floor()).then(value).otherwise(None).cast(pl.Int64, strict=False)


def founded_year(raw: pl.Expr) -> pl.Expr:
    """Read a year ("2023", "2023.0") as Int64; null when it is not a plausible founding year."""
    year = whole_number(raw)
    return pl.when(year.is_between(1600, 2100)).then(year).otherwise(None)


def date(raw: pl.Expr) -> pl.Expr:
    """A date from ISO ("2024-03-01", "2024-03-01T10:00:00Z"), US ("03/01/2024") or written text."""
    text = raw.str.strip_chars().str.replace_all(",", "")
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", 1).str.to_date("%Y-%m-%d", strict=False)
    others = [text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS]
    return pl.coalesce(iso, *others)
