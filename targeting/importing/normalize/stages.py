"""Stage words: funding rounds to FUNDING_STAGES, CRM lifecycle stages and yes/no to is_customer."""

from __future__ import annotations

import polars as pl

from targeting.columns import FUNDING_STAGES
from targeting.importing.normalize.text import lookup_key, lookup_text

_FUNDING = {
    "bootstrapped": "bootstrapped|bootstrap|self funded|self-funded|no funding|unfunded",
    "pre_seed": "pre seed|preseed|pre-seed|angel|angel round|friends and family",
    "seed": "seed|seed round|seed+|accelerator|incubator",
    "series_a": "series a|a",
    "series_b": "series b|b",
    "series_c": "series c|c",
    "series_d_plus": "series d|series e|series f|series g|series h|series i|series j|series d+"
    "|series d plus|late stage|late stage venture|growth|growth equity",
    "public": "ipo|public|post ipo equity|post ipo debt|post ipo secondary|listed|publicly traded",
    "acquired": "acquired|acquisition|m&a|merger|merged",
}
FUNDING_WORDS = {lookup_text(word): stage for stage, words in _FUNDING.items() for word in words.split("|")}
FUNDING_WORDS.update({lookup_text(stage): stage for stage in FUNDING_STAGES})
# Real rounds that say nothing about the stage: null, not an unreadable value.
NOT_A_STAGE = sorted(
    {
        lookup_text(word)
        for word in "venture (round not specified)|venture round|venture|other|debt financing|debt"
        "|grant|convertible note|undisclosed|corporate round|non equity assistance|private equity"
        "|equity crowdfunding|product crowdfunding|initial coin offering|secondary market"
        "|series unknown|unknown|active|inactive|funding round|n/a|none".split("|")
    }
)

_TRUE = {"true", "t", "yes", "y", "1", "x", "customer", "current client", "client"}
# CRM lifecycle stages short of a customer (HubSpot's and Apollo's) read as "not a customer".
_FALSE = {
    "false",
    "f",
    "no",
    "n",
    "0",
    "prospect",
    "subscriber",
    "lead",
    "marketing qualified lead",
    "marketingqualifiedlead",
    "sales qualified lead",
    "salesqualifiedlead",
    "opportunity",
    "evangelist",
    "other",
    "cold",
    "approaching",
    "former customer",
    "churned",
}


def funding_stage(raw: pl.Expr) -> pl.Expr:
    """A funding word ("Series B", "Pre-Seed", "IPO", "Angel") to one of FUNDING_STAGES, else null."""
    return lookup_key(raw).replace_strict(FUNDING_WORDS, default=None, return_dtype=pl.String)


def is_not_a_stage(raw: pl.Expr) -> pl.Expr:
    """True for funding words that are real but name no stage ("Debt Financing", "Other", "Grant")."""
    return lookup_key(raw).is_in(NOT_A_STAGE)


def boolean(raw: pl.Expr) -> pl.Expr:
    """True/False from "true", "yes", "1", "x", or a CRM lifecycle stage ("Customer", "Lead"); else null."""
    words = {**{word: True for word in _TRUE}, **{word: False for word in _FALSE}}
    return lookup_key(raw).replace_strict(words, default=None, return_dtype=pl.Boolean)
