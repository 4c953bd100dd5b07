"""Campaign exports: exact headers per tool, one row per contact, bodies that survive CSV, no formulas."""

from __future__ import annotations

import csv
import io

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.exports import FORMATS, export_campaign, write_export_csv
from targeting.errors import InputError

BODY_1 = "Hi Ana,\n\nTeams like Acme lose a day a week to reviews.\n\nBest,\nSam"
BODY_2 = 'Ana, one more thought:\r\n"quoted", with commas, and a tab\there.'


def _drafts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contact_id": ["c1", "c1", "c2", "c2", "c2", "c2"],
            "account_id": ["acme.com", "acme.com", "beta.io", "beta.io", "beta.io", "beta.io"],
            "email": ["ana@acme.com", "ana@acme.com", "bo@beta.io", "bo@beta.io", "bo@beta.io", "bo@beta.io"],
            "first_name": ["Ana", "Ana", "Bo", "Bo", "Bo", "Bo"],
            "last_name": ["Ruiz", "Ruiz", "Li", "Li", "Li", "Li"],
            "company": ["Acme", "Acme", "Beta", "Beta", "Beta", "Beta"],
            "persona": ["champion", "champion", "economic_buyer", "economic_buyer", "economic_buyer", "economic_buyer"],
            "step": [1, 2, 1, 1, 2, 2],
            "variant": ["a", "a", "b", "a", "b", "a"],
            "subject": ["Reviews at Acme", "Re: reviews", "B first", "A first", "B again", "A again"],
            "body": [BODY_1, BODY_2, "b one", "a one", "b two", "a two"],
        }
    )


