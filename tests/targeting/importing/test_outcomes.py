"""Customer and deal files: labels, ranking by metrics, matching through the importer's domains, bad cells."""

from __future__ import annotations

import polars as pl
import pytest

from targeting.errors import InputError
from targeting.importing.customers import parse_customers, read_customers
from targeting.importing.deals import labels_from_deals, parse_deals, read_deals


@pytest.fixture
def universe() -> pl.LazyFrame:
    ids = [f"acct{i}.com" for i in range(12)]
    return pl.LazyFrame({"account_id": ids, "domain": ids})


def write(tmp_path, text: str, name: str = "file.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_labels_map_churned_to_worst_and_blank_to_neither(tmp_path, universe):
    path = write(tmp_path, "account_id,label\nacct0.com,best\nacct1.com,Churned\nacct2.com,worst\nacct3.com,\n")
    labels = read_customers(path, universe)
    assert dict(labels.labels.rows()) == {"acct0.com": "best", "acct1.com": "worst", "acct2.com": "worst"}
    assert labels.unlabelled == 1 and labels.unmatched == 0


def test_domains_are_matched_through_the_importers_normalizer_and_misses_are_reported(tmp_path, universe):
    path = write(tmp_path, "Website,label\nhttps://www.ACCT0.com/about,best\nacct1.com,worst\nnosuch.io,best\n")
    labels = read_customers(path, universe)
    assert set(labels.labels["account_id"]) == {"acct0.com", "acct1.com"}
    assert labels.unmatched == 1 and labels.unmatched_examples == ["nosuch.io"]
    assert any("nosuch.io" in w for w in labels.warnings)


def test_metrics_rank_the_healthiest_retained_as_best_and_the_churned_as_worst(tmp_path, universe):
    rows = ["account_id,tenure_months,expansion_usd,support_tickets,churned_at"]
    rows += [f"acct{i}.com,{i * 3},{i * 1000},{12 - i},{'' if i >= 6 else '2025-03-01'}" for i in range(12)]
    labels = read_customers(write(tmp_path, "\n".join(rows) + "\n"), universe)
    best = set(labels.labels.filter(pl.col("label") == "best")["account_id"])
    worst = set(labels.labels.filter(pl.col("label") == "worst")["account_id"])
    assert worst == {f"acct{i}.com" for i in range(6)}
    assert best == {"acct11.com", "acct10.com", "acct9.com"}  # the top half of six retained (at least ten asked)
    assert "churned" in labels.how and "support_tickets (fewer is better)" in labels.how


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account_id,label\nacct0.com,great\n", "'great'"),
        ("account_id,label\nacct0.com,best\nacct1.com,best\n", "all 2 labelled customers are best"),
        ("account_id,notes\nacct0.com,x\n", "no label column"),
        ("name,label\nAcme,best\n", "no account_id or domain"),
        ("account_id,tenure_months\nacct0.com,about a year\n", "'about a year'"),
        ("account_id,churned_at\nacct0.com,last spring\n", "'last spring'"),
    ],
)
def test_bad_customer_files_name_the_bad_value(tmp_path, text, expected):
    with pytest.raises(InputError, match=expected.replace("(", r"\(")) as error:
        parse_customers(write(tmp_path, text))
    assert "file.csv" in str(error.value)


def test_customers_matching_no_account_are_refused(tmp_path, universe):
    with pytest.raises(InputError, match="none of the 2 customers"):
        read_customers(write(tmp_path, "domain,label\nx.io,best\ny.io,worst\n"), universe)


def test_deal_stages_read_as_won_lost_or_open_and_open_deals_are_counted(tmp_path, universe):
    text = (
        'Company Domain,Deal Stage,Close Date,Amount\nacct0.com,Closed Won,07/01/2025,"$1,200"\n'
        "acct1.com,closedlost,2025-07-02,\nacct2.com,Proposal,,\nacct3.com,open,,\nzzz.io,won,2025-07-03,5\n"
    )
    deals = read_deals(write(tmp_path, text), universe)
    assert deals.count("won") == 1 and deals.count("lost") == 1 and deals.open == 2
    assert deals.unmatched == 1 and deals.other_stages == {"Proposal": 1}
    assert deals.deals.filter(pl.col("outcome") == "won")["amount"].item() == 1200
    assert str(deals.deals["closed_at"][0]) == "2025-07-01"
    labels = labels_from_deals(deals)
    assert dict(labels.labels.rows()) == {"acct0.com": "best", "acct1.com": "worst"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("account_id,outcome\nacct0.com,maybe\n", "unknown outcome"),
        ("account_id,stage,closed_at\nacct0.com,won,31/31/2025\n", "'31/31/2025'"),
        ("account_id,stage,amount\nacct0.com,won,lots\n", "'lots'"),
        ("account_id,amount\nacct0.com,5\n", "no stage or outcome"),
    ],
)
def test_bad_deal_files_name_the_bad_value(tmp_path, text, expected):
    with pytest.raises(InputError, match=expected):
        parse_deals(write(tmp_path, text))
