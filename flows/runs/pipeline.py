"""The Prefect flows of the pipeline commands, imported only when a flow run is wanted.

A command that runs in-process never imports this module (nor Prefect). Each flow takes plain
parameters, the fields of its command's request (paths as strings, options), so a deployment in
`prefect.yaml` can start it; inside, the request is rebuilt in one line, its inputs are loaded again
from those paths, and the command's own steps run as tasks (`IN_FLOW_RUN`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from flows.commands.campaign_ingest import IngestRequest, load_ingest_inputs, run_ingest
from flows.commands.campaign_plan import PlanRequest, load_plan_inputs, run_plan
from flows.commands.draft import DraftRequest, load_draft_inputs, run_draft
from flows.commands.facts import FactsRequest, load_facts_inputs, run_facts
from flows.commands.icp_backtest import BacktestRequest, load_backtest_inputs, run_backtest
from flows.commands.icp_derive import DeriveRequest, load_derive_inputs, run_derive
from flows.commands.icp_refine import RefineRequest, load_refine_inputs, run_refine
from flows.commands.personas import PersonasRequest, load_personas_inputs, run_personas
from flows.commands.target import TargetRequest, load_target_inputs, run_target
from flows.runner import IN_FLOW_RUN

STEP = IN_FLOW_RUN.step


def _run_name(prefix: str, parameter: str, part: Callable[[Path], str] = lambda p: p.stem) -> Callable[[], str]:
    # A template string would format the whole path; the name keeps the short part a person reads.
    return lambda: f"{prefix}-{part(Path(str(flow_run.parameters[parameter])))}"


@flow(name="build_target_list", flow_run_name=_run_name("target", "icp"), log_prints=True, validate_parameters=False)
def build_target_list(
    accounts: str,
    icp: str,
    out: str,
    contacts: str | None = None,
    suppress: list[str] | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    personas: str | None = None,
    as_of: str | None = None,
    facts: str | None = None,
    dask: str | None = None,
    contacts_preset: str | None = None,
    contacts_map: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: load the inputs, then the targeting steps as tasks, with the funnel and verdict as keyed artifacts.

    With `dask` (started by `build_target_list_on_dask`), the per-partition steps run on that cluster.
    """
    request = TargetRequest.given(locals())
    inputs = STEP(load_target_inputs)(request)
    if dask is not None:
        from flows.commands.target_on_dask import run_target_on_dask

        return run_target_on_dask(request, inputs)
    return run_target(request, inputs, IN_FLOW_RUN)


def build_target_list_on_dask(**parameters: Any) -> dict[str, Any]:
    """`build_target_list` with prefect-dask's `DaskTaskRunner` on the `dask` parameter's cluster."""
    from prefect_dask import DaskTaskRunner

    from flows.edges.cluster import parse_dask, task_runner_options

    runner = DaskTaskRunner(**task_runner_options(parse_dask(parameters["dask"])))
    return build_target_list.with_options(task_runner=runner)(**parameters)


