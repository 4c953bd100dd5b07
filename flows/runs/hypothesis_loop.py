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

from flows.commands.campaign_plan import PlanRequest
from flows.commands.campaign_round import Results, run_round
from flows.commands.request import Request
from flows.runner import IN_FLOW_RUN


class LoopRequest(Request):
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
    preset: str = "canonical"
    column_map: Path | None = None
    contacts_preset: str | None = None
    contacts_map: Path | None = None


class ResultsInput(RunInput):
    """What resumes the paused loop: the results file the sending tool exported."""

    results: str
    preset: str = "canonical"
    simulated: bool = False


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
    preset: str = "canonical",
    column_map: Path | None = None,
    contacts_preset: str | None = None,
    contacts_map: Path | None = None,
) -> dict[str, Any]:
    """Prefect flow: one round of the loop, paused while the campaign is out.

    Plain parameters (paths and options), so a deployment can start it; they are validated as one
    `LoopRequest` before the first step.
    """
    request = LoopRequest.given(locals())
    export_to = request.out / f"export-{request.format}.csv"

    def awaited(campaign_id: str) -> Results:
        print(f"campaign {campaign_id} exported to {export_to}; send it, then resume this run with its results file")
        answer = pause_flow_run(
            wait_for_input=ResultsInput,
            timeout=request.wait_seconds,
            poll_interval=request.poll_seconds,
            key=f"results-{campaign_id}",
        )
        return Results(Path(answer.results), answer.preset, answer.simulated)

    plan = PlanRequest.given(request.model_dump())
    done = run_round(
        plan,
        IN_FLOW_RUN,
        export_format=request.format,
        export_to=export_to,
        results=awaited,
        refine_to=request.out / "icp.next.yaml",
    )
    return {
        "campaign_id": done.plan["campaign_id"],
        "planned": done.plan["planned"],
        "ingested": done.ingest["matched"],
        "report": str(request.out / "report.html"),
        "refined": done.refined,
    }
