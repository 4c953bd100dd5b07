import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from targeting import memory
from targeting.columns import ACCOUNT_SCHEMA, CONTACT_SCHEMA, EMAIL_STATUSES
from targeting.errors import InputError
from targeting.importing.canonical import REJECTED_SCHEMA, import_accounts, import_contacts, read_table
from targeting.importing.presets import ColumnMap, ColumnRule

DATA = Path(__file__).resolve().parents[2] / "data"
REPO = Path(__file__).resolve().parents[3]
# The YC directory: a 49-row slice kept in tests/data, and the whole file where a checkout sits
# beside the shared data folder (tests/data/SOURCES.md says where both come from).
YC_FILES = {
    "slice": DATA / "yc_companies_slice.csv",
    "full": REPO.parent / "shared" / "data" / "yc-companies-2024-05-11.csv",
}


def accounted(result) -> int:
    return result.rejected.height + result.duplicates + result.folded + result.accounts.collect().height


# --- the real YC directory --------------------------------------------------------------------


@pytest.fixture(scope="module", params=sorted(name for name, path in YC_FILES.items() if path.is_file()))
def yc_file(request) -> Path:
    # The committed slice always; the full file where the shared data sits beside this checkout.
    return YC_FILES[request.param]


@pytest.fixture(scope="module")
def yc(yc_file):
    return import_accounts(yc_file, preset="yc")


def test_yc_imports_without_edits_and_rejects_under_one_percent(yc, yc_file):
    source_rows = pl.read_csv(yc_file, infer_schema=False).height
    accounts = yc.accounts.collect()
    assert yc.rows_read == source_rows
    assert yc.rejected.height < 0.01 * yc.rows_read
    assert yc.rejected["reason"].is_not_null().all()
    assert yc.rows_read == yc.rejected.height + yc.duplicates + accounts.height
    assert accounts["account_id"].is_unique().all()
    assert dict(accounts.schema) == ACCOUNT_SCHEMA


def test_yc_values_are_canonical(yc, yc_file):
    raw = pl.read_csv(yc_file, infer_schema=False)
    accounts = yc.accounts.collect()
    kscale = accounts.filter(pl.col("account_id") == "kscale.dev").row(0, named=True)
    assert kscale["employees"] == 3 and kscale["founded_year"] == 2024 and kscale["country"] == "US"
    assert kscale["region"] == "NA" and kscale["industry"] == "artificial_intelligence"
    assert kscale["tags"] == ["artificial_intelligence", "machine_learning", "robotics", "consumer"]
    # Rows whose website is empty or a shared host fall back to the YC company id.
    no_domain = accounts.filter(pl.col("domain").is_null())
    assert no_domain.height > 0 and no_domain["account_id"].str.starts_with("yc-").all()
    # Every non-empty country in the file is already ISO alpha-2 and survives as it is.
    given = raw.filter(pl.col("country").str.len_chars() == 2)["country"].unique().sort()
    assert given.to_list() == accounts["country"].drop_nulls().unique().sort().to_list()
    assert set(accounts["funding_stage"].drop_nulls()) <= {"public", "acquired"}


def test_quoted_empty_cells_are_empty_in_canonical_files(tmp_path):
    path = tmp_path / "quoted.csv"
    path.write_text('account_id,domain,country,tech_stack\n"","",""," "\n"x","x.io","US","aws"\n')
    result = import_accounts(path)
    assert result.rejected.select("source_row", "column").rows() == [(1, "domain")]
    assert result.accounts.collect().select("account_id", "country", "tech_stack").rows() == [("x", "US", ["aws"])]


def test_multi_line_quoted_fields_stay_one_row(tmp_path):
    path = tmp_path / "multi.csv"
    path.write_text('name,website,notes\n"Acme","acme.io","line one\nline two"\n"Beta","beta.io",""\n')
    result = import_accounts(path, column_map=ColumnMap(columns={"website": ColumnRule(to=["domain"])}))
    assert result.rows_read == 2 and result.accounts.collect()["account_id"].to_list() == [
        "acme.io",
        "beta.io",
    ]


# --- Apollo and HubSpot exports ---------------------------------------------------------------


