"""Suppression lists: domains and account ids suppress an account, an email only that contact.

A file is either one key per line (`#` comments allowed) or a CSV with a recognised column:
a CRM export of open opportunities ("Company Domain", "Website", "domain"), a customer list
("account_id"), an unsubscribe list ("Email"). A row's email never suppresses its domain's account.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.identity import domain_key_expr, domain_suppressed_expr, email_key_expr

SUPPRESSION_SCHEMA = {"level": pl.String(), "kind": pl.String(), "key": pl.String(), "source": pl.String()}
# Normalized header -> kind of key it holds.
_COLUMNS = {
    "domain": "domain",
    "company_domain": "domain",
    "company_domain_name": "domain",
    "website": "domain",
    "company_website": "domain",
    "website_url": "domain",
    "url": "domain",
    "account_id": "account_id",
    "accountid": "account_id",
    "email": "email",
    "email_address": "email",
    "work_email": "email",
    "contact_email": "email",
}


def _key(kind: str, value: str) -> tuple[str, str, str] | None:
    text = value.strip()
    if not text:
        return None
    if kind == "email" or (kind == "line" and "@" in text):
        return ("contact", "email", text)
    if kind == "account_id" or (kind == "line" and "." not in text):
        return ("account", "account_id", text.lower())
    return ("account", "domain", text)


def _header(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _read_one(path: Path) -> list[tuple[str, str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read suppression file ({exc.strerror or exc})", path=path) from exc
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InputError("suppression file is empty", path=path)
    first = lines[0]
    headers = [_header(h) for h in first.split(",")]
    known = [h for h in headers if h in _COLUMNS]
    if "," not in first and not known:
        keys = [k for line in lines if (k := _key("line", line)) is not None]
        if not keys:
            raise InputError("no domain, email or account id in suppression file", path=path)
        return keys
    if not known:
        raise InputError(
            "no domain, email or account_id column (e.g. 'Company Domain', 'Email', 'account_id')",
            path=path,
            line=1,
            value=first,
        )
    frame = pl.read_csv(path, infer_schema=False, comment_prefix="#", truncate_ragged_lines=True)
    keys = []
    for column in frame.columns:
        kind = _COLUMNS.get(_header(column))
        if kind is not None:
            keys += [k for v in frame[column].drop_nulls().to_list() if (k := _key(kind, v)) is not None]
    # A header and no rows is an empty list (a CRM export of customers before the first one).
    if frame.height and not keys:
        raise InputError("no domain, email or account id in suppression file", path=path)
    return keys


def read_suppression(paths: str | Path | Iterable[str | Path]) -> pl.DataFrame:
    """Read one or more suppression files.

    Args:
        paths: files of domains, emails or account ids, one per line, or CSVs with a
            domain/email/account_id column (any of several export spellings).

    Returns:
        Unique keys with columns `level` ("account": matches account_id or domain; "contact":
        matches a contact's email), `kind` (domain, account_id, email), `key` (an email or domain
        key of `targeting.identity`, an account id in lower case; a value that names no email or
        domain is left out) and `source` (the file it came from).

    Raises:
        InputError: a file is missing, empty, has no usable column or yields no key.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no suppression file given")
    rows = [(*key, str(path)) for path in paths for key in _read_one(path)]
    kind = pl.col("kind")
    frame = pl.DataFrame(rows, schema=SUPPRESSION_SCHEMA, orient="row").with_columns(
        pl.when(kind == "domain")
        .then(domain_key_expr(pl.col("key")))
        .when(kind == "email")
        .then(email_key_expr(pl.col("key")))
        .otherwise(pl.col("key"))
        .alias("key")
    )
    return frame.drop_nulls("key").unique(subset=["level", "key"], keep="first", maintain_order=True)


def suppressed_account_keys(suppression: pl.DataFrame) -> pl.Series:
    """Account ids and domains that remove an account before the filters."""
    return suppression.filter(pl.col("level") == "account")["key"]


def suppressed_emails(suppression: pl.DataFrame) -> pl.Series:
    """Emails whose contact must never be drafted or exported (email keys)."""
    return suppression.filter(pl.col("level") == "contact")["key"]


def suppressed_domains(suppression: pl.DataFrame) -> pl.Series:
    """Domains (keys) whose people and accounts, subdomains included, must never be contacted."""
    return suppression.filter(pl.col("kind") == "domain")["key"]


def is_suppressed_contact(suppression: pl.DataFrame | None, email: str = "email") -> pl.Expr:
    """True where a contact's email, or its email's domain (or a parent of it), is on the lists."""
    if suppression is None or suppression.is_empty():
        return pl.lit(False)
    address = email_key_expr(pl.col(email))
    host = address.str.extract(r"@([^@]+)$", 1)
    listed = address.is_in(suppressed_emails(suppression).to_list())
    return (listed | domain_suppressed_expr(host, suppressed_domains(suppression).to_list())).fill_null(False)
