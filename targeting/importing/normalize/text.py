"""Text and list cells: blanks to null, snake case, list items, and the folding lookups use.

Every normalizer takes a String expression (blank cells already null) and returns an expression
of the canonical dtype, null for a value it cannot read.
"""

from __future__ import annotations

import re

import polars as pl


def lookup_text(text: str) -> str:
    """A lookup-table word folded to its key ("U.S." -> "u s")."""
    return re.sub(r"[.\s_\-]+", " ", text.lower()).strip()


def lookup_key(raw: pl.Expr) -> pl.Expr:
    """The same folding as `lookup_text`, so "U.S.", "u s" and "US" meet one key."""
    return raw.str.to_lowercase().str.replace_all(r"[.\s_\-]+", " ").str.strip_chars()


def blank_to_null(raw: pl.Expr) -> pl.Expr:
    """Trim a String expression and turn empty or whitespace-only cells into null."""
    text = raw.str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def snake_case(raw: pl.Expr) -> pl.Expr:
    """Lower snake case ("Information Technology & Services" -> "information_technology_and_services")."""
    text = (
        raw.str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^\p{L}\p{N}]+", "_")
        .str.strip_chars("_")
    )
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def list_items(raw: pl.Expr, separator: str = ";", *, commas_too: bool = False) -> pl.Expr:
    """Split a list cell into lower snake case items, in order, without repeats.

    Args:
        raw: String expression: a JSON or Python list literal ("['a', 'b']", '["a"]') or text
            separated by `separator`.
        separator: the separator of plain text cells (";" by default, "," for Apollo's Technologies).
        commas_too: a cell without `separator` but with commas ("HubSpot, Stripe") splits on the
            commas; for list columns, whose items never hold a comma.

    Returns:
        List(String) expression; "[]" gives an empty list, a null cell null.
    """
    text = raw.str.strip_chars()
    # Items in snake case already, split by the separator alone ("salesforce, hubspot"): split and
    # trimmed, their items are what every step below would make of them. The steps run on the rest.
    item = r" *[a-z0-9]+(?:_[a-z0-9]+)* *"
    plain = text.str.contains(rf"^{item}(?:{re.escape(separator)}{item})*$")
    split = text.str.split(separator).list.eval(pl.element().str.strip_chars(" ")).list.unique(maintain_order=True)
    return pl.when(plain).then(split).otherwise(_list_items(pl.when(~plain).then(text), separator, commas_too))


def _list_items(text: pl.Expr, separator: str, commas_too: bool) -> pl.Expr:
    """Every step of `list_items` on any (trimmed) cell."""
    is_literal = text.str.starts_with("[") & text.str.ends_with("]")
    quoted = text.str.extract_all(r"'[^']*'|\"[^\"]*\"").list.eval(
        pl.element().str.slice(1, pl.element().str.len_chars() - 2)
    )
    # An unquoted literal such as "[a, b]" has no quoted items: split its inside on commas.
    bare = text.str.strip_chars("[]").str.split(",")
    items = (
        pl.when(is_literal & (quoted.list.len() > 0))
        .then(quoted)
        .when(is_literal)
        .then(bare)
        .otherwise(text.str.split(separator))
    )
    if commas_too and separator != ",":
        by_comma = ~text.str.contains(separator, literal=True) & text.str.contains(",", literal=True)
        items = pl.when(~is_literal & by_comma).then(text.str.split(",")).otherwise(items)
    return clean_items(items)


def clean_items(items: pl.Expr) -> pl.Expr:
    """Snake-case the items of a List(String) expression and drop empty items and repeats.

    A list with no items stays an empty list (a known "none", as in YC's "[]"); null stays null.
    """
    return items.list.eval(snake_case(pl.element()).drop_nulls().unique(maintain_order=True))
