"""The bundled sample universe: determinism, canonical shape, realism, planted truth, CSV form."""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources

import polars as pl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from targeting import vocabulary
from targeting.columns import ACCOUNT_SCHEMA, CONTACT_SCHEMA, EMAIL_STATUSES, FUNDING_STAGES
from targeting.icp.spec import load_icp
from targeting.importing.canonical import import_accounts, import_contacts
from targeting.importing.normalize import region_of
from targeting.sample.accounts import generate_accounts, iter_account_chunks
from targeting.sample.contacts import generate_contacts
from targeting.sample.deals import CUSTOMERS_SCHEMA, DEALS_SCHEMA
from targeting.sample.universe import PLANTED_PROFILE, generate_sample, to_csv_frame, write_sample
from targeting.sample.words import BRAND_PREFIXES, BRAND_ROOTS, DOMAIN_PATTERNS, FREE_MAIL_DOMAINS

AS_OF = date(2026, 11, 1)
LIST_VOCABULARY = {
    "tech_stack": vocabulary.TECH_STACK,
    "hiring_roles": vocabulary.HIRING_ROLES,
    "growth_signals": vocabulary.GROWTH_SIGNALS,
    "pain_points": vocabulary.PAIN_POINTS,
    "prior_solutions": vocabulary.PRIOR_SOLUTIONS,
}


@pytest.fixture(scope="module")
def sample():
    return generate_sample(seed=7, as_of=AS_OF)


def test_same_seed_gives_identical_frames():
    first, second = generate_sample(3, 2_000, AS_OF), generate_sample(3, 2_000, AS_OF)
    for a, b in zip(first, second, strict=True):
        assert_frame_equal(a, b)


@pytest.mark.parametrize("table", ["accounts", "contacts"])
def test_another_seed_gives_other_rows(table):
    first, second = generate_sample(3, 2_000, AS_OF), generate_sample(4, 2_000, AS_OF)
    assert not getattr(first, table).equals(getattr(second, table))


def test_default_size_is_about_20k_accounts_and_60k_contacts(sample):
    assert sample.accounts.height == 20_000
    assert 50_000 <= sample.contacts.height <= 70_000


@pytest.mark.parametrize(
    ("table", "schema"),
    [
        ("accounts", ACCOUNT_SCHEMA),
        ("contacts", CONTACT_SCHEMA),
        ("customers", CUSTOMERS_SCHEMA),
        ("deals", DEALS_SCHEMA),
    ],
)
def test_schema_is_exactly_canonical(sample, table, schema):
    assert list(getattr(sample, table).schema.items()) == list(schema.items())


def test_domains_are_unique_and_are_the_account_id(sample):
    accounts = sample.accounts
    assert accounts["domain"].n_unique() == accounts.height
    assert (accounts["account_id"] == accounts["domain"]).all()


def test_every_brand_and_domain_shape_is_a_distinct_string():
    brands = {(p + r).lower() for p in BRAND_PREFIXES for r in BRAND_ROOTS}
    assert len(brands) == len(BRAND_PREFIXES) * len(BRAND_ROOTS)
    domains = {pre + b + post for pre, post in DOMAIN_PATTERNS for b in brands}
    assert len(domains) == len(brands) * len(DOMAIN_PATTERNS)


def test_chunks_keep_ids_unique_across_the_combination_boundary():
    combos = len(BRAND_PREFIXES) * len(BRAND_ROOTS) * len(DOMAIN_PATTERNS)
    chunks = [generate_accounts(400, 7, AS_OF, start=s) for s in (0, combos - 200, 5 * combos)]
    ids = pl.concat(chunks)["account_id"]
    assert ids.n_unique() == ids.len()


def test_iter_account_chunks_yields_the_asked_total():
    sizes = [frame.height for frame in iter_account_chunks(2_500, 7, AS_OF, chunk_size=1_000)]
    assert sizes == [1_000, 1_000, 500]


def test_region_follows_country_as_the_importer_derives_it(sample):
    accounts = sample.accounts.with_columns(expected=region_of(pl.col("country")))
    assert accounts.filter(pl.col("region").ne_missing(pl.col("expected"))).height == 0
    assert accounts["country"].null_count() > 0


@pytest.mark.parametrize("column", ["industry", "country", "employees"])
def test_a_few_accounts_lack_a_value(sample, column):
    share = sample.accounts[column].null_count() / sample.accounts.height
    assert 0.005 < share < 0.05


