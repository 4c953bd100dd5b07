"""`outbound campaign plan`: a test campaign worth sending, recorded in the store with its files.

The plan's segments are the ICP's tiers scored exactly as `outbound target` scores them: the same
universe read the same way (`flows.edges.inputs`: preset or map, facts), the same ICP.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from campaigns.ledger import domain_blocked_expr, ledger_blocks
from campaigns.store import CampaignRecord, Store
from flows.commands.request import Day, InputFile, InputFolder, Request
from flows.edges.files import check_drafts, formula_unsafe, read_drafts, replaced, write_json
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
from flows.edges.workspace import CopySpecs, load_copy_specs
from flows.runner import Runner
from targeting.errors import InputError
from targeting.facts import FactsSpec
from targeting.icp.spec import IcpSpec
from targeting.importing.suppression import read_suppression


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
    per_account: int = 1
    inboxes: int | None = None
    per_inbox_day: int | None = None
    balance: bool = True
    reviewed_only: bool = False
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
    copy: CopySpecs  # the workspace's: they render the drafts not taken from --drafts


def load_plan_inputs(request: PlanRequest) -> PlanInputs:
    """Check every input, the ICP against the store, and the name, before a flow starts.

    Raises:
        InputError: naming the option, file, field and value that cannot be used.
    """
    from campaigns.planning.plan import explore_share_ok
    from targeting import load_icp

    if request.size < 1:
        raise InputError("--size must be at least 1", field="--size", value=request.size)
    if request.cooldown_days < 0:
        raise InputError("--cooldown-days cannot be negative", field="--cooldown-days", value=request.cooldown_days)
    if request.prior is not None:
        from campaigns.prior import prior_from

        prior_from(request.prior, source="--prior")  # the one check of a prior reply rate
    explore_share_ok(request.explore)
    if request.per_account < 1:
        raise InputError(
            "--per-account is a whole number of contacts per account, at least 1",
            field="--per-account",
            value=request.per_account,
        )
    if request.inboxes is None and request.per_inbox_day is not None:
        raise InputError(
            "--per-inbox-day is the emails each inbox sends a day: give --inboxes N too",
            field="--per-inbox-day",
            value=request.per_inbox_day,
        )
    if request.inboxes is not None:
        from campaigns.planning.capacity import PER_INBOX_DAY, Capacity

        Capacity(request.inboxes, PER_INBOX_DAY if request.per_inbox_day is None else request.per_inbox_day)
    if request.drafts is not None:
        check_drafts(request.drafts)  # a torn set (counts unlike its summary's) is refused before any flow
    if request.reviewed_only:
        review_decisions(request)  # checked here, before any flow starts
    spec = load_icp(request.icp)
    text = request.icp.read_text(encoding="utf-8")
    store = Store(request.store)
    name = request.name or _default_name(store, spec)
    if store.exists():
        if store.icp_differs(spec.name, spec.version, text):
            raise InputError(
                f"ICP {spec.name!r} version {spec.version} is already recorded with other rules; "
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
    facts = load_facts_spec(request.facts)
    copy = load_copy_specs(request.workspace)
    # Drafts made by `outbound draft` had their copy checked when they were made.
    copy.refuse_sample(
        facts,
        allow_sender=request.allow_sample_sender,
        allow_copy=request.allow_sample_copy,
        copy=request.drafts is None,
    )
    return PlanInputs(spec, text, name, layout, people, facts, copy)


def review_decisions(request: PlanRequest) -> Any:
    """`--reviewed-only`: the review decisions in the drafts folder's review.csv (`outbound review` writes it).

    Raises:
        InputError: no --drafts, no review.csv, or a review.csv without `review_status`.
    """
    from campaigns.review.status import reviewed_only

    if request.drafts is None:
        raise InputError(
            "--reviewed-only needs --drafts (the folder `outbound review` reviewed)", field="--reviewed-only"
        )
    path = request.drafts / "review.csv"
    review = pl.read_csv(path, infer_schema=False) if path.is_file() else None
    if review is None or "review_status" not in review.columns:
        raise InputError(
            f"no review decisions: review.csv has no review_status column; run `outbound review --drafts {request.drafts}`",
            path=path,
        )
    return reviewed_only(review)


def _default_name(store: Store, spec: Any) -> str:
    taken = store.campaign_names() if store.exists() else set()
    n = 1
    while f"{spec.name}-v{spec.version}-{n}" in taken:
        n += 1
    return f"{spec.name}-v{spec.version}-{n}"


def build_plan(request: PlanRequest, inputs: PlanInputs, runner: Runner) -> tuple[Store, Any, dict[str, Any]]:
    """Segments, candidates, drafts and the plan (nothing written yet), and how the files were read."""
    from campaigns.planning.allocation import SegmentEvidence
    from campaigns.planning.contacts import cooldown_sets, eligible_contacts
    from campaigns.planning.drafts import RenderSpecs, reviewed_drafts
    from campaigns.planning.plan import DEFAULT_PRIOR, PlanOptions, design_campaign
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
    cooled: tuple[list[str], list[str]] = ([], [])
    if store.exists() and request.cooldown_days:
        cooled = cooldown_sets(store.cooldown(since))
    candidates = runner.step(eligible_contacts)(
        people.contacts,
        segments,
        list(spec.personas),
        ledger=ledger,
        suppression=read_suppression(request.suppress) if request.suppress else None,  # emails and domains
        cooled_emails=cooled[0],
        cooled_accounts=cooled[1],
        persona_rules=inputs.copy.persona_rules,
        buying_functions=inputs.copy.sender.buying_functions,
    )
    reviewed = None
    steps = 3
    if request.drafts is not None:
        rendered = read_drafts(request.drafts)
        csv_path = request.drafts / "drafts.csv"
        csv = formula_unsafe(pl.read_csv(csv_path, infer_schema=False)) if csv_path.is_file() else None
        reviewed = reviewed_drafts(rendered, csv, inputs.copy.sender)
        steps = int(reviewed["step"].max() or 3)
    review: dict[str, Any] = {}
    if request.reviewed_only:
        decided = review_decisions(request)
        approved = pl.Series(decided.approved, dtype=pl.String).implode()
        reviewed = reviewed.filter(pl.col("contact_id").is_in(approved))
        candidates = replace(candidates, contacts=candidates.contacts.filter(pl.col("contact_id").is_in(approved)))
        review = {
            "review": {
                "approved_contacts": len(decided.approved),
                "unreviewed_contacts": decided.unreviewed_contacts,
                "rejected": decided.rejected.to_dicts(),
            }
        }
    copy = inputs.copy
    render = RenderSpecs(copy.persona_rules, copy.messaging, copy.sender, copy.templates, steps=steps)
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
        per_account=request.per_account,
        balance_on=balance_criterion(store, spec, candidates, segments, request) if request.balance else None,
    )
    icp_hash = hashlib.sha256(inputs.text.encode("utf-8")).hexdigest()
    plan = runner.step(design_campaign)(
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
    if request.inboxes is not None:
        from campaigns.planning.capacity import PER_INBOX_DAY, Capacity, round_capacity
        from campaigns.planning.segments import EXPLORE

        pace = round_capacity(
            Capacity(request.inboxes, PER_INBOX_DAY if request.per_inbox_day is None else request.per_inbox_day),
            plan.summary["planned"],
            steps,
            sum(s["reachable"] for s in plan.design["segments"] if s["segment"] != EXPLORE),
            request.per_account,
        )
        plan.design["capacity"] = plan.summary["capacity"] = pace
    return (
        store,
        plan,
        {"unmapped": universe.imported.unmapped, **contacts_read(people, request.contacts, inputs.contacts), **review},
    )


def balance_criterion(store: Store, spec: Any, candidates: Any, segments: Any, request: PlanRequest) -> Any:
    """What this round is balanced on (`balance.round_balance`): the criterion the lineage's pooled readings
    are least certain of, or a design of the round over every criterion not yet sure.

    None when no criterion is left undecided, or in a lineage's first round (no reading yet) unless the
    round is designed (a design starts from the prior).
    """
    from campaigns.planning.balance import designs_first_round, reachable_shares, round_balance
    from campaigns.planning.plan import DEFAULT_PRIOR
    from campaigns.prior import campaign_prior
    from campaigns.report.pooled import pooled_outcomes
    from flows.commands.icp_refine import with_older_versions
    from targeting.icp.refine import change_at, criteria_readings

    labels = [c.label for c in spec.scoring.criteria]
    shares = reachable_shares(candidates.contacts, segments, labels)
    ids = store.lineage_campaigns(spec.name, spec.version) if store.exists() else []
    outcomes = pooled_outcomes(store.contact_outcomes(ids))[0] if ids else None
    if outcomes is None or outcomes.is_empty():
        if not designs_first_round():
            return None
        empty = pl.DataFrame(schema={"criteria": pl.List(pl.String), "replied": pl.Int8})
        rate = request.prior or DEFAULT_PRIOR
        return round_balance(
            criteria_readings(empty, labels, rate), shares, change_at(len(labels), 1), request.size, None, rate
        )
    records = [store.find_campaign(i) for i in ids]
    outcomes = with_older_versions(store, spec, records, outcomes, None)
    try:
        rate = campaign_prior(request.prior, [c.design for c in records]).reply_rate
    except InputError:
        rate = request.prior or 0.034
    readings = criteria_readings(outcomes, labels, rate)
    return round_balance(readings, shares, change_at(len(labels), len(ids) + 1), request.size, outcomes, rate)


def record_plan(request: PlanRequest, inputs: PlanInputs, store: Store, plan: Any) -> dict[str, Any]:
    """Record the campaign in the store (one transaction), then write campaign.csv and design.json."""
    from messaging import write_export_csv

    spec = inputs.spec
    # Whose name is on the drafts travels with the campaign, so `campaign export` can refuse the sample.
    sender = inputs.copy.sender.summary()
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
    request.out.mkdir(parents=True, exist_ok=True)
    # The files are written first under temporary names and renamed only once the store has the
    # campaign: a plan whose files cannot be written records nothing, and a recorded plan has its files.
    with replaced(request.out / "design.json") as design_file, replaced(request.out / "campaign.csv") as csv_file:
        write_export_csv(plan.campaign_csv, csv_file)
        write_json(design, design_file)
        store.record_campaign(campaign, plan.contacts, icp_text=inputs.text, icp_parent=spec.parent)
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
