"""The campaign flows: plan a test campaign, take its results back. Wiring and I/O only."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel

from campaigns.ledger import domain_blocked_expr, ledger_blocks
from campaigns.results.ingest import (
    ParsedResults,
    ingest_summary,
    ledger_entries,
    match_results,
    read_results,
    with_outcome,
)
from campaigns.store import CampaignRecord, Store
from flows.edges.files import write_json
from flows.runner import as_step, publish_table
from targeting.errors import InputError

# -- ingest ------------------------------------------------------------------------------------


class IngestRequest(BaseModel):
    """What `outbound campaign ingest` was asked to do."""

    campaign: str
    results: Path
    store: Path
    preset: str = "canonical"
    simulated: bool = False


def validate_ingest_request(request: IngestRequest) -> None:
    """Check the store, the campaign and the results file before a flow starts."""
    store = Store(request.store).require()
    store.find_campaign(request.campaign)
    read_results(request.results, request.preset)


def record_results(
    store: Store, campaign_id: str, parsed: ParsedResults, matched: pl.DataFrame, simulated: bool
) -> tuple[dict[str, int], dict[str, int], bool]:
    """Record the matched events and their ledger entries in one store transaction."""
    events = with_outcome(matched)
    return store.record_outcomes(
        campaign_id,
        events,
        source_hash=parsed.source_hash,
        preset=parsed.preset,
        rows=parsed.rows,
        simulated=simulated,
        ledger=ledger_entries(events, campaign_id),
    )


def run_ingest(request: IngestRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Read a results file, match it to the campaign, record it; the summary `--json` prints."""
    step = as_step(use_prefect)
    store = Store(request.store).require()
    campaign = store.find_campaign(request.campaign)
    parsed = step(read_results)(request.results, request.preset)
    contacts = store.campaign_contacts(campaign.campaign_id)
    matched, unknown_emails = match_results(parsed, contacts)
    before, after, _ = step(record_results)(store, campaign.campaign_id, parsed, matched, request.simulated)
    summary = ingest_summary(
        campaign.campaign_id,
        parsed,
        matched,
        unknown_emails,
        before,
        after,
        contacts["contact_id"].to_list(),
    )
    if use_prefect:
        rows = [{"outcome": k, "contacts": v} for k, v in summary["outcomes"].items()]
        publish_table(
            "campaign-outcomes",
            rows,
            f"Outcomes of {campaign.name} ({campaign.campaign_id}) after {request.results.name}",
        )
    return summary


# -- plan --------------------------------------------------------------------------------------


class PlanRequest(BaseModel):
    """What `outbound campaign plan` was asked to do; checked before any flow starts."""

    icp: Path
    accounts: Path
    contacts: Path
    out: Path
    store: Path
    size: int = 100
    name: str | None = None
    drafts: Path | None = None
    workspace: Path = Path(".")
    seed: int = 0
    explore: float = 0.15
    cooldown_days: int = 90
    prior: float | None = None
    strict: bool = False
    customers: Path | None = None
    suppress: list[Path] = []
    preset: str = "canonical"
    column_map: Path | None = None
    as_of: date | None = None
    allow_sample_sender: bool = False


def _require(path: Path | None, label: str) -> None:
    if path is not None and not path.exists():
        raise InputError(f"{label} not found", path=path)


def validate_plan_request(request: PlanRequest) -> dict[str, Any]:
    """Check every input, the ICP against the store, and the name, before a flow starts.

    Returns:
        The loaded specs the run uses (so nothing is loaded twice).
    """
    from campaigns.planning.plan import explore_share_ok
    from targeting import load_column_map, load_icp
    from targeting.importing.canonical import check_importable

    for path, label in [
        (request.icp, "--icp file"),
        (request.accounts, "--accounts file"),
        (request.contacts, "--contacts file"),
        (request.drafts, "--drafts folder"),
        (request.customers, "--customers file"),
        (request.column_map, "--map file"),
        *[(p, "--suppress file") for p in request.suppress],
    ]:
        _require(path, label)
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
    column_map = load_column_map(request.column_map) if request.column_map else None
    _account_keys([*request.suppress, *([request.customers] if request.customers else [])])
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    check_importable(request.contacts, "contact", preset=request.preset, column_map=column_map)
    from messaging.composing.sender import refuse_sample_sender

    specs = _render_specs(request.workspace)
    sender_file = request.workspace / "sender.yaml"
    refuse_sample_sender(
        specs["sender"], allow=request.allow_sample_sender, path=sender_file if sender_file.exists() else None
    )
    return {"spec": spec, "text": text, "name": name, "column_map": column_map, **specs}


def _default_name(store: Store, spec: Any) -> str:
    taken = store.campaign_names() if store.exists() else set()
    n = 1
    while f"{spec.name}-v{spec.version}-{n}" in taken:
        n += 1
    return f"{spec.name}-v{spec.version}-{n}"


def _render_specs(workspace: Path) -> dict[str, Any]:
    from messaging import (
        load_messaging,
        load_persona_rules,
        load_sender,
        load_templates,
    )

    def found(name: str) -> Path | None:
        path = workspace / name
        return path if path.exists() else None

    return {
        "persona_rules": load_persona_rules(found("personas.yaml")),
        "messaging": load_messaging(found("messaging.yaml")),
        "sender": load_sender(found("sender.yaml")),
        "templates": load_templates(found("templates")),
    }


