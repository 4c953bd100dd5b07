"""Customers and deals for the sample universe, with a planted truth to recover.

The planted truth (`PLANTED_PROFILE`): customers and won deals concentrate in accounts that are

- industry in {fintech, saas},
- 50 to 500 employees (both ends included),
- `salesforce` in tech_stack,
- region in {NA, EMEA},
- funding_stage in {series_a, series_b, series_c}.

An account's chance of being a customer depends only on how many of these five conditions its
exported row meets (a null meets none): `CUSTOMER_RATE_BY_MATCHES[k]` for k = 0..5, that is
0.05%, 0.1%, 0.2%, 0.6%, 3% and 40%, so most customers match all five while noise customers
come from everywhere (seed 7, 20,000 accounts: ~1.6% of accounts sit in the profile and
about half of the ~230 customers do). Lost
deals lean toward the profile less steeply (`LOST_RATE_BY_MATCHES`: sellers chase near misses),
so the win rate inside the profile is far above the rate outside it. Open deals are recent and
barely profile-dependent. Customers also carry how they fared (tenure, expansion, referrals,
support tickets, churn): the planted profile retains and expands, a `b2c` churn profile leaves
(`targeting.sample.profiles.CHURN_PROFILE`). A derivation that reads `customers.csv` against `accounts.csv`
should recover the five conditions; `PLANTED_PROFILE.expr()` (`targeting.sample.profiles`) is the exact membership test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from targeting.sample.customer_health import customer_health
from targeting.sample.profiles import PLANTED_PROFILE

CUSTOMER_RATE_BY_MATCHES = (0.0005, 0.001, 0.002, 0.006, 0.03, 0.40)
LOST_RATE_BY_MATCHES = (0.004, 0.008, 0.015, 0.03, 0.06, 0.25)
OPEN_RATE_BY_MATCHES = (0.004, 0.005, 0.006, 0.008, 0.012, 0.02)
CUSTOMERS_SCHEMA = {
    "account_id": pl.String(),
    "domain": pl.String(),
    "name": pl.String(),
    "became_customer_at": pl.Date(),
    "arr_usd": pl.Float64(),
    # How each customer fared since (`targeting.sample.customer_health`): what ranks best and worst.
    "tenure_months": pl.Int64(),
    "expansion_usd": pl.Float64(),
    "referrals": pl.Int64(),
    "support_tickets": pl.Int64(),
    "churned_at": pl.Date(),
}
DEALS_SCHEMA = {
    "deal_id": pl.String(),
    "account_id": pl.String(),
    "created_at": pl.Date(),
    "closed_at": pl.Date(),
    "stage": pl.String(),
    "amount_usd": pl.Float64(),
}
DEAL_STAGES = ("won", "lost", "open")


def generate_customers_and_deals(
    accounts: pl.DataFrame, seed: int = 7, as_of: date | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Customers (CUSTOMERS_SCHEMA) and deals (DEALS_SCHEMA) planted in `accounts`.

    Args:
        accounts: Accounts in ACCOUNT_SCHEMA.
        seed: The random seed.
        as_of: Every date is on or before this day; today if None.

    Returns:
        (customers, deals): one won deal per customer, closing the day it became one; lost
        deals closed; open deals created in the last four months with no `closed_at`.
    """
    as_of = as_of or date.today()
    rng = np.random.default_rng([seed, 2])
    matches = accounts.select(PLANTED_PROFILE.matches()).to_series().to_numpy()
    n = accounts.height
    customer = rng.random(n) < np.take(CUSTOMER_RATE_BY_MATCHES, matches)
    lost = ~customer & (rng.random(n) < np.take(LOST_RATE_BY_MATCHES, matches))
    opened = ~customer & ~lost & (rng.random(n) < np.take(OPEN_RATE_BY_MATCHES, matches))
    employees = accounts["employees"].fill_null(60).to_numpy().astype(float)
    # Contract value grows with the square root of headcount, as seat-based pricing does.
    value = np.round(np.exp(rng.normal(np.log(15_000), 0.5, n)) * np.sqrt(employees / 100), -2)
    cycle = 20 + rng.gamma(2.0, 30.0, n).astype(np.int64)
    closed_ago = rng.integers(30, 4 * 365, n)
    open_ago = rng.integers(0, 120, n)
    day = np.datetime64(as_of, "D")
    closed = day - closed_ago.astype("timedelta64[D]")
    base = accounts.select("account_id", "domain", "name").with_columns(
        pl.Series("closed", closed).cast(pl.Date),
        pl.Series("cycle", cycle),
        pl.Series("value", value),
        pl.Series("opened", day - open_ago.astype("timedelta64[D]")).cast(pl.Date),
    )
    customers = base.filter(pl.Series(customer)).select(
        "account_id",
        "domain",
        "name",
        pl.col("closed").alias("became_customer_at"),
        pl.col("value").alias("arr_usd"),
    )
    closed_deals = base.filter(pl.Series(customer | lost)).select(
        "account_id",
        (pl.col("closed") - pl.duration(days=pl.col("cycle"))).alias("created_at"),
        pl.col("closed").alias("closed_at"),
        pl.when(pl.col("account_id").is_in(customers["account_id"].implode()))
        .then(pl.lit("won"))
        .otherwise(pl.lit("lost"))
        .alias("stage"),
        pl.col("value").alias("amount_usd"),
    )
    open_deals = base.filter(pl.Series(opened)).select(
        "account_id",
        pl.col("opened").alias("created_at"),
        pl.lit(None, dtype=pl.Date).alias("closed_at"),
        pl.lit("open").alias("stage"),
        pl.col("value").alias("amount_usd"),
    )
    deals = (
        pl.concat([closed_deals, open_deals])
        .sort("created_at", "account_id")
        .with_columns(
            pl.concat_str(pl.lit("deal-"), pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(5)).alias("deal_id")
        )
    )

    customers = customers.hstack(customer_health(customers, accounts, seed, as_of))
    return (
        customers.select([pl.col(k).cast(v) for k, v in CUSTOMERS_SCHEMA.items()]),
        deals.select([pl.col(k).cast(v) for k, v in DEALS_SCHEMA.items()]),
    )


def mark_customers(accounts: pl.DataFrame, customers: pl.DataFrame) -> pl.DataFrame:
    """`accounts` with `is_customer` set for the accounts in `customers`."""
    return accounts.with_columns(pl.col("account_id").is_in(customers["account_id"].implode()).alias("is_customer"))
