"""The bundled sample universe: accounts, contacts, customers and deals from one seed.

`outbound init` and `outbound demo` write it; tests and benchmarks generate it in memory. Same
seed and `as_of` give identical frames. The pieces:

- accounts (`targeting.sample.accounts`): exactly ACCOUNT_SCHEMA, ~20,000 by default;
  `generate_accounts` and `iter_account_chunks` also build 1M-10M universes for benchmarks;
- contacts (`targeting.sample.contacts`): exactly CONTACT_SCHEMA, about three per account;
- customers and deals (`targeting.sample.deals`), planted in a known profile.

Planted truth (`PLANTED_PROFILE`, documented in full in `targeting.sample.deals` and `targeting.sample.profiles`): customers and
won deals concentrate in accounts with industry in {fintech, saas}, 50-500 employees,
`salesforce` in tech_stack, region in {NA, EMEA} and funding_stage in {series_a, series_b,
series_c}. Each account's chance of becoming a customer is `CUSTOMER_RATE_BY_MATCHES[k]`, k
being how many of those five conditions its row meets; accounts in `customers` carry
`is_customer = True`.

CSV form (`write_sample`): lists `;`-separated (an empty list is an empty cell), dates ISO
(YYYY-MM-DD), booleans `true`/`false`, nulls empty; the canonical importer reads it back.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import NamedTuple

import polars as pl

from targeting.sample.accounts import generate_accounts, iter_account_chunks
from targeting.sample.contacts import generate_contacts
from targeting.sample.deals import CUSTOMER_RATE_BY_MATCHES, generate_customers_and_deals, mark_customers
from targeting.sample.profiles import PLANTED_PROFILE, PlantedProfile

__all__ = [
    "CUSTOMER_RATE_BY_MATCHES",
    "PLANTED_PROFILE",
    "PlantedProfile",
    "SampleUniverse",
    "generate_accounts",
    "generate_sample",
    "iter_account_chunks",
    "to_csv_frame",
    "write_sample",
]

SAMPLE_FILES = ("accounts", "contacts", "customers", "deals")


class SampleUniverse(NamedTuple):
    """The four sample tables, each a collected Polars frame."""

    accounts: pl.DataFrame
    contacts: pl.DataFrame
    customers: pl.DataFrame
    deals: pl.DataFrame


def generate_sample(seed: int = 7, n_accounts: int = 20_000, as_of: date | None = None) -> SampleUniverse:
    """The sample universe: accounts, their contacts, customers and deals.

    Args:
        seed: The random seed; the same seed and `as_of` give identical frames.
        n_accounts: How many accounts (contacts are about three times as many).
        as_of: The day signals, customers and deals are dated against; today if None.

    Returns:
        A SampleUniverse whose accounts mark the planted customers with `is_customer`.
    """
    if n_accounts < 1:
        raise ValueError(f"n_accounts must be at least 1, got {n_accounts!r}")
    as_of = as_of or date.today()
    accounts = generate_accounts(n_accounts, seed, as_of)
    customers, deals = generate_customers_and_deals(accounts, seed, as_of)
    accounts = mark_customers(accounts, customers)
    return SampleUniverse(accounts, generate_contacts(accounts, seed), customers, deals)


def to_csv_frame(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """`frame` in canonical CSV shape: every List(String) column joined with `;`.

    An empty list becomes null, which the CSV writer leaves as a bare empty cell (an empty
    string would be written as `""`).
    """
    lazy = frame.lazy()
    lists = [name for name, dtype in lazy.collect_schema().items() if dtype == pl.List(pl.String)]
    return lazy.with_columns(
        pl.when(pl.col(name).list.len() > 0).then(pl.col(name).list.join(";")).alias(name) for name in lists
    )


def write_sample(directory: str | Path, universe: SampleUniverse) -> dict[str, Path]:
    """Write accounts.csv, contacts.csv, customers.csv and deals.csv into `directory`.

    Args:
        directory: Created if missing; existing files of those names are replaced.
        universe: What `generate_sample` returned.

    Returns:
        {"accounts": path, "contacts": path, "customers": path, "deals": path}.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in SAMPLE_FILES:
        path = directory / f"{name}.csv"
        to_csv_frame(getattr(universe, name)).collect().write_csv(path, date_format="%Y-%m-%d")
        paths[name] = path
    return paths
