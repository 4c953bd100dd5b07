"""Spam-trigger words and phrases, the one regex that finds them, and warnings naming each by line.

The list gathers the phrases that deliverability guides (HubSpot's and Mailchimp's spam-word lists,
the SpamAssassin body rules) keep flagging in cold email: money promises, urgency, hype and
marketing clichés. A hit is a warning, not an error: "free" can be honest, but a reviewer should
see it before the mailbox provider does.
"""

from __future__ import annotations

import re

import polars as pl

SPAM_WORDS: tuple[str, ...] = (
    # money and offers
    "free",
    "for free",
    "free trial",
    "free access",
    "100% free",
    "no cost",
    "no fees",
    "no credit card",
    "cash",
    "cash bonus",
    "earn money",
    "make money",
    "extra income",
    "double your",
    "save big",
    "best price",
    "lowest price",
    "cheap",
    "discount",
    "bargain",
    "prize",
    "winner",
    "you have been selected",
    "$$$",
    "€€€",
    # promises
    "guarantee",
    "guaranteed",
    "money back",
    "risk-free",
    "risk free",
    "no risk",
    "no obligation",
    "100%",
    "no strings attached",
    "miracle",
    "amazing",
    "incredible",
    "unbelievable",
    "once in a lifetime",
    "best deal",
    # urgency
    "act now",
    "act fast",
    "urgent",
    "immediately",
    "limited time",
    "limited offer",
    "offer expires",
    "expires today",
    "don't miss",
    "don't delete",
    "last chance",
    "now or never",
    "hurry",
    "only today",
    # calls to click and buy
    "click here",
    "click below",
    "buy now",
    "order now",
    "sign up now",
    "apply now",
    "call now",
    "get started now",
    "special promotion",
    "exclusive deal",
    # hygiene red flags
    "dear friend",
    "this is not spam",
    "not spam",
    "unsubscribe now",
    "increase sales",
    "increase traffic",
    "lose weight",
)


_BOUNDARY = r"(?-u:\b)"


def spam_pattern(words: list[str] | tuple[str, ...]) -> str:
    """One case-insensitive regex that matches any of `words` as whole words.

    A word boundary is only meaningful next to a word character, so "free" is anchored on both
    sides (it must not fire inside "freedom") while "$$$" and "100%" are anchored only where they
    start or end with a letter or digit. Longer phrases come first so "free trial" is reported
    rather than "free". Spaces in a phrase match any run of whitespace.

    The boundaries are ASCII ones, `(?-u:\b)`: with a Unicode `\b` the regex engine cannot use
    its DFA on any body holding one non-ASCII character (a name like "José" is enough), which
    made the check 40x slower on real drafts. So only an ASCII letter or digit at a word's edge
    gets a boundary; a word ending in "é" is matched as a prefix instead.

    Args:
        words: the spam words and phrases.

    Returns:
        A Rust-regex pattern usable by Polars string expressions.
    """
    parts = []
    for word in sorted({w.strip().lower() for w in words if w.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(piece) for piece in word.split())
        start = _BOUNDARY if re.match(r"[a-z0-9_]", word) else ""
        end = _BOUNDARY if re.search(r"[a-z0-9_]$", word) else ""
        parts.append(f"{start}{body}{end}")
    return "(?i)(?:" + "|".join(parts) + ")"


def spam_word_issues(
    drafts: pl.LazyFrame, words: list[str] | tuple[str, ...], *, row: str, column: str
) -> pl.LazyFrame:
    """One list of spam warnings per draft that has any, naming each word and its line in the body.

    Only bodies that match at all are split into lines, so clean drafts cost one regex scan.

    Args:
        drafts: drafts with `body` and a unique row key `row`.
        words: the spam words and phrases.
        row: the row key column, kept to join the warnings back.
        column: the name of the List[String] column of "spam_word: ..." warnings.

    Returns:
        `row` and `column`, only for drafts with at least one spam word.
    """
    pattern = spam_pattern(words)
    hits = (
        drafts.select(row, "body")
        .filter(pl.col("body").str.contains(pattern))
        .with_columns(pl.col("body").str.split("\n").alias("_line"))
        .with_columns(pl.int_ranges(1, pl.col("_line").list.len() + 1).alias("_line_no"))
        .explode("_line", "_line_no")
        .with_columns(pl.col("_line").str.extract_all(pattern).alias("_word"))
        .explode("_word")
        .filter(pl.col("_word").is_not_null())
        .select(
            row,
            pl.format(
                "spam_word: '{}' on line {} of the body",
                pl.col("_word").str.to_lowercase().str.replace_all(r"\s+", " "),
                pl.col("_line_no"),
            ).alias(column),
        )
    )
    return hits.group_by(row, maintain_order=True).agg(pl.col(column).unique(maintain_order=True))
