"""Web values: company domains from URLs, hosts and emails; email addresses and their statuses."""

from __future__ import annotations

import re

import polars as pl

from targeting.identity import PLAIN_URL, domain_keys_series, email_key_expr
from targeting.importing.normalize.text import lookup_key, lookup_text

EMAIL_STATUS_WORDS = {
    lookup_text(word): status
    for status, words in {
        "valid": "valid|verified|deliverable|ok|safe|safe to send",
        "catch_all": "catch all|catch-all|catchall|accept all|accept_all|risky",
        "invalid": "invalid|bounced|undeliverable|bad|hard bounce|do not email|spam trap",
        "unknown": "unknown|guessed|extrapolated|unavailable|pending|likely to engage|unverified|new data available",
    }.items()
    for word in words.split("|")
}
# A shared host names a platform, not the company that links to it (subdomains included).
SHARED_HOSTS = (
    r"(?:^|\.)(?:"
    + "|".join(
        re.escape(host)
        for host in """github.com github.io gitlab.com bitbucket.org linkedin.com lnkd.in facebook.com
        fb.com fb.me m.me instagram.com twitter.com x.com t.co youtube.com youtu.be tiktok.com
        medium.com substack.com notion.site notion.so google.com goo.gl g.page forms.gle apple.com
        apps.apple.com itunes.apple.com producthunt.com angel.co wellfound.com crunchbase.com
        ycombinator.com linktr.ee bit.ly wixsite.com wix.com squarespace.com wordpress.com
        blogspot.com webflow.io carrd.co vercel.app netlify.app herokuapp.com typeform.com
        calendly.com discord.gg discord.com t.me telegram.me whatsapp.com wa.me reddit.com
        gmail.com googlemail.com yahoo.com ymail.com hotmail.com outlook.com live.com msn.com
        icloud.com me.com mac.com aol.com protonmail.com proton.me gmx.com gmx.de gmx.net web.de
        mail.ru yandex.ru yandex.com qq.com 163.com 126.com zoho.com hey.com fastmail.com""".split()
    )
    + r")$"
)


def email_status(raw: pl.Expr) -> pl.Expr:
    """Apollo/Clay email statuses ("Verified", "Catch-all", "Guessed", "Bounced") to EMAIL_STATUSES.

    A status nobody documented means nobody verified the address, so it reads as "unknown".
    """
    return lookup_key(raw).replace_strict(EMAIL_STATUS_WORDS, default="unknown", return_dtype=pl.String)


def email_address(raw: pl.Expr) -> pl.Expr:
    """An email address as `targeting.identity` keys it ("mailto:" stripped), or null when the text is not one."""
    return pl.when(~is_email_placeholder(raw.str.strip_chars().str.replace(r"(?i)^mailto:", ""))).then(
        email_key_expr(raw)
    )


def is_email_placeholder(raw: pl.Expr) -> pl.Expr:
    """True for the stand-ins exports write where an email is locked ("email_not_unlocked@domain.com")."""
    return raw.str.to_lowercase().str.contains(r"^email_not_unlocked@|^no_email@|@domain\.com$")


def domain(raw: pl.Expr) -> pl.Expr:
    """The company domain of a URL, host or email ("https://www.Acme.io/en?x=1" -> "acme.io"), as
    `targeting.identity` keys it.

    Shared hosts (github.com, linkedin.com, notion.site, sites.google.com, gmail.com, ...) say
    nothing about which company it is, so they give null, as does text that is no host name.
    """
    return raw.cast(pl.String).map_batches(_company_domains, return_dtype=pl.String, is_elementwise=True)


def _company_domains(raw: pl.Series) -> pl.Series:
    # "a.com, b.com": the first one. A plain URL (`PLAIN_URL`) has no space nor separator to cut at.
    cut = ~raw.str.contains(PLAIN_URL).fill_null(True)
    if cut.any():
        first = raw.filter(cut).str.strip_chars().str.replace(r"[\s,;|].*$", "")
        raw = raw.clone().scatter(cut.arg_true(), first)  # a copy: the caller keeps its cells
    keys = domain_keys_series(raw)
    return pl.select(pl.when(~keys.str.contains(SHARED_HOSTS)).then(keys)).to_series().alias(raw.name)


def is_canonical_domain(raw: pl.Expr) -> pl.Expr:
    """True where a value is spelled as a domain key already (a cheap check: no normalizer runs)."""
    return raw.str.contains(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$") & ~raw.str.contains(r"^www\d*\.")


def email_domain(email: pl.Expr) -> pl.Expr:
    """The company domain of an email address; null for free mail (gmail.com, ...)."""
    return domain(email.str.extract(r"@([^@\s]+)$", 1))
