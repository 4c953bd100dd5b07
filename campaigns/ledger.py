"""The suppression ledger as Polars expressions: who must never be contacted again.

The ledger (kept by the store) holds emails and domains, plainly or, for people who asked to be
forgotten, only as a SHA-256 hash. These expressions answer "is this contact blocked?" against
both forms, so `target`, `draft` and `campaign plan` all honour it the same way.
"""

from __future__ import annotations

import hashlib

import polars as pl


def sha256(text: str) -> str:
    """The hash a forgotten email or domain is kept as (lower case, no spaces)."""
    return hashlib.sha256("".join(text.split()).lower().encode("utf-8")).hexdigest()


def ledger_blocks(ledger: pl.DataFrame) -> tuple[set[str], set[str]]:
    """The ledger as (blocked emails, blocked domains), plain and hashed keys together.

    Hashed keys are returned as-is: compare them with `sha256(value)`.
    """
    emails = set(ledger.filter(pl.col("kind").is_in(["email", "email_sha256"]))["key"].to_list())
    domains = set(ledger.filter(pl.col("kind").is_in(["domain", "domain_sha256"]))["key"].to_list())
    return emails, domains


def is_blocked_expr(ledger: pl.DataFrame, email: str = "email") -> pl.Expr:
    """True where a contact's email, or its email's domain, is on the ledger (plainly or as a hash)."""
    emails, domains = ledger_blocks(ledger)
    address = pl.col(email).cast(pl.String).str.replace_all(r"\s", "").str.to_lowercase()
    host = address.str.extract(r"@(.+)$")
    blocked = address.is_in(list(emails)) | host.is_in(list(domains))
    if ledger.filter(pl.col("kind").str.ends_with("_sha256")).height:
        blocked = blocked | _sha(address).is_in(list(emails)) | _sha(host).is_in(list(domains))
    return blocked.fill_null(False)


def domain_blocked_expr(ledger: pl.DataFrame, column: str = "domain") -> pl.Expr:
    """True where an account's domain is on the ledger, plainly or as a hash."""
    _, domains = ledger_blocks(ledger)
    host = pl.col(column).cast(pl.String).str.to_lowercase()
    return (host.is_in(list(domains)) | _sha(host).is_in(list(domains))).fill_null(False)


def _sha(text: pl.Expr) -> pl.Expr:
    return text.map_elements(sha256, return_dtype=pl.String, skip_nulls=True)
