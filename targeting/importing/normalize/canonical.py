"""Polars expressions that turn the shapes real exports use into canonical values.

Every normalizer takes a String expression (blank cells already null) and returns an expression
of the canonical dtype. A normalizer returns null for a value it cannot read; the importer tells
"empty" from "unreadable" by comparing with the raw cell, so these stay plain expressions.
The normalizers live by value family in this room; `canonical_value` maps one source column to
one canonical column with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from targeting.columns import (
    ACCOUNT_SCHEMA,
    CONTACT_SCHEMA,
    EMAIL_STATUSES,
    FUNDING_STAGES,
    LIST_COLUMNS,
    REGIONS,
)
from targeting.importing.normalize.numbers import (
    DecimalMark,
    amount,
    date,
    date_problem,
    founded_year,
    is_ambiguous_number,
    whole_number,
)
from targeting.importing.normalize.places import COUNTRY_KEYS, country_code, region_name
from targeting.importing.normalize.stages import boolean, funding_stage, is_not_a_stage
from targeting.importing.normalize.text import blank_to_null, clean_items, list_items, snake_case
from targeting.importing.normalize.web import (
    domain,
    email_address,
    email_status,
    is_canonical_domain,
    is_email_placeholder,
)

_NUMERIC_TARGETS = {"employees": pl.Int64, "founded_year": pl.Int64, "revenue_usd": pl.Float64}
_TEXT_TARGETS = ("account_id", "name", "first_name", "last_name", "title", "contact_id", "source", "description")
_AMBIGUOUS_REASON = "ambiguous: a thousands group or a decimal, and no other number in the file tells which"
_PARSERS = {
    "employees": (whole_number, "not a number of employees (e.g. 120, 51-200, 10001+)"),
    "founded_year": (founded_year, "not a founding year (e.g. 2019)"),
    "revenue_usd": (amount, "not an amount in USD (e.g. 1200000, $1.2M)"),
    "country": (country_code, "not a country name or ISO code"),
    "contact_country": (country_code, "not a country name or ISO code"),
    "region": (region_name, "not a region (NA, EMEA, APAC, LATAM)"),
    "signals_at": (date, "not a date (e.g. 2024-03-01)"),
    "is_customer": (boolean, "not true/false (nor a CRM lifecycle stage such as Customer or Lead)"),
    "email": (email_address, "not an email address"),
    "funding_stage": (funding_stage, "not a funding stage (e.g. Seed, Series B, IPO, Acquired)"),
}


@dataclass(frozen=True)
class Parsed:
    """A canonical value, and when it came from a non-empty cell it could not read (with why)."""

    value: pl.Expr
    unreadable: pl.Expr | None = None
    reason: str | pl.Expr = ""
    # `unreadable` in terms of the value once read (a column), so a caller holding the value need
    # not read the cell a second time to flag it; None where `unreadable` does not rest on the value.
    unreadable_of: Callable[[pl.Expr], pl.Expr] | None = None


def canonical_value(
    target: str,
    column: pl.Expr,
    dtype: pl.DataType,
    separator: str = ";",
    *,
    trusted: bool = False,
    decimal: DecimalMark = ".",
) -> Parsed:
    """Read one source column as one canonical column.

    Typed source columns (Parquet, NDJSON) are cast; text goes through the normalizer of
    the target. A `trusted` (canonical) source column that already has the canonical dtype is
    taken as it is, so a canonical Parquet universe costs a scan and cheap checks: enumerations
    (country, region, funding_stage, email_status) are still checked, and an empty list cell is
    an empty list, as the canonical CSV writes it.

    Args:
        target: a canonical column name (see `targeting.importing.presets.CANONICAL_TARGETS`).
        column: the source column.
        dtype: the source column's dtype.
        separator: splits plain-text list cells.
        trusted: the source claims canonical values (the `canonical` preset).
        decimal: the file's decimal mark (`numbers.decimal_mark`), for counts and amounts.

    Returns:
        The value expression and, for typed targets, an `unreadable` flag and its reason.
    """
    if trusted:
        parsed = _trusted_value(target, column, dtype, separator)
        if parsed is not None:
            return parsed
    is_text = dtype == pl.String
    raw = blank_to_null(column) if is_text else column
    if target in LIST_COLUMNS or target == "industry":
        items = (
            clean_items(raw.cast(pl.List(pl.String)))
            if isinstance(dtype, pl.List)
            else list_items(raw.cast(pl.String), separator, commas_too=target in LIST_COLUMNS)
        )
        return Parsed(items.list.first() if target == "industry" else items)
    if target in _NUMERIC_TARGETS and dtype.is_numeric():
        return Parsed(raw.cast(_NUMERIC_TARGETS[target], strict=False))
    if target == "signals_at" and dtype in (pl.Date, pl.Datetime):
        typed = raw.cast(pl.Date)
        problem = date_problem(None, typed)
        return Parsed(pl.when(problem.is_null()).then(typed), raw.is_not_null() & problem.is_not_null(), problem)
    if target == "is_customer" and (dtype == pl.Boolean or dtype.is_numeric()):
        return Parsed(raw.cast(pl.Boolean))
    text = raw if is_text else raw.cast(pl.String)
    if target == "signals_at":
        read = date(text)
        problem = date_problem(text, read)
        value = pl.when(problem.is_null()).then(read)
        return Parsed(value, text.is_not_null() & value.is_null(), pl.coalesce(problem, pl.lit(_PARSERS[target][1])))
    if target in _PARSERS:
        parse, reason = _PARSERS[target]
        value = parse(text, decimal) if target in _NUMERIC_TARGETS else parse(text)
        if target in _NUMERIC_TARGETS and decimal is None:
            reason = (
                pl.when(is_ambiguous_number(text))
                .then(pl.lit(f"{_AMBIGUOUS_REASON}; {reason}"))
                .otherwise(pl.lit(reason))
            )

        def unreadable(read: pl.Expr) -> pl.Expr:
            flag = text.is_not_null() & read.is_null()
            if target == "funding_stage":
                flag = flag & ~is_not_a_stage(text)
            if target == "email":  # a locked email is no email, not an unreadable one
                flag = flag & ~is_email_placeholder(text)
            return flag

        return Parsed(value, unreadable(value), reason, unreadable)
    if target == "domain":
        return Parsed(domain(text))
    if target == "status":
        return Parsed(snake_case(text))
    if target == "email_status":
        return Parsed(email_status(text))
    if target in _TEXT_TARGETS:
        return Parsed(text)
    raise ValueError(f"no normalizer for canonical column {target!r}")


_CANONICAL_DTYPES = {**CONTACT_SCHEMA, **ACCOUNT_SCHEMA, "contact_country": pl.String()}
_ENUMERATIONS = {
    "country": frozenset(COUNTRY_KEYS.values()),
    "contact_country": frozenset(COUNTRY_KEYS.values()),
    "region": frozenset(REGIONS),
    "funding_stage": frozenset(FUNDING_STAGES),
    "email_status": frozenset(EMAIL_STATUSES),
}


def _trusted_value(target: str, column: pl.Expr, dtype: pl.DataType, separator: str) -> Parsed | None:
    """A canonical column taken as it is, or None when it needs the normalizer after all."""
    if target in LIST_COLUMNS and dtype == pl.String:
        items = list_items(column, separator, commas_too=True)
        return Parsed(pl.when(blank_to_null(column).is_null()).then(pl.lit([], pl.List(pl.String))).otherwise(items))
    if dtype != _CANONICAL_DTYPES[target] or target in ("email", "domain", "signals_at"):
        return None  # an identity has one spelling whoever wrote the file (`targeting.identity`)
    if target not in _ENUMERATIONS:
        return Parsed(column)
    allowed = sorted(_ENUMERATIONS[target])
    shown = ", ".join(allowed) if len(allowed) < 20 else "ISO 3166 alpha-2"
    # Canonical values pass as they are; anything else ("us", "Series B") gets the full normalizer
    # rather than a rejection, and is rejected only when that cannot read it either.
    normalized = canonical_value(target, column, dtype, separator).value
    value = pl.when(column.is_in(allowed)).then(column).otherwise(normalized)
    return Parsed(value, column.is_not_null() & value.is_null(), f"not a canonical {target} ({shown})")


def not_canonical(target: str, column: pl.Expr) -> pl.Expr | None:
    """True where a value of a canonical-typed column is not already canonical (None: any value is).

    Only enumerations can be off in a column of the canonical dtype (`_trusted_value` normalizes
    them); a file where this never holds needs no normalizer at all.
    """
    if target == "domain":  # a domain key already, or the full import normalizes the file
        return column.is_not_null() & ~is_canonical_domain(column)
    if target == "signals_at":  # a placeholder date is rejected by the full import
        return date_problem(None, column.cast(pl.Date)).is_not_null()
    if target not in _ENUMERATIONS:
        return None
    return column.is_not_null() & ~column.is_in(sorted(_ENUMERATIONS[target]))
