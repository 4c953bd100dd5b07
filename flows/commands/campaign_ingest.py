"""`outbound campaign ingest`: a sending tool's results file back into the store, idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from campaigns.results.ingest import (
    ParsedResults,
    ingest_summary,
    ledger_entries,
    match_results,
    read_results,
    refuse_other_campaign,
    with_outcome,
)
from campaigns.store import CampaignRecord, Store
from flows.commands.request import InputFile, Request
from flows.runner import Runner


class IngestRequest(Request):
    """What `outbound campaign ingest` was asked to do."""

    campaign: str
    results: InputFile
    store: Path
    preset: str = "canonical"
    simulated: bool = False


@dataclass(frozen=True)
class IngestInputs:
    """The campaign the results belong to, found in the store."""

    campaign: CampaignRecord


def load_ingest_inputs(request: IngestRequest) -> IngestInputs:
    """Check the store, the campaign and the results file before a flow starts."""
    campaign = Store(request.store).require().find_campaign(request.campaign)
    parsed = read_results(request.results, request.preset)
    refuse_other_campaign(parsed, request.results, campaign.campaign_id, campaign.name)
    return IngestInputs(campaign)


def record_results(
    store: Store, campaign_id: str, parsed: ParsedResults, matched: pl.DataFrame, simulated: bool
) -> tuple[dict[str, int], dict[str, int], bool]:
    """Record the matched events and their ledger entries in one store transaction."""
    events = with_outcome(matched)
    return store.record_outcomes(
        campaign_id,
        events,
        source_hash=parsed.source_hash,
        preset=parsed.preset,
        rows=parsed.rows,
        simulated=simulated,
        ledger=ledger_entries(events, campaign_id),
    )


def run_ingest(request: IngestRequest, inputs: IngestInputs, runner: Runner) -> dict[str, Any]:
    """Read a results file, match it to the campaign, record it; the summary `--json` prints."""
    store = Store(request.store)
    campaign = inputs.campaign
    parsed = runner.step(read_results)(request.results, request.preset)
    refuse_other_campaign(parsed, request.results, campaign.campaign_id, campaign.name)
    contacts = store.campaign_contacts(campaign.campaign_id)
    matched, unknown_emails = match_results(parsed, contacts)
    before, after, _ = runner.step(record_results)(store, campaign.campaign_id, parsed, matched, request.simulated)
    summary = ingest_summary(
        campaign.campaign_id,
        parsed,
        matched,
        unknown_emails,
        before,
        after,
        contacts["contact_id"].to_list(),
    )
    rows = [{"outcome": k, "contacts": v} for k, v in summary["outcomes"].items()]
    runner.publish_table(
        "campaign-outcomes",
        rows,
        f"Outcomes of {campaign.name} ({campaign.campaign_id}) after {request.results.name}",
    )
    return summary
