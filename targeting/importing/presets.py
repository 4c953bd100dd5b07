"""Column maps: which source column becomes which canonical column, per export tool.

A `ColumnMap` names source columns (matched ignoring case and surrounding spaces) and what each
becomes. One source may feed several canonical columns (YC's `tags` gives `industry`, its first
tag, and `tags`); several sources may feed one (the first non-empty wins, in map order; the texts
that feed `description` are all kept, joined by a newline). A map
loaded with `--map FILE` overrides the preset column by column; `null` drops a preset column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from targeting.columns import ACCOUNT_SCHEMA, CONTACT_SCHEMA
from targeting.errors import InputError
from targeting.spec_file import load_spec

# `contact_country` is a person's own country in files that also carry the company's country.
CANONICAL_TARGETS = (
    *ACCOUNT_SCHEMA,
    *(c for c in CONTACT_SCHEMA if c not in ACCOUNT_SCHEMA),
    "contact_country",
)
# A file that maps any of these holds one row per person (an Apollo or Clay people export).
PERSON_TARGETS = ("email", "first_name", "last_name", "contact_id", "title")


class ColumnRule(BaseModel):
    """What one source column becomes.

    In YAML a rule is a canonical name (`name`), a list of them (`[industry, tags]`), or a mapping
    with options (`{to: tech_stack, separator: ","}`).
    """

    model_config = ConfigDict(extra="forbid")

    to: list[str] = Field(min_length=1)
    separator: str = Field(default=";", min_length=1, description="splits plain-text list cells")

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"to": [data]}
        if isinstance(data, list):
            return {"to": data}
        if isinstance(data, dict) and isinstance(data.get("to"), str):
            return {**data, "to": [data["to"]]}
        return data

    @field_validator("to")
    @classmethod
    def _known_targets(cls, targets: list[str]) -> list[str]:
        for target in targets:
            if target not in CANONICAL_TARGETS:
                raise ValueError(f"{target!r} is not a canonical column (one of {', '.join(CANONICAL_TARGETS)})")
        return targets


class IdFallback(BaseModel):
    """An id column used when a row has no domain: the account id becomes `prefix + value`."""

    model_config = ConfigDict(extra="forbid")

    column: str
    prefix: str = ""


class ColumnMap(BaseModel):
    """Source column -> canonical column(s), the id fallback, and whether to guess the rest."""

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, ColumnRule | None] = Field(default_factory=dict)
    id_fallback: IdFallback | None = None
    guess_unmapped: bool = Field(default=False, description="place unmapped columns by guessing (Clay)")
    trusted: bool = Field(default=False, description="values are canonical already (the canonical preset)")

    def merged(self, override: ColumnMap) -> ColumnMap:
        """This map with `override`'s columns replacing or extending its own, column by column."""
        columns = {key: rule for key, rule in self.columns.items() if header_key(key) not in _keys(override)}
        columns.update(override.columns)
        return ColumnMap(
            columns=columns,
            id_fallback=override.id_fallback or self.id_fallback,
            guess_unmapped=self.guess_unmapped or override.guess_unmapped,
            # A map over a canonical file says its values are not canonical after all.
            trusted=override.trusted,
        )

    def rules(self) -> dict[str, ColumnRule]:
        """The active rules keyed by `header_key` of the source column (dropped columns left out)."""
        return {header_key(source): rule for source, rule in self.columns.items() if rule is not None}


def header_key(header: str) -> str:
    """How headers are compared: case-insensitive, surrounding and repeated spaces ignored."""
    return " ".join(header.split()).lower()


def _keys(column_map: ColumnMap) -> set[str]:
    return {header_key(key) for key in column_map.columns}


def _map(columns: dict[str, Any], **options: Any) -> ColumnMap:
    return ColumnMap.model_validate({"columns": columns, **options})


_COMMA_LIST = {"separator": ","}

