"""Campaign exports: one row per contact, laid out the way each sending tool imports leads.

Drafts are long (one row per contact and step); every sending tool wants one row per lead with the
sequence's copy in per-lead variables, so the steps become columns `step1_subject`, `step1_body`, ...
that the tool's sequence then references (`{{step1_body}}`).

Where each layout comes from (the tools' own lead-import documentation):

- `instantly`: Instantly's lead fields (API v2 `POST /api/v2/leads`, developer.instantly.ai) are
  `email`, `first_name`, `last_name`, `company_name` (+ personalization, website, phone, job_title);
  its CSV upload maps columns of those names and keeps every other column as a custom variable.
- `smartlead`: Smartlead's standard lead fields (api.smartlead.ai lead management guide) are
  `email`, `first_name`, `last_name`, `company_name` (+ phone_number, website, location, ...); other
  CSV columns become custom fields usable as `{{field_name}}`.
- `lemlist`: lemlist's lead object (developer.lemlist.com, objects/lead) names `email`, `firstName`,
  `lastName`, `companyName`, `timezone` (an IANA zone, so steps go out in the lead's working hours;
  here the main zone of the account's country, `country_timezone`) (+ icebreaker, phone,
  linkedinUrl, ...); extra CSV columns become custom variables.
- `apollo`: Apollo's "Import a CSV of Contacts" (knowledge.apollo.io) recommends First Name, Last
  Name, Contact Email, Company Name; extra columns map onto custom contact fields created first.
- `generic`: the project's own layout (docs/file-formats.md, "exports/*.csv").

Line breaks: Instantly, Smartlead and lemlist paste a variable into an HTML email, where a raw
newline collapses into a space, so their bodies are HTML-escaped with `<br>` for each line break.
Apollo stores the values in plain-text contact fields and `generic` is read by people and scripts,
so those keep `\\n` inside a quoted CSV cell. Every text cell that a spreadsheet would run as a
formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with a single quote,
as the OWASP CSV-injection guidance advises.

The gate: where the drafts carry `issues`, a contact with an error-level issue in any draft
(`messaging.checks.gate`) is left out of every layout. `email_flag` (catch_all, unknown; empty for a
verified address) is the last column: none of the tools has a lead field for it, so it is a
custom variable in each (and a plain column in `generic`), for a sending rule or a reviewer to read.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from messaging.checks.gate import passing_drafts
from targeting.errors import InputError

FORMATS = ("generic", "instantly", "smartlead", "lemlist", "apollo")

# Per tool: the contact columns (tool header <- draft column) and how step variables are named.
CONTACT_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "generic": [
        ("contact_id", "contact_id"),
        ("email", "email"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("account_id", "account_id"),
        ("company", "company"),
        ("persona", "persona"),
        ("variant", "variant"),
    ],
    "instantly": [
        ("email", "email"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("company_name", "company"),
    ],
    "smartlead": [
        ("email", "email"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("company_name", "company"),
    ],
    "lemlist": [
        ("email", "email"),
        ("firstName", "first_name"),
        ("lastName", "last_name"),
        ("companyName", "company"),
        ("timezone", "timezone"),
    ],
    "apollo": [
        ("First Name", "first_name"),
        ("Last Name", "last_name"),
        ("Email", "email"),
        ("Company Name", "company"),
    ],
}
STEP_HEADERS: dict[str, tuple[str, str]] = {
    "generic": ("step{n}_subject", "step{n}_body"),
    "instantly": ("step{n}_subject", "step{n}_body"),
    "smartlead": ("step{n}_subject", "step{n}_body"),
    "lemlist": ("step{n}_subject", "step{n}_body"),
    "apollo": ("Step {n} Subject", "Step {n} Body"),
}
HTML_BODIES = frozenset({"instantly", "smartlead", "lemlist"})
FORMULA_START = r"^[=+\-@\t\r]"

REQUIRED_COLUMNS = ("contact_id", "email", "step", "subject", "body")
OPTIONAL_COLUMNS = (
    "first_name",
    "last_name",
    "account_id",
    "company",
    "persona",
    "variant",
    "email_flag",
    "country",
)
# Contact fields no tool's lead layout has: carried as custom variables, under these headers.
CUSTOM_VARIABLES = (("email_flag", "email_flag"),)


def export_campaign(drafts: pl.DataFrame, fmt: str) -> pl.DataFrame:
    """Lay drafts out as one row per contact in a sending tool's import format.

    Args:
        drafts: long drafts (contact_id, email, step, subject, body; first_name, last_name,
            account_id, company, persona, variant and email_flag when known; with `issues`, gated
            contacts are left out). Variants are per step (step 1
            may be A/B tested while the follow-ups have one); where a contact has several drafts
            for one step, the first variant (sorted) is exported. `variant` is step 1's.
        fmt: one of `FORMATS`.

    Returns:
        One row per contact in first-seen order, every column a string: the tool's contact
        columns, a subject and a body column per step (empty where a contact lacks a step), then
        `email_flag`.

    Raises:
        InputError: `fmt` is unknown or a required column is missing.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format (expected one of {', '.join(FORMATS)})", field="format", value=fmt)
    missing = [name for name in REQUIRED_COLUMNS if name not in drafts.columns]
    if missing:
        raise InputError("drafts to export lack a required column", field=missing[0])
    drafts = passing_drafts(drafts)
    steps = sorted(int(step) for step in drafts["step"].drop_nulls().unique())
    subject_header, body_header = STEP_HEADERS[fmt]
    body = pl.col("body").fill_null("").str.replace_all("\r\n", "\n", literal=True)
    if fmt in HTML_BODIES:
        body = _html_lines(body)
    per_contact = (
        _one_variant(_with_optional(drafts).lazy())
        .with_columns(
            pl.col("subject").fill_null("").str.replace_all(r"\s*[\r\n]+\s*", " ").str.strip_chars().alias("subject"),
            body.alias("body"),
        )
        .group_by("contact_id", maintain_order=True)
        .agg(
            *[pl.col(name).drop_nulls().first() for name in ("email", *OPTIONAL_COLUMNS) if name != "variant"],
            pl.col("variant").sort_by("step").drop_nulls().first(),
            *[
                expr
                for n in steps
                for expr in (
                    pl.col("subject").filter(pl.col("step") == n).first().alias(subject_header.format(n=n)),
                    pl.col("body").filter(pl.col("step") == n).first().alias(body_header.format(n=n)),
                )
            ],
        )
    )
    step_columns = [header.format(n=n) for n in steps for header in (subject_header, body_header)]
    per_contact = per_contact.with_columns(country_timezone(pl.col("country")).alias("timezone"))
    laid_out = per_contact.select(
        *[pl.col(source).cast(pl.String).alias(header) for header, source in CONTACT_COLUMNS[fmt]],
        *[pl.col(name).cast(pl.String) for name in step_columns],
        *[pl.col(source).cast(pl.String).alias(header) for header, source in CUSTOM_VARIABLES],
    )
    return laid_out.with_columns(_escape_formula(pl.all())).collect()


