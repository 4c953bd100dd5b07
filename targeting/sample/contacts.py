"""Seeded sample contacts in CONTACT_SCHEMA: the buying committee of each sample account.

Titles are messy the way exports are ("VP, Revenue Operations & Strategy", "Geschäftsführer",
blank); names follow the account's country with a mixed workforce; emails sit on the account's
domain in the usual shapes, with a few role mailboxes (info@) and free-mail addresses (gmail).
Verification status is partly a property of the domain, as in real verifiers: a catch-all
domain makes every address on it `catch_all`.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from targeting.columns import CONTACT_SCHEMA
from targeting.sample.lists import gather, pick
from targeting.sample.words import (
    ASCII_FOLD,
    COUNTRIES,
    EMAIL_SHAPE_WEIGHTS,
    EMAIL_SHAPES,
    FREE_MAIL_DOMAINS,
    LOCAL_TITLES,
    NAMES,
    ROLE_MAILBOXES,
    TITLES,
)

CONTACTS_PER_ACCOUNT = 3.0  # mean; larger accounts list more people
CATCH_ALL_DOMAIN_SHARE = 0.125
# Status of an address on a domain that is not catch-all: valid / unknown / invalid.
MAILBOX_STATUS = {"valid": 0.70, "unknown": 0.10, "invalid": 0.08}
ROLE_SHARE, FREE_MAIL_SHARE, LOCAL_TITLE_SHARE, OWN_LOCALE_SHARE = 0.015, 0.02, 0.35, 0.75

_LOCALES = tuple(NAMES)
_COUNTRY_LOCALE = {code: _LOCALES.index(locale) for code, _, _, locale in COUNTRIES}


def generate_contacts(accounts: pl.DataFrame, seed: int = 7) -> pl.DataFrame:
    """Contacts for `accounts` (about three each), exactly CONTACT_SCHEMA, same seed -> same rows.

    Args:
        accounts: Accounts in ACCOUNT_SCHEMA (`account_id`, `domain`, `employees`, `country` used).
        seed: The random seed.

    Returns:
        One row per person; every `account_id` is one of `accounts`, every email is unique.
    """
    missing = {"account_id", "domain", "employees", "country"} - set(accounts.columns)
    if missing:
        raise ValueError(f"accounts lack the columns {sorted(missing)!r}")
    rng = np.random.default_rng([seed, 1])
    employees = accounts["employees"].fill_null(60).to_numpy()
    lam = 0.6 + 0.55 * np.log(np.maximum(employees, 1))
    counts = np.minimum(rng.poisson(lam * CONTACTS_PER_ACCOUNT / lam.mean()), 15)
    owner = np.repeat(np.arange(accounts.height), counts)
    m = owner.shape[0]
    country = accounts["country"].gather(owner)
    own_locale = country.replace_strict(_COUNTRY_LOCALE, default=-1, return_dtype=pl.Int64).to_numpy()
    locale = np.where(
        (own_locale >= 0) & (rng.random(m) < OWN_LOCALE_SHARE),
        own_locale,
        rng.integers(0, len(_LOCALES), m),
    )
    catch_all_domain = rng.random(accounts.height) < CATCH_ALL_DOMAIN_SHARE
    frame = pl.DataFrame(
        {
            "contact_id": pl.Series(np.arange(1, m + 1)).cast(pl.String).str.zfill(7),
            "account_id": accounts["account_id"].gather(owner),
            "domain": accounts["domain"].gather(owner),
            "first_name": _names(rng, locale, 0),
            "last_name": _names(rng, locale, 1),
            "title": _titles(rng, country),
            "country": _contact_country(rng, country),
            "shape": pick(rng, EMAIL_SHAPE_WEIGHTS, m),
            "kind": pick(rng, (1 - ROLE_SHARE - FREE_MAIL_SHARE, ROLE_SHARE, FREE_MAIL_SHARE), m),
            "catch_all": catch_all_domain[owner],
            "status": gather(tuple(MAILBOX_STATUS), pick(rng, tuple(MAILBOX_STATUS.values()), m)),
            "role": gather(ROLE_MAILBOXES, rng.integers(0, len(ROLE_MAILBOXES), m)),
            "free": gather(FREE_MAIL_DOMAINS, rng.integers(0, len(FREE_MAIL_DOMAINS), m)),
            "digits": pl.Series(rng.integers(1, 99, m)).cast(pl.String),
        }
    )
    return _with_emails(frame).select([pl.col(name).cast(dtype) for name, dtype in CONTACT_SCHEMA.items()])


def _names(rng, locale: np.ndarray, part: int) -> pl.Series:
    """First (part 0) or last (part 1) names drawn from each row's locale list."""
    pools = [NAMES[key][part] for key in _LOCALES]
    sizes = np.array([len(pool) for pool in pools])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    index = offsets[locale] + np.floor(rng.random(locale.shape[0]) * sizes[locale]).astype(np.int64)
    return gather([name for pool in pools for name in pool], index.astype(np.uint32))


