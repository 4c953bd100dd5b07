"""The campaign flows: plan a test campaign, take its results back. Wiring and I/O only."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow
from pydantic import BaseModel

from campaigns.results.ingest import (
    ParsedResults,
    ingest_summary,
    ledger_entries,
    match_results,
    read_results,
    with_outcome,
)
from campaigns.store import Store
from flows.runtime import as_step, publish_markdown, publish_table

DEFAULT_STORE = "outbound.duckdb"


def resolve_store_path(option: Path | None) -> Path:
    """`--store`, else `$OUTBOUND_STORE`, else `./outbound.duckdb`."""
    if option is not None:
        return option
    return Path(os.environ.get("OUTBOUND_STORE") or DEFAULT_STORE)


def wants_prefect(prefect: bool, no_prefect: bool) -> bool:
    """A flow run when forced, or when a Prefect API is configured; in-process otherwise."""
    if no_prefect:
        return False
    return prefect or bool(os.environ.get("PREFECT_API_URL"))


# -- ingest ------------------------------------------------------------------------------------


class IngestRequest(BaseModel):
    """What `outbound campaign ingest` was asked to do."""

    campaign: str
    results: Path
    store: Path
    preset: str = "canonical"
    simulated: bool = False


def validate_ingest_request(request: IngestRequest) -> None:
    """Check the store, the campaign and the results file before a flow starts."""
    store = Store(request.store).require()
    store.find_campaign(request.campaign)
    read_results(request.results, request.preset)


def record_results(
    store: Store, campaign_id: str, parsed: ParsedResults, matched: pl.DataFrame, simulated: bool
) -> tuple[dict[str, int], dict[str, int], bool]:
    """Record the matched events and their ledger entries in one store transaction."""
    events = with_outcome(matched)
    return store.record_outcomes(
        campaign_id, events, source_hash=parsed.source_hash, preset=parsed.preset, rows=parsed.rows,
        simulated=simulated, ledger=ledger_entries(events, campaign_id),
    )


def run_ingest(request: IngestRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Read a results file, match it to the campaign, record it; the summary `--json` prints."""
    step = as_step(use_prefect)
    store = Store(request.store).require()
    campaign = store.find_campaign(request.campaign)
    parsed = step(read_results)(request.results, request.preset)
    contacts = store.campaign_contacts(campaign.campaign_id)
    matched, unknown_emails, unknown_rows = match_results(parsed, contacts)
    before, after, _ = step(record_results)(store, campaign.campaign_id, parsed, matched, request.simulated)
    summary = ingest_summary(
        campaign.campaign_id, parsed, matched, unknown_emails, unknown_rows, before, after,
        contacts["contact_id"].to_list(),
    )
    if use_prefect:
        rows = [{"outcome": k, "contacts": v} for k, v in summary["outcomes"].items()]
        publish_table("campaign-outcomes", rows, f"Outcomes of {campaign.name} ({campaign.campaign_id}) after {request.results.name}")
    return summary


@flow(name="ingest_results", flow_run_name="ingest-{request.campaign}", log_prints=True, validate_parameters=False)
def ingest_results(request: IngestRequest) -> dict[str, Any]:
    """Prefect flow: take a results file back, with the outcome counts as a keyed artifact."""
    return run_ingest(request, use_prefect=True)


__all__ = [
    "IngestRequest", "ingest_results", "publish_markdown", "resolve_store_path", "run_ingest",
    "validate_ingest_request", "wants_prefect",
]
