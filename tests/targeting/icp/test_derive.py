"""ICP derivation: recovers the sample's planted profiles, degrades with 10 and 10, agrees with a plain count."""

from __future__ import annotations

import random
from datetime import date

import polars as pl
import pytest

from targeting.errors import InputError
from targeting.icp.derive import derive_from_labels
from targeting.icp.derive_text import derived_icp_text
from targeting.icp.prevalence import prevalence_table
from targeting.icp.spec import parse_icp
from targeting.importing.customers import read_customers
from targeting.importing.deals import labels_from_deals, read_deals
from targeting.sample.profiles import CHURN_PROFILE
from targeting.sample.universe import PLANTED_PROFILE, generate_sample
from targeting.selection.target_list import select_targets

AS_OF = date(2026, 11, 1)
PLANTED = {f["field"]: f for f in PLANTED_PROFILE.as_filters()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    sample = generate_sample(seed=7, as_of=AS_OF)
    folder = tmp_path_factory.mktemp("outcomes")
    sample.customers.write_csv(folder / "customers.csv")
    sample.deals.write_csv(folder / "deals.csv")
    return sample, folder


def _values(condition) -> set:
    value = condition.value
    return set(value) if isinstance(value, list) else {value}


def _assert_planted_filters(spec):
    by_field = {f.field: f for f in spec.filters}
    assert set(by_field) == set(PLANTED)
    for name in ("industry", "region", "funding_stage"):
        assert (
            set(PLANTED[name]["in"]) <= _values(by_field[name])
            and len(_values(by_field[name])) <= len(PLANTED[name]["in"]) + 1
        )
    assert "salesforce" in by_field["tech_stack"].contains_any
    low, high = by_field["employees"].between
    assert abs(low - 50) <= 5 and abs(high - 500) <= 50


def test_derivation_from_customer_metrics_recovers_the_retaining_and_the_churning_profile(sample):
    sample, folder = sample
    universe = sample.accounts.lazy()
    labels = read_customers(folder / "customers.csv", universe)
    derivation = derive_from_labels(universe, labels.labels, how=labels.how, source=labels.source, name="derived")
    spec = derivation.spec
    _assert_planted_filters(spec)
    churn = [d for d in spec.disqualifiers if d.field == CHURN_PROFILE.as_disqualifier()["field"]]
    assert churn and CHURN_PROFILE.tag in churn[0].contains_any
    assert spec.name == "derived" and spec.version == 1 and spec.parent is None and spec.evidence
    # The list the derivation reports is exactly what `target` builds from the written file.
    text = derived_icp_text(derivation)
    assert parse_icp(text) == spec
    assert text.count("# ") >= len(spec.filters) + len(spec.disqualifiers) + len(spec.scoring.criteria)
    built = select_targets(universe, parse_icp(text), as_of=AS_OF)
    assert built.summary.targets == derivation.list_size
    assert spec.target_size.min <= derivation.list_size <= spec.target_size.max < derivation.n_universe
    assert any("2,000-10,000" in w for w in derivation.warnings)  # a 20k universe cannot yield a workable list


def test_derivation_from_won_and_lost_deals_recovers_the_planted_profile(sample):
    sample, folder = sample
    universe = sample.accounts.lazy()
    labels = labels_from_deals(read_deals(folder / "deals.csv", universe))
    derivation = derive_from_labels(universe, labels.labels, how=labels.how, source="deals")
    _assert_planted_filters(derivation.spec)
    assert "won" in derived_icp_text(derivation)


def test_ten_best_and_ten_worst_still_give_a_valid_icp_and_say_how_unsure_it_is(sample):
    sample, _ = sample
    accounts = sample.accounts.with_columns(planted=PLANTED_PROFILE.expr(), churny=CHURN_PROFILE.expr())
    customers = sample.customers.join(accounts.select("account_id", "planted", "churny"), on="account_id")
    best = (
        customers.filter(pl.col("planted") & pl.col("churned_at").is_null())
        .sort("expansion_usd", descending=True)
        .head(10)
    )
    worst = customers.filter(pl.col("churned_at").is_not_null()).head(10)
    labels = pl.concat(
        [best.select("account_id", label=pl.lit("best")), worst.select("account_id", label=pl.lit("worst"))]
    )
    derivation = derive_from_labels(sample.accounts.lazy(), labels, how="hand-picked")
    spec = derivation.spec
    assert parse_icp(derived_icp_text(derivation)) == spec
    assert 2 <= len(spec.filters) <= 5 and {f.field for f in spec.filters} <= set(PLANTED)
    assert any(w.startswith("small sample: 10 best and 10 worst") for w in derivation.warnings)
    widths = [e.interval()[1] - e.interval()[0] for e in derivation.evidence if e.rule.startswith("filters")]
    assert min(widths) > 0.25  # ten accounts pin a share down to no better than +-13 points


def _plain_prevalence(rows: list[dict], labels: dict[str, str]) -> dict[tuple[str, str], dict]:
    """Prevalence and lift counted by hand: no project code."""
    groups = {
        "best": [r for r in rows if labels.get(r["account_id"]) == "best"],
        "worst": [r for r in rows if labels.get(r["account_id"]) == "worst"],
        "universe": rows,
    }
    result = {}
    for name, members in groups.items():
        for row in members:
            held = {("industry", row["industry"])} if row["industry"] is not None else set()
            held |= {("tech_stack", t) for t in set(row["tech_stack"] or [])}
            for key in held:
                result.setdefault(key, {"best": 0, "worst": 0, "universe": 0})[name] += 1
    n_best, n = len(groups["best"]), len(rows)
    for counts in result.values():
        p_u = counts["universe"] / n
        counts["p_best"] = counts["best"] / n_best
        counts["lift"] = counts["p_best"] / p_u
        counts["shrunk_lift"] = (counts["best"] + 10 * p_u) / (n_best + 10) / p_u
    return result


def test_prevalence_and_lift_agree_with_a_count_by_hand():
    rng = random.Random(5)
    rows = [
        {
            "account_id": f"a{i}",
            "industry": rng.choice(["saas", "fintech", "media", None]),
            "tech_stack": rng.sample(["aws", "salesforce", "dbt", "slack"], rng.randint(0, 3)) or None,
        }
        for i in range(300)
    ]
    labels = {f"a{i}": "best" for i in range(40)} | {f"a{i}": "worst" for i in range(40, 70)}
    universe = pl.LazyFrame(
        rows, schema={"account_id": pl.String, "industry": pl.String, "tech_stack": pl.List(pl.String)}
    )
    labelled = universe.join(
        pl.LazyFrame({"account_id": list(labels), "label": list(labels.values())}), on="account_id"
    )
    table = prevalence_table(universe, labelled, ["industry", "tech_stack"], 300, 40, 30)
    expected = _plain_prevalence(rows, labels)
    assert table.height == sum(1 for c in expected.values() if c["best"] or c["worst"])
    for row in table.iter_rows(named=True):
        hand = expected[(row["field"], row["value"])]
        assert (row["best"], row["worst"], row["universe"]) == (hand["best"], hand["worst"], hand["universe"])
        assert row["p_best"] == pytest.approx(hand["p_best"])
        assert row["lift"] == pytest.approx(hand["lift"])
        assert row["shrunk_lift"] == pytest.approx(hand["shrunk_lift"])


def _flat_universe(n: int = 60) -> pl.LazyFrame:
    ids = [f"a{i}.com" for i in range(n)]
    return pl.LazyFrame(
        {
            "account_id": ids,
            "domain": ids,
            "industry": ["saas"] * n,
            "employees": [100] * n,
            "is_customer": [i < 10 for i in range(n)],
        }
    )


def test_nothing_to_learn_is_refused_with_a_clear_line():
    labels = pl.DataFrame({"account_id": [f"a{i}.com" for i in range(20)], "label": ["best"] * 10 + ["worst"] * 10})
    with pytest.raises(InputError, match="nothing to learn: no attribute is held by more of the 10 best"):
        derive_from_labels(_flat_universe(), labels, how="test")


@pytest.mark.parametrize(
    ("best", "worst", "expected"),
    [(10, 0, "all 10 matched customers are best"), (3, 10, "only 3 best accounts"), (10, 4, "only 4 worst accounts")],
)
def test_too_few_of_a_class_is_refused(best, worst, expected):
    labels = pl.DataFrame(
        {"account_id": [f"a{i}.com" for i in range(best + worst)], "label": ["best"] * best + ["worst"] * worst}
    )
    with pytest.raises(InputError, match=expected):
        derive_from_labels(_flat_universe(), labels, how="test")
