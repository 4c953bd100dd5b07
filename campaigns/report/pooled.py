"""The outcomes a refinement learns from: the delivered contacts of a lineage's campaigns, each counted once."""

from __future__ import annotations

import polars as pl

from campaigns.results.outcomes import RANK
from campaigns.results.reasons import reply_reason


def genuine_reply(rank: pl.Expr) -> pl.Expr:
    """A person answered: a reply (positive or not) or a meeting; never an auto-reply, never an unsubscribe."""
    return (rank >= RANK["replied"]).fill_null(False)


def pooled_outcomes(contacts: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One row per delivered person over the given campaigns: `replied` and `positive` (0/1), `criteria`, `reason`.

    `replied` is a genuine reply (`genuine_reply`), the outcome a refinement reads; `reason` is what
    the reply's text says (`campaigns.results.reasons`; null without a reply), `persona` the persona planned.

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
    text = pl.col("reply_text") if "reply_text" in once.columns else pl.lit(None, pl.String)
    persona = pl.col("persona") if "persona" in once.columns else pl.lit(None, pl.String)
    frame = once.select(
        "campaign_id",
        "contact_id",
        "account_id",
        "segment",
        persona.alias("persona"),
        genuine_reply(rank).cast(pl.Int64).alias("replied"),
        (rank >= RANK["positive"]).cast(pl.Int64).alias("positive"),
        pl.col("criteria").str.json_decode(pl.List(pl.String)).alias("criteria"),
        pl.when(rank >= RANK["unsubscribed"]).then(reply_reason(text, rank >= RANK["positive"])).alias("reason"),
    )
    return frame, int(unknown)


def with_unknown_criteria(
    outcomes: pl.DataFrame, evaluated: dict[str, list[str]], labels: list[str], met: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Pooled outcomes with `unknown`: the criteria of `labels` a contact's campaign never evaluated.

    A campaign planned from an older version lacks the criteria a newer one added: its contacts are
    not "without" them, their value is unknown. Where `met` has the campaign's accounts evaluated
    against the newer version (`account_id`, `criteria`), the criteria are read from there instead;
    what is still unknown is listed, so a refinement leaves those contacts out of that criterion's
    contrast.

    Args:
        outcomes: `pooled_outcomes`' frame.
        evaluated: campaign id -> the labels its ICP version scored.
        labels: the criteria of the version being refined.
        met: campaign id -> the criteria its accounts meet under that version (campaigns left out: none known).
    """
    parts = []
    for part in outcomes.partition_by("campaign_id", maintain_order=True):
        campaign_id = part["campaign_id"][0]
        missing = [label for label in labels if label not in set(evaluated.get(campaign_id, labels))]
        unknown = pl.lit(missing, pl.List(pl.String))
        if missing and campaign_id in met:
            found = met[campaign_id].select("account_id", pl.col("criteria").alias("_met"))
            part = part.join(found, on="account_id", how="left")
            new = pl.col("_met").list.set_intersection(pl.lit(missing, pl.List(pl.String)))
            part = part.with_columns(
                pl.concat_list("criteria", new.fill_null(pl.lit([], pl.List(pl.String)))).alias("criteria"),
                pl.when(pl.col("_met").is_null())
                .then(unknown)
                .otherwise(pl.lit([], pl.List(pl.String)))
                .alias("unknown"),
            ).drop("_met")
        else:
            part = part.with_columns(unknown.alias("unknown"))
        parts.append(part)
    if not parts:
        return outcomes.with_columns(pl.lit([], pl.List(pl.String)).alias("unknown"))
    return pl.concat(parts)
