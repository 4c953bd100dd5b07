"""The hypotheses a test campaign sends to: the ICP's tiers, and `explore` for near misses.

A near miss is an account the ICP just left out: every filter holds but its score is one point
under the minimum, or its score is enough but exactly one filter fails (or is unknown). Neither
may be suppressed or disqualified. Exploring a little is how the loop learns what the
hypothesis left out (docs/campaigns.md, "Reading a test honestly").
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import polars as pl

from targeting import IcpSpec, score_accounts
from targeting.selection.scoring import criterion_column, suppressed_expr

EXPLORE = "explore"
UNTIERED = "untiered"


def segment_names(spec: IcpSpec) -> list[str]:
    """The segments in plan order: tiers from the highest, then explore."""
    return [*spec.scoring.tiers, EXPLORE]


def hypotheses(spec: IcpSpec) -> dict[str, str]:
    """What each segment tests, in words for design.json."""
    ordered = list(spec.scoring.tiers.items())
    text = {}
    for i, (name, threshold) in enumerate(ordered):
        upper = f" and below {ordered[i - 1][1]}" if i > 0 else ""
        text[name] = f"tier {name}: ICP {spec.name} v{spec.version} accounts scoring {threshold} or more{upper}"
    text[EXPLORE] = (
        f"near misses of {spec.name} v{spec.version}: every filter holds and the score is "
        f"{spec.scoring.min_score - 1}, or the score is {spec.scoring.min_score}+ with exactly one filter failing"
    )
    text[UNTIERED] = f"targets of {spec.name} v{spec.version} below every tier threshold"
    return text


def segment_accounts(
    accounts: pl.LazyFrame,
    spec: IcpSpec,
    *,
    as_of: date | None = None,
    excluded_keys: Collection[str] = (),
) -> pl.LazyFrame:
    """Accounts that belong to a segment: their own columns, `score`, `tier`, `segment` and `criteria`.

    `criteria` is the list of the labels of the ICP criteria the account meets (what a report
    contrasts per criterion).

    Args:
        accounts: canonical accounts (ACCOUNT_SCHEMA).
        spec: the ICP.
        as_of: the day `within_days` counts back from.
        excluded_keys: account ids and domains never planned (customers, suppressed domains).
    """
    scored = score_accounts(accounts, spec, as_of, suppressed_keys=list(excluded_keys), with_reasons=False)
    names = scored.collect_schema().names()
    filters = [c for c in names if c.startswith("_filter_")]
    disqualifiers = [c for c in names if c.startswith("_disqualifier_")]
    failing = (
        pl.sum_horizontal([(~pl.col(c).fill_null(False)).cast(pl.Int32) for c in filters]) if filters else pl.lit(0)
    )
    disqualified = (
        pl.any_horizontal([pl.col(c).fill_null(False) for c in disqualifiers]) if disqualifiers else pl.lit(False)
    )
    floor = spec.scoring.min_score
    near_miss = (
        ~pl.col("_suppressed")
        & ~disqualified
        & (((failing == 0) & (pl.col("score") == floor - 1)) | ((failing == 1) & (pl.col("score") >= floor)))
    )
    customer = pl.col("is_customer").fill_null(False) if "is_customer" in names else pl.lit(False)
    segment = (
        pl.when(customer)
        .then(pl.lit(None, pl.String))
        .when(pl.col("dropped_at").is_null())
        .then(pl.col("tier").fill_null(UNTIERED))
        .when(near_miss)
        .then(pl.lit(EXPLORE))
        .otherwise(pl.lit(None, pl.String))
    )
    return (
        scored.with_columns(segment.alias("segment"), _met(spec).alias("criteria"))
        .filter(pl.col("segment").is_not_null())
        .select(pl.exclude("^_.*$", "dropped_at"))
    )


def _met(spec: IcpSpec) -> pl.Expr:
    """The labels of the criteria a scored account meets, in spec order."""
    labels = [pl.when(pl.col(criterion_column(i))).then(pl.lit(c.label)) for i, c in enumerate(spec.scoring.criteria)]
    return pl.concat_list(labels).list.drop_nulls() if labels else pl.lit([], pl.List(pl.String))


def criteria_met(accounts: pl.LazyFrame, spec: IcpSpec, as_of: date | None = None) -> pl.LazyFrame:
    """`account_id` and `criteria` (the labels of the criteria of `spec` it meets) for every account."""
    scored = score_accounts(accounts, spec, as_of, with_reasons=False)
    return scored.select("account_id", _met(spec).alias("criteria"))


def excluded_accounts(
    accounts: pl.LazyFrame, customer_keys: Collection[str], suppressed_keys: Collection[str], ledger: pl.DataFrame
) -> dict[str, int]:
    """How many accounts no segment may hold, and why: customers, then suppressed domains (lists and ledger)."""
    from campaigns.ledger import domain_blocked_expr

    customer = suppressed_expr(customer_keys) | pl.col("is_customer").fill_null(False)
    suppressed = suppressed_expr(suppressed_keys) | domain_blocked_expr(ledger)
    counts = accounts.select(
        customer.sum().alias("customers"), (~customer & suppressed).sum().alias("suppressed domains")
    ).collect()
    return {name: int(counts[name][0]) for name in counts.columns}
