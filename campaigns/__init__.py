"""Campaigns: test-campaign planning, results ingest and the campaign store.

Plain Python over Polars frames; never imports Prefect or `flows` (`flows` -> `campaigns` ->
`messaging`, `targeting`). The rooms:

- `campaigns.planning`: segments, who may be planned, drafts and the gate, allocation, power;
- `campaigns.results`: each sending tool's export -> outcomes, auto-replies, matching;
- `campaigns.store`: the one module that talks to DuckDB (ICP versions, campaigns, outcome
  events, the suppression ledger, the model cache).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "CampaignRecord": "campaigns.store",
        "Store": "campaigns.store",
        "StoreBusy": "campaigns.store",
        "plan_campaign": "campaigns.planning",
        "read_results": "campaigns.results",
    },
)
