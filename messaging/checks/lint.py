"""Draft lint: every rendered draft checked at once with Polars string expressions.

Each check is one expression over the whole `subject`/`body` columns (no Python loop per row), so
100,000 drafts lint in about a second on a shared two-core machine (bench/drafting_bench.py). Findings land in `issues` as "code: readable message";
`SEVERITY` says which codes block a send (`messaging.checks.gate` holds those drafts back from every
export and plan) and which are warnings for a reviewer.
"""

from __future__ import annotations

import re

import polars as pl

from messaging.checks.spam_words import SPAM_WORDS, spam_word_issues
from messaging.drafting.ai_tells import AI_TELLS
from targeting.errors import InputError

MIN_WORDS = 50
MAX_WORDS = 150
MAX_SUBJECT_CHARS = 60
MAX_SUBJECT_WORDS = 8
MAX_LINKS = 1

SEVERITY: dict[str, str] = {
    "placeholder": "error",
    # An empty subject is poor copy, not a broken or non-compliant email: a reviewer's warning.
    "empty_subject": "warning",
    "no_opt_out": "error",
    "no_postal_address": "error",
    "too_short": "warning",
    "too_long": "warning",
    "subject_too_long": "warning",
    "too_many_links": "warning",
    "no_account_fact": "warning",
    "spam_word": "warning",
    # Phrasing that marks machine-written email: a reviewer's warning on templates (a model draft
    # with one is retried, then replaced by its template draft, before lint).
    "ai_tell": "warning",
    # Checks over the whole run (messaging.checks.batch): a sentence in more than 10% of its first
    # touches, a claim resting on a tag rather than the account's words, copy still marked sample.
    "repeated_sentence": "warning",
    "weak_evidence": "warning",
    "sample_copy": "warning",
}

# Leftovers of every merge syntax a draft may pass through: Jinja2 ({{ }}, {% %}), Python format
# ({first_name}), hand-written ([Company]), and sending tools' own (<FIRST_NAME>, %FIRSTNAME%).
PLACEHOLDER_PATTERN = (
    r"\{\{[^\n]*?\}\}|\{%[^\n]*?%\}|\{\{|\}\}|\{%|%\}"
    r"|\{[A-Za-z_][A-Za-z0-9_. ]*\}"
    r"|\[[A-Za-z][A-Za-z0-9_ ]{0,30}\]"
    r"|<[A-Z][A-Z0-9_]*>"
    r"|%[A-Z][A-Z0-9_]*%"
)
LINK_PATTERN = r"(?i)(?:https?://|www\.)\S+"
WORD_PATTERN = r"\S+"

REQUIRED_COLUMNS = ("subject", "body", "facts_used")


def lint_drafts(
    drafts: pl.DataFrame,
    *,
    postal_address: str,
    opt_out_line: str,
    spam_words: list[str] | None = None,
) -> pl.DataFrame:
    """Check every draft and fill its `issues`.

    Args:
        drafts: rendered drafts with `subject`, `body` and `facts_used` (List[String]); an existing
            `issues` column is kept and the findings are appended (linting twice adds nothing).
        postal_address: the sender's postal address every body must carry.
        opt_out_line: the sender's opt-out line every body must carry.
        spam_words: words and phrases to warn about; defaults to `SPAM_WORDS`.

    Returns:
        The same rows in the same order with `issues` (List[String], "code: message").

    Raises:
        InputError: a required column is missing.
    """
    # Lint only the columns the checks read: dragging wide account columns through the row index
    # and the spam join doubled the time on real drafts.
    needed = [name for name in (*REQUIRED_COLUMNS, "issues") if name in drafts.columns]
    issues = lint_drafts_lazy(
        drafts.lazy().select(needed), postal_address=postal_address, opt_out_line=opt_out_line, spam_words=spam_words
    ).collect()["issues"]
    return drafts.with_columns(issues)


def lint_drafts_lazy(
    drafts: pl.LazyFrame,
    *,
    postal_address: str,
    opt_out_line: str,
    spam_words: list[str] | None = None,
) -> pl.LazyFrame:
    """The lazy form of `lint_drafts`: LazyFrame in, LazyFrame with `issues` out."""
    schema = drafts.collect_schema()
    missing = [name for name in REQUIRED_COLUMNS if name not in schema]
    if missing:
        raise InputError("drafts to lint lack a required column", field=missing[0])
    words = list(SPAM_WORDS if spam_words is None else spam_words)
    existing = (
        pl.col("issues").fill_null(pl.lit([], dtype=pl.List(pl.String)))
        if "issues" in schema
        else pl.lit([], dtype=pl.List(pl.String))
    )
    indexed = drafts.with_row_index("_lint_row")
    # Each measure is computed once as a column, then read by the checks that need it.
    measured = indexed.with_columns(
        _footer_present(opt_out_line).alias("_has_opt_out"),
        _footer_present(postal_address).alias("_has_address"),
        _word_count(pl.col("body")).alias("_words"),
    )
    found = measured.with_columns(
        pl.concat_list(
            existing,
            _as_list(_placeholder_issue("body")),
            _as_list(_placeholder_issue("subject")),
            _as_list(_subject_issue()),
            _as_list(_length_issue(postal_address, opt_out_line)),
            _as_list(_links_issue()),
            _as_list(_footer_issue("_has_opt_out", opt_out_line, "no_opt_out", "the opt-out line is missing")),
            _as_list(
                _footer_issue("_has_address", postal_address, "no_postal_address", "the postal address is missing")
            ),
            _as_list(_fact_issue()),
            _as_list(_ai_tell_issue()),
        )
        .list.drop_nulls()
        .alias("issues")
    )
    if words:
        spam = spam_word_issues(indexed, words, row="_lint_row", column="_spam")
        found = (
            found.join(spam, on="_lint_row", how="left", maintain_order="left")
            .with_columns(
                pl.concat_list("issues", pl.col("_spam").fill_null(pl.lit([], dtype=pl.List(pl.String)))).alias(
                    "issues"
                )
            )
            .drop("_spam")
        )
    return found.with_columns(pl.col("issues").list.unique(maintain_order=True)).drop(
        "_lint_row", "_has_opt_out", "_has_address", "_words"
    )


