"""How the sample's customers fared after they bought: tenure, expansion, referrals, support, churn.

Two planted truths for ICP derivation to recover (`targeting.icp.derive`):

- customers inside `PLANTED_PROFILE` retain and expand: they churn rarely (4%), expand by about
  half their ARR, refer others and open few tickets;
- customers in `CHURN_PROFILE` (consumer-facing: `b2c` in tags) churn: 70% of them leave, and
  while they stay they open three to four times the tickets.

Everyone else sits in between (20% churn, little expansion). Ranking customers by these metrics
gives a "best" set that is mostly the planted profile and a "worst" (churned) set that is mostly
`b2c`, so a derivation should write the five planted filters and a `b2c` disqualifier.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from targeting.sample.profiles import CHURN_PROFILE, PLANTED_PROFILE

CHURN_RATE = {"churn_profile": 0.70, "planted_profile": 0.04, "other": 0.20}
TICKETS_PER_YEAR = {"churn_profile": 16.0, "planted_profile": 3.0, "other": 7.0}
HEALTH_SCHEMA = {
    "tenure_months": pl.Int64(),
    "expansion_usd": pl.Float64(),
    "referrals": pl.Int64(),
    "support_tickets": pl.Int64(),
    "churned_at": pl.Date(),
}
_DAYS_PER_MONTH = 30.44


def customer_health(customers: pl.DataFrame, accounts: pl.DataFrame, seed: int, as_of: date) -> pl.DataFrame:
    """HEALTH_SCHEMA columns for `customers` (same rows, same order), drawn from their profile.

    Args:
        customers: account_id, became_customer_at and arr_usd per customer.
        accounts: the universe, for each customer's profile.
        seed: The random seed (its own stream: the rest of the sample does not move).
        as_of: No churn date is after this day.
    """
    rng = np.random.default_rng([seed, 3])
    profile = customers.select("account_id").join(
        accounts.select("account_id", planted=PLANTED_PROFILE.expr(), churny=CHURN_PROFILE.expr()),
        on="account_id",
        how="left",
        maintain_order="left",
    )
    planted = profile["planted"].fill_null(False).to_numpy()
    churny = profile["churny"].fill_null(False).to_numpy()
    group = np.where(churny, "churn_profile", np.where(planted, "planted_profile", "other"))
    n = customers.height
    became = customers["became_customer_at"].to_numpy().astype("datetime64[D]")
    day = np.datetime64(as_of, "D")
    months = (day - became).astype(np.int64) / _DAYS_PER_MONTH
    churn_p = np.vectorize(CHURN_RATE.get, otypes=[float])(group) if n else np.zeros(0)
    churned = (rng.random(n) < churn_p) & (months >= 2)
    stayed_months = np.where(churned, np.maximum(1.0, rng.uniform(0.15, 0.9, n) * months), months)
    churned_at = became + np.round(stayed_months * _DAYS_PER_MONTH).astype("timedelta64[D]")
    arr = customers["arr_usd"].to_numpy()
    growth = np.where(planted, rng.gamma(2.0, 0.25, n), rng.gamma(1.0, 0.06, n))
    expansion = np.where(churned, 0.0, np.round(arr * growth, -2))
    referrals = rng.poisson(np.where(planted & ~churned, 1.5, 0.2))
    ticket_rate = np.vectorize(TICKETS_PER_YEAR.get, otypes=[float])(group) if n else np.zeros(0)
    tickets = rng.poisson(ticket_rate)
    return (
        pl.DataFrame(
            {
                "tenure_months": np.floor(stayed_months).astype(np.int64),
                "expansion_usd": expansion,
                "referrals": referrals.astype(np.int64),
                "support_tickets": tickets.astype(np.int64),
                "churned_at": pl.Series(churned_at).cast(pl.Date),
            }
        )
        .with_columns(pl.when(pl.Series(churned)).then(pl.col("churned_at")).otherwise(None).alias("churned_at"))
        .select([pl.col(k).cast(v) for k, v in HEALTH_SCHEMA.items()])
    )