def test_firmographics_look_real(sample):
    accounts = sample.accounts
    assert 40 <= accounts["employees"].median() <= 90
    assert accounts["employees"].max() > 20_000
    assert accounts["country"].value_counts(sort=True)["country"][0] == "US"
    assert accounts["industry"].value_counts(sort=True)["industry"][0] == "saas"
    assert set(accounts["funding_stage"].drop_nulls()) <= set(FUNDING_STAGES)
    # Revenue follows size.
    assert accounts.select(pl.corr(pl.col("employees").log(), pl.col("revenue_usd").log())).item() > 0.7


def test_crm_choice_follows_size(sample):
    shares = (
        sample.accounts.drop_nulls("employees")
        .group_by(large=pl.col("employees") > 500)
        .agg(
            salesforce=pl.col("tech_stack").list.contains("salesforce").mean(),
            hubspot=pl.col("tech_stack").list.contains("hubspot").mean(),
        )
        .sort("large")
    )
    small, large = shares.rows(named=True)
    assert large["salesforce"] > 2 * small["salesforce"]
    assert small["hubspot"] > 2 * large["hubspot"]


def test_later_funding_stages_are_larger(sample):
    medians = sample.accounts.group_by("funding_stage").agg(pl.col("employees").median())
    by_stage = dict(medians.rows())
    assert by_stage["pre_seed"] < by_stage["series_a"] < by_stage["series_c"] < by_stage["public"]


@pytest.mark.parametrize("column", sorted(LIST_VOCABULARY))
def test_list_items_come_from_the_shared_vocabulary(sample, column):
    items = set(sample.accounts[column].explode().drop_nulls())
    assert items and items <= set(LIST_VOCABULARY[column])


def test_pain_points_are_zero_to_three_and_follow_industry(sample):
    counts = sample.accounts["pain_points"].list.len()
    assert counts.min() == 0 and counts.max() == 3
    regulated = pl.col("industry").is_in(["fintech", "insurtech", "healthtech"])
    compliance = sample.accounts.group_by(regulated=regulated).agg(
        pl.col("pain_points").list.contains("compliance_burden").mean().alias("share")
    )
    shares = dict(compliance.drop_nulls("regulated").rows())
    assert shares[True] > 2 * shares[False]


def test_signals_at_is_recent_and_present_exactly_when_there_is_a_signal(sample):
    accounts = sample.accounts
    has_signal = (accounts["hiring_roles"].list.len() > 0) | (accounts["growth_signals"].list.len() > 0)
    assert (accounts["signals_at"].is_not_null() == has_signal).all()
    dated = accounts["signals_at"].drop_nulls()
    assert dated.max() <= AS_OF and dated.min() > AS_OF - timedelta(days=366)


def test_every_contact_belongs_to_an_account_and_emails_are_unique(sample):
    contacts = sample.contacts
    assert contacts.join(sample.accounts, on="account_id", how="anti").height == 0
    assert contacts["email"].n_unique() == contacts.height
    assert contacts["contact_id"].n_unique() == contacts.height


def test_emails_sit_on_the_account_domain_except_free_mail(sample):
    joined = sample.contacts.join(sample.accounts.select("account_id", "domain"), on="account_id")
    host = pl.col("email").str.split("@").list.last()
    off_domain = joined.filter(host != pl.col("domain"))
    assert set(off_domain.select(host)["email"]) <= set(FREE_MAIL_DOMAINS)
    assert 0.005 < off_domain.height / joined.height < 0.05
    roles = joined.filter(pl.col("email").str.contains(r"^(info|sales|hello|contact|team)\d*@"))
    assert roles.height > 0 and roles["first_name"].is_null().all()


@pytest.mark.parametrize(
    ("status", "share"), [("valid", 0.70), ("catch_all", 0.12), ("unknown", 0.10), ("invalid", 0.08)]
)
def test_email_status_mix(sample, status, share):
    statuses = sample.contacts["email_status"]
    assert set(statuses) == set(EMAIL_STATUSES)
    assert abs((statuses == status).mean() - share) < 0.02


@pytest.mark.parametrize(
    "title",
    [
        "VP, Revenue Operations & Strategy",
        "Head of Growth",
        "Co-Founder & CTO",
        "Sr. Mgr IT Security",
        "Directeur Commercial",
        "Geschäftsführer",
        "EA to the CEO",
        "Procurement Manager",
        "Legal Counsel",
        "Software Engineer II",
    ],
)
def test_titles_are_messy_like_real_exports(sample, title):
    assert title in set(sample.contacts["title"].drop_nulls())


