"""The demo's simulated responder: who answers a planned campaign, in a world whose truth is known.

Demo data, not the production path: `outbound demo` ingests what it writes with `--simulated`, so
every report built on it says SIMULATED. Accounts inside the planted profile (PLANTED_PROFILE,
the one the sample's customers were planted in) answer positively far more often; 3% of sends get
an auto-reply and 3% bounce. `bench/loop_study.py` hands it other worlds' truths (`rates`). Each contact's draw is a hash of (seed, email), so the same plan and
seed give the same results.
"""

from __future__ import annotations

import hashlib

import polars as pl

from targeting.sample.profiles import PLANTED_PROFILE

POSITIVE_IN_PROFILE = 0.3
POSITIVE_NEAR = 0.12
"""Accounts meeting 4 of the profile's 5 conditions."""
POSITIVE_ELSE = 0.01
NEGATIVE_REPLY = 0.04
AUTO_REPLY = 0.03
BOUNCE = 0.03
MEETING_SHARE = 0.3
"""Of positive replies, the share that books a meeting."""
NEGATIVE_TEXTS = (
    "Not a priority for us right now, thanks.",
    "Not interested, thanks.",
    "We already use a tool for this.",
    "I'm not the right person for this, try my colleague in sales ops.",
)
"""The texts of negative replies, one reason each (`campaigns.results.reasons` sorts them)."""


def _uniform(seed: int, email: str, what: str) -> float:
    digest = hashlib.sha256(f"{seed}\x1f{what}\x1f{email.lower()}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def planted_rates(accounts: pl.DataFrame) -> pl.DataFrame:
    """The demo world's truth: each account's positive-reply rate per send, from the planted profile."""
    matches = PLANTED_PROFILE.matches()
    rate = (
        pl.when(matches >= 5)
        .then(pl.lit(POSITIVE_IN_PROFILE))
        .when(matches == 4)
        .then(pl.lit(POSITIVE_NEAR))
        .otherwise(pl.lit(POSITIVE_ELSE))
    )
    return accounts.select("account_id", rate.alias("positive_rate"))


def simulated_results(
    planned: pl.DataFrame, accounts: pl.DataFrame, seed: int = 0, rates: pl.DataFrame | None = None
) -> pl.DataFrame:
    """RESULTS.csv rows (email, outcome, reply_text) for a planned campaign.

    Args:
        planned: one row per planned contact with `email` and `account_id` (campaign.csv).
        accounts: the canonical accounts (for the profile test).
        seed: the responder's seed.
        rates: the world's truth, `account_id` -> `positive_rate` per send (at most
            1 - BOUNCE - AUTO_REPLY - NEGATIVE_REPLY), and optionally `reply_rate` (every genuine reply,
            positive or not, per send; then negative replies are the difference); None: the planted
            profile's (`planted_rates`).
    """
    if rates is None:
        truth = planted_rates(accounts).with_columns(pl.lit(None, pl.Float64).alias("reply_rate"))
    elif "reply_rate" in rates.columns:
        truth = rates.select("account_id", "positive_rate", "reply_rate")
    else:
        truth = rates.select("account_id", "positive_rate", pl.lit(None, pl.Float64).alias("reply_rate"))
    people = (
        planned.select("email", "account_id")
        .unique("email", keep="first", maintain_order=True)
        .join(truth, on="account_id", how="left")
    )
    rows = []
    columns = (pl.col("positive_rate").fill_null(POSITIVE_ELSE), "reply_rate")
    for email, positive, replying in people.select("email", *columns).iter_rows():
        # Without a reply rate, negative replies are NEGATIVE_REPLY of sends everywhere; with one, the
        # account's replies are `reply_rate` of sends, `positive_rate` of them positive.
        negative = NEGATIVE_REPLY if replying is None else max(replying - positive, 0.0)
        u = _uniform(seed, email, "outcome")
        reply_text = None
        if u < BOUNCE:
            outcome = "bounced"
        elif u < BOUNCE + AUTO_REPLY:
            outcome, reply_text = "replied", "I am out of the office until Monday with limited access to email."
        elif u < BOUNCE + AUTO_REPLY + positive:
            outcome = "meeting" if _uniform(seed, email, "meeting") < MEETING_SHARE else "positive"
            reply_text = "Sounds interesting, happy to talk next week."
        elif u < BOUNCE + AUTO_REPLY + positive + negative:
            outcome = "replied"
            reply_text = NEGATIVE_TEXTS[int(_uniform(seed, email, "reason") * len(NEGATIVE_TEXTS))]
        else:
            outcome = "no_reply"
        rows.append({"email": email, "outcome": outcome, "reply_text": reply_text})
    return pl.DataFrame(rows, schema={"email": pl.String, "outcome": pl.String, "reply_text": pl.String})