def test_apollo_people_export_folds_into_accounts_by_domain():
    result = import_accounts(DATA / "apollo_people.csv", preset="apollo")
    people = pl.read_csv(DATA / "apollo_people.csv", infer_schema=False)
    accounts = result.accounts.collect()
    assert result.people_shaped and result.duplicates == 0
    assert result.rows_read == people.height == accounted(result)
    assert result.folded == people.height - result.rejected.height - accounts.height > 0
    northwind = accounts.filter(pl.col("account_id") == "northwind.io").row(0, named=True)
    # Company columns come from the company (not the person's country); lists are unioned in order.
    assert northwind["country"] == "US" and northwind["employees"] == 120 and northwind["funding_stage"] == "series_b"
    assert northwind["tech_stack"] == ["salesforce", "hubspot", "google_analytics", "gong", "slack"]
    assert northwind["signals_at"] == date(2024, 2, 15)
    # The row without a website takes the email's domain; free mail gives no account.
    assert "tandemhealth.co" in accounts["account_id"].to_list()
    assert result.rejected.row(0, named=True) == {
        "source_row": 6,
        "column": "# Employees",
        "value": "lots",
        "reason": result.rejected["reason"][0],
    }
    assert "employees" in result.rejected["reason"][0]


def test_apollo_people_export_yields_contacts_keeping_their_account():
    result = import_contacts(DATA / "apollo_people.csv", preset="apollo")
    contacts = result.contacts.collect()
    accounts = import_accounts(DATA / "apollo_people.csv", preset="apollo").accounts.collect()
    assert dict(contacts.schema) == CONTACT_SCHEMA
    assert result.rows_read == result.rejected.height + result.duplicates + contacts.height
    assert set(contacts["email_status"]) <= set(EMAIL_STATUSES)
    by_email = {row["email"]: row for row in contacts.iter_rows(named=True)}
    assert by_email["maya.chen@northwind.io"]["email_status"] == "valid"
    assert by_email["sofia.rossi@ferrovia.it"]["email_status"] == "catch_all"
    assert by_email["j.weber@ferrovia.it"]["email_status"] == "invalid"
    assert by_email["liam@northwind.io"]["email_status"] == "unknown"
    assert by_email["j.weber@ferrovia.it"]["country"] == "DE"  # the person's own country
    assert by_email["j.weber@ferrovia.it"]["account_id"] == "ferrovia.it"
    # Every contact's account is an account of the same file (the rejected account aside).
    assert set(contacts["account_id"]) <= set(accounts["account_id"])
    rejected = result.rejected.row(0, named=True)
    assert rejected["source_row"] == 6 and "no account id" in rejected["reason"]


def test_apollo_company_export_counts_duplicates_and_rejects_unreadable_rows():
    result = import_accounts(DATA / "apollo_companies.csv", preset="apollo")
    accounts = result.accounts.collect()
    assert not result.people_shaped and result.folded == 0
    assert result.duplicates == 1  # "Northwind Analytics (EU)" shares northwind.io
    assert accounts.filter(pl.col("account_id") == "northwind.io")["name"].to_list() == ["Northwind Analytics"]
    assert result.rejected.select("column", "value").row(0) == ("# Employees", "a few")
    assert accounts.filter(pl.col("account_id") == "apollo-5f1a2b3c51").height == 1  # github.com is no domain
    assert accounts.filter(pl.col("account_id") == "ferrovia.it")["employees"].item() == 1001
    assert result.rows_read == accounted(result)


def test_hubspot_company_export():
    result = import_accounts(DATA / "hubspot_companies.csv", preset="hubspot")
    accounts = result.accounts.collect()
    assert result.rejected.is_empty()
    assert accounts["is_customer"].to_list() == [True, False, False, False]
    assert accounts["account_id"].to_list() == [
        "northwind.io",
        "ferrovia.it",
        "hubspot-18027383903",
        "quartopay.com.br",
    ]
    assert accounts["industry"][1] == "logistics_and_supply_chain"


def test_clay_preset_guesses_columns_it_does_not_name(tmp_path):
    path = tmp_path / "clay.csv"
    path.write_text(
        "Company Name,Company URL,Headcount,HQ\nAcme,https://acme.io,51-200,Germany\nBeta,beta.io,11-50,France\n"
    )
    accounts = import_accounts(path, preset="clay").accounts.collect()
    assert accounts.select("account_id", "employees", "country").rows() == [
        ("acme.io", 51, "DE"),
        ("beta.io", 11, "FR"),
    ]


