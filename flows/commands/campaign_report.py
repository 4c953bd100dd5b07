"""`outbound campaign report`: read a campaign from the store, write report.json and report.html.

Only reads the store and writes files, so it runs in-process without Prefect.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from campaigns.store import Store
from flows.edges.files import write_json


def campaign_report(store_path: Path, campaign_ref: str, prior: float | None = None) -> dict[str, Any]:
    """report.json's content for one campaign (nothing written).

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
    return build_report(meta, store.contact_outcomes([campaign.campaign_id]), chosen, criteria)


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
