"""The demo's test-campaign loop: plan -> export -> simulated results -> ingest -> report -> refine, twice.

Wiring only: every step is the command's own function, run in-process on the demo's fresh store.
Ends in `OUT/report.html`: the last round's report with the ICP v1 -> v2 change.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flows.commands.campaign_plan import IngestRequest, PlanRequest, run_ingest, run_plan
from flows.commands.campaign_report import campaign_report, write_report
from flows.edges.store import export_planned
from flows.commands.icp_refine import RefineRequest, run_refine

ROUNDS = 2
SIZE = 150


def icp_change(refined: dict[str, Any]) -> dict[str, Any]:
    """A refine summary as report.html's `icp_change`."""
    return {
        "from": refined["from_version"],
        "to": refined["version"],
        "changes": [
            {
                "criterion": c["criterion"],
                "old_points": c["old_points"],
                "new_points": c["new_points"],
                "evidence": f"{c['criterion']}: {c['text']}",
            }
            for c in refined["changes"]
        ],
        "unchanged": [f"{u['criterion']}: {u['text']}" for u in refined["unchanged"]],
    }


def run_campaign_loop(out: Path, *, rounds: int = ROUNDS, size: int = SIZE, seed: int = 7) -> dict[str, Any]:
    """Run the loop on the demo workspace in `out` (after `init`, `target` and `draft`).

    Returns:
        Per round: the campaign, its totals and the refinement; and the final page's path.
    """
    import polars as pl

    from targeting import import_accounts
    from targeting.sample.responder import simulated_results

    store = out / "outbound.duckdb"
    store.unlink(missing_ok=True)  # the demo's own store: every run starts fresh
    for old in out.glob("icp.v*.yaml"):
        old.unlink()
    accounts = import_accounts(out / "accounts.csv").accounts.collect()
    icp = out / "icp.yaml"
    campaigns: list[str] = []
    summary: dict[str, Any] = {"rounds": []}
    change: dict[str, Any] | None = None
    for n in range(1, rounds + 1):
        folder = out / f"round-{n}"
        plan = run_plan(
            PlanRequest(
                icp=icp,
                accounts=out / "accounts.csv",
                contacts=out / "contacts.csv",
                out=folder,
                store=store,
                size=size,
                name=f"demo-round-{n}",
                workspace=out,
                seed=seed + n,
                drafts=out / "drafts" if n == 1 else None,
                allow_sample_sender=True,
            ),
            use_prefect=False,
        )  # the demo is signed by the sample sender on purpose
        campaigns.append(plan["campaign_id"])
        export_planned(store, plan["campaign_id"], "generic", folder / "export.csv", allow_sample_sender=True)
        planned = pl.read_csv(folder / "campaign.csv", infer_schema=False)
        simulated_results(planned, accounts, seed=seed + n).write_csv(folder / "results.csv")
        run_ingest(
            IngestRequest(campaign=plan["campaign_id"], results=folder / "results.csv", store=store, simulated=True),
            use_prefect=False,
        )
        report = campaign_report(store, plan["campaign_id"])
        if change is not None:
            report["icp_change"] = change
        write_report(report, folder)
        refined = run_refine(
            RefineRequest(
                icp=icp,
                campaigns=campaigns,
                out=out / f"icp.v{_version(icp) + 1}.yaml",
                store=store,
                accounts=out / "accounts.csv",
            ),
            use_prefect=False,
        )
        summary["rounds"].append(
            {
                "campaign_id": plan["campaign_id"],
                "icp_version": plan["version"],
                "totals": report["totals"],
                "refined": refined["changed"],
                "changes": [f"{c['criterion']} {c['text']}" for c in refined["changes"]],
            }
        )
        if refined["changed"]:
            change = icp_change(refined)
            icp = Path(refined["out"])  # the next round tests it; its refinement pools every round of the lineage
    last = out / f"round-{rounds}"
    final = campaign_report(store, summary["rounds"][-1]["campaign_id"])
    final["icp_change"] = change or {
        "from": 1,
        "to": 1,
        "changes": [],
        "unchanged": ["not enough evidence yet to change the ICP"],
    }
    write_report(final, last)
    shutil.copyfile(last / "report.html", out / "report.html")
    shutil.copyfile(last / "report.json", out / "report.json")
    summary["report"] = str(out / "report.html")
    summary["icp"] = str(icp)
    return summary


def _version(icp: Path) -> int:
    from targeting.icp.spec import load_icp

    return load_icp(icp).version
