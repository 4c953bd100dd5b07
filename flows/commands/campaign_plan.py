"""`outbound campaign plan`: a test campaign worth sending, recorded in the store with its files.

The plan's segments are the ICP's tiers scored exactly as `outbound target` scores them: the same
universe read the same way (`flows.edges.inputs`: preset or map, facts), the same ICP.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from campaigns.ledger import domain_blocked_expr, ledger_blocks
from campaigns.store import CampaignRecord, Store
from flows.commands.request import Day, InputFile, InputFolder, Request
from flows.edges.files import write_json
from flows.edges.inputs import (
    Layout,
    accounts_layout,
    check_contacts,
    check_universe,
    contacts_layout,
    contacts_read,
    load_facts_spec,
    read_contacts,
    read_universe,
    suppressed_account_keys,
)
from flows.runner import Runner
from targeting.errors import InputError
from targeting.facts import FactsSpec
from targeting.icp.spec import IcpSpec


class PlanRequest(Request):
    """What `outbound campaign plan` was asked to do; checked before any flow starts."""

    icp: InputFile
    accounts: InputFile
    contacts: InputFile
    out: Path
    store: Path
    size: int = 100
    name: str | None = None
    drafts: InputFolder | None = None
    workspace: Path = Path(".")
    seed: int = 0
    explore: float = 0.15
    cooldown_days: int = 90
    prior: float | None = None
    strict: bool = False
    customers: InputFile | None = None
    suppress: list[InputFile] = []
    preset: str = "canonical"
    column_map: InputFile | None = None
    as_of: Day | None = None
    allow_sample_sender: bool = False
    contacts_preset: str | None = None
    contacts_map: InputFile | None = None
    facts: InputFile | None = None
    allow_sample_copy: bool = False


@dataclass(frozen=True)
class PlanInputs:
    """Every spec a plan reads, loaded and checked once by `load_plan_inputs`."""

    spec: IcpSpec
    text: str
    name: str
    accounts: Layout
    contacts: Layout
    facts: FactsSpec
    persona_rules: Any
    messaging: Any
    sender: Any
    templates: Any


def load_plan_inputs(request: PlanRequest) -> PlanInputs:
    """Check every input, the ICP against the store, and the name, before a flow starts.

    Raises:
        InputError: naming the option, file, field and value that cannot be used.
    """
    from campaigns.planning.plan import explore_share_ok
    from messaging.composing.sample_copy import check_solves, refuse_sample_copy
    from messaging.composing.sender import refuse_sample_sender
    from targeting import load_icp

    if request.size < 1:
        raise InputError("--size must be at least 1", field="--size", value=request.size)
    if request.cooldown_days < 0:
        raise InputError("--cooldown-days cannot be negative", field="--cooldown-days", value=request.cooldown_days)
    if request.prior is not None:
        from campaigns.prior import prior_from

        prior_from(request.prior, source="--prior")  # the one check of a prior reply rate
    explore_share_ok(request.explore)
    if request.drafts is not None and not (request.drafts / "drafts.parquet").is_file():
        raise InputError("no drafts.parquet in the --drafts folder (written by `outbound draft`)", path=request.drafts)
    spec = load_icp(request.icp)
    text = request.icp.read_text(encoding="utf-8")
    store = Store(request.store)
    name = request.name or _default_name(store, spec)
    if store.exists():
        recorded = store.icp_hash(spec.name, spec.version)
        if recorded is not None and recorded != hashlib.sha256(text.encode("utf-8")).hexdigest():
            raise InputError(
                f"ICP {spec.name!r} version {spec.version} is already recorded with a different text; "
                "bump `version` in the file to record the change",
                path=request.icp,
                field="version",
                value=spec.version,
            )
        if name in store.campaign_names():
            raise InputError(
                "a campaign of this name already exists; choose another --name", field="--name", value=name
            )
    layout = accounts_layout(request.preset, request.column_map)
    people = contacts_layout(
        request.contacts, request.contacts_preset, request.contacts_map, accounts=request.accounts, of_accounts=layout
    )
    suppressed_account_keys([*request.suppress, *([request.customers] if request.customers else [])])
    check_universe(request.accounts, layout)
    check_contacts(request.contacts, people)
    specs = _render_specs(request.workspace)
    sender_file = request.workspace / "sender.yaml"
    refuse_sample_sender(
        specs["sender"], allow=request.allow_sample_sender, path=sender_file if sender_file.exists() else None
    )
    facts = load_facts_spec(request.facts)
    check_solves(specs["sender"], facts, path=sender_file if sender_file.exists() else "sender.yaml")
    if request.drafts is None:  # drafts made by `outbound draft` were checked when they were made
        messaging_file = request.workspace / "messaging.yaml"
        refuse_sample_copy(
            specs["sender"],
            specs["messaging"],
            allow=request.allow_sample_copy,
            path=messaging_file if messaging_file.exists() else None,
        )
    return PlanInputs(spec, text, name, layout, people, facts, **specs)


def _default_name(store: Store, spec: Any) -> str:
    taken = store.campaign_names() if store.exists() else set()
    n = 1
    while f"{spec.name}-v{spec.version}-{n}" in taken:
        n += 1
    return f"{spec.name}-v{spec.version}-{n}"


def _render_specs(workspace: Path) -> dict[str, Any]:
    from messaging import load_messaging, load_persona_rules, load_sender, load_templates

    def found(name: str) -> Path | None:
        path = workspace / name
        return path if path.exists() else None

    return {
        "persona_rules": load_persona_rules(found("personas.yaml")),
        "messaging": load_messaging(found("messaging.yaml")),
        "sender": load_sender(found("sender.yaml")),
        "templates": load_templates(found("templates")),
    }


def build_plan(request: PlanRequest, inputs: PlanInputs, runner: Runner) -> tuple[Store, Any, dict[str, Any]]:
    """Segments, candidates, drafts and the plan (nothing written yet), and how the files were read."""
    from campaigns.planning.allocation import SegmentEvidence
    from campaigns.planning.contacts import eligible_contacts
    from campaigns.planning.drafts import RenderSpecs, reviewed_drafts
    from campaigns.planning.plan import DEFAULT_PRIOR, PlanOptions, plan_campaign
    from campaigns.planning.segments import excluded_accounts, segment_accounts

    spec = inputs.spec
    store = Store(request.store)
    ledger = store.ledger()
    _, ledger_domains = ledger_blocks(ledger)
    customers_file = request.customers
    if customers_file is None and (request.workspace / "customers.csv").is_file():
        customers_file = request.workspace / "customers.csv"
    customer_keys = suppressed_account_keys([customers_file] if customers_file else [])
    suppressed_keys = suppressed_account_keys(request.suppress) | set(ledger_domains)
    universe = read_universe(request.accounts, inputs.accounts, inputs.facts, runner)
    accounts = universe.accounts
    segments = (
        segment_accounts(accounts, spec, as_of=request.as_of, excluded_keys=customer_keys | suppressed_keys)
        .collect()
        .filter(~domain_blocked_expr(ledger))
    )
    left_out = excluded_accounts(accounts, customer_keys, suppressed_keys, ledger)
    people = read_contacts(request.contacts, inputs.contacts, runner)
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=request.cooldown_days)
    cooled = store.planned_since(since)["email"].to_list() if store.exists() and request.cooldown_days else []
    candidates = runner.step(eligible_contacts)(
        people.contacts,
        segments,
        list(spec.personas),
        ledger=ledger,
        cooled_emails=cooled,
        persona_rules=inputs.persona_rules,
    )
    reviewed = None
    steps = 3
    if request.drafts is not None:
        rendered = pl.read_parquet(request.drafts / "drafts.parquet")
        csv_path = request.drafts / "drafts.csv"
        csv = pl.read_csv(csv_path, infer_schema=False) if csv_path.is_file() else None
        reviewed = reviewed_drafts(rendered, csv, inputs.sender)
        steps = int(reviewed["step"].max() or 3)
    render = RenderSpecs(inputs.persona_rules, inputs.messaging, inputs.sender, inputs.templates, steps=steps)
    evidence = {
        row["segment"]: SegmentEvidence(row["delivered"], row["positive"])
        for row in store.lineage_outcomes(spec.name).iter_rows(named=True)
    }
    options = PlanOptions(
        size=request.size,
        name=inputs.name,
        seed=request.seed,
        explore=request.explore,
        cooldown_days=request.cooldown_days,
        prior=request.prior or DEFAULT_PRIOR,
        strict=request.strict,
    )
    icp_hash = hashlib.sha256(inputs.text.encode("utf-8")).hexdigest()
    plan = runner.step(plan_campaign)(
        spec,
        icp_hash,
        segments,
        candidates,
        options,
        render=render,
        reviewed=reviewed,
        evidence=evidence,
        excluded_accounts=left_out,
    )
    return (
        store,
        plan,
        {"unmapped": universe.imported.unmapped, **contacts_read(people, request.contacts, inputs.contacts)},
    )


def record_plan(request: PlanRequest, inputs: PlanInputs, store: Store, plan: Any) -> dict[str, Any]:
    """Record the campaign in the store (one transaction), then write campaign.csv and design.json."""
    from messaging import write_export_csv

    spec = inputs.spec
    # Whose name is on the drafts travels with the campaign, so `campaign export` can refuse the sample.
    sender = inputs.sender.summary()
    design = {**plan.design, "sender": sender}
    campaign = CampaignRecord(
        plan.campaign_id,
        inputs.name,
        spec.name,
        spec.version,
        request.seed,
        design,
        datetime.now(UTC).replace(tzinfo=None),
    )
    store.record_campaign(campaign, plan.contacts, icp_text=inputs.text, icp_parent=spec.parent)
    request.out.mkdir(parents=True, exist_ok=True)
    write_export_csv(plan.campaign_csv, request.out / "campaign.csv")
    write_json(design, request.out / "design.json")
    return {**plan.summary, "sender": sender}


def run_plan(request: PlanRequest, inputs: PlanInputs, runner: Runner) -> dict[str, Any]:
    """Plan a test campaign, record it and write its files; the summary `--json` prints."""
    store, plan, read = build_plan(request, inputs, runner)
    summary = runner.step(record_plan)(request, inputs, store, plan)
    lacking = read.pop("contact_warnings")
    summary = summary | read | {"warnings": [*summary["warnings"], *lacking]}
    rows = [
        {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in seg.items() if k != "hypothesis"}
        for seg in summary["segments"]
    ]
    runner.publish_table("campaign-design", rows, f"Design of {summary['name']} ({summary['campaign_id']})")
    return summary
