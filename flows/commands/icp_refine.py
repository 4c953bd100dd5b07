"""`outbound icp refine` and `outbound icp history`: an ICP's next version from its campaigns, and its lineage.

Wiring and I/O only: the campaigns' pooled outcomes come from the store (campaigns), the
refinement itself is targeting's (`targeting.icp.refine`), handed the outcomes as a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaigns.store import CampaignRecord, Store
from flows.commands.request import InputFile, Request
from flows.edges.inputs import Layout, accounts_layout, check_universe, load_facts_spec, read_universe
from flows.runner import Runner
from targeting.errors import InputError
from targeting.facts import FactsSpec
from targeting.icp.spec import IcpSpec


class RefineRequest(Request):
    """What `outbound icp refine` was asked to do."""

    icp: InputFile
    campaigns: list[str]
    out: Path
    store: Path
    accounts: InputFile | None = None
    prior: float | None = None
    """A reply rate to read the outcomes against; None: the one the campaigns were planned with."""
    preset: str = "canonical"
    column_map: InputFile | None = None
    facts: InputFile | None = None


@dataclass(frozen=True)
class RefineInputs:
    """The ICP, its text, the campaigns it is refined on, their prior and how the accounts are read."""

    spec: IcpSpec
    text: str
    campaigns: list[CampaignRecord]
    prior: Any  # campaigns.prior.Prior
    accounts: Layout
    facts: FactsSpec


def load_refine_inputs(request: RefineRequest) -> RefineInputs:
    """Check the ICP file, the store and every campaign before a flow starts.

    Every campaign must belong to the file's lineage, have outcomes, and have been planned from
    this version or an earlier one; the file must be the version recorded in the store.

    Raises:
        InputError: naming the option and the value that cannot be used.
    """
    from campaigns.prior import campaign_prior
    from targeting.icp.spec import load_icp

    if not request.campaigns:
        raise InputError("give at least one --campaign", field="--campaign")
    layout = accounts_layout(request.preset, request.column_map)
    if request.accounts is not None:
        check_universe(request.accounts, layout)
    if request.out.resolve() == request.icp.resolve():
        raise InputError("--out must be a new file, not the ICP being refined", field="--out", value=str(request.out))
    spec = load_icp(request.icp)
    text = request.icp.read_text(encoding="utf-8")
    store = Store(request.store).require()
    records = []
    for ref in dict.fromkeys(request.campaigns):
        campaign = store.find_campaign(ref)
        if campaign.icp_name != spec.name:
            raise InputError(
                f"campaign {campaign.name} ({campaign.campaign_id}) tested ICP {campaign.icp_name!r}, another lineage "
                f"than {spec.name!r}",
                field="--campaign",
                value=ref,
            )
        if campaign.icp_version > spec.version:
            raise InputError(
                f"campaign {campaign.name} used v{campaign.icp_version} of {spec.name!r}, newer than the file's "
                f"v{spec.version}; refine the newest version",
                field="--campaign",
                value=ref,
            )
        outcomes = store.contact_outcomes([campaign.campaign_id])
        if not outcomes["outcome_rank"].is_not_null().any():
            raise InputError(
                f"campaign {campaign.name} ({campaign.campaign_id}) has no outcomes yet; "
                "`outbound campaign ingest` its results first",
                field="--campaign",
                value=ref,
            )
        records.append(campaign)
    if spec.version not in {c.icp_version for c in records}:
        used = ", ".join(sorted({f"v{c.icp_version}" for c in records}))
        raise InputError(
            f"the ICP file is v{spec.version} but the campaigns used {used}; refine the version they tested",
            path=request.icp,
            field="version",
            value=spec.version,
        )
    if store.icp_differs(spec.name, spec.version, text):
        raise InputError(
            f"the ICP file is not the v{spec.version} the campaigns used (its rules differ from the recorded ones)",
            path=request.icp,
            field="version",
            value=spec.version,
        )
    prior = campaign_prior(request.prior, [c.design for c in records])
    return RefineInputs(spec, text, records, prior, layout, load_facts_spec(request.facts))


def run_refine(request: RefineRequest, inputs: RefineInputs, runner: Runner) -> dict[str, Any]:
    """Refine the ICP on the campaigns' pooled outcomes; write and record the new version if anything changed."""
    from campaigns.report.pooled import pooled_outcomes
    from targeting.icp.refine import refine_on_outcomes, refined_icp_text

    spec, records, prior = inputs.spec, inputs.campaigns, inputs.prior
    store = Store(request.store)
    ids = [c.campaign_id for c in records]
    outcomes, unweighed = pooled_outcomes(store.contact_outcomes(ids))
    attributes = None
    if request.accounts is not None:
        attributes = read_universe(request.accounts, inputs.accounts, inputs.facts, runner).accounts.collect()
    outcomes = with_older_versions(store, spec, records, outcomes, attributes)
    refinement = refine_on_outcomes(spec, outcomes, prior.reply_rate, ids, attributes)
    if unweighed:
        refinement.warnings.append(
            f"{unweighed} delivered contacts were planned before criteria were recorded and are not weighed"
        )
    left_out = [c for c in store.lineage_campaigns(spec.name, spec.version) if c not in ids]
    if left_out:
        refinement.warnings.append(
            f"{', '.join(left_out)} of this lineage {'has' if len(left_out) == 1 else 'have'} outcomes not read here: "
            f"give every round ({' '.join(f'--campaign {c}' for c in left_out)}) to read them too"
        )
    reading = [
        *(["--preset", request.preset] if request.accounts is not None and request.preset != "canonical" else []),
        *(["--map", str(request.column_map)] if request.accounts is not None and request.column_map else []),
        *(["--facts", str(request.facts)] if request.facts is not None else []),
    ]
    summary = refine_summary(refinement, request.out, prior.as_json(), request.accounts, reading)
    # --out is always written: the new version, or the same version marked unchanged (a script's next
    # round plans from it either way). Only a new version is recorded in the store.
    text = refined_icp_text(refinement)
    request.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = request.out.with_name(f".{request.out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    if refinement.new_spec is not None:
        try:
            store.record_icp(spec.name, refinement.new_spec.version, text, spec.version)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    tmp.replace(request.out)
    rows = [{"criterion": c["criterion"], "change": c["text"]} for c in summary["changes"] + summary["unchanged"]]
    runner.publish_table("icp-refinement", rows, f"Refinement of {spec.name} v{spec.version}")
    return summary


def with_older_versions(store: Store, spec: Any, records: list[Any], outcomes: Any, attributes: Any | None) -> Any:
    """The pooled outcomes with the criteria campaigns of older versions never scored: read, or marked unknown.

    A criterion the refined version has and a campaign's version lacked is evaluated on that
    campaign's accounts as of the day it was planned when `--accounts` is given; otherwise (or for
    an account not in the file) it is unknown for those contacts, never "not met".
    """
    from campaigns.planning.segments import criteria_met
    from campaigns.report.pooled import with_unknown_criteria
    from targeting.icp.spec import parse_icp

    labels = [c.label for c in spec.scoring.criteria]
    evaluated, met = {}, {}
    for campaign in records:
        text = store.icp_text(campaign.icp_name, campaign.icp_version)
        evaluated[campaign.campaign_id] = [c.label for c in parse_icp(text).scoring.criteria] if text else labels
        if attributes is not None and set(labels) - set(evaluated[campaign.campaign_id]):
            as_of = campaign.created_at.date()
            met[campaign.campaign_id] = criteria_met(attributes.lazy(), spec, as_of).collect()
    return with_unknown_criteria(outcomes, evaluated, labels, met)


def refine_summary(
    refinement: Any, out: Path, prior: dict[str, Any], accounts: Path | None = None, reading: list[str] | None = None
) -> dict[str, Any]:
    """What `--json` prints: the changes with their evidence, what stayed and why, and the next command.

    `reading`: the options that read the accounts (`--preset`, `--map`, `--facts`) as refine read them,
    so the next round's plan reads them the same way.
    """
    r = refinement
    new = r.new_spec
    return {
        "icp": r.spec.name,
        "from_version": r.spec.version,
        "version": new.version if new else r.spec.version,
        "parent": r.spec.version if new else r.spec.parent,
        "changed": new is not None,
        "out": str(out),
        "campaigns": r.campaigns,
        "delivered": r.delivered,
        "replies": r.replies,
        "positive": r.positive,
        "prior": prior,
        "changes": [e.as_dict(r.campaigns) for e in r.changes] + [p.as_dict(r.campaigns) for p in r.proposals],
        "unchanged": [
            {
                "criterion": e.label,
                "points": e.points,
                "p_better": None if e.p_better is None else round(e.p_better, 4),
                "verdict": e.reading.verdict,
                "text": e.sentence(),
            }
            for e in r.unchanged
        ],
        "personas": r.personas,
        "list_size": r.list_size,
        "warnings": r.warnings,
        "next": " ".join(
            [
                f"outbound campaign plan --icp {out} --accounts {accounts or 'ACCOUNTS'}",
                *(reading or []),
                "--contacts CONTACTS --size 100 --out NEXT-ROUND",
            ]
        ),
    }


def icp_history(store_path: Path, name: str) -> list[dict[str, Any]]:
    """The recorded versions of one lineage, oldest first: each one's diff from its parent and its evidence.

    Raises:
        InputError: no store, or no version of that name in it.
    """
    from targeting.icp.refine import icp_changes
    from targeting.icp.spec import parse_icp

    store = Store(store_path).require()
    versions = store.icp_versions(name)
    if versions.is_empty():
        raise InputError("no ICP of this name in the store", field="NAME", value=name)
    specs = {row["version"]: parse_icp(row["text"]) for row in versions.iter_rows(named=True)}
    history = []
    for row in versions.iter_rows(named=True):
        spec = specs[row["version"]]
        parent = row["parent"] if row["parent"] is not None else spec.parent
        old = specs.get(parent) if isinstance(parent, int) else None
        history.append(
            {
                "version": row["version"],
                "parent": parent,
                "recorded_at": str(row["recorded_at"]),
                "changes": icp_changes(old, spec),
                "evidence": spec.evidence or [],
            }
        )
    return history
