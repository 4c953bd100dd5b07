"""The Prefect flows of the pipeline commands, imported only when a flow run is wanted.

A command that runs in-process never imports this module (nor Prefect). Each flow takes plain
parameters, the fields of its command's request (paths as strings, options), so a deployment in
`prefect.yaml` can start it; inside, the request is rebuilt and validated, the specs are loaded
again from those paths, and the same steps run as tasks.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run
from pydantic import BaseModel

from flows.runner import as_step


def plain(request: BaseModel) -> dict[str, Any]:
    """A request as the flow's parameters: JSON values only (paths as strings), as a deployment gives them."""
    return request.model_dump(mode="json")


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
) -> dict[str, Any]:
    """Prefect flow: load the inputs, then the targeting steps as tasks, with the funnel and verdict as keyed artifacts.

    With `dask` (started by `build_target_list_on_dask`), the per-partition steps run on that cluster.
    """
    from flows.commands.target import TargetRequest, load_target_inputs, run_targeting

    request = TargetRequest(
        accounts=accounts,
        icp=icp,
        out=out,
        contacts=contacts,
        suppress=suppress or [],
        preset=preset,
        column_map=column_map,
        personas=personas,
        as_of=as_of,
        facts=facts,
        dask=dask,
    )
    inputs = as_step(True)(load_target_inputs)(request)
    if dask is not None:
        from flows.commands.target_on_dask import run_partitioned_targeting

        return run_partitioned_targeting(request, inputs)
    return run_targeting(request, inputs, use_prefect=True)


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
    icp: str,
    personas: str | None = None,
    messaging: str | None = None,
    sender: str | None = None,
    templates: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    allow_role: bool = False,
    allow_free_mail: bool = False,
    suppress: list[str] | None = None,
    steps: int = 3,
    allow_sample_sender: bool = False,
    llm: dict[str, Any] | None = None,
    store: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: load the inputs, then the drafting steps as tasks, with sample drafts per persona as a keyed artifact.

    With `llm` (the checked `--llm` options), the model calls run concurrently with asyncio inside the
    one drafting task, retried by the openai client only (no Prefect retries on top).
    """
    from flows.commands.draft import DraftRequest, load_draft_inputs, run_drafting

    request = DraftRequest(
        targets=targets,
        contacts=contacts,
        out=out,
        icp=icp,
        personas=personas,
        messaging=messaging,
        sender=sender,
        templates=templates,
        preset=preset,
        column_map=column_map,
        allow_role=allow_role,
        allow_free_mail=allow_free_mail,
        suppress=suppress or [],
        steps=steps,
        allow_sample_sender=allow_sample_sender,
        llm=llm,
        store=store,
    )
    inputs = as_step(True)(load_draft_inputs)(request)
    return run_drafting(request, inputs, use_prefect=True)


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
    from flows.commands.facts import FactsRequest, load_facts_inputs, run_facts

    request = FactsRequest(
        accounts=accounts, out=out, facts=facts, preset=preset, column_map=column_map, llm=llm, store=store
    )
    inputs = as_step(True)(load_facts_inputs)(request)
    return run_facts(request, inputs, use_prefect=True)


@flow(name="classify_personas", flow_run_name=_run_name("personas", "contacts"), validate_parameters=False)
def classify_personas(
    contacts: str, out: str, personas: str | None = None, preset: str = "canonical", column_map: str | None = None
) -> dict[str, Any]:
    """Prefect flow: load the inputs, classify and write the contacts, with counts by persona as a keyed artifact."""
    from flows.commands.personas import PersonasRequest, load_personas_inputs, run_personas

    request = PersonasRequest(contacts=contacts, out=out, personas=personas, preset=preset, column_map=column_map)
    inputs = as_step(True)(load_personas_inputs)(request)
    return run_personas(request, inputs, use_prefect=True)


@flow(name="derive_icp", flow_run_name=_run_name("derive", "out"), log_prints=True, validate_parameters=False)
def derive_icp(
    accounts: str,
    out: str,
    customers: str | None = None,
    deals: str | None = None,
    name: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: derive an ICP from customers or deals, with the `icp-derivation` artifact."""
    from flows.commands.icp_discovery import DeriveRequest, run_derivation

    request = DeriveRequest(
        accounts=accounts, out=out, customers=customers, deals=deals, name=name, preset=preset, column_map=column_map
    )
    return run_derivation(request, use_prefect=True)


@flow(name="backtest_icp", flow_run_name=_run_name("backtest", "icp"), log_prints=True, validate_parameters=False)
def backtest_icp(
    icp: str,
    accounts: str,
    deals: str,
    split: str | None = None,
    preset: str = "canonical",
    column_map: str | None = None,
    as_of: str | None = None,
) -> dict[str, Any]:
    """Prefect flow: backtest an ICP on closed deals, with the `icp-backtest` artifact."""
    from flows.commands.icp_discovery import BacktestRequest, run_backtest

    request = BacktestRequest(
        icp=icp, accounts=accounts, deals=deals, split=split, preset=preset, column_map=column_map, as_of=as_of
    )
    return run_backtest(request, use_prefect=True)


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
) -> dict[str, Any]:
    """Prefect flow: plan a test campaign (checked again inside), with its design as a keyed artifact."""
    from flows.commands.campaign_plan import PlanRequest, run_plan

    request = PlanRequest(
        icp=icp,
        accounts=accounts,
        contacts=contacts,
        out=out,
        store=store,
        size=size,
        name=name,
        drafts=drafts,
        workspace=workspace,
        seed=seed,
        explore=explore,
        cooldown_days=cooldown_days,
        prior=prior,
        strict=strict,
        customers=customers,
        suppress=suppress or [],
        preset=preset,
        column_map=column_map,
        as_of=as_of,
        allow_sample_sender=allow_sample_sender,
    )
    return run_plan(request, use_prefect=True)


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
    from flows.commands.campaign_plan import IngestRequest, run_ingest

    request = IngestRequest(campaign=campaign, results=results, store=store, preset=preset, simulated=simulated)
    return run_ingest(request, use_prefect=True)


@flow(name="refine_icp", flow_run_name=_run_name("refine", "icp"), log_prints=True, validate_parameters=False)
def refine_icp(
    icp: str, campaigns: list[str], out: str, store: str, accounts: str | None = None, prior: float | None = None
) -> dict[str, Any]:
    """Prefect flow: refine an ICP from its campaigns, with the changes as a keyed artifact."""
    from flows.commands.icp_refine import RefineRequest, run_refine

    request = RefineRequest(icp=icp, campaigns=campaigns, out=out, store=store, accounts=accounts, prior=prior)
    return run_refine(request, use_prefect=True)
