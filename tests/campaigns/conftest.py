"""A store holding one small planned campaign, recorded directly (no planning needed)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from campaigns.store import CampaignRecord, Store

EMAILS = ["ann@acme.com", "bob@acme.com", "cy@beta.io", "di@gamma.dev", "ed@delta.co", "flo@eps.org"]


def planned_contacts(emails: list[str] = EMAILS) -> pl.DataFrame:
    variants = ["a", "b"] * (len(emails) // 2) + ["a"] * (len(emails) % 2)
    return pl.DataFrame(
        {
            "contact_id": [f"k{i}" for i in range(len(emails))],
            "email": emails,
            "first_name": [e.split("@")[0].title() for e in emails],
            "last_name": ["Doe"] * len(emails),
            "account_id": [e.split("@")[1] for e in emails],
            "company": [e.split("@")[1].split(".")[0].title() for e in emails],
            "domain": [e.split("@")[1] for e in emails],
            "persona": ["champion"] * len(emails),
            "email_flag": ["catch_all" if i == 1 else None for i in range(len(emails))],
            "segment": ["A", "A", "B", "B", "explore", "explore"][: len(emails)],
            "variant": variants,
            "drafts": [f'[{{"step": 1, "variant": "{v}", "subject": "Hi", "body": "Hello"}}]' for v in variants],
            "edited": [False] * len(emails),
        }
    )


def record(
    store: Store, name: str = "q1-test", campaign_id: str = "c-0000abcd", emails: list[str] = EMAILS
) -> CampaignRecord:
    campaign = CampaignRecord(campaign_id, name, "mid-market-saas", 1, 7, {"segments": []}, datetime(2026, 1, 5))
    store.record_campaign(
        campaign, planned_contacts(emails), icp_text="name: mid-market-saas\nversion: 1\n", icp_parent=None
    )
    return campaign


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "outbound.duckdb")
    record(store)
    return store


def ingest(store: Store, results: Path, preset: str = "canonical", *, campaign: str = "q1-test") -> dict:
    """`outbound campaign ingest` of `results` into `store`, in-process (the command's own steps)."""
    from flows.commands.campaign_ingest import IngestRequest, load_ingest_inputs, run_ingest
    from flows.runner import IN_PROCESS

    request = IngestRequest(campaign=campaign, results=results, store=store.path, preset=preset)
    return run_ingest(request, load_ingest_inputs(request), IN_PROCESS)
