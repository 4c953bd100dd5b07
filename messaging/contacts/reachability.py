"""Reachable accounts: those with at least one contact in an ICP persona with a sendable email."""

from __future__ import annotations

import polars as pl

from messaging.contacts.classify import PersonaRules, classify_contacts
from messaging.contacts.sendability import check_sendability


def reachable_accounts(contacts: pl.LazyFrame | pl.DataFrame, personas: list[str], rules: PersonaRules) -> pl.LazyFrame:
    """Return the distinct `account_id`s that have a sendable contact in one of `personas`.

    Args:
        contacts: canonical contacts (account_id, email, email_status, title, ...).
        personas: the ICP's personas; a contact in any of them counts.
        rules: the persona rules that classify titles.

    Returns:
        A LazyFrame with one column, `account_id`, one row per reachable account.
    """
    classified = check_sendability(classify_contacts(contacts, rules)).lazy()
    return (
        classified.filter(pl.col("sendable") & pl.col("persona").is_in(personas))
        .select("account_id")
        .drop_nulls()
        .unique()
    )
