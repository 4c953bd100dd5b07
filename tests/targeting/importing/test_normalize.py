from datetime import date

import polars as pl
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting import identity
from targeting.columns import FUNDING_STAGES, REGIONS
from targeting.importing import normalize as nz
from targeting.importing.normalize import numbers, text, web


def run(normalizer, values, **options):
    """The normalizer applied to a String column of `values`, as a Python list."""
    frame = pl.DataFrame({"x": values}, schema={"x": pl.String})
    return frame.select(normalizer(pl.col("x"), **options)).to_series().to_list()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("51-200", 51),
        ("10001+", 10001),
        ("1,001-5,000", 1001),
        ("2.0", 2),
        ("300.0", 300),
        (" 12 ", 12),
        ("11 - 50 employees", 11),
        ("1K", 1000),
        ("lots", None),
        ("1.5", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number_reads_counts_and_ranges_at_their_low_end(raw, expected):
    assert run(nz.whole_number, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1.2M", 1_200_000.0),
        ("12000000", 12_000_000.0),
        ("12,000,000.0", 12_000_000.0),
        ("$500K", 500_000.0),
        ("1.2 million", 1_200_000.0),
        ("$1.2B", 1_200_000_000.0),
        ("$10M-$50M", 10_000_000.0),
        ("USD 3M", 3_000_000.0),
        ("€5M", None),
        ("a lot", None),
    ],
)
def test_amount_reads_revenue_strings(raw, expected):
    assert run(nz.amount, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"), [("2023.0", 2023), ("1998", 1998), ("23", None), ("2023.5", None), ("soon", None)]
)
def test_founded_year_reads_decimals_and_refuses_non_years(raw, expected):
    assert run(nz.founded_year, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "separator", "expected"),
    [
        (
            "['artificial-intelligence', 'machine-learning']",
            ";",
            ["artificial_intelligence", "machine_learning"],
        ),
        ('["Salesforce", "HubSpot"]', ";", ["salesforce", "hubspot"]),
        ("[\"O'Neil\", 'x']", ";", ["o_neil", "x"]),
        ("[a, b]", ";", ["a", "b"]),
        ("[]", ";", []),
        ("Salesforce, HubSpot, Google Analytics", ",", ["salesforce", "hubspot", "google_analytics"]),
        ("Salesforce, HubSpot", ";", ["salesforce_hubspot"]),
        ("saas; b2b ;SaaS", ";", ["saas", "b2b"]),
        ("a;;b;", ";", ["a", "b"]),
        (None, ";", None),
    ],
)
def test_list_items_reads_literals_and_separated_text(raw, separator, expected):
    assert run(nz.list_items, [raw], separator=separator) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Information Technology & Services", "information_technology_and_services"),
        ("COMPUTER_SOFTWARE", "computer_software"),
        ("  Hospital & Health Care ", "hospital_and_health_care"),
        ("Électronique", "électronique"),
        ("---", None),
    ],
)
def test_snake_case(raw, expected):
    assert run(nz.snake_case, [raw]) == [expected]


def test_industry_takes_the_first_tag_or_the_plain_value():
    def industry(raw):
        return nz.canonical_value("industry", raw, pl.String).value

    assert run(industry, ["['fintech', 'ai']", "Computer Software", "[]"]) == [
        "fintech",
        "computer_software",
        None,
    ]


@pytest.mark.parametrize(
    ("raw", "code", "region"),
    [
        ("United States", "US", "NA"),
        ("USA", "US", "NA"),
        ("U.S.", "US", "NA"),
        ("united states of america", "US", "NA"),
        ("us", "US", "NA"),
        ("Deutschland", "DE", "EMEA"),
        ("DEU", "DE", "EMEA"),
        ("United Kingdom", "GB", "EMEA"),
        ("UK", "GB", "EMEA"),
        ("Korea, Republic of", "KR", "APAC"),
        ("South Korea", "KR", "APAC"),
        ("India", "IN", "APAC"),
        ("Brazil", "BR", "LATAM"),
        ("México", "MX", "LATAM"),
        ("Canada", "CA", "NA"),
        ("United Arab Emirates", "AE", "EMEA"),
        ("Narnia", None, None),
    ],
)
def test_country_code_and_region(raw, code, region):
    assert run(nz.country_code, [raw]) == [code]
    assert run(nz.region_of, [code]) == [region]


