"""One key's evidence rules -> Polars expressions giving the words a fact rests on (null: no evidence)."""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from targeting.facts.spec import EVIDENCE_COLUMNS, KeyEvidence

# `#` in a phrase: a number as descriptions write them ("2,000", "1.5", "100+", "10k", "$50M", "50M€",
# "3 000 000"). It ends on a digit, a unit or "+", never on the comma or full stop after it
# ("Fortune 100," is quoted "Fortune 100").
_NUMBER = r"(?:\$|€|£)?(?-u:\d(?:[\d,.]*\d)?(?: \d{3}\b)*(?:[kKmMbB]\b)?\+?)(?:€|£)?"
# One sentence of a description: up to a full stop, "!" or "?" followed by a space, or a line end
# ("$1.2 million" and "Inc." inside a name stay in the sentence).
_SENTENCE = r"(?:[^.!?\n]|[.!?][^\s])*"
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


def _old_years(as_of: date, recent_years: int) -> str:
    """A regex finding a year (1900 on) older than `recent_years` before `as_of`."""
    oldest_recent = as_of.year - recent_years
    years = [str(y) for y in range(1900, oldest_recent)]
    return _BOUNDARY + "(?:" + "|".join(years) + ")" + _BOUNDARY if years else r"(?!)"


def other_sense(rule: KeyEvidence) -> str | None:
    """One regex finding, in a sentence, what gives the key's words another sense; None: nothing does.

    A `not_in` phrase anywhere; an `object_of` word up to `gap` words before one of the key's phrases
    ("for community banks"); a `modifier_of` word right after one, or one word after ("banking
    infrastructure", "tax form data API").
    """
    parts = []
    if rule.not_in:
        parts.append(phrase_pattern(rule.not_in))
    words = r"(?-u:[\s\-]+)"
    phrase = phrase_pattern(rule.phrases) if rule.phrases else None
    if phrase and rule.object_of:
        parts.append(phrase_pattern(rule.object_of) + rf"(?:{words}(?-u:[\w'&/]+)){{0,{rule.gap}}}{words}" + phrase)
    if phrase and rule.modifier_of:
        parts.append(phrase + rf"(?:{words}(?-u:[\w'&/]+))?{words}" + phrase_pattern(rule.modifier_of))
    return "(?:" + "|".join(parts) + ")" if parts else None


def has_contexts(rule: KeyEvidence) -> bool:
    """True when a key's phrases are read in their sentence (negative contexts, neighbours, recency)."""
    return bool(
        other_sense(rule) or rule.requires or rule.recent_years is not None or rule.not_in_text or rule.first_sentences
    )


def description_evidence(rule: KeyEvidence, *, as_of: date | None = None) -> pl.Expr:
    """The words of `description` that evidence one key, or null.

    Without contexts, the first phrase found. With them, the first phrase found in a sentence that
    has no `not_in` phrase, has a `requires` phrase (the phrase itself counts) and names no year
    older than `recent_years` before `as_of` (default: today): "We help banks" is not a bank,
    "raised the bar" is not a raise, "raised a seed round in 2019" is not a recent one.
    """
    phrase = phrase_pattern(rule.phrases)
    text = pl.col("description")
    if rule.not_in_text:
        # A market the account sells to, named anywhere, is no evidence of its own work in it.
        elsewhere = text.str.contains(phrase_pattern(rule.not_in_text)).fill_null(False)
        return pl.when(~elsewhere).then(description_evidence(rule.model_copy(update={"not_in_text": []}), as_of=as_of))
    if not has_contexts(rule):
        return text.str.extract(phrase, 0)
    keep = pl.lit(True)
    sense = other_sense(rule)
    if sense:
        keep = keep & ~pl.element().str.contains(sense)
    if rule.requires:
        keep = keep & pl.element().str.contains(phrase_pattern(rule.requires))
    if rule.recent_years is not None:
        keep = keep & ~pl.element().str.contains(_old_years(as_of or date.today(), rule.recent_years))
    sentences = text.str.extract_all(_SENTENCE + phrase + _SENTENCE)
    read = sentences
    if rule.first_sentences:
        # Only the sentences where the company says what it is are read for the key's phrases.
        head = (
            text.str.extract_all(_SENTENCE)
            .list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
            .list.head(rule.first_sentences)
            .list.join("\n")
        )
        read = head.str.extract_all(_SENTENCE + phrase + _SENTENCE)
    found = read.list.eval(pl.element().filter(keep)).list.first().str.extract(phrase, 0)
    if rule.read_out == "text" and sense:
        # One sentence naming the key in another sense (the market's, the customers') reads it out whole.
        elsewhere = sentences.list.eval(pl.element().str.contains(sense)).list.any()
        return pl.when(~elsewhere.fill_null(False)).then(found)
    return found


