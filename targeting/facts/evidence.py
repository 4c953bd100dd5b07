"""One key's evidence rules -> Polars expressions giving the words a fact rests on (null: no evidence)."""

from __future__ import annotations

import re

import polars as pl

from targeting.facts.spec import EVIDENCE_COLUMNS, KeyEvidence

# `#` in a phrase: a number as descriptions write them ("2,000", "1.5", "100+", "10k", "$50M", "50M€").
_NUMBER = r"(?:\$|€|£)?(?-u:\d[\d,.]*(?:[kKmMbB]\b)?\+?)(?:€|£)?"
# ASCII word boundaries and ASCII case folding keep the regex engine on its fast path (Unicode `\b`
# and case folding over a whole pattern cost it 50 times); non-ASCII letters fold one by one.
_BOUNDARY = r"(?-u:\b)"


def phrase_pattern(phrases: list[str]) -> str:
    """One regex finding any of `phrases`, ignoring (ASCII) case, on word boundaries.

    A space matches any run of spaces or hyphens ("venture backed" finds "venture-backed"), `*` the
    rest of a word, `#` a number.
    """
    return "(?:" + "|".join(_one_phrase(phrase) for phrase in phrases) + ")"


def _one_phrase(phrase: str) -> str:
    parts = []
    for token in re.split(r"(\s+|\*|#)", phrase):
        if not token:
            continue
        if token.isspace():
            parts.append(r"(?-u:[\s\-]+)")
        elif token == "*":
            parts.append(r"(?-u:\w*)")
        elif token == "#":
            parts.append(_NUMBER)
        else:
            parts += [
                f"(?i-u:{re.escape(run)})" if run.isascii() else f"(?i:{re.escape(run)})"
                for run in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", token)
            ]
    head = _BOUNDARY if phrase[0].isalnum() or phrase[0] in "#_" else ""
    tail = _BOUNDARY if phrase[-1].isalnum() or phrase[-1] in "*_" else ""
    return head + "".join(parts) + tail


def key_evidence(rule: KeyEvidence, columns: set[str]) -> list[tuple[str, pl.Expr]]:
    """(source column, evidence expression) for each rule of one key, description first.

    Args:
        rule: the key's phrases and column values.
        columns: the columns the frame has; rules on other columns are skipped.

    Returns:
        Pairs whose expression is the matched words of the description, or the first matching
        value of the list column, and null where the account shows no evidence.
    """
    found: list[tuple[str, pl.Expr]] = []
    if rule.phrases and "description" in columns:
        found.append(("description", pl.col("description").str.extract(phrase_pattern(rule.phrases), 0)))
    for column in EVIDENCE_COLUMNS:
        values = getattr(rule, column)
        if values and column in columns:
            hit = pl.col(column).list.eval(pl.element().filter(pl.element().is_in(values))).list.first()
            found.append((column, hit))
    return found


def key_found(rule: KeyEvidence, columns: set[str]) -> pl.Expr | None:
    """True where any rule of one key finds evidence (a match test, cheaper than extracting it); None if no rule applies."""
    tests = []
    if rule.phrases and "description" in columns:
        tests.append(pl.col("description").str.contains(phrase_pattern(rule.phrases)))
    for column in EVIDENCE_COLUMNS:
        values = getattr(rule, column)
        if values and column in columns:
            tests.append(pl.col(column).list.eval(pl.element().is_in(values)).list.any())
    return pl.any_horizontal(tests).fill_null(False) if tests else None