def test_every_iso_country_has_a_region():
    codes = [country.alpha_2 for country in pycountry.countries]
    assert set(run(nz.region_of, codes)) <= set(REGIONS)
    assert None not in run(nz.region_of, codes)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("North America", "NA"),
        ("emea", "EMEA"),
        ("Asia Pacific", "APAC"),
        ("Latin America", "LATAM"),
        ("Mars", None),
    ],
)
def test_region_name(raw, expected):
    assert run(nz.region_name, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Series B", "series_b"),
        ("Seed", "seed"),
        ("Pre-Seed", "pre_seed"),
        ("Series E", "series_d_plus"),
        ("IPO", "public"),
        ("Post-IPO Equity", "public"),
        ("Acquired", "acquired"),
        ("Angel", "pre_seed"),
        ("Bootstrapped", "bootstrapped"),
        ("series_d_plus", "series_d_plus"),
        ("Venture (Round not Specified)", None),
        ("lots", None),
    ],
)
def test_funding_stage(raw, expected):
    assert run(nz.funding_stage, [raw]) == [expected]
    assert expected is None or expected in FUNDING_STAGES


def test_not_a_stage_tells_real_rounds_from_unreadable_words():
    assert run(nz.is_not_a_stage, ["Venture (Round not Specified)", "Debt Financing", "Other", "lots"]) == [
        True,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Verified", "valid"),
        ("Catch-all", "catch_all"),
        ("Guessed", "unknown"),
        ("Extrapolated", "unknown"),
        ("Unavailable", "unknown"),
        ("Bounced", "invalid"),
        ("something new", "unknown"),
    ],
)
def test_email_status(raw, expected):
    assert run(nz.email_status, [raw]) == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.io/en?x=1", "acme.io"),
        ("http://www.forgerewards.com/", "forgerewards.com"),
        ("acme.co.uk:8080/path", "acme.co.uk"),
        ("https://www.kiosk.so/?utm_source=ycombinator", "kiosk.so"),
        ("https://www.lifted.work, http://www.nudgelabs.com", "lifted.work"),
        ("bob@Acme.com", "acme.com"),
        ("www2.example.org", "example.org"),
        ("https://github.com/BerriAI/litellm", None),
        ("https://www.linkedin.com/company/kscale/", None),
        ("https://sites.google.com/view/acme", None),
        ("https://play.google.com/store/apps/details?id=x", None),
        ("https://acme.notion.site/jobs", None),
        ("https://medium.com/@acme", None),
        ("http://facebook.com/live/producer", None),
        ("https://", None),
        ("https://htp://www.socrative.com", None),
        ("localhost", None),
    ],
)
def test_domain_from_urls_refuses_shared_hosts(raw, expected):
    assert run(nz.domain, [raw]) == [expected]


def test_email_domain_skips_free_mail():
    assert run(nz.email_domain, ["ana@quartopay.com.br", "tom.baker@gmail.com", None]) == [
        "quartopay.com.br",
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Maya@Northwind.io", "maya@northwind.io"),
        ("mailto:a@b.co", "a@b.co"),
        ("not an email", None),
        ("a@b", None),
        ("email_not_unlocked@domain.com", None),
    ],
)
def test_email_address(raw, expected):
    assert run(nz.email_address, [raw]) == [expected]


@pytest.mark.parametrize(
    "raw",
    [
        "2024-03-01",
        "2024-03-01T10:00:00Z",
        "2024-03-01 10:00:00",
        "03/01/2024",
        "Mar 1, 2024",
        "1 March 2024",
    ],
)
def test_date_reads_common_shapes(raw):
    assert run(nz.date, [raw]) == [date(2024, 3, 1)]


def test_date_refuses_text():
    assert run(nz.date, ["next week"]) == [None]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("true", True), ("Yes", True), ("Customer", True), ("Lead", False), ("0", False), ("maybe", None)],
)
def test_boolean(raw, expected):
    assert run(nz.boolean, [raw]) == [expected]


def test_blank_to_null():
    assert run(nz.blank_to_null, ["  ", "", " a ", None]) == [None, None, "a", None]


