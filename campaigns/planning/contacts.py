"""Who may be planned: sendable contacts ranked within their account, in the ICP's persona order.

The account is the unit: never planned are anyone on the suppression ledger (email or domain, plain
or hashed), anyone any campaign planned within the cooldown, **everyone at an account where anyone
answered within the cooldown** (a reply of any kind, an unsubscribe; a bounce or an auto-reply is
no answer), a contact outside the ICP's personas or without a sendable email, a contact whose
account is in no segment (customers and suppressed domains are left out of the segments already).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from campaigns.ledger import is_blocked_expr, suppression_ledger
from messaging.contacts.classify import buying_rank
from messaging.drafts import classified_contacts
from targeting.identity import email_key_expr

_FLAG_ORDER = {"catch_all": 1, "unknown": 2}
CANDIDATE_COLUMNS = (
    "contact_id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "persona",
    "function",
    "sendable",
    "skip_reason",
    "email_flag",
    "segment",
    "persona_rank",
    "buying_rank",
    "quality",
)
# Within an account and persona, the order contacts are planned in: a contact of a function that buys
# the product first (sender.yaml `buying_functions`), then the best address (docs/personas.md).
CANDIDATE_ORDER = ("account_id", "persona_rank", "buying_rank", "quality", "contact_id")


@dataclass(frozen=True)
class Candidates:
    """Contacts that may be planned, ranked within their account, and why the others may not."""

    contacts: pl.DataFrame
    excluded: dict[str, int]


def eligible_contacts(
    contacts: pl.LazyFrame | pl.DataFrame,
    segments: pl.DataFrame,
    personas: list[str],
    *,
    ledger: pl.DataFrame,
    suppression: pl.DataFrame | None = None,
    cooled_emails: Collection[str] = (),
    cooled_accounts: Collection[str] = (),
    persona_rules: object | None = None,
    allow_role: bool = False,
    allow_free_mail: bool = False,
    buying_functions: list[str] | None = None,
) -> Candidates:
    """The contacts a plan may choose from, with their segment, persona rank and email quality.

    Args:
        contacts: canonical contacts (`persona` and `sendable` are computed where absent).
        segments: accounts with `account_id` and `segment` (segments.segment_accounts).
        personas: the ICP's personas, in priority order.
        ledger: the store's suppression ledger.
        suppression: the suppression lists given to the command (`read_suppression`): their emails
            and domains (subdomains included) are never planned, whatever their spelling.
        cooled_emails: lower-case emails planned by any campaign within the cooldown.
        cooled_accounts: account ids (or lower-case domains) where anyone answered within the cooldown
            (`cooldown_sets` of Store.cooldown): all their people are left out.
        persona_rules: rules for titles (None: the shipped rules).
        allow_role: plan role addresses (info@) too.
        allow_free_mail: plan free-mail addresses too.
        buying_functions: the functions that buy the product (sender.yaml), read as buyers for titles
            and for contacts that arrive with a persona alike.

    Returns:
        Candidates, and counts of contacts left out per reason (first reason that applies).
    """
    people = classified_contacts(
        contacts,
        persona_rules,
        allow_role=allow_role,
        allow_free_mail=allow_free_mail,
        buying_functions=buying_functions,
    )
    email = pl.coalesce(email_key_expr(pl.col("email")), pl.col("email").cast(pl.String).str.to_lowercase())
    ranked = people.join(segments.lazy().select("account_id", "segment"), on="account_id", how="left").with_columns(
        email.alias("email"),
        pl.col("persona")
        .replace_strict({p: i for i, p in enumerate(personas)}, default=None, return_dtype=pl.Int32)
        .alias("persona_rank"),
        pl.col("email_flag").replace_strict(_FLAG_ORDER, default=0, return_dtype=pl.Int32).alias("quality"),
        buying_rank(people.collect_schema().names(), buying_functions or ()).alias("buying_rank"),
    )
    reason = (
        pl.when(pl.col("contact_id").is_null() | ~pl.col("contact_id").is_first_distinct())
        .then(pl.lit("missing or repeated contact_id"))
        .when(is_blocked_expr(ledger))
        .then(pl.lit("suppression ledger"))
        .when(is_blocked_expr(suppression_ledger(suppression)))
        .then(pl.lit("suppression list"))
        .when(email.is_in(list(cooled_emails)))
        .then(pl.lit("planned within the cooldown"))
        .when(
            pl.col("account_id").cast(pl.String).is_in(list(cooled_accounts))
            | email.str.split("@").list.last().is_in(list(cooled_accounts))
        )
        .then(pl.lit("account answered within the cooldown"))
        .when(pl.col("segment").is_null())
        .then(pl.lit("account in no segment"))
        .when(pl.col("persona_rank").is_null())
        .then(pl.lit("persona not in the ICP"))
        .when(~pl.col("sendable").fill_null(False))
        .then(pl.lit("email not sendable"))
    )
    decided = ranked.with_columns(reason.alias("_reason")).collect()
    excluded = dict(
        decided.filter(pl.col("_reason").is_not_null()).group_by("_reason").len().sort("_reason").iter_rows()
    )
    open_ = decided.filter(pl.col("_reason").is_null())
    present = [c for c in CANDIDATE_COLUMNS if c in open_.columns]
    return Candidates(open_.select(present).sort(*CANDIDATE_ORDER), excluded)


def cooldown_sets(cooldown: pl.DataFrame) -> tuple[list[str], list[str]]:
    """Store.cooldown's rows -> (emails cooled down, accounts cooled down: their ids and domains)."""
    emails = sorted({e for row in cooldown["emails"].to_list() for e in (row or [])})
    answered = cooldown.filter(pl.col("answered"))
    accounts = sorted({v for v in [*answered["account_id"].to_list(), *answered["domain"].to_list()] if v})
    return emails, accounts


def reachable_per_segment(candidates: pl.DataFrame, segments: list[str], per_account: int = 1) -> dict[str, int]:
    """Contacts a round could plan per segment (in `segments` order): at most `per_account` of each account.

    With one per account (the default), the accounts with at least one candidate.
    """
    counts = dict(
        candidates.group_by("segment", "account_id")
        .agg(pl.len().clip(upper_bound=per_account).alias("n"))
        .group_by("segment")
        .agg(pl.col("n").sum())
        .iter_rows()
    )
    return {name: int(counts.get(name, 0)) for name in segments}
