"""The canonical columns every import produces and every later step reads (docs/file-formats.md)."""

from __future__ import annotations

import polars as pl

FUNDING_STAGES = (
    "bootstrapped",
    "pre_seed",
    "seed",
    "series_a",
    "series_b",
    "series_c",
    "series_d_plus",
    "public",
    "acquired",
)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
EMAIL_STATUSES = ("valid", "catch_all", "unknown", "invalid")
PERSONAS = (
    "economic_buyer",
    "champion",
    "technical_evaluator",
    "user",
    "gatekeeper",
    "procurement",
)

_LIST = pl.List(pl.String)

ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "name": pl.String(),
    "domain": pl.String(),
    "industry": pl.String(),
    "tags": _LIST,
    "employees": pl.Int64(),
    "revenue_usd": pl.Float64(),
    "country": pl.String(),
    "region": pl.String(),
    "funding_stage": pl.String(),
    "founded_year": pl.Int64(),
    "tech_stack": _LIST,
    "hiring_roles": _LIST,
    "growth_signals": _LIST,
    "pain_points": _LIST,
    "prior_solutions": _LIST,
    "signals_at": pl.Date(),
    "status": pl.String(),
    "is_customer": pl.Boolean(),
    # What the company says it does (YC's descriptions, Apollo's "Short Description", website copy):
    # the text account facts are read from (targeting.facts).
    "description": pl.String(),
    "source": pl.String(),
}

CONTACT_SCHEMA: dict[str, pl.DataType] = {
    "contact_id": pl.String(),
    "account_id": pl.String(),
    "first_name": pl.String(),
    "last_name": pl.String(),
    "email": pl.String(),
    "email_status": pl.String(),
    "title": pl.String(),
    "country": pl.String(),
    "source": pl.String(),
}

LIST_COLUMNS = tuple(name for name, dtype in ACCOUNT_SCHEMA.items() if dtype == _LIST)
NUMERIC_COLUMNS = ("employees", "revenue_usd", "founded_year")