@pytest.mark.parametrize(
    ("target", "raw", "value", "unreadable"),
    [
        ("employees", "51-200", 51, False),
        ("employees", "lots", None, True),
        ("employees", "  ", None, False),
        ("country", "Narnia", None, True),
        ("funding_stage", "Other", None, False),
        ("funding_stage", "Series Z9", None, True),
        ("signals_at", "2024-03-01", date(2024, 3, 1), False),
        ("email", "email_not_unlocked@domain.com", None, False),
        ("email", "maya at northwind", None, True),
    ],
)
def test_canonical_value_flags_only_unreadable_non_empty_cells(target, raw, value, unreadable):
    parsed = nz.canonical_value(target, pl.col("x"), pl.String())
    frame = pl.DataFrame({"x": [raw]}).select(value=parsed.value, unreadable=parsed.unreadable)
    assert frame.row(0) == (value, unreadable)


def test_trusted_canonical_value_normalizes_only_what_is_not_canonical():
    parsed = nz.canonical_value("funding_stage", pl.col("x"), pl.String(), trusted=True)
    frame = pl.DataFrame({"x": ["series_a", "Series B", None]}).select(value=parsed.value, unreadable=parsed.unreadable)
    assert frame.rows() == [("series_a", False), ("series_b", False), (None, False)]
    country = nz.canonical_value("country", pl.col("x"), pl.String(), trusted=True)
    frame = pl.DataFrame({"x": ["US", "us", "Narnia"]}).select(value=country.value, unreadable=country.unreadable)
    assert frame.rows() == [("US", False), ("US", False), (None, True)]


def test_trusted_list_text_reads_an_empty_cell_as_an_empty_list():
    parsed = nz.canonical_value("tech_stack", pl.col("x"), pl.String(), trusted=True)
    assert pl.DataFrame({"x": ["aws;gcp", None]}).select(parsed.value).to_series().to_list() == [
        ["aws", "gcp"],
        [],
    ]


# --- decimal marks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "mark"),
    [
        (["45,0", "12,5", "2.000"], ","),  # a decimal comma, and "2.000" is then two thousand
        (["1.200.000", "7"], ","),
        (["1.234,56"], ","),
        (["2023.0", "3.0"], "."),
        (["1,234,567"], "."),
        (["$1.2M", "51-200"], "."),
        (["1.200", "2,000", "40"], None),  # only ambiguous cells
        (["45,0", "2023.0"], None),  # cells disagree
        ([None, "120"], None),
    ],
)
def test_decimal_mark_is_read_from_the_cells(cells, mark):
    assert nz.decimal_mark(pl.Series(cells, dtype=pl.String)) == mark


@pytest.mark.parametrize(
    ("raw", "point", "comma", "unknown"),
    [
        ("45,0", None, 45.0, None),  # never 450
        ("12,5", None, 12.5, None),
        ("2.000", 2.0, 2000.0, None),  # never silently 2 when the file does not say
        ("1.200", 1.2, 1200.0, None),
        ("1,200", 1200.0, 1.2, 1200.0),
        ("1.200.000", None, 1_200_000.0, None),
        ("1,234.5", 1234.5, None, 1234.5),
        ("51-200", 51.0, 51.0, 51.0),
        ("10001+", 10001.0, 10001.0, 10001.0),
    ],
)
def test_amount_follows_the_files_decimal_mark(raw, point, comma, unknown):
    assert [run(nz.amount, [raw], decimal=mark)[0] for mark in (".", ",", None)] == [point, comma, unknown]


def test_a_comma_list_cell_splits_in_a_list_column_but_not_in_industry():
    assert run(nz.list_items, ["HubSpot, Stripe"], commas_too=True) == [["hubspot", "stripe"]]
    assert run(nz.list_items, ["HubSpot; Stripe, Inc"], commas_too=True) == [["hubspot", "stripe_inc"]]
    assert run(nz.list_items, ["Technology, Information and Internet"]) == [["technology_information_and_internet"]]


# Cells shaped like an export's numbers and websites: plain ones (the fast paths) beside every shape
# the full parse reads or refuses, so both paths are drawn in one column.
_DIGITS = st.text("0123456789", min_size=1, max_size=9)
_GROUP = st.text("0123456789", min_size=3, max_size=3)  # "1,200", "1.200": a thousands group or a decimal
_NUMBER_CELLS = st.one_of(
    _DIGITS,
    st.builds(lambda a, mark, b: f"{a}{mark}{b}", _DIGITS, st.sampled_from(".,"), _DIGITS | _GROUP),
    st.builds(lambda a, b, c: f"{a}.{b},{c}", _DIGITS, _GROUP, _DIGITS),
    st.builds(
        lambda a, b, c: f"{a}{b}{c}",
        st.sampled_from(["", "$", " ", "usd", "+"]),
        _DIGITS,
        st.sampled_from(["", "k", "M", "+", " ", "-200", ".0"]),
    ),
    st.text("0123456789.,$ kmKM+-٣", max_size=10),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_NUMBER_CELLS, min_size=1, max_size=40), st.sampled_from([".", ",", None]))