MAIN_ZONE = {
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "FM": "Pacific/Pohnpei",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
}
"""Countries whose first tz database zone keeps another clock than the one most of their people live on.

The tz database lists a country's zones from its easternmost or first-settled region, not its
largest: Brazil from Fernando de Noronha (UTC-2), Canada from Newfoundland (UTC-3:30), Australia
from Lord Howe Island, Ukraine from Simferopol (Moscow time). Found by summing the population of
GeoNames' cities over 15,000 people per zone for every multi-zone country: these six are the only
ones whose most populous zone keeps another UTC offset (January or July) than the first listed.
"""


def _country_zones() -> dict[str, str]:
    """ISO 3166 alpha-2 -> the country's main IANA time zone: the tz database's first, or MAIN_ZONE's."""
    import pytz

    return {code: MAIN_ZONE.get(code, zones[0]) for code, zones in pytz.country_timezones.items() if zones}


COUNTRY_ZONE = _country_zones()


def country_timezone(country: pl.Expr) -> pl.Expr:
    """A lead's time zone from its country (a code or a name), for the tools that take one; null where unknown.

    One zone per country: the one most of its people live on (America/New_York for the US,
    America/Sao_Paulo for Brazil; `MAIN_ZONE`), so a multi-zone country gets its main business zone,
    not each lead's own.
    """
    from targeting.importing.normalize.places import COUNTRY_KEYS
    from targeting.importing.normalize.text import lookup_key

    code = lookup_key(country.cast(pl.String)).replace_strict(COUNTRY_KEYS, default=None, return_dtype=pl.String)
    return code.replace_strict(COUNTRY_ZONE, default=None, return_dtype=pl.String)


def write_export_csv(frame: pl.DataFrame, path: str | Path) -> Path:
    """Write an export as UTF-8 CSV that keeps multi-line cells: quoted where needed, nulls empty.

    Args:
        frame: a frame from `export_campaign`.
        path: the CSV file to write (its folder must exist).

    Returns:
        The path written.
    """
    path = Path(path)
    frame.write_csv(path, quote_style="necessary", null_value="", line_terminator="\n")
    return path


def _with_optional(drafts: pl.DataFrame) -> pl.DataFrame:
    """Add the optional draft columns a caller did not have, as nulls, so every layout can select them."""
    absent = [pl.lit(None, pl.String).alias(name) for name in OPTIONAL_COLUMNS if name not in drafts.columns]
    return drafts.with_columns(absent) if absent else drafts


def _one_variant(drafts: pl.LazyFrame) -> pl.LazyFrame:
    """Keep one draft per contact and step: a lead row carries one sequence, not an A/B pair."""
    label = pl.col("variant").cast(pl.String).fill_null("")
    return drafts.filter(label == label.min().over("contact_id", "step"))


def _html_lines(body: pl.Expr) -> pl.Expr:
    """Plain text to HTML: escape markup characters, then one `<br>` per line break."""
    escaped = (
        body.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )
    return escaped.str.replace_all("\n", "<br>", literal=True)


def _escape_formula(columns: pl.Expr) -> pl.Expr:
    """Prefix a single quote to a cell a spreadsheet would evaluate as a formula (OWASP)."""
    return pl.when(columns.str.contains(FORMULA_START)).then(pl.lit("'") + columns).otherwise(columns).name.keep()