def test_map_file_overrides_the_preset(tmp_path):
    (tmp_path / "map.yaml").write_text("columns:\n  Headcount: employees\n  Site: domain\n")
    (tmp_path / "x.csv").write_text("Site,Headcount\nacme.io,10001+\n")
    accounts = import_accounts(
        tmp_path / "x.csv", preset="hubspot", column_map=tmp_path / "map.yaml"
    ).accounts.collect()
    assert accounts.select("account_id", "employees", "source").row(0) == ("acme.io", 10001, "hubspot:x.csv")


# --- readers ----------------------------------------------------------------------------------


@pytest.fixture
def frame():
    return pl.DataFrame(
        {
            "account_id": ["a.io", "b.io", "c.io"],
            "employees": [10, 200, None],
            "tech_stack": [["aws"], [], None],
            "country": ["US", "DE", None],
        }
    )


def test_parquet_file_directory_and_glob_read_alike(tmp_path, frame):
    (tmp_path / "parts").mkdir()
    frame.head(2).write_parquet(tmp_path / "parts" / "part-0.parquet")
    frame.tail(1).write_parquet(tmp_path / "parts" / "part-1.parquet")
    (tmp_path / "parts" / "_SUCCESS").write_text("")
    frame.write_parquet(tmp_path / "one.parquet")
    results = [
        import_accounts(p)
        for p in (tmp_path / "one.parquet", tmp_path / "parts", str(tmp_path / "parts" / "*.parquet"))
    ]
    first = results[0].accounts.collect()
    assert first["tech_stack"].to_list() == [["aws"], [], None]
    assert first["region"].to_list() == ["NA", "EMEA", None]
    for result in results[1:]:
        assert_frame_equal(
            result.accounts.collect().drop("source").sort("account_id"),
            first.drop("source").sort("account_id"),
        )


def test_canonical_parquet_stays_a_lazy_scan_without_a_fold(tmp_path, frame, monkeypatch):
    monkeypatch.setattr(memory, "IN_MEMORY_ROWS", 0)  # a streamed universe: later passes re-read the file
    frame.write_parquet(tmp_path / "u.parquet")
    plan = import_accounts(tmp_path / "u.parquet").accounts.explain().lower()
    assert "parquet scan" in plan
    assert not any(step in plan for step in ("unique", "aggregate", "filter", "__problem"))


@pytest.fixture
def typed() -> pl.DataFrame:
    """Canonical accounts with every enumeration, in the canonical dtypes (a canonical Parquet universe)."""
    return pl.DataFrame(
        {
            "account_id": ["a.io", "b.io", "c.io", "d.io"],
            "employees": [10, 200, None, 5],
            "tech_stack": [["aws"], [], None, ["gcp", "dbt"]],
            "country": ["US", "DE", None, "BR"],
            "region": ["NA", "EMEA", None, "LATAM"],
            "funding_stage": ["seed", None, "series_a", "public"],
            "source": ["crm", None, "crm", None],
        },
        schema_overrides={k: v for k, v in ACCOUNT_SCHEMA.items() if k in ("employees", "tech_stack")},
    )


def full_import(path, monkeypatch):
    """The import with the canonical fast path turned off: every row through the normalizers."""
    from targeting.importing import canonical

    with monkeypatch.context() as patched:
        patched.setattr(canonical, "_canonical_typed", lambda *args: False)
        return import_accounts(path)


def test_canonical_typed_parquet_is_a_plain_scan_equal_to_the_full_import(tmp_path, typed, monkeypatch):
    typed.write_parquet(tmp_path / "u.parquet")
    fast = import_accounts(tmp_path / "u.parquet")
    assert "when" not in fast.accounts.explain().lower()  # no normalizer left for later passes to run
    full = full_import(tmp_path / "u.parquet", monkeypatch)
    with monkeypatch.context() as patched:
        patched.setattr(memory, "IN_MEMORY_ROWS", 0)  # streamed, the full import evaluates them in every pass
        assert "when" in full_import(tmp_path / "u.parquet", monkeypatch).accounts.explain().lower()
    assert_frame_equal(fast.accounts.collect(), full.accounts.collect())
    assert (fast.rows_read, fast.duplicates, fast.folded, fast.carried) == (
        full.rows_read,
        full.duplicates,
        full.folded,
        full.carried,
    )
    assert fast.rejected.is_empty() and fast.accounts.collect()["source"].to_list()[1] == "canonical:u.parquet"