def test_amount_reads_plain_numbers_as_the_full_parse_does(cells, mark):
    # The full parse on every cell (no plain cell cast) is how amount read every cell before.
    full = numbers._parsed_amount(pl.col("x"), pl.lit(False), mark)
    if mark is None:
        full = pl.when(numbers.is_ambiguous_number(pl.col("x"))).then(None).otherwise(full)
    assert run(nz.amount, cells, decimal=mark) == run(lambda x: full, cells)


_LABEL = st.text("abcxyz019-", min_size=1, max_size=6)
_PLAIN_LABEL = st.from_regex(r"\A[a-z0-9](?:[a-z0-9-]{0,4}[a-z0-9])?\Z")
_WEBSITE_CELLS = st.one_of(
    st.builds(  # plain URLs: the fast path
        lambda scheme, www, labels, tld, tail: f"{scheme}{www}{'.'.join(labels)}.{tld}{tail}",
        st.sampled_from(["", "http://", "https://"]),
        st.sampled_from(["", "www.", "www2.", "www.www."]),
        st.lists(_PLAIN_LABEL, min_size=1, max_size=3),
        st.sampled_from(["com", "io", "co.uk", "example", "github.io", "zz", "xn--p1ai"]),
        st.sampled_from(["", "/"]),
    ),
    st.builds(
        lambda scheme, www, labels, tld, tail: f"{scheme}{www}{'.'.join(labels)}.{tld}{tail}",
        st.sampled_from(["", "http://", "https://", "HTTP://", "ftp://", " https://", "mailto:"]),
        st.sampled_from(["", "www.", "www2.", "WWW.", "www.www."]),
        st.lists(_LABEL, min_size=1, max_size=3),
        st.sampled_from(["com", "io", "co.uk", "example", "github.io", "zz", "xn--p1ai", "бг"]),
        st.sampled_from(["", "/", "/en?x=1", ":443", ".", ", other.com", " ", "#top"]),
    ),
    st.text("abc.:/@ -wW", max_size=12),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_WEBSITE_CELLS, min_size=1, max_size=40))
def test_domain_of_plain_urls_is_the_full_reduction(cells):
    # Every pass on every cell (the first host cut, then `_reduced_host`): how domain read them before.
    def every_pass(raw: pl.Series) -> pl.Series:
        first = raw.str.strip_chars().str.replace(r"[\s,;|].*$", "")
        keys = identity._checked_hosts(identity._reduced_host(first))
        return pl.select(pl.when(~keys.str.contains(web.SHARED_HOSTS)).then(keys)).to_series()

    def full(x: pl.Expr) -> pl.Expr:
        return x.map_batches(every_pass, return_dtype=pl.String, is_elementwise=True)

    assert run(nz.domain, cells) == run(full, cells)


_ITEM = st.one_of(st.from_regex(r"\A[a-z0-9]{1,4}(?:_[a-z0-9]{1,3})?\Z"), st.text("aB_ -&é,;[]'\"", max_size=5))
_LIST_CELLS = st.one_of(
    st.builds(
        lambda items, separator, spaced: (separator + (" " if spaced else "")).join(items),
        st.lists(_ITEM, min_size=1, max_size=4),
        st.sampled_from([",", ";", ", "]),
        st.booleans(),
    ),
    st.builds(lambda items: "[" + ", ".join(f"'{i}'" for i in items) + "]", st.lists(_ITEM, max_size=3)),
    st.none(),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_LIST_CELLS, min_size=1, max_size=30), st.sampled_from([",", ";"]), st.booleans())
def test_list_items_of_snake_case_cells_are_what_every_step_makes_of_them(cells, separator, commas_too):
    def every_step(x: pl.Expr) -> pl.Expr:
        return text._list_items(x.str.strip_chars(), separator, commas_too)

    assert run(nz.list_items, cells, separator=separator, commas_too=commas_too) == run(every_step, cells)
