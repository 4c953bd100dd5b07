"""The suppression ledger as Polars expressions: who must never be contacted again.

The ledger (kept by the store) holds email and domain keys (`targeting.identity`), plainly or, for
people who asked to be forgotten, only as a SHA-256 hash of the key. These expressions answer "is
this contact blocked?" against both forms, for any spelling of the address, and a domain blocks its
subdomains too, so `target`, `draft`, `campaign plan` and `campaign export` all honour it the same way.
"""

from __future__ import annotations

import hashlib

import polars as pl

from targeting.identity import (
    domain_key_expr,
    domain_keys_series,
    domain_suppressed_expr,
    email_key_expr,
    email_keys_series,
)

LEDGER_SCHEMA = {"kind": pl.String, "key": pl.String, "reason": pl.String}
# Hashed domains are checked at each depth of a host up to this many labels.
_MAX_LABELS = 8


def sha256(key: str) -> str:
    """The hash a forgotten email or domain key is kept as."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def ledger_blocks(ledger: pl.DataFrame) -> tuple[set[str], set[str]]:
    """The ledger as (blocked emails, blocked domains), plain and hashed keys together.

    Hashed keys are returned as-is: compare them with `sha256(key)`.
    """
    emails = set(ledger.filter(pl.col("kind").is_in(["email", "email_sha256"]))["key"].to_list())
    domains = set(ledger.filter(pl.col("kind").is_in(["domain", "domain_sha256"]))["key"].to_list())
    return emails, domains


def _plain(ledger: pl.DataFrame, kind: str) -> list[str]:
    keys = ledger.filter(pl.col("kind") == kind)["key"]
    spelled = (email_keys_series if kind == "email" else domain_keys_series)(keys)  # entries kept before keys were
    return pl.concat([keys, spelled]).drop_nulls().unique().to_list()


def _hashed(ledger: pl.DataFrame, kind: str) -> list[str]:
    return ledger.filter(pl.col("kind") == f"{kind}_sha256")["key"].to_list()


def _sha(text: pl.Expr) -> pl.Expr:
    return text.map_elements(sha256, return_dtype=pl.String, skip_nulls=True)


def _host_blocked(host: pl.Expr, ledger: pl.DataFrame) -> pl.Expr:
    """A domain key (or a parent of it) on the ledger, plainly or hashed."""
    blocked = domain_suppressed_expr(host, _plain(ledger, "domain"))
    hashed = _hashed(ledger, "domain")
    if hashed:
        tails = [host.str.extract(rf"((?:[^.]+\.){{{n - 1}}}[^.]+)$", 1) for n in range(2, _MAX_LABELS + 1)]
        blocked = blocked | pl.any_horizontal(_sha(tail).is_in(hashed) for tail in tails).fill_null(False)
    return blocked


def is_blocked_expr(ledger: pl.DataFrame, email: str = "email") -> pl.Expr:
    """True where a contact's email, or its email's domain or a parent of it, is on the ledger
    (plainly or as a hash), whatever the address's spelling."""
    address = email_key_expr(pl.col(email))
    host = address.str.extract(r"@([^@]+)$", 1)
    blocked = address.is_in(_plain(ledger, "email")) | _host_blocked(host, ledger)
    hashed = _hashed(ledger, "email")
    if hashed:
        blocked = blocked | _sha(address).is_in(hashed)
    return blocked.fill_null(False)


def domain_blocked_expr(ledger: pl.DataFrame, column: str = "domain") -> pl.Expr:
    """True where an account's domain (or a parent of it) is on the ledger, plainly or as a hash."""
    return _host_blocked(domain_key_expr(pl.col(column)), ledger).fill_null(False)


def suppression_ledger(suppression: pl.DataFrame | None, reason: str = "suppression list") -> pl.DataFrame:
    """A suppression list's emails and domains as ledger rows (kind, key, reason), so one expression
    honours both the store's ledger and the lists a command was given."""
    if suppression is None:
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    return suppression.filter(pl.col("kind").is_in(["email", "domain"])).select(
        "kind", "key", pl.lit(reason).alias("reason")
    )
