"""The campaign store as the commands without a flow use it: where it is, its ledger, export, list, forget.

Nothing here imports Prefect, so `campaign export|list` and `forget` start in about a second, and
`target` and `draft` can honour the ledger cheaply.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from campaigns.ledger import is_blocked_expr
from campaigns.store import Store
from targeting.errors import InputError
from targeting.importing.suppression import read_suppression

DEFAULT_STORE = "outbound.duckdb"


def resolve_store_path(option: Path | None) -> Path:
    """`--store`, else `$OUTBOUND_STORE`, else `./outbound.duckdb`."""
    if option is not None:
        return option
    return Path(os.environ.get("OUTBOUND_STORE") or DEFAULT_STORE)


def store_ledger(store: Path | None = None) -> pl.DataFrame | None:
    """The suppression ledger of the store `target` and `draft` honour (None: no store or an empty ledger)."""
    path = resolve_store_path(store)
    if not path.is_file():
        return None
    ledger = Store(path).ledger()
    return ledger if ledger.height else None


def without_ledger(contacts: pl.LazyFrame, store: Path | None = None) -> pl.LazyFrame:
    """Contacts minus those on the store's suppression ledger (email or domain, plain or hashed)."""
    ledger = store_ledger(store)
    return contacts if ledger is None else contacts.filter(~is_blocked_expr(ledger))


def ledger_emails(contacts: pl.LazyFrame, store: Path | None = None) -> list[str]:
    """The emails (lower case) of the contacts on the store's suppression ledger, as do-not-contact keys."""
    ledger = store_ledger(store)
    if ledger is None:
        return []
    blocked = contacts.filter(is_blocked_expr(ledger)).select(pl.col("email").str.strip_chars().str.to_lowercase())
    return blocked.collect()["email"].drop_nulls().unique().sort().to_list()


def export_planned(
    store_path: Path,
    campaign_ref: str,
    fmt: str,
    out: Path,
    *,
    allow_sample_sender: bool = False,
    suppress: list[Path] | None = None,
) -> dict[str, Any]:
    """Write a planned campaign in a sending tool's layout, with campaign id, segment and variant as custom variables.

    Raises:
        InputError: unknown format or campaign, or the campaign is signed by the sample sender and
            `allow_sample_sender` is False (nothing is written).
    """
    from campaigns.export import export_planned as laid_out_for
    from campaigns.export import planned_sender
    from messaging import FORMATS, write_export_csv
    from messaging.composing.sender import SAMPLE_SENDER_FIX

    if fmt not in FORMATS:
        raise InputError(f"unknown export format (expected one of {', '.join(FORMATS)})", field="--format", value=fmt)
    store = Store(store_path).require()
    campaign = store.find_campaign(campaign_ref)
    planned = store.campaign_contacts(campaign.campaign_id)
    sender = planned_sender(campaign.design, planned)
    if sender["sample"] and not allow_sample_sender:
        who = f"{sender['name']}, {sender['company']}"
        raise InputError(
            f"campaign {campaign.campaign_id} was drafted by the sample sender; " + SAMPLE_SENDER_FIX.format(who=who)
        )
    suppression = read_suppression(suppress) if suppress else None
    # The ledger and the lists as they are now: who bounced or unsubscribed since the plan is left out.
    result = laid_out_for(planned, campaign.campaign_id, fmt, ledger=store.ledger(), suppression=suppression)
    from flows.edges.files import replaced

    with replaced(out) as temporary:
        write_export_csv(result, temporary)
    return {
        "campaign_id": campaign.campaign_id,
        "name": campaign.name,
        "format": fmt,
        "contacts": result.height,
        "left_out": planned.height - result.height,
        "out": str(out),
        "sender": sender,
    }


def list_campaigns(store_path: Path) -> list[dict[str, Any]]:
    """Every campaign: id, name, ICP and version, planned, delivered, outcomes (each contact at its highest)."""
    from campaigns.export import campaign_rows

    return campaign_rows(Store(store_path).require().campaign_summaries())


def forget(store_path: Path, target: str) -> dict[str, Any]:
    """Erase a person or a domain from the store, keeping a hashed ledger entry."""
    from targeting.identity import identity_key

    kind, _ = identity_key(target)  # one email or one domain, refused before a store is created
    store = Store(store_path)
    created = not store.exists()
    removed = store.forget(target)
    return {
        "forgotten": kind,
        "removed": removed,
        "store": str(store_path),
        "created": created,
    }


def record_derived_icp(store: Path | None, icp_path: Path) -> dict[str, Any] | None:
    """Record a derived ICP as a version of its lineage where a store is given (`--store` or
    `$OUTBOUND_STORE`); None where none is. The default `./outbound.duckdb` is not created for it.

    Raises:
        InputError: that name and version are recorded with other rules.
    """
    if store is None and not os.environ.get("OUTBOUND_STORE"):
        return None
    from targeting.icp import load_icp

    path = resolve_store_path(store)
    spec = load_icp(icp_path)
    created = not path.exists()
    with Store(path).transaction() as con:
        new = Store(path).record_icp_version(
            con, spec.name, spec.version, icp_path.read_text(encoding="utf-8"), spec.parent
        )
    return {"store": str(path), "icp": spec.name, "version": spec.version, "recorded": new, "created": created}
