"""Who the best and worst customers are: from a `label` column, or ranked from their metrics.

`customers.csv` names each customer by `account_id` or `domain` and either labels it (`best`,
`worst`, `churned`; a blank label is neither) or gives metrics: `tenure_months`, `expansion_usd`,
`referrals`, `support_tickets`, `churned_at` or `churned`. From metrics, churned customers are the
worst and the healthiest quarter of those who stayed are the best, health being the mean
percentile of tenure, expansion and referrals and of support tickets inverted. `how` says which
rule chose them, in words a person checks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing.outcomes import (
    match_accounts,
    parse_dates,
    parse_flags,
    parse_numbers,
    read_outcome_table,
)

LABELS = {"best": "best", "worst": "worst", "churned": "worst"}
POSITIVE_METRICS = ("tenure_months", "expansion_usd", "referrals")
NEGATIVE_METRICS = ("support_tickets",)
BEST_SHARE = 0.25
CUSTOMER_ALIASES = {
    "account_id": ("account_id",),
    "domain": ("domain", "company_domain", "website", "company_website", "url", "company_domain_name"),
    "label": ("label", "customer_label", "segment_label"),
    "tenure_months": ("tenure_months", "tenure", "months_as_customer", "months_active"),
    "expansion_usd": ("expansion_usd", "expansion", "net_expansion_usd", "expansion_arr"),
    "referrals": ("referrals", "referral_count"),
    "support_tickets": ("support_tickets", "tickets", "ticket_count"),
    "churned_at": ("churned_at", "churn_date", "churned_on"),
    "churned": ("churned", "is_churned"),
}


@dataclass(frozen=True)
class OutcomeLabels:
    """Accounts labelled `best` or `worst`, how they were chosen, and what could not be used.

    `labels` has one row per account: `account_id`, `label` (best, worst). `unmatched` rows named
    an account outside the universe; `unlabelled` were neither best nor worst.
    """

    labels: pl.DataFrame
    how: str
    source: str
    rows_read: int
    unmatched: int
    unmatched_examples: list[str]
    unlabelled: int = 0
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)

    def count(self, label: str) -> int:
        """How many accounts carry `label`."""
        return int((self.labels["label"] == label).sum())


def parse_customers(path: str | Path) -> pl.DataFrame:
    """The customer file's rows with labels (`_label`) or metrics parsed; no universe needed yet.

    Raises:
        InputError: no account column, no label and no metric, an unknown label, a cell that is no
            number or date, or (labelled) every customer in one class.
    """
    table = read_outcome_table(path, CUSTOMER_ALIASES)
    has_label = "label" in table.columns and table["label"].is_not_null().any()
    metrics = [m for m in (*POSITIVE_METRICS, *NEGATIVE_METRICS) if m in table.columns]
    churn = [c for c in ("churned_at", "churned") if c in table.columns]
    if not has_label and not metrics and not churn:
        raise InputError(
            "no label column (best, worst, churned) and no metric to rank customers by "
            f"({', '.join((*POSITIVE_METRICS, *NEGATIVE_METRICS, 'churned_at', 'churned'))})",
            path=path,
            field="columns",
            value=[c for c in table.columns if c != "_row"],
        )
    if has_label:
        table = table.with_columns(_label=_parsed_labels(table, path))
    else:
        parsed = [parse_numbers(table, m, path) for m in metrics]
        if "churned_at" in table.columns:
            parsed.append(parse_dates(table, "churned_at", path))
        if "churned" in table.columns:
            parsed.append(parse_flags(table, "churned", path))
        table = table.with_columns(parsed)
    if has_label:
        counts = table["_label"].drop_nulls().value_counts()
        if counts.height == 1:
            only = counts[0, "_label"]
            raise InputError(
                f"all {counts[0, 'count']} labelled customers are {only}: derivation compares best with worst"
                " and needs both",
                path=path,
                field="label",
                value=only,
            )
    return table


def read_customers(path: str | Path, universe: pl.LazyFrame) -> OutcomeLabels:
    """Label a customer file's accounts best or worst and match them to the universe.

    Args:
        path: customers.csv (or Parquet/NDJSON) with `account_id` or `domain`, and `label` or metrics.
        universe: the canonical accounts (`import_accounts(...).accounts`).

    Returns:
        The labels, the rule that chose them, and the rows that named no account of the universe.

    Raises:
        InputError: no account column, no label and no metric, an unknown label, a cell that is no
            number or date, or no customer matching any account.
    """
    table = parse_customers(path)
    rows_read = table.height
    has_label = "_label" in table.columns
    metrics = [m for m in (*POSITIVE_METRICS, *NEGATIVE_METRICS) if m in table.columns]
    churn = [c for c in ("churned_at", "churned") if c in table.columns]
    matched = match_accounts(table, universe)
    if matched.rows.is_empty():
        raise InputError(
            f"none of the {rows_read} customers matches an account of the universe "
            f"(e.g. {', '.join(matched.unmatched_examples) or '-'}); are they named by the same domain?",
            path=path,
        )
    rows = matched.rows.unique("account_id", keep="first", maintain_order=True)
    duplicates = matched.rows.height - rows.height
    if has_label:
        labels, how = rows.select("account_id", label="_label"), f"the `label` column of {Path(path).name}"
    else:
        labels, how = _ranked(rows, metrics, churn)
    kept = labels.filter(pl.col("label").is_not_null())
    warnings = []
    if matched.unmatched:
        warnings.append(
            f"{matched.unmatched} of {rows_read} customers match no account of the universe and are left out"
            f" (e.g. {', '.join(matched.unmatched_examples)})"
        )
    if duplicates:
        warnings.append(f"{duplicates} customer rows repeat an account already read; the first row is used")
    return OutcomeLabels(
        labels=kept,
        how=how,
        source="customers",
        rows_read=rows_read,
        unmatched=matched.unmatched,
        unmatched_examples=matched.unmatched_examples,
        unlabelled=labels.height - kept.height,
        duplicates=duplicates,
        warnings=warnings,
    )


def _parsed_labels(table: pl.DataFrame, path: str | Path) -> pl.Series:
    text = table["label"].str.to_lowercase()
    unknown = text.is_not_null() & ~text.is_in(list(LABELS))
    if unknown.any():
        bad = table.filter(unknown)
        values = sorted(set(bad["label"].to_list()))
        raise InputError(
            f"unknown label{'s' if len(values) > 1 else ''} {', '.join(map(repr, values[:5]))}"
            " (expected best, worst or churned; leave it blank for neither)",
            path=path,
            line=bad[0, "_row"],
            field="label",
            value=bad[0, "label"],
        )
    return text.replace_strict(LABELS, default=None, return_dtype=pl.String)


def _ranked(rows: pl.DataFrame, metrics: list[str], churn: list[str]) -> tuple[pl.DataFrame, str]:
    churned = pl.lit(False)
    if "churned_at" in churn:
        churned = churned | pl.col("churned_at").is_not_null()
    if "churned" in churn:
        churned = churned | pl.col("churned").fill_null(False)
    rows = rows.with_columns(_churned=churned)
    retained = rows.filter(~pl.col("_churned"))
    n_churned = rows.height - retained.height
    if metrics:
        ranks = [
            pl.col(m).rank("average") / pl.col(m).count()
            if m in POSITIVE_METRICS
            else 1 - pl.col(m).rank("average") / pl.col(m).count()
            for m in metrics
        ]
        retained = retained.with_columns(_health=pl.mean_horizontal(ranks)).sort(
            ["_health", "account_id"], descending=[True, False], nulls_last=True
        )
        n_best = min(retained.height, max(math.ceil(BEST_SHARE * retained.height), min(10, retained.height // 2)))
        shown = ", ".join(m if m in POSITIVE_METRICS else f"{m} (fewer is better)" for m in metrics)
        best_ids = retained["account_id"].head(n_best)
        how_best = (
            f"best: the {n_best} healthiest of {retained.height} retained customers (top "
            f"{n_best / max(retained.height, 1):.0%} by mean percentile of {shown})"
        )
    else:
        best_ids = retained["account_id"]
        how_best = f"best: all {retained.height} retained customers (no metric to rank them by)"
    if n_churned >= 5 or not metrics:
        worst_ids = rows.filter(pl.col("_churned"))["account_id"]
        how_worst = f"worst: the {n_churned} churned customers ({' or '.join(churn) or 'no churn column'})"
    else:
        n_worst = min(retained.height - best_ids.len(), math.ceil(BEST_SHARE * retained.height))
        bottom = retained["account_id"].tail(n_worst)
        worst_ids = pl.concat([rows.filter(pl.col("_churned"))["account_id"], bottom])
        how_worst = (
            f"worst: the {n_churned} churned customers and the {bottom.len()} least healthy "
            f"retained ones (bottom {BEST_SHARE:.0%}; too few churned to compare with alone)"
        )
    labels = rows.select(
        "account_id",
        label=pl.when(pl.col("account_id").is_in(best_ids.implode()))
        .then(pl.lit("best"))
        .when(pl.col("account_id").is_in(worst_ids.implode()))
        .then(pl.lit("worst"))
        .otherwise(None),
    )
    return labels, f"{how_best}; {how_worst}"
