"""The hypothesis loop as one Prefect flow: plan -> export -> wait for the results -> ingest -> report -> refine.

The flow pauses for the results file (`pause_flow_run(wait_for_input=ResultsInput)`): a person
sends the campaign, then resumes the run from the UI (or `resume_flow_run`) with the path of the
sending tool's export. It needs a Prefect server (a deployment in `prefect.yaml` runs it); each
step is the command's own function. Keyed artifacts: `campaign-design`, `campaign-outcomes`,
`campaign-reply-rates`, `icp-refinement`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import BaseModel

from campaigns.store import Store
from flows.commands.campaign_plan import IngestRequest, PlanRequest, run_ingest, run_plan
from flows.commands.campaign_report import campaign_report, write_report
from flows.edges.store import export_planned
from flows.commands.icp_refine import RefineRequest, run_refine
from flows.runner import publish_table
from targeting.icp.spec import load_icp


class LoopRequest(BaseModel):
    """What one turn of the loop plans and where it writes."""

    icp: Path
    accounts: Path
    contacts: Path
    out: Path
    store: Path
    workspace: Path = Path(".")
    size: int = 100
    name: str | None = None
    seed: int = 0
    format: str = "generic"
    wait_seconds: int = 14 * 24 * 3600
    poll_seconds: int = 10
    allow_sample_sender: bool = False


class ResultsInput(RunInput):
    """What resumes the paused loop: the results file the sending tool exported."""

    results: str
    preset: str = "canonical"
    simulated: bool = False


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


def loop_run_name() -> str:
    """`loop-<icp file stem>`: the runs of one hypothesis read as one line in the UI."""
    from prefect.runtime import flow_run

    return f"loop-{Path(str(flow_run.parameters['icp'])).stem}"


@flow(name="hypothesis_loop", flow_run_name=loop_run_name, log_prints=True, validate_parameters=False)
def hypothesis_loop(
    icp: Path,
    accounts: Path,
    contacts: Path,
    out: Path,
    store: Path,
    workspace: Path = Path("."),
    size: int = 100,
    name: str | None = None,
    seed: int = 0,
    format: str = "generic",
    wait_seconds: int = 14 * 24 * 3600,
    poll_seconds: int = 10,
    allow_sample_sender: bool = False,
) -> dict[str, Any]:
    """Prefect flow: one round of the loop, paused while the campaign is out.

    Plain parameters (paths and options), so a deployment can start it; they are validated as one
    `LoopRequest` before the first step.
    """
    request = LoopRequest(
        icp=icp,
        accounts=accounts,
        contacts=contacts,
        out=out,
        store=store,
        workspace=workspace,
        size=size,
        name=name,
        seed=seed,
        format=format,
        wait_seconds=wait_seconds,
        poll_seconds=poll_seconds,
        allow_sample_sender=allow_sample_sender,
    )
    plan = run_plan(
        PlanRequest(
            icp=request.icp,
            accounts=request.accounts,
            contacts=request.contacts,
            out=request.out,
            store=request.store,
            size=request.size,
            name=request.name,
            workspace=request.workspace,
            seed=request.seed,
            allow_sample_sender=request.allow_sample_sender,
        ),
        use_prefect=True,
    )
    campaign_id = plan["campaign_id"]
    export = export_planned(
        request.store,
        campaign_id,
        request.format,
        request.out / f"export-{request.format}.csv",
        allow_sample_sender=request.allow_sample_sender,
    )
    print(f"campaign {campaign_id} exported to {export['out']}; send it, then resume this run with its results file")
    answer = pause_flow_run(
        wait_for_input=ResultsInput,
        timeout=request.wait_seconds,
        poll_interval=request.poll_seconds,
        key=f"results-{campaign_id}",
    )
    ingest = run_ingest(
        IngestRequest(
            campaign=campaign_id,
            results=Path(answer.results),
            store=request.store,
            preset=answer.preset,
            simulated=answer.simulated,
        ),
        use_prefect=True,
    )
    report = campaign_report(request.store, campaign_id)
    write_report(report, request.out)
    publish_table("campaign-reply-rates", reply_rate_rows(report), f"Reply rates of {plan['name']} ({campaign_id})")
    # Every round of the lineage so far, this one included, each contact once (as `icp refine` pools them).
    spec = load_icp(request.icp)
    refined = run_refine(
        RefineRequest(
            icp=request.icp,
            campaigns=Store(request.store).lineage_campaigns(spec.name, spec.version),
            out=request.out / "icp.next.yaml",
            store=request.store,
            accounts=request.accounts,
        ),
        use_prefect=True,
    )
    return {
        "campaign_id": campaign_id,
        "planned": plan["planned"],
        "ingested": ingest["matched"],
        "report": str(request.out / "report.html"),
        "refined": refined,
    }
