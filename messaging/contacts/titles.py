"""Job title -> the text the persona rules read: lower case, ASCII, single-spaced, rewritten.

Rewrites (abbreviations expanded, other languages translated) come from `personas.yaml`, in order.
"""

from __future__ import annotations

import polars as pl

from messaging.contacts.persona_rules import PersonaRules

# Letters that Unicode decomposition does not reduce to ASCII.
_LETTERS = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ı": "i", "þ": "th"}


def normalized_title(title: pl.Expr, rules: PersonaRules) -> pl.Expr:
    """The title as the rules read it: lower case, ASCII, single-spaced, with the YAML rewrites applied.

    Args:
        title: A string expression (the raw job title).
        rules: The persona rules whose `normalize` rewrites apply, in order.

    Returns:
        A string expression; null stays null, punctuation-only titles become "".
    """
    return _tidy(_rewritten(_prepared(title), rules))


def _prepared(title: pl.Expr) -> pl.Expr:
    return (
        title.str.to_lowercase()
        .str.replace_many(list(_LETTERS), list(_LETTERS.values()))
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^a-z0-9+#]+", " ")
        .str.strip_chars()
    )


def _rewritten(text: pl.Expr, rules: PersonaRules) -> pl.Expr:
    for step in rules.normalize or []:
        text = text.str.replace_all(step.find, step.replace)
    return text


def _tidy(text: pl.Expr) -> pl.Expr:
    return text.str.replace_all(r" {2,}", " ").str.strip_chars()


def with_title_text(titles: pl.LazyFrame, rules: PersonaRules, limit: int) -> pl.LazyFrame:
    """Add `_title_text`, the normalized `_title` (null when longer than `limit` characters)."""
    # The rewrites are the costliest step, and a title that matches none of them at first matches
    # none ever (each rewrite changes only what a rewrite matched), so only matching titles pay.
    raw = pl.col("_title")
    prepared = titles.with_columns(_title_text=pl.when(raw.str.len_chars() <= limit).then(_prepared(raw))).cache()
    if not rules.normalize:
        return prepared.with_columns(_title_text=_tidy(pl.col("_title_text")))
    any_rewrite = "|".join(f"(?:{step.find})" for step in rules.normalize)
    touched = pl.col("_title_text").str.contains(any_rewrite).fill_null(False)
    rewritten = prepared.filter(touched).with_columns(_title_text=_rewritten(pl.col("_title_text"), rules))
    return pl.concat([prepared.filter(~touched), rewritten]).with_columns(_title_text=_tidy(pl.col("_title_text")))
