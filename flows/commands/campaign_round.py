"""One round of the test-campaign loop: plan -> export -> results -> ingest -> report -> refine.

The demo runs it with a simulated responder, in-process; the `hypothesis_loop` flow runs it as a
flow run that pauses until a person hands it the sending tool's results. Every step is the
command's own (`campaign plan`, `campaign export`, `campaign ingest`, `campaign report`, `icp
refine`), and the refinement pools every round of the ICP's lineage with results so far.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaigns.store import Store
from flows.commands.campaign_ingest import IngestRequest, load_ingest_inputs, run_ingest
from flows.commands.campaign_plan import PlanRequest, load_plan_inputs, run_plan
from flows.commands.campaign_report import campaign_report, write_report
from flows.commands.icp_refine import RefineRequest, load_refine_inputs, run_refine
from flows.edges.store import export_planned
from flows.runner import Runner


@dataclass(frozen=True)
class Results:
    """A campaign's results file, as the sending tool wrote it (or the demo's responder)."""

    path: Path
    preset: str = "canonical"
    simulated: bool = False


@dataclass(frozen=True)
class Round:
    """What one round did: the plan, the export, the ingest, the report and the refinement summaries."""

    plan: dict[str, Any]
    export: dict[str, Any]
    ingest: dict[str, Any]
    report: dict[str, Any]
    refined: dict[str, Any]


def run_round(
    plan: PlanRequest,
    runner: Runner,
    *,
    export_format: str,
    export_to: Path,
    results: Callable[[str], Results],
    refine_to: Path,
    icp_change: dict[str, Any] | None = None,
) -> Round:
    """Run one round of the loop; `results(campaign_id)` gives back the sent campaign's results file.

    Args:
        plan: the campaign to plan (its `out` folder also receives the report).
        runner: how the steps run.
        export_format: the sending tool's layout of the export.
        export_to: the export's path.
        results: called once the campaign is exported; returns its results file (it may wait).
        refine_to: where the refined ICP is written.
        icp_change: the ICP change this round tests, shown on its report page.
    """
    planned = run_plan(plan, load_plan_inputs(plan), runner)
    campaign_id = planned["campaign_id"]
    export = export_planned(
        plan.store, campaign_id, export_format, export_to, allow_sample_sender=plan.allow_sample_sender
    )
    answer = results(campaign_id)
    ingest = IngestRequest(
        campaign=campaign_id, results=answer.path, store=plan.store, preset=answer.preset, simulated=answer.simulated
    )
    ingested = run_ingest(ingest, load_ingest_inputs(ingest), runner)
    report = campaign_report(plan.store, campaign_id)
    if icp_change is not None:
        report["icp_change"] = icp_change
    write_report(report, plan.out)
    runner.publish_table(
        "campaign-reply-rates", reply_rate_rows(report), f"Reply rates of {planned['name']} ({campaign_id})"
    )
    lineage = Store(plan.store).lineage_campaigns(planned["icp"], planned["version"])
    refine = RefineRequest(
        icp=plan.icp,
        campaigns=lineage,
        out=refine_to,
        store=plan.store,
        accounts=plan.accounts,
        preset=plan.preset,
        column_map=plan.column_map,
        facts=plan.facts,
    )
    refined = run_refine(refine, load_refine_inputs(refine), runner)
    return Round(planned, export, ingested, report, refined)


def reply_rate_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """`campaign-reply-rates`: one row per segment and criterion."""
    return [
        {
            "arm": kind,
            "name": r["name"],
            "delivered": r["delivered"],
            "positive": r["positive"],
            "rate": r["rate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "p_better": r["p_better"],
            "verdict": r["verdict"],
            "next_round_n": r["next_round_n"],
        }
        for kind in ("segments", "criteria")
        for r in report[kind]
    ]


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
