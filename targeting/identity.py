"""One spelling for every identity (an email, a domain), the same for suppression lists, the
ledger, `forget`, dedup and matching.

A domain's key is its host: lower case, no scheme, user, path, port, `www.` or trailing dot, an
internationalized name in punycode (`idna`, UTS 46), and a registrable domain under the public
suffix list (`tldextract` with its bundled list: nothing is ever fetched). An email's key is its
address with the local part in lower case and the domain as a domain key; its syntax is
`email-validator`'s (no DNS). A suppressed domain suppresses its subdomains too (`clearpeak.ai`
suppresses `eu.clearpeak.ai`), never its parent.

Keys are computed column-wise: the common spellings (ASCII hosts, plain addresses) by Polars
expressions, and every value those do not settle by the libraries, once per distinct value.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import polars as pl

from targeting.errors import InputError

# An address the libraries would accept as is, decided without calling them: a dot-atom local part
# and a host of letter/digit labels (a strict subset of what email-validator accepts; a property test
# holds the two to the same answer). Anything else is email-validator's to decide.
_PLAIN_LOCAL = r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN_HOST = rf"{_LABEL}(?:\.{_LABEL})+"
_PLAIN_EMAIL = rf"^{_PLAIN_LOCAL}@{_PLAIN_HOST}$"


@functools.cache
def _extract():  # noqa: ANN202 - tldextract is imported on first use (start-up time)
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=False)


@functools.cache
def _suffixes() -> tuple[frozenset[str], frozenset[str]]:
    """(every public suffix, every top-level one), in punycode, from the bundled list."""
    import idna

    suffixes = set()
    for suffix in _extract().tlds:
        try:
            suffixes.add(idna.encode(suffix.lstrip("*.!"), uts46=True).decode("ascii"))
        except idna.IDNAError:
            continue
    # `example` (RFC 2606) is no public suffix, but documentation and fixtures name companies under it,
    # and email-validator accepts it; the other reserved names (test, local, invalid, ...) it refuses.
    return frozenset(suffixes), frozenset({*(s for s in suffixes if "." not in s), "example"})


@functools.cache
def _suffix_series() -> tuple[pl.Series, pl.Series]:
    every, top = _suffixes()
    return pl.Series(sorted(every), dtype=pl.String), pl.Series(sorted(top), dtype=pl.String)


def registrable_domain(host: str) -> str | None:
    """The registrable domain of a host (`eu.clearpeak.ai` -> `clearpeak.ai`, `a.acme.co.uk` -> `acme.co.uk`)."""
    parts = _extract()(host)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else None


# A URL or host already in its plainest spelling: an optional http(s) scheme, lower-case letter and
# digit labels, an optional trailing slash ("http://www.acme.io", "acme.io/"). Of `_reduced_host`'s
# passes only three change such a value (the scheme, the slash, a leading `www.`): they are all it gets.
PLAIN_URL = rf"^(?:https?://)?{_PLAIN_HOST}/?$"


def _host_text(raw: pl.Series) -> pl.Series:
    """A URL, host or email reduced to its host, lower case (not yet checked).

    Plain URLs (`PLAIN_URL`, nearly every cell of an export's website column) take the three passes
    that change them; the rest take every pass of `_reduced_host`, with the same result.
    """
    plain = raw.str.contains(PLAIN_URL).fill_null(True)
    scheme_less = raw.str.strip_prefix("https://").str.strip_prefix("http://")
    host = scheme_less.str.strip_suffix("/").str.replace(r"^www\d*\.", "")
    rest = ~plain
    if not rest.any():
        return host
    return host.scatter(rest.arg_true(), _reduced_host(raw.filter(rest)))


def _reduced_host(raw: pl.Series) -> pl.Series:
    """Every pass that reduces a URL, host or email to its host (`_host_text` on any value)."""
    return (
        raw.str.strip_chars()
        .str.to_lowercase()
        .str.replace(r"^[a-z][a-z0-9+.\-]*://", "")
        .str.replace(r"^mailto:", "")
        .str.replace(r"^[^/?#]*@", "")
        .str.replace(r"[/?#:].*$", "")
        .str.strip_chars(".")
        .str.replace(r"^www\d*\.", "")
    )


def _punycode(host: str) -> str | None:
    import idna

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None


def _by_distinct(values: pl.Series, one: callable) -> pl.Series:
    """`one` applied once per distinct value of `values` (nulls stay null)."""
    distinct = values.drop_nulls().unique()
    if distinct.is_empty():
        return pl.Series(values.name, [None] * len(values), dtype=pl.String)
    mapped = {v: one(v) for v in distinct.to_list()}
    return values.replace_strict(mapped, default=None, return_dtype=pl.String)


def _patched(values: pl.Series, where: pl.Series, one: callable, *, source: pl.Series | None = None) -> pl.Series:
    """`values` with the rows where `where` holds replaced by `one` of `source` there (default:
    of `values`), once per distinct value."""
    where = where.fill_null(False)
    if not where.any():
        return values
    fixed = _by_distinct((values if source is None else source).filter(where), one)
    return values.scatter(where.arg_true(), fixed)


def domain_keys_series(raw: pl.Series) -> pl.Series:
    """Domain keys of a Series of URLs, hosts or emails (see `domain_key_expr`)."""
    return _checked_hosts(_host_text(raw.cast(pl.String))).alias(raw.name)


def _checked_hosts(host: pl.Series) -> pl.Series:
    """Lower-case hosts in punycode where they are registrable domain names, else null."""
    needs_idna = host.str.contains(r"[^\x00-\x7f]|(?:^|\.)xn--")
    host = _patched(host, needs_idna, _punycode)
    suffixes, top = _suffix_series()
    well_formed = host.str.contains(rf"^{_PLAIN_HOST}$") & (host.str.len_bytes() <= 253)
    registrable = host.str.extract(r"([^.]+)$", 1).is_in(top.implode()) & ~host.is_in(suffixes.implode())
    return pl.select(pl.when(well_formed & registrable).then(host)).to_series()


def domain_key_expr(raw: pl.Expr) -> pl.Expr:
    """The domain key of a URL, host or email address (`https://WWW.Acme.io:443/x` -> `acme.io`);
    null where the text names no registrable domain (`%.io`, `co.uk`, `localhost`)."""
    return raw.cast(pl.String).map_batches(domain_keys_series, return_dtype=pl.String, is_elementwise=True)


def _email_by_library(address: str) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    host = domain_key(checked.domain)
    return None if host is None else f"{checked.local_part.lower()}@{host}"


def email_keys_series(raw: pl.Series) -> pl.Series:
    """Email keys of a Series of addresses (see `email_key_expr`)."""
    text = raw.cast(pl.String).str.replace_all(r"\s+", "").str.replace(r"(?i)^mailto:", "").str.to_lowercase()
    # One `@` splits an address in two (a quoted local part with its own `@` is the library's).
    parts = text.str.split_exact("@", 1).struct
    host = parts.field("field_1").str.strip_suffix(".").str.replace(r"^www\d*\.", "")  # as `domain_key` reads it
    local, host = parts.field("field_0"), _checked_hosts(host)
    one_at = text.str.count_matches("@", literal=True) == 1
    plain = one_at & local.str.contains(rf"^{_PLAIN_LOCAL}$") & (local.str.len_bytes() <= 64) & host.is_not_null()
    plain = plain.fill_null(False)
    keyed = pl.select(pl.when(plain).then(local + "@" + host)).to_series()
    # The library decides what the plain path leaves undecided, once per distinct value.
    undecided = ~plain & text.is_not_null() & (text != "")
    return _patched(keyed, undecided, _email_by_library, source=text).alias(raw.name)


def email_key_expr(raw: pl.Expr) -> pl.Expr:
    """The email key of an address (`mailto: Ann.Lee@X.io ` -> `ann.lee@x.io`); null where it is none."""
    return raw.cast(pl.String).map_batches(email_keys_series, return_dtype=pl.String, is_elementwise=True)


def _keys(values: Iterable[str | None], series: callable) -> list[str | None]:
    return series(pl.Series("v", list(values), dtype=pl.String)).to_list()


def domain_key(value: str | None) -> str | None:
    """The domain key of one value (see `domain_key_expr`)."""
    return _keys([value], domain_keys_series)[0]


def email_key(value: str | None) -> str | None:
    """The email key of one value (see `email_key_expr`)."""
    return _keys([value], email_keys_series)[0]


def domain_keys(values: Iterable[str | None]) -> list[str | None]:
    """Domain keys of many values in one pass."""
    return _keys(values, domain_keys_series)


def email_keys(values: Iterable[str | None]) -> list[str | None]:
    """Email keys of many values in one pass."""
    return _keys(values, email_keys_series)


def identity_key(value: str, *, field: str = "EMAIL|DOMAIN") -> tuple[str, str]:
    """("email", key) or ("domain", key) for a value that is exactly one email or one domain.

    Raises:
        InputError: anything else (a pattern such as `%.io`, a bare suffix, two values, text).
    """
    text = value.strip()
    if "@" in text:
        key = email_key(text)
        kind = "email"
    else:
        key = domain_key(text) if not any(c in text for c in "%*?_[]") else None
        kind = "domain"
    if key is None:
        raise InputError(
            "expected one email (jane@acme.com) or one domain (acme.com); patterns are not accepted",
            field=field,
            value=value,
        )
    return kind, key


def _domain_suffixes(host: pl.Expr, depths: Iterable[int]) -> list[pl.Expr]:
    """The host's last `n` labels for each depth n (`eu.clearpeak.ai`, 2 -> `clearpeak.ai`)."""
    return [host.str.extract(rf"((?:[^.]+\.){{{n - 1}}}[^.]+)$", 1) for n in sorted(set(depths))]


def domain_suppressed_expr(host: pl.Expr, keys: Iterable[str]) -> pl.Expr:
    """True where a domain key (already a key) is one of `keys` or a subdomain of one; never null."""
    keys = {k for k in keys if k}
    if not keys:
        return pl.lit(False)
    by_depth: dict[int, list[str]] = {}
    for key in keys:
        by_depth.setdefault(key.count(".") + 1, []).append(key)
    tails = _domain_suffixes(host, by_depth)
    hits = [tail.is_in(by_depth[n]) for tail, n in zip(tails, sorted(by_depth), strict=True)]
    return pl.any_horizontal(hits).fill_null(False)


def domain_tails(host: str) -> list[str]:
    """A domain key and each parent down to its registrable domain (`a.b.acme.io` -> 3 names)."""
    base = registrable_domain(host)
    if base is None:
        return [host]
    labels = host.split(".")
    depth = base.count(".") + 1
    return [".".join(labels[i:]) for i in range(len(labels) - depth + 1)]
