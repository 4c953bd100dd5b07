from pathlib import Path

import polars as pl
import pytest

from targeting.errors import InputError
from targeting.importing.canonical import import_accounts
from targeting.importing.column_guess import dump_column_map, guess_column_map, guess_rules
from targeting.importing.presets import PRESETS, load_column_map

DATA = Path(__file__).resolve().parents[2] / "data"


def targets(column_map):
    return {source: rule.to[0] for source, rule in column_map.columns.items()}


def test_apollo_people_headers_are_placed_by_name():
    column_map, unplaced, _ = guess_column_map(DATA / "apollo_people.csv")
    placed = targets(column_map)
    assert placed["Website"] == "domain" and placed["# Employees"] == "employees" and placed["Email"] == "email"
    # The company's country outranks the bare "Country", which is the person's in a people export.
    assert placed["Company Country"] == "country" and placed["Country"] == "contact_country"
    assert column_map.columns["Technologies"].separator == ","
    assert "Seniority" in unplaced and "Person Linkedin Url" in unplaced
    assert set(placed) | set(unplaced) == set(pl.read_csv(DATA / "apollo_people.csv", n_rows=1).columns)


@pytest.mark.parametrize(
    ("header", "values", "target"),
    [
        ("col_a", ["ana@acme.io", "bo@beta.com", "cy@gamma.ai"], "email"),
        ("col_b", ["https://acme.io", "www.beta.com/en", "gamma.ai"], "domain"),
        ("col_c", ["US", "Germany", "FR"], "country"),
        ("col_d", ["51-200", "11-50", "10001+"], "employees"),
        ("col_e", ["Series A", "Seed", "Series B"], "funding_stage"),
        ("col_f", ["2019", "2021.0", "1998"], "founded_year"),
        ("col_g", ["['a', 'b']", "['c']", "[]"], "tags"),
    ],
)
def test_unnamed_columns_are_placed_by_their_values(header, values, target):
    sample = pl.DataFrame({header: values})
    assert guess_rules(sample, [header])[header].to == [target]


def test_a_sales_stage_is_not_a_funding_stage():
    sample = pl.DataFrame({"Stage": ["Cold", "Approaching", "Replied"]})
    assert guess_rules(sample, ["Stage"]) == {}


def test_values_that_fit_nothing_stay_unplaced():
    sample = pl.DataFrame({"notes": ["call back", "likes golf", ""]})
    assert guess_rules(sample, ["notes"]) == {}


def test_a_target_is_placed_once():
    sample = pl.DataFrame({"Website": ["acme.io"], "Homepage": ["beta.io"]})
    assert {h: r.to for h, r in guess_rules(sample, ["Website", "Homepage"]).items()} == {"Website": ["domain"]}


def test_taken_targets_are_not_placed_again():
    sample = pl.DataFrame({"Homepage": ["beta.io"]})
    assert guess_rules(sample, ["Homepage"], taken={"domain"}) == {}


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_dumped_maps_load_back_unchanged(tmp_path, preset):
    path = tmp_path / "map.yaml"
    path.write_text(dump_column_map(PRESETS[preset]))
    assert load_column_map(path) == PRESETS[preset]


def test_guessed_map_dumped_and_loaded_imports_the_file(tmp_path):
    column_map, unplaced, _ = guess_column_map(DATA / "hubspot_companies.csv")
    text = dump_column_map(column_map, unplaced)
    assert "#   'Record ID':" in text  # unplaced columns are listed for the user to fill in
    path = tmp_path / "map.yaml"
    path.write_text(text)
    accounts = import_accounts(DATA / "hubspot_companies.csv", column_map=path).accounts.collect()
    assert accounts.filter(pl.col("account_id") == "northwind.io")["employees"].item() == 120


def test_guessing_an_unreadable_file_names_it(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_text("not parquet")
    with pytest.raises(InputError, match="x.parquet"):
        guess_column_map(path)


def test_each_guess_says_what_it_rests_on_and_the_yaml_carries_it(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text('Org URL,Headcount,Technologies\nacme.com,51-200,"HubSpot, Stripe"\nbeta.io,11-50,Salesforce\n')
    column_map, unplaced, reasons = guess_column_map(path)
    assert {h: r.to[0] for h, r in column_map.columns.items()} == {
        "Org URL": "domain",
        "Headcount": "employees",
        "Technologies": "tech_stack",
    }
    assert reasons["Org URL"] == "100% of 2 sampled cells read as domain"
    assert reasons["Headcount"] == "the header names employees"
    assert reasons["Technologies"].endswith("cells split on ',' (they hold it and never ';')")
    text = dump_column_map(column_map, unplaced, reasons)
    assert "# 100% of 2 sampled cells read as domain" in text
    assert load_column_map_text(tmp_path, text).columns == column_map.columns


def load_column_map_text(tmp_path, text):
    from targeting.importing.presets import load_column_map

    (tmp_path / "map.yaml").write_text(text)
    return load_column_map(tmp_path / "map.yaml")


def test_description_columns_are_placed_by_name_and_several_may_feed_it():
    sample = pl.DataFrame({"short_description": ["Payroll API"], "Long Description": ["We move money."]})
    placed = guess_rules(sample, sample.columns)
    assert {h: r.to for h, r in placed.items()} == {
        "short_description": ["description"],
        "Long Description": ["description"],
    }


def test_unnamed_prose_is_placed_as_description_and_short_text_is_not():
    prose = ["We help hospitals hire nurses from all around the world, simply and fast."] * 3
    assert guess_rules(pl.DataFrame({"col_x": prose}), ["col_x"])["col_x"].to == ["description"]
    assert guess_rules(pl.DataFrame({"Owner Notes": ["call back", "x", "VP of Sales"]}), ["Owner Notes"]) == {}