def key_evidence(rule: KeyEvidence, columns: set[str], *, as_of: date | None = None) -> list[tuple[str, pl.Expr]]:
    """(source column, evidence expression) for each rule of one key, description first.

    Args:
        rule: the key's phrases, contexts and column values.
        columns: the columns the frame has; rules on other columns are skipped.
        as_of: the day `recent_years` counts back from (default: today).

    Returns:
        Pairs whose expression is the matched words of the description, or the first matching
        value of the list column, and null where the account shows no evidence.
    """
    found: list[tuple[str, pl.Expr]] = []
    if rule.phrases and "description" in columns:
        found.append(("description", description_evidence(rule, as_of=as_of)))
    read_out = _values_read_out(rule, columns, as_of)
    for column in EVIDENCE_COLUMNS:
        values = getattr(rule, column)
        if values and column in columns:
            hit = pl.col(column).list.eval(pl.element().filter(pl.element().is_in(values))).list.first()
            found.append((column, hit if read_out is None else pl.when(~read_out).then(hit)))
    return found


def _values_read_out(rule: KeyEvidence, columns: set[str], as_of: date | None) -> pl.Expr | None:
    """True where the list values of a key are no evidence: the text reads the key out, names none of
    `tags_need`, or (`values_alone: false`) is there at all."""
    tests = [test for test in (_read_out(rule, columns, as_of), _uncorroborated(rule, columns)) if test is not None]
    if not rule.values_alone and "description" in columns:
        tests.append(pl.col("description").str.strip_chars().str.len_chars().fill_null(0) > 0)
    return pl.any_horizontal(tests) if tests else None


def _uncorroborated(rule: KeyEvidence, columns: set[str]) -> pl.Expr | None:
    """True where the description exists and names neither `tags_need` nor the key's phrases; None: no such rule."""
    if not (rule.tags_need and "description" in columns):
        return None
    named = pl.col("description").str.contains(phrase_pattern([*rule.tags_need, *rule.phrases]))
    return (~named).fill_null(False)


def _read_out(rule: KeyEvidence, columns: set[str], as_of: date | None) -> pl.Expr | None:
    """True where the description names the key only in sentences its contexts read out.

    A list value then goes too: Standard Treasury, tagged payments, "helped banks"; the tag says
    the market, as the words do; so does a `not_in_text` phrase anywhere. None: the key has no
    contexts or the frame no description.
    """
    if "description" not in columns:
        return None
    tests = []
    if rule.phrases and other_sense(rule):
        named = pl.col("description").str.contains(phrase_pattern(rule.phrases))
        tests.append(named & description_evidence(rule, as_of=as_of).is_null())
    if rule.not_in_text:
        tests.append(pl.col("description").str.contains(phrase_pattern(rule.not_in_text)))
    return pl.any_horizontal(tests).fill_null(False) if tests else None


def key_found(rule: KeyEvidence, columns: set[str], *, as_of: date | None = None) -> pl.Expr | None:
    """True where any rule of one key finds evidence (a match test, cheaper than extracting it); None if no rule applies."""
    tests = []
    if rule.phrases and "description" in columns:
        if has_contexts(rule):
            tests.append(description_evidence(rule, as_of=as_of).is_not_null())
        else:
            tests.append(pl.col("description").str.contains(phrase_pattern(rule.phrases)))
    read_out = _values_read_out(rule, columns, as_of)
    for column in EVIDENCE_COLUMNS:
        values = getattr(rule, column)
        if values and column in columns:
            hit = pl.col(column).list.eval(pl.element().is_in(values)).list.any()
            tests.append(hit if read_out is None else hit & ~read_out)
    return pl.any_horizontal(tests).fill_null(False) if tests else None
