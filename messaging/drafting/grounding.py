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

# Tokens: a link is a scheme or `www.` URL, or a host-like token (any public suffix: bit.ly, t.me)
# written in lower case or with a path; an email is one token; words are whole words.
_SCHEME_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\"']+")
_HOSTLIKE = re.compile(
    r"(?<![\w@.-])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+(?:/[^\s<>()\"']*)?"
)
_EMAIL = re.compile(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}\b")
_WORD = re.compile(r"[^\W_][\w&'’]*(?:-[^\W_][\w&'’]*)*")
# A figure: a number with its unit (43%, 2x, $25M, 1.5bn), or a run of number words.
_FIGURE = re.compile(
    r"(?i)(?<![\w.])[$€£]?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent\b|x\b|×|k\b|m\b|bn\b|b\b|million\b|billion\b|thousand\b))?"
)
_NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
    eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand thousands
    million millions billion billions dozen dozens twice thrice double triple quadruple tenfold""".split()
)
# Claims of rank or share that are figures too ("four of the five largest banks").
_SUPERLATIVES = frozenset(
    """largest biggest fastest-growing leading top-rated top-tier best-known most-used majority""".split()
)
# Where a draft names companies or products, in any case: "teams at google, amazon and openai".
_NAMING = re.compile(
    r"(?i)\b(?:(?:teams?|compan(?:y|ies)|customers?|clients?|folks|engineers|leaders|people|orgs?|"
    r"organi[sz]ations?|startups?|brands?|banks?|firms?|retailers?|users?|partners?|shops?)\s+"
    r"(?:at|like|such as|including|from)|(?:trusted|used|loved|chosen|backed|adopted)\s+by|"
    r"(?:work|works|working|partner|partnered)\s+with|customers?\s+include|such as|including)\s+"
    r"(?P<items>[^.!?;:\n]+)"
)
_ITEM_SPLIT = re.compile(r"(?i)\s*(?:,|&|\band\b|\bor\b|\bplus\b)\s*")
# Words a naming phrase may hold that name nobody ("teams at your company", "such as the ones you run").
_GENERIC = frozenset(
    """a an the your you yours our their them they its his her my this that these those many most some
    other others all every each any similar several few such one ones more less companies company teams
    team firms firm people folks leaders customers clients businesses organizations organisations orgs
    startups banks brands shops users it we us me what how who which where when why in on of for to with
    at by as from like including""".split()
)
# A capitalised word, in any alphabet ("María", "Élodie"): a word whose first letter is upper case.
_CAPITALISED = re.compile(r"(?<![\w'’-])[^\W\d_][\w&'’-]*")
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


def _link(token: str) -> str:
    """A link as compared: lower case, no scheme, `www.` or trailing slash."""
    text = _norm(token).rstrip("/")
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    return text.removeprefix("www.")


def _is_hostlike_link(token: str) -> bool:
    host = token.split("/", 1)[0]
    top = host.rsplit(".", 1)[-1].lower()
    if top not in _top_level_suffixes():
        return False
    return "/" in token or token == token.lower()


def _top_level_suffixes() -> frozenset[str]:
    from targeting.identity import _suffixes

    return _suffixes()[1]


def _figure(token: str) -> str:
    """A figure as compared: no currency sign or thousands commas, its unit spelled one way."""
    text = token.lower().replace(",", "").lstrip("$€£").replace("×", "x").replace("percent", "%")
    return re.sub(r"\s+", "", text)


def _words(text: str) -> set[str]:
    words = set()
    for word in _WORD.findall(text.lower()):
        word = word.removesuffix("'s").removesuffix("’s")
        words.add(word)
        words.update(word.split("-"))
    return words


def grounding_failures(text: str, *, known: Iterable[str], addresses: Iterable[str]) -> list[str]:
    """What in `text` nothing we know supports, one readable line each (empty: grounded).

    Everything is compared as whole tokens, never as substrings: a link or an address must be one of
    `addresses`, whole (`arpeak.ai` is not `clearpeak.ai`); a figure (43%, 2x, $25M, "two hundred",
    "largest") must appear as that figure in `known`; a name, capitalised or in a naming phrase in any
    case ("teams at google"), must be a whole word of `known` ("uber" is not in "kubernetes").

    Args:
        text: The model's subject and body.
        known: Every text a figure or name may come from (account, contact, sender, template draft).
        addresses: The links, domains and email addresses a draft may carry.

    Returns:
        Lines such as "invented figure '40%'" or "link not ours 'evil.example.com'".
    """
    from targeting.identity import email_key

    known = list(known)
    corpus = " ".join(known)
    words = _words(corpus)
    figures = {_figure(m.group()) for m in _FIGURE.finditer(corpus)}
    addresses = [a for a in addresses if a]
    emails = {email_key(a) for a in addresses if "@" in a} - {None}
    links = {_link(a) for a in addresses if "@" not in a}
    failures: list[str] = []
    seen: set[str] = set()

    def fail(kind: str, token: str) -> None:
        if token not in seen:
            seen.add(token)
            failures.append(f"{kind} {token!r}")

    rest = text
    for match in _EMAIL.finditer(text):
        if email_key(match.group()) not in emails:
            fail("email address not ours", match.group())
    rest = _EMAIL.sub(" ", rest)
    for pattern, check in ((_SCHEME_URL, lambda t: True), (_HOSTLIKE, _is_hostlike_link)):
        for match in pattern.finditer(rest):
            token = match.group().rstrip(".,;:!?)")
            if not check(token):
                continue
            link = _link(token)
            host = link.split("/", 1)[0]
            # A bare host is ours when a link we have is on that host; a path must be given whole.
            if link not in links and not ("/" not in link and any(a.split("/", 1)[0] == host for a in links)):
                fail("link not ours", token)
            rest = rest.replace(match.group(), " ", 1)
    for match in _FIGURE.finditer(rest):
        figure = match.group().rstrip(".,")
        if figure and _figure(figure) not in figures:
            fail("invented figure", figure)
    run: list[str] = []
    for word in [*_WORD.findall(rest.lower()), ""]:
        if word in _NUMBER_WORDS or (run and word in ("and", "of", "the", "a")):
            run.append(word)
            continue
        invented = [w for w in run if w in _NUMBER_WORDS and w not in words]
        if invented:
            while run and run[-1] not in _NUMBER_WORDS:
                run.pop()
            fail("invented figure", " ".join(run))
        run = []
        if word in _SUPERLATIVES and word not in words:
            fail("unsupported superlative", word)
    for match in _NAMING.finditer(rest):
        for item in _ITEM_SPLIT.split(match.group("items")):
            name = next((w for w in _WORD.findall(item.lower()) if w not in _GENERIC), None)
            if name and name not in words and name not in _NUMBER_WORDS and name not in _SUPERLATIVES:
                fail("invented name", name)
    for line in rest.splitlines():
        for match in _CAPITALISED.finditer(line):
            word = match.group().rstrip("'’-")
            if not word[:1].isupper() or word.lower() in COMMON_WORDS:
                continue
            # A sentence's first word is capitalised anyway: a name only when it looks like one (AcmeCorp, SOC).
            before = line[max(0, match.start() - 4) : match.start()].rstrip(" \"'(‘“")
            if (not before or before[-1] in ".!?:") and not any(ch.isupper() or ch.isdigit() for ch in word[1:]):
                continue
            if not (_words(word) <= words):
                fail("invented name", word)
    return failures
