"""The outcomes a refinement learns from: the delivered contacts of a lineage's campaigns, each counted once."""

from __future__ import annotations

import polars as pl

from campaigns.results.outcomes import RANK


def pooled_outcomes(contacts: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One row per delivered person over the given campaigns: `positive` (0/1), `criteria` (labels met), `account_id`.

    A person planned by two campaigns counts once, at their highest outcome (the same email is
    the same person). Contacts planned before criteria were recorded cannot be weighed.

    Args:
        contacts: Store.contact_outcomes over the campaigns.

    Returns:
        (the frame, how many delivered contacts were left out for lack of recorded criteria).
    """
    rank = pl.col("outcome_rank")
    delivered = contacts.filter(rank.is_not_null() & (rank >= RANK["no_reply"]) & (rank != RANK["bounced"]))
    unknown = (
        delivered.filter(pl.col("criteria").is_null()).select(pl.col("email").str.to_lowercase().n_unique()).item()
    )
    once = (
        delivered.filter(pl.col("criteria").is_not_null())
        .with_columns(pl.col("email").str.to_lowercase().alias("_person"))
        .sort("_person", "outcome_rank", "campaign_id", descending=[False, True, False])
        .unique("_person", keep="first", maintain_order=True)
    )
    frame = once.select(
        "campaign_id",
        "contact_id",
        "account_id",
        "segment",
        (rank >= RANK["positive"]).cast(pl.Int64).alias("positive"),
        pl.col("criteria").str.json_decode(pl.List(pl.String)).alias("criteria"),
    )
    return frame, int(unknown)