def build_plan(request: PlanRequest, loaded: dict[str, Any], step: Any) -> tuple[Store, Any]:
    """Segments, candidates, drafts and the plan (nothing written yet)."""
    from campaigns.planning.allocation import SegmentEvidence
    from campaigns.planning.contacts import eligible_contacts
    from campaigns.planning.drafts import RenderSpecs, reviewed_drafts
    from campaigns.planning.plan import DEFAULT_PRIOR, PlanOptions, plan_campaign
    from campaigns.planning.segments import excluded_accounts, segment_accounts
    from targeting import import_accounts, import_contacts

    spec = loaded["spec"]
    store = Store(request.store)
    ledger = store.ledger()
    _, ledger_domains = ledger_blocks(ledger)
    customers_file = request.customers
    if customers_file is None and (request.workspace / "customers.csv").is_file():
        customers_file = request.workspace / "customers.csv"
    customer_keys = _account_keys([customers_file] if customers_file else [])
    suppressed_keys = _account_keys(request.suppress) | set(ledger_domains)
    accounts = step(import_accounts)(request.accounts, preset=request.preset, column_map=loaded["column_map"]).accounts
    segments = (
        segment_accounts(accounts, spec, as_of=request.as_of, excluded_keys=customer_keys | suppressed_keys)
        .collect()
        .filter(~domain_blocked_expr(ledger))
    )
    left_out = excluded_accounts(accounts, customer_keys, suppressed_keys, ledger)
    contacts = step(import_contacts)(request.contacts, preset=request.preset, column_map=loaded["column_map"]).contacts
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=request.cooldown_days)
    cooled = store.planned_since(since)["email"].to_list() if store.exists() and request.cooldown_days else []
    candidates = step(eligible_contacts)(
        contacts,
        segments,
        list(spec.personas),
        ledger=ledger,
        cooled_emails=cooled,
        persona_rules=loaded["persona_rules"],
    )
    reviewed = None
    steps = 3
    if request.drafts is not None:
        rendered = pl.read_parquet(request.drafts / "drafts.parquet")
        csv_path = request.drafts / "drafts.csv"
        csv = pl.read_csv(csv_path, infer_schema=False) if csv_path.is_file() else None
        reviewed = reviewed_drafts(rendered, csv, loaded["sender"])
        steps = int(reviewed["step"].max() or 3)
    render = RenderSpecs(
        loaded["persona_rules"], loaded["messaging"], loaded["sender"], loaded["templates"], steps=steps
    )
    evidence = {
        row["segment"]: SegmentEvidence(row["delivered"], row["positive"])
        for row in store.lineage_outcomes(spec.name).iter_rows(named=True)
    }
    options = PlanOptions(
        size=request.size,
        name=loaded["name"],
        seed=request.seed,
        explore=request.explore,
        cooldown_days=request.cooldown_days,
        prior=request.prior or DEFAULT_PRIOR,
        strict=request.strict,
    )
    icp_hash = hashlib.sha256(loaded["text"].encode("utf-8")).hexdigest()
    plan = step(plan_campaign)(
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
    return store, plan


def _account_keys(paths: list[Path]) -> set[str]:
    from targeting import read_suppression

    keys: set[str] = set()
    for path in paths:
        keys |= set(read_suppression(path).filter(pl.col("level") == "account")["key"].to_list())
    return keys


def record_plan(request: PlanRequest, loaded: dict[str, Any], store: Store, plan: Any) -> dict[str, Any]:
    """Record the campaign in the store (one transaction), then write campaign.csv and design.json."""
    from messaging import write_export_csv

    spec = loaded["spec"]
    # Whose name is on the drafts travels with the campaign, so `campaign export` can refuse the sample.
    sender = loaded["sender"].summary()
    design = {**plan.design, "sender": sender}
    campaign = CampaignRecord(
        plan.campaign_id,
        loaded["name"],
        spec.name,
        spec.version,
        request.seed,
        design,
        datetime.now(UTC).replace(tzinfo=None),
    )
    store.record_campaign(campaign, plan.contacts, icp_text=loaded["text"], icp_parent=spec.parent)
    request.out.mkdir(parents=True, exist_ok=True)
    write_export_csv(plan.campaign_csv, request.out / "campaign.csv")
    write_json(design, request.out / "design.json")
    return {**plan.summary, "sender": sender}


def run_plan(request: PlanRequest, *, use_prefect: bool, loaded: dict[str, Any] | None = None) -> dict[str, Any]:
    """Plan a test campaign, record it and write its files; the summary `--json` prints."""
    step = as_step(use_prefect)
    loaded = loaded or validate_plan_request(request)
    store, plan = build_plan(request, loaded, step)
    summary = step(record_plan)(request, loaded, store, plan)
    if use_prefect:
        rows = [
            {k: (json.dumps(v) if isinstance(v, dict) else v) for k, v in seg.items() if k != "hypothesis"}
            for seg in summary["segments"]
        ]
        publish_table("campaign-design", rows, f"Design of {summary['name']} ({summary['campaign_id']})")
    return summary
