"""Closed deals: `deals.csv` -> won and lost deals matched to the universe, open ones counted.

A deal names its account by `account_id` or `domain` and its result by `outcome` or `stage`
(`won`, `lost`, `open`; CRM spellings such as `Closed Won` or `closedlost` too). An `outcome` that
is none of these is an error; a `stage` that is none is a pipeline stage (`proposal`), so open.
`closed_at` and `amount` (or `amount_usd`) are optional.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing.customers import OutcomeLabels
from targeting.importing.outcomes import (
    match_accounts,
    parse_dates,
    parse_numbers,
    read_outcome_table,
)

DEAL_ALIASES = {
    "account_id": ("account_id",),
    "domain": ("domain", "company_domain", "associated_company_domain", "website", "company_website", "url"),
    "outcome": ("outcome", "result", "deal_outcome"),
    "stage": ("stage", "deal_stage", "dealstage", "opportunity_stage"),
    "closed_at": ("closed_at", "close_date", "closed_date", "closedate", "closed_on"),
    "amount": ("amount", "amount_usd", "deal_amount", "value", "deal_value"),
    "deal_id": ("deal_id", "id", "opportunity_id", "record_id"),
}
_OUTCOME_WORDS = {
    "won": "won",
    "closedwon": "won",
    "win": "won",
    "wonclosed": "won",
    "lost": "lost",
    "closedlost": "lost",
    "loss": "lost",
    "lose": "lost",
    "lostclosed": "lost",
    "open": "open",
    "pending": "open",
    "inprogress": "open",
}


@dataclass(frozen=True)
class ClosedDeals:
    """Won and lost deals of universe accounts, and everything left out, counted.

    `deals`: `deal_id`, `account_id`, `outcome` (won, lost), `closed_at` (date or null), `amount`.
    """

    deals: pl.DataFrame
    rows_read: int
    open: int
    unmatched: int
    unmatched_examples: list[str]
    other_stages: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many deals ended `outcome`."""
        return int((self.deals["outcome"] == outcome).sum())


def parse_deals(path: str | Path) -> tuple[pl.DataFrame, dict[str, int]]:
    """The deal file's rows with `outcome`, `closed_at` and `amount` parsed; no universe needed yet.

    Returns:
        The rows, and the other stages read as open with how many deals sit at each.

    Raises:
        InputError: no account or outcome column, an unknown outcome, a date or amount that does
            not parse.
    """
    table = read_outcome_table(path, DEAL_ALIASES)
    column = "outcome" if "outcome" in table.columns else "stage" if "stage" in table.columns else None
    if column is None:
        raise InputError(
            "no stage or outcome column (won, lost, open)",
            path=path,
            field="columns",
            value=[c for c in table.columns if c != "_row"],
        )
    words = table[column].map_elements(lambda v: re.sub(r"[^a-z]", "", v.lower()), return_dtype=pl.String)
    outcome = words.replace_strict(_OUTCOME_WORDS, default=None, return_dtype=pl.String)
    unknown = outcome.is_null()
    other: dict[str, int] = {}
    if unknown.any():
        bad = table.filter(unknown)
        if column == "outcome":
            values = sorted({str(v) for v in bad[column].to_list()})
            raise InputError(
                f"unknown outcome (expected won, lost or open; found {', '.join(values[:5])})",
                path=path,
                line=bad[0, "_row"],
                field=column,
                value=bad[0, column],
            )
        other = dict(Counter(str(v) for v in bad[column].to_list()).most_common())
        outcome = outcome.fill_null("open")
    table = table.with_columns(outcome.alias("outcome"))
    if "closed_at" in table.columns:
        table = table.with_columns(parse_dates(table, "closed_at", path))
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Date).alias("closed_at"))
    if "amount" in table.columns:
        table = table.with_columns(parse_numbers(table, "amount", path))
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("amount"))
    if "deal_id" not in table.columns:
        table = table.with_columns(pl.format("row-{}", pl.col("_row")).alias("deal_id"))
    return table, other


def read_deals(path: str | Path, universe: pl.LazyFrame) -> ClosedDeals:
    """Read a deals file, keep the closed deals and match each to its universe account.

    Raises:
        InputError: no account or outcome column, an unknown outcome, a date or amount that does
            not parse, or no closed deal matching any account.
    """
    table, other = parse_deals(path)
    rows_read = table.height
    n_open = int((table["outcome"] == "open").sum())
    closed = table.filter(pl.col("outcome") != "open")
    matched = match_accounts(closed, universe)
    if closed.height and matched.rows.is_empty():
        raise InputError(
            f"none of the {closed.height} closed deals matches an account of the universe "
            f"(e.g. {', '.join(matched.unmatched_examples)}); are they named by the same domain?",
            path=path,
        )
    deals = matched.rows.select("deal_id", "account_id", "outcome", "closed_at", "amount", "_row")
    warnings = []
    if other:
        shown = ", ".join(f"{k}: {v}" for k, v in list(other.items())[:5])
        warnings.append(f"{sum(other.values())} deals at other stages ({shown}) are counted as open")
    if matched.unmatched:
        warnings.append(
            f"{matched.unmatched} of {closed.height} closed deals match no account of the universe and are left"
            f" out (e.g. {', '.join(matched.unmatched_examples)})"
        )
    return ClosedDeals(
        deals=deals,
        rows_read=rows_read,
        open=n_open,
        unmatched=matched.unmatched,
        unmatched_examples=matched.unmatched_examples,
        other_stages=other,
        warnings=warnings,
    )


def labels_from_deals(deals: ClosedDeals) -> OutcomeLabels:
    """Best = accounts with a won deal; worst = accounts whose closed deals were all lost."""
    by_account = deals.deals.group_by("account_id", maintain_order=True).agg(won=(pl.col("outcome") == "won").any())
    labels = by_account.select("account_id", label=pl.when("won").then(pl.lit("best")).otherwise(pl.lit("worst")))
    n_best = int(by_account["won"].sum())
    how = (
        f"best: the {n_best} accounts with a won deal; worst: the {by_account.height - n_best} accounts "
        f"whose closed deals were all lost ({deals.open} open deals left out)"
    )
    return OutcomeLabels(
        labels=labels,
        how=how,
        source="deals",
        rows_read=deals.rows_read,
        unmatched=deals.unmatched,
        unmatched_examples=deals.unmatched_examples,
        unlabelled=0,
        warnings=list(deals.warnings),
    )