@pytest.mark.parametrize(
    "change",
    [
        {"region": ["NA", "emea", None, "LATAM"]},  # not canonical, normalized
        {"region": ["NA", "Mars", None, "LATAM"]},  # not canonical, rejected
        {"account_id": ["a.io", None, "c.io", "d.io"]},  # no id: rejected
        {"account_id": ["a.io", "b.io", "a.io", "d.io"]},  # a repeat: the first row wins
    ],
)
def test_canonical_typed_parquet_with_a_row_to_fix_takes_the_full_import(tmp_path, typed, monkeypatch, change):
    typed.with_columns(pl.Series(name, values, dtype=pl.String) for name, values in change.items()).write_parquet(
        tmp_path / "u.parquet"
    )
    fast, full = import_accounts(tmp_path / "u.parquet"), full_import(tmp_path / "u.parquet", monkeypatch)
    assert_frame_equal(fast.accounts.collect(), full.accounts.collect())
    assert_frame_equal(fast.rejected, full.rejected)
    assert (fast.rows_read, fast.duplicates) == (full.rows_read, full.duplicates)
    assert accounted(fast) == fast.rows_read == 4


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_canonical_duplicates_keep_the_first_row_whole(tmp_path, suffix):
    rows = pl.DataFrame(
        {"account_id": ["a.io", "b.io", "a.io"], "name": ["First", "B", "Second"], "employees": [None, 5, 50]}
    )
    path = tmp_path / f"u.{suffix}"
    rows.write_csv(path) if suffix == "csv" else rows.write_parquet(path)
    result = import_accounts(path)
    accounts = result.accounts.collect()
    assert result.duplicates == 1 and result.universe == accounts.height == 2
    assert accounts.select("account_id", "name", "employees").rows() == [
        ("a.io", "First", None),
        ("b.io", "B", 5),
    ]


def test_ndjson_and_tsv(tmp_path, frame):
    (tmp_path / "u.ndjson").write_text("\n".join(json.dumps(row) for row in frame.to_dicts()))
    frame.with_columns(pl.col("tech_stack").list.join(";")).write_csv(tmp_path / "u.tsv", separator="\t")
    for name in ("u.ndjson", "u.tsv"):
        accounts = import_accounts(tmp_path / name).accounts.collect()
        assert accounts["employees"].to_list() == [10, 200, None]
        assert accounts["tech_stack"][0].to_list() == ["aws"]


def test_semicolon_separated_csv_is_read_by_its_header(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text("Company name;Company Domain Name;Number of Employees\nAcme GmbH;acme.de;1.001-5.000\nB;b.de;12\n")
    result = import_accounts(path, preset="hubspot")
    assert result.accounts.collect()["account_id"].to_list() == ["b.de"]
    assert result.rejected.select("column", "value").row(0) == ("Number of Employees", "1.001-5.000")


def test_sample_universe_round_trips_through_csv(tmp_path):
    from targeting.sample.universe import generate_sample, write_sample

    sample = generate_sample(seed=3, n_accounts=300, as_of=date(2026, 1, 1))
    paths = write_sample(tmp_path, sample)
    assert_frame_equal(import_accounts(paths["accounts"]).accounts.collect(), sample.accounts)
    assert_frame_equal(import_contacts(paths["contacts"]).contacts.collect(), sample.contacts)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"  \n\n", "empty"),
        ("excel.json", "[1]".encode("utf-16"), "UTF-16"),
        ("text.parquet", b"a,b\n1,2\n", "not a Parquet file"),
        ("binary.csv", b"PAR1\x00\x00\x00", "not CSV"),
        ("rows.ndjson", b"a,b\n1,2\n", "not NDJSON"),
        ("data.xlsx", b"PK\x03\x04", "unknown file type"),
        ("header.csv", b"account_id,domain\n", "no data rows"),
        ("other.csv", b"foo,bar\n1,2\n", "no usable account columns"),
    ],
)
def test_unusable_files_name_the_file(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=reason) as caught:
        import_accounts(path)
    assert name in str(caught.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError, match="not found") as caught:
        read_table(tmp_path / "gone.csv")
    assert "gone.csv" in str(caught.value)


def test_unknown_extension_names_the_extension(tmp_path):
    (tmp_path / "x.xls").write_text("a")
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "x.xls")
    assert "'.xls'" in str(caught.value)


