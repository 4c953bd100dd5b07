"""The outcomes a contact can reach, lowest first, and the words results files spell them with."""

from __future__ import annotations

import re

import polars as pl

OUTCOMES = ("not_sent", "no_reply", "bounced", "unsubscribed", "auto_reply", "replied", "positive", "meeting")
"""The outcomes' ranking (docs/campaigns.md): meeting > positive > replied > auto_reply > unsubscribed > bounced > no_reply > not_sent."""
RANK = {name: rank for rank, name in enumerate(OUTCOMES)}
LEDGER_OUTCOMES = ("bounced", "unsubscribed")
"""Outcomes that put an email on the suppression ledger."""


def status_word(value: str) -> str:
    """A status as a comparable word: `notInterested`, `Not Interested` and `not_interested` agree."""
    text = value.strip()
    if re.fullmatch(r"[-+]?\d+(\.0+)?", text):
        return str(int(float(text)))
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def rank_of(outcome: str) -> int:
    """The rank of a canonical outcome name."""
    return RANK[outcome]


def outcome_of_rank(rank: pl.Expr) -> pl.Expr:
    """An outcome rank back to its name."""
    return rank.replace_strict(dict(enumerate(OUTCOMES)), default=None, return_dtype=pl.String)
