"""AI tells: the openers, fillers and vocabulary that mark machine-written email.

One list serves both uses: the draft lint warns on templates (`ai_tell_expr`, one Polars
expression over every body), and the model drafter retries a model draft that has one
(`ai_tells`, per draft).
"""

from __future__ import annotations

import re

import polars as pl

# (label, pattern): case-insensitive, on word boundaries where the phrase starts or ends in a letter.
AI_TELLS: tuple[tuple[str, str], ...] = (
    ("I hope this finds you well", r"\bi hope (?:this|my) (?:email |message |note )?finds you"),
    ("I came across", r"\bi (?:came|stumbled) across\b"),
    ("I wanted to reach out", r"\bi wanted to reach out\b"),
    ("delve", r"\bdelv(?:e|es|ed|ing)\b"),
    ("seamless", r"\bseamless(?:ly)?\b"),
    ("leverage", r"\bleverag(?:e|es|ed|ing)\b"),
    ("unlock", r"\bunlock(?:s|ed|ing)?\b"),
    ("elevate", r"\belevat(?:e|es|ed|ing)\b"),
    ("game-changer", r"\bgame[- ]chang(?:er|ing)\b"),
    ("in today's fast-paced", r"\bin today'?s (?:fast-paced|ever-changing|digital)\b"),
    ("cutting-edge", r"\bcutting[- ]edge\b"),
    ("revolutionize", r"\brevolutioni[sz](?:e|es|ed|ing)\b"),
    ("tapestry", r"\btapestry\b"),
    ("it's not just X, it's Y", r"\b(?:it'?s|this is) not just\b[^.\n]{1,60}[,;]\s*(?:it'?s|but)\b"),
    ("em-dash run", r"(?:—|--)[^\n]*(?:—|--)"),
)
# Matched against the lower-cased text: Python's re runs IGNORECASE alternations many times slower.
_COMPILED = tuple((label, re.compile(pattern)) for label, pattern in AI_TELLS)
# A literal each tell cannot match without: a substring test (in C) skips the regex nearly always.
_TRIGGERS = (
    "finds you",
    "across",
    "reach out",
    "delv",
    "seamless",
    "leverag",
    "unlock",
    "elevat",
    "game",
    "today",
    "cutting",
    "revolution",
    "tapestry",
    "not just",
    "",
)


def ai_tells(text: str) -> list[str]:
    """The labels of every AI tell in `text`, in list order."""
    text = text.lower()
    dashes = "—" in text or "--" in text
    return [
        label
        for (label, pattern), trigger in zip(_COMPILED, _TRIGGERS)
        if (trigger in text if trigger else dashes) and pattern.search(text)
    ]


def ai_tell_expr(text: pl.Expr) -> pl.Expr:
    """The AI tells of each text as a List[String] of labels (empty: none)."""
    found = [pl.when(text.str.contains(f"(?i){pattern}")).then(pl.lit(label)) for label, pattern in AI_TELLS]
    return pl.concat_list(found).list.drop_nulls()