def test_file_without_an_id_column_says_what_it_looked_for(tmp_path):
    (tmp_path / "x.csv").write_text("Company,# Employees\nAcme,10\n")
    with pytest.raises(InputError, match="no column gives an account id") as caught:
        import_accounts(tmp_path / "x.csv", preset="apollo")
    assert "'Website'" in str(caught.value) and "x.csv" in str(caught.value)


def test_contacts_from_an_account_file_is_an_error():
    with pytest.raises(InputError, match="no usable contact columns") as caught:
        import_contacts(DATA / "hubspot_companies.csv", preset="hubspot")
    assert "hubspot_companies.csv" in str(caught.value)


def test_rejected_rows_name_source_row_column_value_and_reason(tmp_path):
    (tmp_path / "x.csv").write_text(
        "domain,employees,country,funding_stage\n"
        "acme.io,lots,US,Seed\n,5,US,\nb.io,5,Narnia,\nc.io,5,US,Series Z9\nd.io,,,\n"
    )
    result = import_accounts(tmp_path / "x.csv")
    assert dict(result.rejected.schema) == REJECTED_SCHEMA
    assert result.rejected.select("source_row", "column", "value").rows() == [
        (1, "employees", "lots"),
        (2, "domain", None),
        (3, "country", "Narnia"),
        (4, "funding_stage", "Series Z9"),
    ]
    assert result.universe == 1 and result.accounts.collect()["account_id"].to_list() == ["d.io"]


# --- every source row is accounted for exactly once --------------------------------------------

_cells = {
    "Website": st.sampled_from(
        ["acme.io", "https://www.acme.io/", "beta.com", "github.com/x", "", "gamma.ai", "BETA.com"]
    ),
    "# Employees": st.sampled_from(["51-200", "10001+", "1,001-5,000", "", "lots", "12"]),
    "Company Country": st.sampled_from(["United States", "USA", "DE", "", "Narnia"]),
    "Latest Funding": st.sampled_from(["Series B", "Seed", "Other", "", "Series Z9"]),
    "Technologies": st.sampled_from(["Salesforce, HubSpot", "", "AWS"]),
    "Apollo Account Id": st.sampled_from(["", "a1", "a2"]),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(_cells), min_size=1, max_size=25), people=st.booleans())
def test_every_source_row_is_accounted_for_exactly_once(tmp_path, rows, people):
    frame = pl.DataFrame(rows, schema={name: pl.String for name in _cells})
    if people:
        frame = frame.with_columns(Email=pl.format("p{}@example.org", pl.int_range(pl.len())))
    path = tmp_path / "messy.csv"
    frame.write_csv(path)
    result = import_accounts(path, preset="apollo")
    accounts = result.accounts.collect()
    assert result.rows_read == len(rows)
    assert result.rows_read == result.rejected.height + result.duplicates + result.folded + accounts.height
    assert result.universe == accounts.height
    assert accounts["account_id"].is_unique().all() and accounts["account_id"].is_not_null().all()
    assert result.rejected["source_row"].is_unique().all()
    assert (result.duplicates == 0) if people else (result.folded == 0)


# --- a file held in memory is normalized once, per distinct cell ------------------------------


def imported_both_ways(monkeypatch, path: Path, kind: str = "account", preset: str = "apollo"):
    """The import of `path` held in memory (normalized per distinct cell) and streamed (per row)."""
    read = import_accounts if kind == "account" else import_contacts
    held = read(path, preset=preset)
    with monkeypatch.context() as patched:
        patched.setattr(memory, "IN_MEMORY_ROWS", 0)
        streamed = read(path, preset=preset)
    return held, streamed


def assert_same_import(held, streamed, kind: str = "account"):
    rows = (held.accounts if kind == "account" else held.contacts).collect()
    assert_frame_equal(rows, (streamed.accounts if kind == "account" else streamed.contacts).collect())
    assert_frame_equal(held.rejected, streamed.rejected)
    assert (held.rows_read, held.duplicates) == (streamed.rows_read, streamed.duplicates)
    return rows


