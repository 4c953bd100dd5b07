"""Normalize: the shapes real exports use ("51-200", "$1.2M", "United States", URLs) -> canonical values.

One module per value family (`text`, `numbers`, `places`, `stages`, `web`), each a set of Polars
expressions over a String column; `canonical` maps one source column to one canonical column.
"""

from __future__ import annotations

from targeting.importing.normalize.canonical import Parsed, canonical_value, not_canonical
from targeting.importing.normalize.numbers import DecimalMark, amount, date, decimal_mark, founded_year, whole_number
from targeting.importing.normalize.places import country_code, region_name, region_of
from targeting.importing.normalize.stages import boolean, funding_stage, is_not_a_stage
from targeting.importing.normalize.text import blank_to_null, clean_items, list_items, snake_case
from targeting.importing.normalize.web import domain, email_address, email_domain, email_status, is_email_placeholder

__all__ = [
    "DecimalMark",
    "Parsed",
    "amount",
    "blank_to_null",
    "boolean",
    "canonical_value",
    "clean_items",
    "country_code",
    "date",
    "decimal_mark",
    "domain",
    "email_address",
    "email_domain",
    "email_status",
    "founded_year",
    "funding_stage",
    "is_email_placeholder",
    "is_not_a_stage",
    "list_items",
    "not_canonical",
    "region_name",
    "region_of",
    "snake_case",
    "whole_number",
]