def _as_list(expr: pl.Expr) -> pl.Expr:
    """Wrap a nullable string issue as a one-element list (null dropped later)."""
    return pl.concat_list(expr)


def _word_count(text: pl.Expr) -> pl.Expr:
    """Words = whitespace runs + 1, less a run at either edge; 0 for an empty text.

    Counting the (few, short) whitespace runs is about twice as fast as matching every word with
    `\\S+`, and the body's word count is the costliest check at 100,000 drafts.
    """
    text = text.fill_null("")
    edge = r"^\s"
    runs = text.str.count_matches(r"\s+").cast(pl.Int64)
    leading = text.str.head(1).str.contains(edge).cast(pl.Int64)
    trailing = text.str.tail(1).str.contains(edge).cast(pl.Int64)
    return pl.when(text.str.len_bytes() == 0).then(0).otherwise(runs + 1 - leading - trailing)


def _footer_present(footer: str) -> pl.Expr:
    """Whether the body carries `footer`, ignoring case and how its whitespace was wrapped."""
    pieces = footer.split()
    if not pieces:
        return pl.lit(False)
    pattern = "(?i)" + r"\s+".join(re.escape(piece) for piece in pieces)
    return pl.col("body").fill_null("").str.contains(pattern)


def _placeholder_issue(column: str) -> pl.Expr:
    """Name every unresolved placeholder left in `column`."""
    hits = pl.col(column).fill_null("").str.extract_all(PLACEHOLDER_PATTERN).list.unique(maintain_order=True)
    listed = hits.list.eval(pl.lit("'") + pl.element() + pl.lit("'")).list.join(", ")
    return (
        pl.when(hits.list.len() > 0)
        .then(pl.lit(f"placeholder: unresolved placeholder in {column}: ") + listed)
        .otherwise(None)
    )


def _subject_issue() -> pl.Expr:
    subject = pl.col("subject").fill_null("").str.strip_chars()
    chars = subject.str.len_chars()
    words = subject.str.count_matches(WORD_PATTERN)
    return (
        pl.when(chars == 0)
        .then(pl.lit("empty_subject: the subject line is empty"))
        .when((chars > MAX_SUBJECT_CHARS) | (words > MAX_SUBJECT_WORDS))
        .then(
            pl.format(
                "subject_too_long: subject is {} characters and {} words (limit {} characters, {} words)",
                chars,
                words,
                pl.lit(MAX_SUBJECT_CHARS),
                pl.lit(MAX_SUBJECT_WORDS),
            )
        )
        .otherwise(None)
    )


def _length_issue(postal_address: str, opt_out_line: str) -> pl.Expr:
    """Flag bodies outside the word band; the compliance footer is not copy, so it is not counted."""
    words = pl.col("_words")
    for column, footer in (("_has_address", postal_address), ("_has_opt_out", opt_out_line)):
        words = words - pl.when(pl.col(column)).then(len(footer.split())).otherwise(0)
    return (
        pl.when(words < MIN_WORDS)
        .then(pl.format("too_short: body is {} words (minimum {})", words, pl.lit(MIN_WORDS)))
        .when(words > MAX_WORDS)
        .then(pl.format("too_long: body is {} words (maximum {})", words, pl.lit(MAX_WORDS)))
        .otherwise(None)
    )


def _links_issue() -> pl.Expr:
    links = pl.col("body").fill_null("").str.count_matches(LINK_PATTERN)
    return (
        pl.when(links > MAX_LINKS)
        .then(pl.format("too_many_links: body has {} links (maximum {})", links, pl.lit(MAX_LINKS)))
        .otherwise(None)
    )


def _footer_issue(column: str, footer: str, code: str, message: str) -> pl.Expr:
    if not footer.strip():
        return pl.lit(f"{code}: {message} (the sender has none configured)")
    shown = " ".join(footer.split())
    return pl.when(pl.col(column)).then(None).otherwise(pl.lit(f"{code}: {message}: {shown!r}"))


def _fact_issue() -> pl.Expr:
    facts = pl.col("facts_used").list.len().fill_null(0)
    return pl.when(facts == 0).then(pl.lit("no_account_fact: the draft uses no fact about the account")).otherwise(None)


# One pass of one regex over every body: the alternation of every AI tell.
_AI_TELL_PATTERN = "(?i)" + "|".join(f"(?:{pattern})" for _, pattern in AI_TELLS)


def _ai_tell_issue() -> pl.Expr:
    found = pl.col("body").str.extract_all(_AI_TELL_PATTERN).list.unique(maintain_order=True)
    listed = found.list.eval(pl.format("'{}'", pl.element().str.slice(0, 40))).list.join(", ")
    return (
        pl.when(found.list.len().fill_null(0) > 0)
        .then(pl.format("ai_tell: reads machine-written ({})", listed))
        .otherwise(None)
    )