def _titles(rng, country: np.ndarray) -> pl.Series:
    """Weighted titles, some in French or German at companies in those countries."""
    m = country.shape[0]
    english = [title for title, _, _ in TITLES]
    index = pick(rng, [weight for _, _, weight in TITLES], m)
    titles = gather(english, index.astype(np.uint32))
    for locale, codes in (("fr", ("FR",)), ("de", ("DE", "CH"))):
        local = [title for title, _ in LOCAL_TITLES[locale]]
        use = np.isin(country, codes) & (rng.random(m) < LOCAL_TITLE_SHARE)
        swapped = gather(local, rng.integers(0, len(local), m).astype(np.uint32))
        titles = pl.select(pl.when(pl.lit(pl.Series(use))).then(pl.lit(swapped)).otherwise(pl.lit(titles))).to_series()
    return titles


def _contact_country(rng, country: np.ndarray) -> pl.Series:
    """The account's country, except for remote people who live elsewhere."""
    m = country.shape[0]
    elsewhere = gather([c[0] for c in COUNTRIES], pick(rng, [c[2] for c in COUNTRIES], m).astype(np.uint32))
    remote = pl.Series(rng.random(m) < 0.08)
    return pl.select(
        pl.when(pl.lit(remote)).then(pl.lit(elsewhere)).otherwise(pl.lit(pl.Series(country, dtype=pl.String)))
    ).to_series()


def _with_emails(frame: pl.DataFrame) -> pl.DataFrame:
    """Addresses in the row's shape, unique across the universe; role mailboxes lose the name."""
    first = pl.col("first_name").str.to_lowercase().str.replace_many(ASCII_FOLD)
    last = pl.col("last_name").str.to_lowercase().str.replace_many(ASCII_FOLD)
    shapes = {
        "first.last": pl.concat_str(first, pl.lit("."), last),
        "first": first,
        "flast": pl.concat_str(first.str.slice(0, 1), last),
        "firstl": pl.concat_str(first, last.str.slice(0, 1)),
        "first_last": pl.concat_str(first, pl.lit("_"), last),
    }
    personal = pl.lit(None, dtype=pl.String)
    for j, shape in enumerate(EMAIL_SHAPES):
        personal = pl.when(pl.col("shape") == j).then(shapes[shape]).otherwise(personal)
    local = (
        pl.when(pl.col("kind") == 1)
        .then(pl.col("role"))
        .when(pl.col("kind") == 2)
        .then(pl.concat_str(first, pl.lit("."), last, pl.col("digits")))
        .otherwise(personal)
    )
    host = pl.when(pl.col("kind") == 2).then(pl.col("free")).otherwise(pl.col("domain"))
    # A second john.smith on a domain becomes john.smith2, as mail admins do.
    nth = pl.int_range(pl.len()).over("local", "host")
    # Free-mail locals end in digits already, so their counter needs a separator to stay unique.
    separator = pl.when(pl.col("kind") == 2).then(pl.lit("-")).otherwise(pl.lit(""))
    suffix = pl.when(nth > 0).then(pl.concat_str(separator, (nth + 1).cast(pl.String))).otherwise(pl.lit(""))
    is_role = pl.col("kind") == 1
    status = pl.when(pl.col("catch_all") & (pl.col("kind") != 2)).then(pl.lit("catch_all")).otherwise(pl.col("status"))
    return frame.with_columns(local.alias("local"), host.alias("host")).with_columns(
        pl.concat_str(pl.col("local"), suffix, pl.lit("@"), pl.col("host")).alias("email"),
        status.alias("email_status"),
        pl.when(is_role).then(None).otherwise(pl.col("first_name")).alias("first_name"),
        pl.when(is_role).then(None).otherwise(pl.col("last_name")).alias("last_name"),
        pl.when(is_role).then(None).otherwise(pl.col("title")).alias("title"),
        pl.concat_str(pl.lit("ct-"), pl.col("contact_id")).alias("contact_id"),
        pl.lit("sample").alias("source"),
    )