@flow(
    name="draft_emails",
    flow_run_name=_run_name("draft", "targets", lambda p: p.parent.name),
    log_prints=True,
    validate_parameters=False,
)
def draft_emails(
    targets: str,
    contacts: str,
    out: str,
    icp: str | None = None,
    personas: str | None = None,
    messaging: str | None = None,
    sender: str | None = None,
    templates: str | None = None,
    preset: str | None = None,
    column_map: str | None = None,
    allow_role: bool = False,
    allow_free_mail: bool = False,
    suppress: list[str] | None = None,
    steps: int = 3,
    allow_sample_sender: bool = False,
    allow_sample_copy: bool = False,
    llm: dict[str, Any] | None = None,
    store: str | None = None,
    workspace: str = ".",
    contacts_preset: str | None = None,
    contacts_map: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: load the inputs, then the drafting steps as tasks, with sample drafts per persona as a keyed artifact.

    With `llm` (the checked `--llm` options), the model calls run concurrently with asyncio inside the
    one drafting task, retried by the openai client only (no Prefect retries on top).
    """
    request = DraftRequest.given(locals())
    return run_draft(request, STEP(load_draft_inputs)(request), IN_FLOW_RUN)


@flow(name="derive_facts", flow_run_name=_run_name("facts", "accounts"), log_prints=True, validate_parameters=False)
def derive_facts(
    accounts: str,
    out: str,
    facts: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    llm: dict[str, Any] | None = None,
    store: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: load the inputs, derive and write the accounts' facts, with the count per key as a keyed artifact."""
    request = FactsRequest.given(locals())
    return run_facts(request, STEP(load_facts_inputs)(request), IN_FLOW_RUN)


@flow(name="classify_personas", flow_run_name=_run_name("personas", "contacts"), validate_parameters=False)
def classify_personas(
    contacts: str,
    out: str,
    personas: str | None = None,
    preset: str | None = None,
    column_map: str | None = None,
    contacts_preset: str | None = None,
    contacts_map: str | None = None,
    sender: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: load the inputs, classify and write the contacts, with counts by persona as a keyed artifact."""
    request = PersonasRequest.given(locals())
    return run_personas(request, STEP(load_personas_inputs)(request), IN_FLOW_RUN)


@flow(name="derive_icp", flow_run_name=_run_name("derive", "out"), log_prints=True, validate_parameters=False)
def derive_icp(
    accounts: str,
    out: str,
    customers: str | None = None,
    deals: str | None = None,
    name: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    facts: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: derive an ICP from customers or deals, with the `icp-derivation` artifact."""
    request = DeriveRequest.given(locals())
    return run_derive(request, load_derive_inputs(request, IN_FLOW_RUN), IN_FLOW_RUN)


@flow(name="backtest_icp", flow_run_name=_run_name("backtest", "icp"), log_prints=True, validate_parameters=False)
def backtest_icp(
    icp: str,
    accounts: str,
    deals: str,
    split: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    as_of: str | None = None,
    facts: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: backtest an ICP on closed deals, with the `icp-backtest` artifact."""
    request = BacktestRequest.given(locals())
    return run_backtest(request, load_backtest_inputs(request, IN_FLOW_RUN), IN_FLOW_RUN)


@flow(name="plan_campaign", flow_run_name=_run_name("plan", "icp"), log_prints=True, validate_parameters=False)
def plan_campaign(
    icp: str,
    accounts: str,
    contacts: str,
    out: str,
    store: str,
    size: int = 100,
    name: str | None = None,
    drafts: str | None = None,
    workspace: str = ".",
    seed: int = 0,
    explore: float = 0.15,
    cooldown_days: int = 90,
    prior: float | None = None,
    strict: bool = False,
    customers: str | None = None,
    suppress: list[str] | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    as_of: str | None = None,
    allow_sample_sender: bool = False,
    contacts_preset: str | None = None,
    contacts_map: str | None = None,
    facts: str | None = None,
    per_account: int = 1,
    inboxes: int | None = None,
    per_inbox_day: int | None = None,
    balance: bool = True,
    reviewed_only: bool = False,
    allow_sample_copy: bool = False,
) -> dict[str, Any]:
    """Prefect flow: plan a test campaign (checked again inside), with its design as a keyed artifact."""
    request = PlanRequest.given(locals())
    return run_plan(request, STEP(load_plan_inputs)(request), IN_FLOW_RUN)


@flow(
    name="ingest_results",
    flow_run_name=lambda: f"ingest-{flow_run.parameters['campaign']}",
    log_prints=True,
    validate_parameters=False,
)
def ingest_results(
    campaign: str, results: str, store: str, preset: str = "canonical", simulated: bool = False
) -> dict[str, Any]:
    """Prefect flow: take a results file back (idempotent), with the outcome counts as a keyed artifact."""
    request = IngestRequest.given(locals())
    return run_ingest(request, STEP(load_ingest_inputs)(request), IN_FLOW_RUN)


@flow(name="refine_icp", flow_run_name=_run_name("refine", "icp"), log_prints=True, validate_parameters=False)
def refine_icp(
    icp: str,
    campaigns: list[str],
    out: str,
    store: str,
    accounts: str | None = None,
    prior: float | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    facts: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: refine an ICP from its campaigns, with the changes as a keyed artifact."""
    request = RefineRequest.given(locals())
    return run_refine(request, STEP(load_refine_inputs)(request), IN_FLOW_RUN)
