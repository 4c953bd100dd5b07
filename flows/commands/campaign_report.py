"""`outbound campaign report`: read a campaign from the store, write report.json and report.html.

Only reads the store and writes files, so it runs in-process without Prefect.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from campaigns.store import Store
from flows.edges.files import write_json

if TYPE_CHECKING:
    from flows.edges.model_server import LlmRequest


def campaign_report(
    store_path: Path, campaign_ref: str, prior: float | None = None, llm: LlmRequest | None = None
) -> dict[str, Any]:
    """report.json's content for one campaign (nothing written).

    With `llm` (`--llm`, checked by `flows.edges.model_server.model_or_none`) a model sorts each reply's
    text into its reason, kept only when grounded (`flows.edges.model_reasons`); the store is the model
    cache, so a rerun asks nothing again; `llm` in the report counts what was kept and what fell back.

    Raises:
        InputError: no store, no such campaign, or a prior outside (0, 1).
    """
    from campaigns.prior import campaign_prior
    from campaigns.report import build_report
    from targeting.icp.spec import parse_icp

    store = Store(store_path).require()
    campaign = store.find_campaign(campaign_ref)
    design = campaign.design
    chosen = campaign_prior(prior, [design])
    text = store.icp_text(campaign.icp_name, campaign.icp_version)
    criteria = [c.label for c in parse_icp(text).scoring.criteria] if text else []
    meta = {
        "campaign_id": campaign.campaign_id,
        "name": campaign.name,
        "icp": campaign.icp_name,
        "version": campaign.icp_version,
        "design": design,
    }
    contacts = store.contact_outcomes([campaign.campaign_id])
    reader = None
    if llm is not None:
        from flows.edges.model_reasons import ReasonReader, with_model_reasons
        from messaging.drafting.caller import ModelSettings

        reader = ReasonReader(ModelSettings(**llm.model_dump()), store)
        contacts = with_model_reasons(contacts, reader)
    report = build_report(meta, contacts, chosen, criteria)
    lineage = store.lineage_campaigns(campaign.icp_name, campaign.icp_version)
    # The rounds `icp refine` should read with this one: every campaign of the lineage with outcomes.
    report["lineage"] = lineage if campaign.campaign_id in lineage else [*lineage, campaign.campaign_id]
    if reader is not None:
        m = report["llm"] = reader.summary()
        why = ", ".join(f"{n} {k}" for k, n in m["fallback_reasons"].items()) or "none"
        report["notes"].append(
            f"reasons read by model {m['model']}: {m['kept']} of {m['replies_with_text']} replies' reasons kept "
            f"(a fixed reason quoted verbatim); {m['fallback_to_rules']} left to the rules ({why})"
        )
    return report


def write_report(report: dict[str, Any], out: Path) -> dict[str, Path]:
    """Write report.json and report.html into `out` (each written whole, then moved into place)."""
    from campaigns.report import render_report_html

    out.mkdir(parents=True, exist_ok=True)
    html = render_report_html(report)
    write_json(report, out / "report.json")
    tmp = out / ".report.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out / "report.html")
    return {"json": out / "report.json", "html": out / "report.html"}
