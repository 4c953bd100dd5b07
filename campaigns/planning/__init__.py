"""Planning: an ICP, a universe and its contacts -> a test campaign worth sending.

`segments` (the hypotheses: tiers and near-miss `explore`), `contacts` (who may be planned: one
sendable contact per account, never the ledger, customers or the cooldown), `drafts` (reviewed
drafts as they are, edits marked, the rest rendered; the gate), `allocation` (even at first,
Thompson sampling over the lineage's posteriors later), `power` (what each segment can detect)
and `plan` (all of it, seeded and reproducible).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "CampaignPlan": "campaigns.planning.plan",
        "PlanOptions": "campaigns.planning.plan",
        "RenderSpecs": "campaigns.planning.drafts",
        "SegmentEvidence": "campaigns.planning.allocation",
        "allocate": "campaigns.planning.allocation",
        "detectable_rate": "campaigns.planning.power",
        "eligible_contacts": "campaigns.planning.contacts",
        "design_campaign": "campaigns.planning.plan",
        "reviewed_drafts": "campaigns.planning.drafts",
        "segment_accounts": "campaigns.planning.segments",
    },
)