PRESETS: dict[str, ColumnMap] = {
    "canonical": _map({name: name for name in CANONICAL_TARGETS}, trusted=True),
    # The YC company directory CSV exactly as scraped (docs/presets.md; its source: tests/data/SOURCES.md).
    "yc": _map(
        {
            "company_name": "name",
            "website": "domain",
            "tags": ["industry", "tags"],
            "team_size": "employees",
            "country": "country",
            "year_founded": "founded_year",
            # "Public" and "Acquired" are funding stages too; "Active"/"Inactive" name none.
            "status": ["status", "funding_stage"],
            "short_description": "description",
            "long_description": "description",
        },
        id_fallback={"column": "company_id", "prefix": "yc-"},
    ),
    # Apollo's People export and its Companies (Accounts) export share these names.
    "apollo": _map(
        {
            "Company": "name",
            "Company Name for Emails": "name",
            "Website": "domain",
            "# Employees": "employees",
            "Industry": "industry",
            "Keywords": {"to": "tags", **_COMMA_LIST},
            "Technologies": {"to": "tech_stack", **_COMMA_LIST},
            "Company Country": "country",
            "Annual Revenue": "revenue_usd",
            "Latest Funding": "funding_stage",
            "Latest Funding Date": "signals_at",
            "Last Raised At": "signals_at",
            "Founded Year": "founded_year",
            "Account Stage": "status",
            "Short Description": "description",
            "Apollo Contact Id": "contact_id",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Title": "title",
            "Email": "email",
            "Email Status": "email_status",
            "Country": "contact_country",
        },
        id_fallback={"column": "Apollo Account Id", "prefix": "apollo-"},
    ),
    "hubspot": _map(
        {
            "Company name": "name",
            "Company Domain Name": "domain",
            "Website URL": "domain",
            "Industry": "industry",
            "Number of Employees": "employees",
            "Annual Revenue": "revenue_usd",
            "Country/Region": "country",
            "Year Founded": "founded_year",
            "Web Technologies": "tech_stack",
            "Lifecycle Stage": ["status", "is_customer"],
            "Description": "description",
            "About Us": "description",
            # A HubSpot contacts export carries the person's columns beside its company's.
            "First Name": "first_name",
            "Last Name": "last_name",
            "Email": "email",
            "Job Title": "title",
        },
        id_fallback={"column": "Record ID", "prefix": "hubspot-"},
    ),
    # Clay tables are named by their users: the common names, and guessing for the rest.
    "clay": _map(
        {
            "Company Name": "name",
            "Company Domain": "domain",
            "Domain": "domain",
            "Website": "domain",
            "Industry": "industry",
            "Employee Count": "employees",
            "Company Size": "employees",
            "Country": "country",
            "Technologies": {"to": "tech_stack", **_COMMA_LIST},
            "Annual Revenue": "revenue_usd",
            "Funding Stage": "funding_stage",
            "Founded": "founded_year",
            "Company Description": "description",
            "Description": "description",
            "Website Copy": "description",
            "Website Content": "description",
            "First Name": "first_name",
            "Last Name": "last_name",
            "Job Title": "title",
            "Title": "title",
            "Work Email": "email",
            "Email": "email",
        },
        guess_unmapped=True,
    ),
}


def resolve_column_map(preset: str = "canonical", column_map: ColumnMap | str | Path | None = None) -> ColumnMap:
    """The preset's map, overridden by a map given as a model or a YAML file path.

    Raises:
        InputError: the preset is unknown, or the map file cannot be used.
    """
    if preset not in PRESETS:
        raise InputError(f"unknown preset; choose one of {', '.join(PRESETS)}", field="preset", value=preset)
    base = PRESETS[preset]
    if column_map is None:
        return base
    override = column_map if isinstance(column_map, ColumnMap) else load_column_map(column_map)
    return base.merged(override)


def load_column_map(path: str | Path) -> ColumnMap:
    """Load a YAML column map (`--map FILE`), naming file, line, field and value on any error.

    Raises:
        InputError: missing file, bad YAML, unknown keys or canonical names.
    """
    return load_spec(ColumnMap, path, what="a column map", fields="key")
