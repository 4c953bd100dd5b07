"""The ledger blocks an email or its domain, written plainly or kept only as a hash, whatever the case and spaces."""

from __future__ import annotations

import polars as pl

from campaigns.ledger import domain_blocked_expr, is_blocked_expr, sha256


def ledger(rows: list[tuple[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"kind": pl.String, "key": pl.String}, orient="row").with_columns(
        pl.lit("t").alias("reason")
    )


def test_plain_and_hashed_emails_and_domains_block_their_contacts():
    book = ledger(
        [
            ("email", "ann@acme.com"),
            ("email_sha256", sha256("bob@acme.com")),
            ("domain", "beta.io"),
            ("domain_sha256", sha256("gamma.dev")),
        ]
    )
    emails = [" Ann@ACME.com", "bob@acme.com", "cy@beta.io", "di@gamma.dev", "ed@delta.co", None]
    got = pl.DataFrame({"email": emails}).select(is_blocked_expr(book))["email"].to_list()
    assert got == [True, True, True, True, False, False]
    accounts = pl.DataFrame({"domain": ["beta.io", "Gamma.dev", "acme.com", None]})
    assert accounts.select(domain_blocked_expr(book))["domain"].to_list() == [True, True, False, False]


def test_an_empty_ledger_blocks_no_one():
    frame = pl.DataFrame({"email": ["a@b.com"]})
    assert frame.select(is_blocked_expr(ledger([])))["email"].to_list() == [False]