EXPECTED_HEADERS = {
    "generic": [
        "contact_id",
        "email",
        "first_name",
        "last_name",
        "account_id",
        "company",
        "persona",
        "variant",
        "step1_subject",
        "step1_body",
        "step2_subject",
        "step2_body",
        "email_flag",
    ],
    "instantly": [
        "email",
        "first_name",
        "last_name",
        "company_name",
        "step1_subject",
        "step1_body",
        "step2_subject",
        "step2_body",
        "email_flag",
    ],
    "smartlead": [
        "email",
        "first_name",
        "last_name",
        "company_name",
        "step1_subject",
        "step1_body",
        "step2_subject",
        "step2_body",
        "email_flag",
    ],
    "lemlist": [
        "email",
        "firstName",
        "lastName",
        "companyName",
        "timezone",
        "step1_subject",
        "step1_body",
        "step2_subject",
        "step2_body",
        "email_flag",
    ],
    "apollo": [
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Step 1 Subject",
        "Step 1 Body",
        "Step 2 Subject",
        "Step 2 Body",
        "email_flag",
    ],
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_is_exact_and_one_row_per_contact(fmt, tmp_path):
    path = write_export_csv(export_campaign(_drafts(), fmt), tmp_path / f"{fmt}.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == EXPECTED_HEADERS[fmt]
    assert len(rows) == 3
    email = rows[0].index("Email" if fmt == "apollo" else "email")
    assert [row[email] for row in rows[1:]] == ["ana@acme.com", "bo@beta.io"]


@pytest.mark.parametrize("fmt", ["generic", "apollo"])
def test_plain_text_bodies_keep_line_breaks_through_every_reader(fmt, tmp_path):
    path = write_export_csv(export_campaign(_drafts(), fmt), tmp_path / "out.csv")
    body_1, body_2 = EXPECTED_HEADERS[fmt][-4], EXPECTED_HEADERS[fmt][-2]
    expected = [BODY_1, BODY_2.replace("\r\n", "\n")]
    with path.open(newline="", encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert [first[body_1], first[body_2]] == expected
    assert pl.read_csv(path).row(0, named=True)[body_1] == BODY_1
    assert pl.read_csv(path)[body_2][0] == expected[1]
    assert pd.read_csv(path, dtype=str, keep_default_na=False).loc[0, body_1] == BODY_1


@pytest.mark.parametrize("fmt", ["instantly", "smartlead", "lemlist"])
def test_html_tools_get_escaped_bodies_with_br(fmt):
    drafts = _drafts().with_columns(pl.col("body").str.replace("Acme", "Acme <R&D>"))
    row = export_campaign(drafts, fmt).row(0, named=True)
    assert (
        row["step1_body"]
        == "Hi Ana,<br><br>Teams like Acme &lt;R&amp;D&gt; lose a day a week to reviews.<br><br>Best,<br>Sam"
    )
    assert "\n" not in row["step2_body"] and "\r" not in row["step2_body"]


def test_subjects_are_one_line():
    drafts = _drafts().with_columns(pl.col("subject").str.replace("Re: reviews", "Re:\nreviews"))
    assert export_campaign(drafts, "generic")["step2_subject"][0] == "Re: reviews"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_escaped_with_a_quote(fmt, start):
    drafts = _drafts().with_columns(
        pl.lit(f'{start}HYPERLINK("http://evil")').alias("first_name"),
        pl.lit(f"{start}1+2").alias("subject"),
    )
    out = export_campaign(drafts, fmt)
    first = "First Name" if fmt == "apollo" else {"lemlist": "firstName"}.get(fmt, "first_name")
    subject = "Step 1 Subject" if fmt == "apollo" else "step1_subject"
    assert out[first][0] == f'\'{start}HYPERLINK("http://evil")'
    # a subject is one trimmed line, so leading whitespace is dropped rather than quoted
    assert out[subject][0] == ("1+2" if start.isspace() else f"'{start}1+2")


def test_safe_cells_are_left_alone():
    out = export_campaign(_drafts(), "generic")
    assert out["first_name"].to_list() == ["Ana", "Bo"]
    assert not any(value.startswith("'") for value in out.row(0) if value)


def test_a_contact_with_two_variants_of_a_step_gets_the_first():
    out = export_campaign(_drafts(), "generic").row(1, named=True)
    assert (out["variant"], out["step1_subject"], out["step2_body"]) == ("a", "A first", "a two")


def test_variants_differ_by_step_and_no_step_is_lost():
    # step 1 is A/B tested, the follow-up has one variant: the contact in arm b keeps both steps
    drafts = (
        _drafts()
        .filter(pl.col("contact_id") == "c1")
        .with_columns(pl.when(pl.col("step") == 1).then(pl.lit("b")).otherwise(pl.lit("a")).alias("variant"))
    )
    out = export_campaign(drafts, "generic").row(0, named=True)
    assert (out["variant"], out["step1_subject"], out["step2_subject"]) == ("b", "Reviews at Acme", "Re: reviews")


def test_a_missing_step_is_an_empty_cell(tmp_path):
    drafts = _drafts().filter(~((pl.col("contact_id") == "c1") & (pl.col("step") == 2)))
    path = write_export_csv(export_campaign(drafts, "instantly"), tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert (first["step2_subject"], first["step2_body"]) == ("", "")


def test_optional_columns_may_be_absent():
    drafts = _drafts().select("contact_id", "email", "step", "subject", "body")
    out = export_campaign(drafts, "generic")
    assert out.columns == EXPECTED_HEADERS["generic"]
    assert out["first_name"].to_list() == [None, None]


def test_unknown_format_names_the_value():
    with pytest.raises(InputError, match="'mailchimp'"):
        export_campaign(_drafts(), "mailchimp")


def test_missing_column_names_it():
    with pytest.raises(InputError, match="'body'"):
        export_campaign(_drafts().drop("body"), "generic")


_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_text, _text), min_size=1, max_size=8))
def test_any_body_round_trips_through_csv(pairs):
    drafts = pl.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(len(pairs))],
            "email": [f"p{i}@x.io" for i in range(len(pairs))],
            "step": [1] * len(pairs),
            "subject": [subject for subject, _ in pairs],
            "body": [body for _, body in pairs],
        }
    )
    exported = export_campaign(drafts, "generic")
    buffer = io.BytesIO()
    exported.write_csv(buffer, quote_style="necessary", null_value="", line_terminator="\n")
    rows = list(csv.DictReader(io.StringIO(buffer.getvalue().decode("utf-8"), newline="")))
    assert [row["step1_body"] for row in rows] == [value or "" for value in exported["step1_body"].to_list()]
    for row, (_, body) in zip(rows, pairs):
        plain = body.replace("\r\n", "\n")
        assert row["step1_body"] in (plain, "'" + plain)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_drafts_exports_a_header_only(fmt, tmp_path):
    path = write_export_csv(export_campaign(_drafts().head(0), fmt), tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows == [[name for name in EXPECTED_HEADERS[fmt] if "tep" not in name]]


def test_a_multi_zone_country_gets_the_zone_most_of_its_people_work_in():
    # The tz database lists Brazil from Fernando de Noronha, Canada from Newfoundland, Australia from
    # Lord Howe Island and Ukraine from Simferopol: a lemlist lead in Sao Paulo, Toronto or Sydney was
    # scheduled on an island's clock.
    import polars as pl
    import pytz

    from messaging.exports import COUNTRY_ZONE, country_timezone

    countries = ["BR", "Canada", "AU", "RU", "UA", "US", "DE"]
    zones = pl.select(country_timezone(pl.Series(countries))).to_series().to_list()
    assert zones == [
        "America/Sao_Paulo",
        "America/Toronto",
        "Australia/Sydney",
        "Europe/Moscow",
        "Europe/Kyiv",
        "America/New_York",
        "Europe/Berlin",
    ]
    # Every country's zone is one the tz database lists for that country.
    assert all(zone in pytz.country_timezones[code] for code, zone in COUNTRY_ZONE.items())
