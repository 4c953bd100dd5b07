"""What a draft rests on, read in one place: the facts it used, the account's words, each sentence's grounds.

`outbound draft` writes, per draft, `facts_used` (the account fields the copy drew on) and
`issues` (lint: "code: message"); the account's fields and description are in the targets, and
`targeting.facts` says which words of the account evidence each fact. `draft_grounds` is the only
function that reads those representations: a change of the evidence format is adapted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA
from targeting.facts.derive import account_facts
from targeting.facts.spec import FACT_KINDS, FactsSpec

# A sentence ends at a closing mark followed by space, or at a line break ("Inc., 2261" does not end one).
_BREAK = re.compile(r"[ \t]*\n[ \t]*|(?<=[.!?])[ \t]+")
_QUOTED = re.compile(r"'([^']{2,})'")


@dataclass(frozen=True)
class Ground:
    """One fact a draft used: its field, what it says, and the account's words it rests on."""

    field: str
    key: str
    words: str
    source: str

    def found_in(self, sentence: str) -> bool:
        text = sentence.lower()
        needles = {self.words.lower(), self.key.replace("_", " ").lower()}
        return any(needle and len(needle) > 1 and needle in text for needle in needles)


@dataclass
class Sentence:
    """A sentence of the draft as sent, with the grounds it rests on and the checks' findings at it."""

    text: str
    after: str = ""  # the space or line break that follows it in the draft, kept as it is
    grounds: list[Ground] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)


@dataclass
class DraftGrounds:
    """Everything the review page shows about what one draft rests on."""

    sentences: list[list[Sentence]]  # paragraphs of sentences
    grounds: list[Ground]
    unplaced: list[Ground]  # used, but no sentence names them
    description: list[tuple[str, bool]]  # the account's text, cut into (words, highlighted)
    draft_issues: list[str]  # findings no sentence holds (a missing footer, the length)


def sentences(text: str) -> list[list[tuple[str, str]]]:
    """`text` as paragraphs of (sentence, the space or line break after it); joined back they are the paragraph."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", (text or "").strip()):
        parts, at = [], 0
        for cut in _BREAK.finditer(paragraph):
            parts.append((paragraph[at : cut.start()], cut.group()))
            at = cut.end()
        parts.append((paragraph[at:], ""))
        kept: list[tuple[str, str]] = []
        for sentence, after in parts:
            if sentence.strip() or not kept:
                kept.append((sentence, after))
            else:  # nothing between two breaks: the break joins the one before
                kept[-1] = (kept[-1][0], kept[-1][1] + sentence + after)
        paragraphs.append([(sentence, after) for sentence, after in kept if sentence.strip()])
    return [p for p in paragraphs if p]


def account_grounds(account: dict[str, Any] | None, facts_used: list[str], spec: FactsSpec) -> list[Ground]:
    """The grounds of `facts_used` in one account: each fact's key and the account's words for it."""
    if not account:
        return []
    kinds = {column: kind for kind, column in FACT_KINDS.items()}
    grounds: list[Ground] = []
    # One row read in the universe's types: a list that is empty or null on this account (YC carries no
    # tech stack) would otherwise be a column of type null, which the facts' list expressions refuse.
    frame = pl.DataFrame([account], schema_overrides={c: t for c, t in ACCOUNT_SCHEMA.items() if c in account}).lazy()
    carried = [c for c in FACT_KINDS.values() if c in account and account.get("description") is None]
    evidence = account_facts(frame, spec, carried=carried).collect() if "account_id" in account else None
    for column in facts_used or []:
        if column in kinds:
            rows = [] if evidence is None else evidence.filter(pl.col("kind") == kinds[column]).to_dicts()
            keys = {row["key"] for row in rows}
            grounds += [Ground(column, row["key"], row["evidence"], row["source"]) for row in rows]
            grounds += [
                Ground(column, key, key.replace("_", " "), column)
                for key in account.get(column) or []
                if key not in keys
            ]
        elif column in account and account[column] is not None:
            value = account[column]
            values = value if isinstance(value, list) else [value]
            grounds += [Ground(column, column, str(v), column) for v in values]
    return grounds


def highlighted(text: str | None, words: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into runs, True where a run is one of `words` (case-insensitive); escaping is the page's."""
    if not text:
        return []
    needles = sorted({w for w in words if w and len(w) > 1}, key=len, reverse=True)
    if not needles:
        return [(text, False)]
    pattern = re.compile("|".join(re.escape(w) for w in needles), re.IGNORECASE)
    runs, at = [], 0
    for match in pattern.finditer(text):
        if match.start() > at:
            runs.append((text[at : match.start()], False))
        runs.append((match.group(), True))
        at = match.end()
    if at < len(text):
        runs.append((text[at:], False))
    return runs


def draft_grounds(draft: dict[str, Any], account: dict[str, Any] | None, spec: FactsSpec) -> DraftGrounds:
    """What one draft rests on, sentence by sentence.

    Args:
        draft: a row of drafts.parquet (subject, body, facts_used, issues), its text as it will be sent.
        account: the account's row of the targets (None: not in the targets given).
        spec: the facts vocabulary whose evidence rules name the account's words.
    """
    grounds = account_grounds(account, list(draft.get("facts_used") or []), spec)
    paragraphs = [[Sentence(draft.get("subject") or "")]] + [
        [Sentence(text, after) for text, after in paragraph] for paragraph in sentences(draft.get("body") or "")
    ]
    placed: set[Ground] = set()
    for paragraph in paragraphs:
        for sentence in paragraph:
            sentence.grounds = [g for g in grounds if g.found_in(sentence.text)]
            placed.update(sentence.grounds)
    draft_issues = []
    for issue in draft.get("issues") or []:
        quoted = [q.lower() for q in _QUOTED.findall(issue)]
        at = next(
            (s for p in paragraphs for s in p if quoted and any(q in s.text.lower() for q in quoted)),
            None,
        )
        (at.issues if at is not None else draft_issues).append(issue)
    description = (account or {}).get("description")
    # The evidence read from the description, and any other fact's words where the text says them too.
    described = [g.words for g in grounds]
    return DraftGrounds(
        sentences=paragraphs,
        grounds=grounds,
        unplaced=[g for g in grounds if g not in placed],
        description=highlighted(description, described),
        draft_issues=draft_issues,
    )