@pytest.mark.parametrize(
    ("name", "preset", "kind"),
    [
        ("apollo_companies.csv", "apollo", "account"),
        ("apollo_people.csv", "apollo", "account"),
        ("apollo_people.csv", "apollo", "contact"),
        ("hubspot_companies.csv", "hubspot", "account"),
        ("yc_companies_slice.csv", "yc", "account"),
    ],
)
def test_a_held_export_imports_exactly_as_a_streamed_one(monkeypatch, name, preset, kind):
    held, streamed = imported_both_ways(monkeypatch, DATA / name, kind, preset)
    assert_same_import(held, streamed, kind)
    assert "df" in (held.accounts if kind == "account" else held.contacts).explain().lower()  # in memory


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(_cells), min_size=1, max_size=12), copies=st.integers(1, 6))
def test_cells_normalized_once_per_distinct_value_read_as_each_row_would(tmp_path, monkeypatch, rows, copies):
    # Repeated rows make every column repetitive enough to be normalized per distinct cell.
    frame = pl.DataFrame(rows * copies, schema={name: pl.String for name in _cells})
    path = tmp_path / "repeated.csv"
    frame.write_csv(path)
    held, streamed = imported_both_ways(monkeypatch, path)
    accounts = assert_same_import(held, streamed)
    assert held.rows_read == len(rows) * copies
    assert held.rows_read == held.rejected.height + held.duplicates + held.folded + accounts.height


# --- real-shaped text files ---------------------------------------------------------------------


def test_european_csv_numbers_follow_the_files_decimal_comma(tmp_path):
    path = tmp_path / "eu.csv"
    path.write_text(
        "domain;name;employees;tech_stack;revenue_usd\n"
        "acme.com;Acme;45,0;HubSpot, Stripe;1.200.000\n"
        "beta.com;Beta;12,5;salesforce;2.000\n"
        "gamma.com;Gamma;2.000;x;5\n",
        encoding="utf-8",
    )
    result = import_accounts(path)
    accounts = result.accounts.collect().sort("account_id")
    assert accounts["employees"].to_list() == [45, 2000]
    assert accounts["revenue_usd"].to_list() == [1_200_000.0, 5.0]
    assert accounts["tech_stack"].to_list()[0] == ["hubspot", "stripe"]
    assert result.rejected.select("source_row", "column", "value").rows() == [(2, "employees", "12,5")]


def test_a_number_the_file_cannot_disambiguate_is_rejected_with_why(tmp_path):
    path = tmp_path / "amb.csv"
    path.write_text("domain;employees\na.com;1.200\nb.com;40\n", encoding="utf-8")
    result = import_accounts(path)
    assert result.accounts.collect()["employees"].to_list() == [40]
    (row,) = result.rejected.rows(named=True)
    assert (row["source_row"], row["column"], row["value"]) == (1, "employees", "1.200")
    assert row["reason"].startswith("ambiguous")


def test_a_row_with_more_fields_than_the_header_is_rejected_alone(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("domain,name,employees\nacme.com,Acme,120\nbeta.com,Beta, Inc,40\ngamma.com,Gamma,30\n")
    result = import_accounts(path)
    assert sorted(result.accounts.collect()["account_id"]) == ["acme.com", "gamma.com"]
    (row,) = result.rejected.rows(named=True)
    assert (row["source_row"], row["column"]) == (2, "(row)")
    assert "Beta" in row["value"] and "40" in row["value"]
    assert "more fields than the header's 3" in row["reason"]
    assert result.unmapped == []  # the spare fields of the scan are no source columns


def test_a_row_with_fewer_fields_keeps_its_empty_cells_empty(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("domain,name,employees\nacme.com,Acme,120\nbeta.com,Beta\n")
    accounts = import_accounts(path).accounts.collect().sort("account_id")
    assert accounts["employees"].to_list() == [120, None]


def test_an_unclosed_quote_names_the_line_it_opens_on(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('domain,name\nacme.com,Acme\nbeta.com,"Beta, Inc\ngamma.com,Gamma\n')
    with pytest.raises(InputError, match="never closed") as caught:
        import_accounts(path)
    assert "quote.csv:3" in str(caught.value)


def test_a_text_file_wider_than_the_streaming_budget_is_streamed_with_the_same_accounts(tmp_path, monkeypatch):
    path = tmp_path / "yc.csv"
    path.write_bytes((DATA / "yc_companies_slice.csv").read_bytes())
    monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_MB", str(path.stat().st_size * 2 // 2**20 + 1))
    held = import_accounts(path, preset="yc")
    monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_MB", "0")  # a machine with no memory to spare
    streamed = import_accounts(path, preset="yc")
    assert held.held and streamed.held is False
    assert_frame_equal(streamed.accounts.collect(), held.accounts.collect())
    assert_frame_equal(streamed.rejected, held.rejected)
