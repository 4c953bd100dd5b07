"""Campaigns: test-campaign planning, results ingest and the campaign store.

Plain Python over Polars frames; never imports Prefect or `flows` (`flows` -> `campaigns` ->
`messaging`, `targeting`). The rooms:

- `campaigns.planning`: segments, who may be planned, drafts and the gate, allocation, power;
- `campaigns.results`: each sending tool's export -> outcomes, auto-replies, matching;
- `campaigns.store`: the one module that talks to DuckDB (ICP versions, campaigns, outcome
  events, the suppression ledger, the model cache);
- `campaigns.ledger`: the suppression ledger as expressions (plain and hashed entries);
- `campaigns.export`: a planned campaign in each sending tool's layout, and the campaign list.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "CampaignRecord": "campaigns.store",
        "Store": "campaigns.store",
        "StoreBusy": "campaigns.store",
        "export_planned": "campaigns.export",
        "is_blocked_expr": "campaigns.ledger",
        "design_campaign": "campaigns.planning",
        "read_results": "campaigns.results",
    },
)
