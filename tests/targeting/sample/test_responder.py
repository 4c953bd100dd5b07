"""The seeded responder: a world's truth in, RESULTS.csv rows out, the same for the same seed."""

from __future__ import annotations

import polars as pl

from targeting.sample.responder import AUTO_REPLY, BOUNCE, planted_rates, simulated_results

ACCOUNTS = pl.DataFrame(
    {
        "account_id": ["hot", "cold"],
        "industry": ["saas", "retail"],
        "employees": [120, 5000],
        "tech_stack": [["salesforce"], []],
        "region": ["NA", "APAC"],
        "funding_stage": ["series_b", "public"],
    }
)


def _planned(n: int) -> pl.DataFrame:
    return pl.DataFrame(
        {"email": [f"p{i}@x{i}.com" for i in range(2 * n)], "account_id": ["hot", "cold"] * n},
    )


def test_a_world_given_as_rates_decides_who_answers_positively():
    rates = pl.DataFrame({"account_id": ["hot", "cold"], "positive_rate": [0.8, 0.0]})
    results = simulated_results(_planned(200), ACCOUNTS, seed=1, rates=rates).join(
        _planned(200), on="email", how="left"
    )
    positive = results.filter(pl.col("outcome").is_in(["positive", "meeting"]))
    assert set(positive["account_id"].to_list()) == {"hot"}
    hot = results.filter(pl.col("account_id") == "hot").height
    assert 0.7 * hot < positive.height < (1 - BOUNCE - AUTO_REPLY) * hot + 1
    auto = results.filter(pl.col("reply_text").str.contains("out of the office").fill_null(False))
    assert 0 < auto.height < 0.1 * results.height  # about 3% auto-replies, whatever the world


def test_without_rates_the_planted_profile_is_the_world():
    planned = _planned(50)
    assert planted_rates(ACCOUNTS)["positive_rate"].to_list()[0] > planted_rates(ACCOUNTS)["positive_rate"][1]
    default = simulated_results(planned, ACCOUNTS, seed=4)
    explicit = simulated_results(planned, ACCOUNTS, seed=4, rates=planted_rates(ACCOUNTS))
    assert default.equals(explicit) and not default.equals(simulated_results(planned, ACCOUNTS, seed=5))
