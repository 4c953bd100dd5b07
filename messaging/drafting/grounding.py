"""Grounding: every figure, name, link and address in a model draft must come from what we know.

What we know of a draft is its account (facts, their evidence, the account's own text), its
contact, the sender (`sender.yaml`) and the template draft for the same step (made from those).
Links and email addresses are stricter: only the sender's own, the account's domain and the
contact's address, so a link planted in an account's text cannot ride into an email. Account
text is data: `strip_instructions` drops its sentences that address a model before it is shown
to one or counted as knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_URL = re.compile(
    r"(?i)\b(?:https?://|www\.)[^\s<>()\"']+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|io|ai|co|net|org|dev|app|xyz|info|biz)\b(?:/[^\s<>()\"']*)?"
)
_EMAIL = re.compile(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b")
_NUMBER = re.compile(r"(?<![\w])[$€£]?\d[\d,.]*(?:%|[kKmMbB]\b)?")
_CAPITALISED = re.compile(r"(?<![\w'’-])[A-Z][A-Za-z0-9&'’-]*")
# Capitalised words any email may use without their being a fact.
COMMON_WORDS = frozenset(
    """i i'm i'd i'll i've hi hello hey dear thanks thank best regards cheers ps p.s monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august september october
    november december q1 q2 q3 q4 ok okay yes no re fwd ceo cto cfo coo cro vp""".split()
)
# Sentences in account text that speak to a model rather than describe a company.
_INSTRUCTION = re.compile(
    r"(?i)\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,40}\b(?:instructions?|prompts?|rules|above|previous)\b"
    r"|\b(?:system|developer) (?:prompt|message)\b|\byou are (?:now )?(?:an? )?(?:ai|assistant|language model|chatgpt)\b"
    r"|\bas an ai\b|\b(?:assistant|system|user)\s*:"
    r"|\b(?:add|include|insert|append|put|mention|say|state|write|tell (?:them|the reader))\b[^.!?\n]{0,30}"
    r"\b(?:this|the following|these|that we|we work|we partner|link|url|address|email)\b"
)
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def strip_instructions(text: str | None) -> tuple[str, int]:
    """`text` without its sentences that give instructions, and how many were dropped."""
    if not text:
        return "", 0
    kept, dropped = [], 0
    for sentence in _SENTENCES.split(text):
        if _INSTRUCTION.search(sentence):
            dropped += 1
        elif sentence.strip():
            kept.append(sentence.strip())
    return " ".join(kept), dropped


def _norm(token: str) -> str:
    return token.strip(".,;:!?)('\"’").lower()


def grounding_failures(text: str, *, known: Iterable[str], addresses: Iterable[str]) -> list[str]:
    """What in `text` nothing we know supports, one readable line each (empty: grounded).

    Args:
        text: The model's subject and body.
        known: Every text a figure or name may come from (account, contact, sender, template draft).
        addresses: The links, domains and email addresses a draft may carry.

    Returns:
        Lines such as "invented figure '40%'" or "link not ours 'evil.example.com'".
    """
    corpus = " ".join(known).lower()
    allowed = " ".join(addresses).lower()
    failures: list[str] = []
    seen: set[str] = set()

    def fail(kind: str, token: str) -> None:
        if token not in seen:
            seen.add(token)
            failures.append(f"{kind} {token!r}")

    rest = text
    for match in _EMAIL.finditer(text):
        if _norm(match.group()) not in allowed:
            fail("email address not ours", match.group())
    rest = _EMAIL.sub(" ", rest)
    for match in _URL.finditer(rest):
        link = _norm(match.group()).removeprefix("https://").removeprefix("http://").removeprefix("www.")
        if link.rstrip("/") not in allowed:
            fail("link not ours", match.group().rstrip(".,;:!?)"))
    rest = _URL.sub(" ", rest)
    for match in _NUMBER.finditer(rest):
        number = match.group().rstrip(".,")
        if number and number.lower() not in corpus:
            fail("invented figure", number)
    for line in rest.splitlines():
        for match in _CAPITALISED.finditer(line):
            word = match.group().rstrip("'’-")
            if word.lower() in COMMON_WORDS:
                continue
            # A sentence's first word is capitalised anyway: a name only when it looks like one (AcmeCorp, SOC).
            before = line[max(0, match.start() - 4) : match.start()].rstrip(" \"'(‘“")
            if (not before or before[-1] in ".!?:") and not any(ch.isupper() or ch.isdigit() for ch in word[1:]):
                continue
            if word.lower() not in corpus:
                fail("invented name", word)
    return failures