def test_some_titles_are_blank_and_names_come_from_several_locales(sample):
    contacts = sample.contacts
    assert contacts["title"].null_count() > 0
    assert {"Müller", "García", "Sharma", "Smith"} <= set(contacts["last_name"].drop_nulls())
    assert contacts["email"].str.contains(r"[^\x00-\x7f]").sum() == 0


def test_customers_are_planted_in_the_profile(sample):
    accounts = sample.accounts.with_columns(in_profile=PLANTED_PROFILE.expr())
    base_rate = accounts["in_profile"].mean()
    customers = sample.customers.join(accounts, on="account_id")
    assert customers.height == sample.customers.height > 100
    assert customers["in_profile"].mean() > 10 * base_rate
    assert customers["in_profile"].mean() < 0.9  # noise: some customers sit outside it
    assert set(accounts.filter("is_customer")["account_id"]) == set(sample.customers["account_id"])


@pytest.mark.parametrize("field", ["industry", "employees", "tech_stack", "region", "funding_stage"])
def test_each_planted_condition_lifts_the_customer_rate(sample, field):
    condition = PLANTED_PROFILE.conditions()[field]
    accounts = sample.accounts.with_columns(hit=condition)
    rates = dict(accounts.group_by("hit").agg(pl.col("is_customer").mean()).rows())
    assert rates[True] > 2 * rates[False]


def test_won_deals_concentrate_in_the_profile(sample):
    closed = sample.deals.filter(pl.col("stage") != "open").join(
        sample.accounts.select("account_id", in_profile=PLANTED_PROFILE.expr()), on="account_id"
    )
    win_rate = dict(closed.group_by("in_profile").agg((pl.col("stage") == "won").mean()).rows())
    assert win_rate[True] > 2 * win_rate[False]
    won = sample.deals.filter(pl.col("stage") == "won").join(sample.customers, on="account_id")
    assert won.height == sample.customers.height
    assert (won["closed_at"] == won["became_customer_at"]).all()


def test_deal_dates_are_ordered_and_open_deals_unclosed(sample):
    deals = sample.deals
    assert set(deals["stage"]) == {"won", "lost", "open"}
    assert (deals["created_at"] <= AS_OF).all()
    closed = deals.filter(pl.col("stage") != "open")
    assert (closed["created_at"] < closed["closed_at"]).all() and (closed["closed_at"] <= AS_OF).all()
    assert deals.filter(pl.col("stage") == "open")["closed_at"].is_null().all()
    assert deals["deal_id"].n_unique() == deals.height


def test_planted_filters_speak_the_icp_format():
    fields = [f["field"] for f in PLANTED_PROFILE.as_filters()]
    assert fields == list(PLANTED_PROFILE.conditions())
    assert all(set(f) - {"field"} <= {"in", "between", "contains_any"} for f in PLANTED_PROFILE.as_filters())


def _read_cell(column: str, dtype: pl.DataType) -> pl.Expr:
    """How a canonical CSV cell reads back: `;` lists (empty cell = empty list), ISO dates."""
    text = pl.col(column)
    if dtype == pl.List(pl.String):
        return text.str.split(";").fill_null([]).cast(dtype)
    if dtype == pl.Date():
        return text.str.to_date("%Y-%m-%d")
    if dtype == pl.Boolean():
        return text == "true"
    return text.cast(dtype)


def test_write_sample_round_trips_through_csv(tmp_path):
    universe = generate_sample(5, 1_500, AS_OF)
    paths = write_sample(tmp_path / "ws", universe)
    assert set(paths) == {"accounts", "contacts", "customers", "deals"}
    text = paths["accounts"].read_text(encoding="utf-8")
    assert "[" not in text and ";" in text and '""' not in text
    back = pl.read_csv(paths["accounts"], infer_schema=False).select(
        _read_cell(name, dtype) for name, dtype in ACCOUNT_SCHEMA.items()
    )
    assert_frame_equal(back, universe.accounts)
    contacts = pl.read_csv(paths["contacts"], schema=CONTACT_SCHEMA)
    assert_frame_equal(contacts, universe.contacts)
    for name, schema in (("customers", CUSTOMERS_SCHEMA), ("deals", DEALS_SCHEMA)):
        assert_frame_equal(pl.read_csv(paths[name], schema=schema), getattr(universe, name))


