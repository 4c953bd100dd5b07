"""The sample's customers fared as planted: the profile retains and expands, `b2c` churns."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from targeting.sample.customer_health import HEALTH_SCHEMA
from targeting.sample.profiles import CHURN_PROFILE
from targeting.sample.universe import PLANTED_PROFILE, generate_sample

AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="module")
def customers() -> pl.DataFrame:
    sample = generate_sample(seed=7, as_of=AS_OF)
    flags = sample.accounts.select("account_id", planted=PLANTED_PROFILE.expr(), churny=CHURN_PROFILE.expr())
    return sample.customers.join(flags, on="account_id")


def test_customers_carry_every_health_metric(customers):
    assert set(HEALTH_SCHEMA) <= set(customers.columns)
    retained = customers.filter(pl.col("churned_at").is_null())
    churned = customers.filter(pl.col("churned_at").is_not_null())
    assert churned.height > 20 and retained.height > churned.height
    assert (churned["churned_at"] > churned["became_customer_at"]).all() and (churned["churned_at"] <= AS_OF).all()
    assert (churned["expansion_usd"] == 0).all() and (customers["tenure_months"] >= 0).all()


def test_the_planted_profile_retains_and_expands_and_b2c_churns(customers):
    by = customers.group_by("planted", "churny").agg(
        churn=pl.col("churned_at").is_not_null().mean(),
        expansion=pl.col("expansion_usd").mean(),
        tickets=pl.col("support_tickets").mean(),
    )
    rates = {(r["planted"], r["churny"]): r for r in by.iter_rows(named=True)}
    planted, other, churny = rates[(True, False)], rates[(False, False)], rates[(False, True)]
    assert planted["churn"] < other["churn"] < churny["churn"]
    assert planted["expansion"] > 3 * other["expansion"]
    assert churny["tickets"] > 2 * planted["tickets"]
