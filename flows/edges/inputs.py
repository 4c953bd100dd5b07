"""The one way in: a universe of accounts and a file of contacts, read the same way by every command.

A universe is its file read through its preset or map (normalized, people-shaped files folded to
their companies: `targeting.importing`), then given its facts (`targeting.facts`), so an ICP
criterion on `pain_points` scores the same in `target`, `campaign plan` and `icp check`. Contacts
have a layout of their own: `--contacts-preset` / `--contacts-map`, else the accounts' own where it
is the same file, else recognized from the headers. Both say which columns they did not read.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from flows.runner import IN_PROCESS, Runner
from targeting.errors import InputError
from targeting.facts import FACT_KINDS, FactsSpec, load_facts, with_account_facts
from targeting.importing.canonical import (
    AccountImport,
    ContactImport,
    check_importable,
    import_accounts,
    import_contacts,
)
from targeting.importing.layouts import recognized_contact_preset
from targeting.importing.presets import PRESETS, ColumnMap, load_column_map
from targeting.importing.reading import extra_fields, read_table
from targeting.importing.suppression import read_suppression

WORKSPACE_FACTS = Path("facts.yaml")
# What a draft needs of a contact: a name to greet and an address to send to.
DRAFT_NEEDS = {"first_name": "first name", "email": "email"}


@dataclass(frozen=True)
class Layout:
    """How one file's columns are read: a preset, a map over it, and how that was decided."""

    preset: str
    column_map: ColumnMap | None
    how: str = "given"  # "given", "as the accounts file", "recognized from its headers"

    def __str__(self) -> str:
        return f"{self.preset}{' + map' if self.column_map else ''} ({self.how})"


def accounts_layout(preset: str, column_map: Path | None) -> Layout:
    """The accounts file's layout: `--preset` and `--map` as given."""
    return Layout(preset, load_column_map(column_map) if column_map is not None else None)


def contacts_layout(
    contacts: Path,
    preset: str | None,
    column_map: Path | None,
    *,
    accounts: Path | None = None,
    of_accounts: Layout | None = None,
) -> Layout:
    """The contacts file's layout: as given; the accounts' own for the same file; else recognized.

    Raises:
        InputError: the map cannot be used, or no preset recognizes a person column in the headers.
    """
    if preset is not None and preset not in PRESETS:
        raise InputError(f"unknown preset; choose one of {', '.join(PRESETS)}", field="--contacts-preset", value=preset)
    if preset is not None or column_map is not None:
        return Layout(preset or "canonical", load_column_map(column_map) if column_map is not None else None)
    if of_accounts is not None and accounts is not None and _same_file(contacts, accounts):
        return Layout(of_accounts.preset, of_accounts.column_map, "as the accounts file")
    return Layout(recognized_contact_preset(headers(contacts), contacts), None, "recognized from its headers")


def headers(path: Path) -> list[str]:
    """A file's column names as written (the reader's spare columns left out)."""
    schema = read_table(path).collect_schema()
    spare = set(extra_fields(schema))
    return [name for name in schema.names() if name not in spare]


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def check_universe(path: Path, layout: Layout) -> None:
    """Raise now if the accounts file cannot be imported at all (before any flow starts)."""
    check_importable(path, "account", preset=layout.preset, column_map=layout.column_map)


def check_contacts(path: Path, layout: Layout) -> None:
    """Raise now if the contacts file cannot be imported at all (before any flow starts)."""
    check_importable(path, "contact", preset=layout.preset, column_map=layout.column_map)


def facts_file(explicit: Path | None) -> Path | None:
    """The vocabulary to read: the one given, else the workspace's `facts.yaml`, else None (the shipped one)."""
    if explicit is not None:
        return explicit
    return WORKSPACE_FACTS if WORKSPACE_FACTS.is_file() else None


def load_facts_spec(explicit: Path | None) -> FactsSpec:
    """Load the vocabulary `facts_file` picks (an InputError names the file, line, field and value)."""
    return load_facts(facts_file(explicit))


@dataclass(frozen=True)
class Universe:
    """A universe as every command reads it: the import's row accounting, the accounts with their facts.

    `facts_later` fills the fact columns left out of `accounts` (`read_universe(read=...)`) on any
    frame of its rows, such as the target list; None when every fact column is already there.
    """

    imported: AccountImport
    accounts: pl.LazyFrame
    facts_later: Callable[[pl.LazyFrame], pl.LazyFrame] | None = None


def read_universe(
    path: Path,
    layout: Layout,
    facts: FactsSpec,
    runner: Runner = IN_PROCESS,
    *,
    read: Collection[str] | None = None,
) -> Universe:
    """Import the accounts through their layout and give them their facts (where the file carries none).

    With `read` (the columns the command reads over the whole universe, such as an ICP's fields),
    only the fact columns among them are derived over every account; the others are left empty
    and `facts_later` derives them for the rows that need them, the same words read the same way.
    """
    imported = runner.step(import_accounts)(path, preset=layout.preset, column_map=layout.column_map)
    today = date.today()  # both halves count `recent_years` back from the same day
    fill = partial(with_account_facts, spec=facts, carried=imported.carried, as_of=today)
    if read is None:
        return Universe(imported, fill(imported.accounts))
    now = [column for column in FACT_KINDS.values() if column in read]
    later = [column for column in FACT_KINDS.values() if column not in read and column not in imported.carried]
    return Universe(
        imported,
        fill(imported.accounts, only=now),
        partial(fill, only=later) if later else None,
    )


def read_contacts(path: Path, layout: Layout, runner: Runner = IN_PROCESS) -> ContactImport:
    """Import the contacts through their own layout."""
    return runner.step(import_contacts)(path, preset=layout.preset, column_map=layout.column_map)


def contact_warnings(contacts: ContactImport, path: Path, layout: Layout) -> list[str]:
    """One line per column a draft needs that no column of the file reads (first name, email)."""
    return [
        f"no column of {path.name} reads as {shown} under {layout}: drafts cannot use it; "
        "give --contacts-preset or a --contacts-map"
        for column, shown in DRAFT_NEEDS.items()
        if column not in contacts.carried
    ]


def contacts_read(contacts: ContactImport, path: Path, layout: Layout) -> dict[str, Any]:
    """What a command's summary says of its contacts: the layout, the columns not read, what drafts lack."""
    return {
        "contacts_layout": str(layout),
        "contacts_encoding": contacts.encoding,
        "unmapped_contacts": contacts.unmapped,
        "contact_warnings": contact_warnings(contacts, path, layout),
    }


def suppressed_keys(paths: list[Path]) -> list[str]:
    """Every email, domain and account id on the do-not-contact lists, lower case."""
    if not paths:
        return []
    return read_suppression(paths)["key"].str.to_lowercase().unique().sort().to_list()


def suppressed_account_keys(paths: list[Path]) -> set[str]:
    """The account ids and domains on the do-not-contact lists (emails left out)."""
    if not paths:
        return set()
    return set(read_suppression(paths).filter(pl.col("level") == "account")["key"].to_list())