def test_canonical_importer_reads_the_written_sample_back_unchanged(tmp_path):
    universe = generate_sample(6, 1_500, AS_OF)
    paths = write_sample(tmp_path, universe)
    accounts = import_accounts(paths["accounts"])
    contacts = import_contacts(paths["contacts"])
    assert accounts.rejected.height == contacts.rejected.height == 0
    assert accounts.universe == universe.accounts.height and contacts.universe == universe.contacts.height
    # An empty list cell means "no items"; whether that reads back as [] or null is the importer's call.
    no_items = [pl.col(c).fill_null([]) for c, dtype in ACCOUNT_SCHEMA.items() if dtype == pl.List(pl.String)]
    assert_frame_equal(
        accounts.accounts.collect().drop("source").with_columns(no_items),
        universe.accounts.drop("source"),
    )
    assert_frame_equal(contacts.contacts.collect().drop("source"), universe.contacts.drop("source"))


def test_to_csv_frame_joins_lists_with_semicolons():
    frame = pl.DataFrame({"tech_stack": [["aws", "dbt"], []]}, schema={"tech_stack": pl.List(pl.String)})
    assert to_csv_frame(frame).collect()["tech_stack"].to_list() == ["aws;dbt", None]


@pytest.mark.parametrize(
    ("call", "bad"),
    [
        (lambda: generate_sample(n_accounts=0), "0"),
        (lambda: generate_accounts(-5), "-5"),
        (lambda: list(iter_account_chunks(10, chunk_size=0)), "0"),
        (lambda: generate_contacts(pl.DataFrame({"account_id": ["a.com"]})), "domain"),
    ],
)
def test_bad_arguments_name_the_value(call, bad):
    with pytest.raises(ValueError, match=bad):
        call()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300))
def test_any_seed_gives_a_canonical_consistent_universe(seed, n):
    accounts = generate_accounts(n, seed, AS_OF)
    assert list(accounts.schema.items()) == list(ACCOUNT_SCHEMA.items())
    assert accounts.height == n and accounts["domain"].n_unique() == n
    assert accounts.filter(pl.col("region").ne_missing(region_of(pl.col("country")))).height == 0
    assert (accounts["employees"].drop_nulls() >= 1).all()
    assert (accounts["founded_year"].drop_nulls() <= AS_OF.year).all()
    contacts = generate_contacts(accounts, seed)
    assert contacts.join(accounts, on="account_id", how="anti").height == 0


def _condition(spec: dict, as_of: date) -> pl.Expr:
    """An independent reading of one ICP condition (docs/icp.md semantics), null -> no match."""
    column = pl.col(spec["field"])
    is_list = ACCOUNT_SCHEMA[spec["field"]] == pl.List(pl.String)
    if "between" in spec:
        expr = column.is_between(*spec["between"])
    elif "eq" in spec:
        expr = column == spec["eq"]
    elif "in" in spec and not is_list:
        expr = column.is_in(spec["in"])
    elif "contains_all" in spec:
        expr = pl.all_horizontal(column.list.contains(v) for v in spec["contains_all"])
    else:
        values = spec.get("in", spec.get("contains_any"))
        expr = column.list.eval(pl.element().is_in(values)).list.any()
    if "within_days" in spec:
        expr = expr & (pl.col("signals_at") >= as_of - timedelta(days=spec["within_days"]))
    return expr.fill_null(False)


def test_default_icp_yields_a_list_inside_its_band(sample):
    text = resources.files("targeting").joinpath("defaults/icp.yaml").read_text(encoding="utf-8")
    icp = yaml.safe_load(text)
    criteria = icp["scoring"]["criteria"]
    assert len(criteria) >= 8
    assert any(c["field"] == "hiring_roles" and "within_days" in c for c in criteria)
    assert any("contains_any" in c for c in criteria)
    score = pl.sum_horizontal(pl.when(_condition(c, AS_OF)).then(c["points"]).otherwise(0) for c in criteria)
    kept = pl.all_horizontal(_condition(f, AS_OF) for f in icp["filters"]) & ~pl.any_horizontal(
        _condition(d, AS_OF) for d in icp["disqualifiers"]
    )
    targets = sample.accounts.filter(kept & (score >= icp["scoring"]["min_score"])).height
    print(f"default ICP on the seed-7 sample as of {AS_OF}: {targets} targets")
    assert icp["target_size"]["min"] <= targets <= icp["target_size"]["max"]


def test_default_icp_is_a_valid_spec():
    path = resources.files("targeting").joinpath("defaults/icp.yaml")
    spec = load_icp(str(path))
    assert spec.personas and spec.scoring.min_score > 0
