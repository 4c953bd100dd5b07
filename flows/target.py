"""The targeting flow: import the universe, score and size it, write the target list."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow
from pydantic import BaseModel

from flows.campaign_store import without_ledger
from flows.frames_io import write_csv, write_json
from flows.runtime import as_step, publish_markdown, publish_table
from targeting.errors import InputError
from targeting.icp.spec import IcpSpec, load_icp
from targeting.importing.canonical import check_importable, import_accounts, import_contacts
from targeting.importing.presets import load_column_map
from targeting.importing.suppression import read_suppression, suppressed_emails
from targeting.selection.target_list import TargetList, build_target_list as score_and_size


class TargetRequest(BaseModel):
    """What `outbound target` was asked to do; validated before any flow starts."""

    accounts: Path
    icp: Path
    out: Path
    contacts: Path | None = None
    suppress: list[Path] = []
    preset: str = "canonical"
    column_map: Path | None = None
    personas: Path | None = None
    as_of: date | None = None


def validate_target_request(request: TargetRequest) -> IcpSpec:
    """Check every input file before a flow starts, so bad input is one line, not a traceback."""
    for label, path in [("--accounts", request.accounts), ("--icp", request.icp)]:
        _require_file(path, label)
    for path in [request.contacts, request.column_map, request.personas, *request.suppress]:
        if path is not None:
            _require_file(path, "input")
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    spec = load_icp(request.icp)
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    if request.contacts is not None:
        from messaging.contacts.classify import load_persona_rules

        check_importable(request.contacts, "contact", preset=request.preset, column_map=column_map)
        load_persona_rules(request.personas)
    if request.suppress:
        read_suppression(request.suppress)
    return spec


def _require_file(path: Path, label: str) -> None:
    if not path.exists() and not any(ch in str(path) for ch in "*?["):
        raise InputError(f"{label} file not found", path=path)


def run_targeting(request: TargetRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Run the targeting steps (as Prefect tasks when `use_prefect`) and write the outputs.

    Returns:
        The target summary, exactly as written to `target_summary.json`.
    """
    step = as_step(use_prefect)
    spec = load_icp(request.icp)
    column_map = load_column_map(request.column_map) if request.column_map else None
    universe = step(import_accounts)(request.accounts, preset=request.preset, column_map=column_map)
    accounts = universe.accounts
    if not _is_parquet(request.accounts):
        # Sizing reads the universe in several passes; parse a text file once, not once per pass.
        accounts = accounts.collect().lazy()
    suppression = read_suppression(request.suppress) if request.suppress else None
    reachable = None
    if request.contacts is not None:
        reachable = step(find_reachable_accounts)(request, spec, column_map, suppression)
    result = step(score_and_size)(
        accounts,
        spec,
        suppression=suppression,
        reachable_account_ids=reachable,
        as_of=request.as_of,
        rows_read=universe.rows_read,
        rejected=universe.rejected.height,
        # A people export's extra person rows for an account already read are, at account
        # level, repeats of that account: they count as duplicates so the identity holds.
        duplicates=universe.duplicates + universe.folded,
    )
    summary = step(write_target_outputs)(result, universe.rejected, request.icp, request.out)
    if use_prefect:
        _publish_targeting_artifacts(summary)
    return summary


def find_reachable_accounts(
    request: TargetRequest, spec: IcpSpec, column_map: Any, suppression: pl.DataFrame | None
) -> pl.LazyFrame:
    """Import the contacts and keep the accounts with a sendable, unsuppressed contact in an ICP persona."""
    from messaging.contacts.classify import load_persona_rules
    from messaging.contacts.reachability import reachable_accounts

    assert request.contacts is not None
    contacts = import_contacts(request.contacts, preset=request.preset, column_map=column_map).contacts
    contacts = without_ledger(contacts)  # the campaign store's suppression ledger (bounces, unsubscribes, forgotten)
    if suppression is not None:
        blocked = suppressed_emails(suppression)
        contacts = contacts.filter(~pl.col("email").str.to_lowercase().is_in(blocked.to_list()))
    rules = load_persona_rules(request.personas)
    return reachable_accounts(contacts, list(spec.personas), rules).collect().lazy()


def _is_parquet(path: Path) -> bool:
    return path.is_dir() or ".parquet" in path.name.lower()


def write_target_outputs(
    result: TargetList, rejected: pl.DataFrame, icp: Path, out: Path
) -> dict[str, Any]:
    """Write targets.parquet/.csv, target_summary.json, rejected.csv and the ICP used into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    if icp.resolve() != (out / "icp.yaml").resolve():
        shutil.copyfile(icp, out / "icp.yaml")
    targets = result.targets.collect() if isinstance(result.targets, pl.LazyFrame) else result.targets
    targets.write_parquet(out / "targets.parquet")
    write_csv(targets, out / "targets.csv")
    write_csv(rejected, out / "rejected.csv")
    summary = result.summary.model_dump(mode="json")
    write_json(summary, out / "target_summary.json")
    return summary


def _publish_targeting_artifacts(summary: dict[str, Any]) -> None:
    publish_table("target-list-funnel", summary["funnel"], f"Funnel of ICP {summary['icp']} v{summary['version']}")
    lines = [
        f"# {summary['verdict'].replace('_', ' ')}: {summary['targets']} targets",
        f"Band {summary['band']['min']}-{summary['band']['max']}; by tier: {summary['by_tier']}.",
    ]
    lines += [f"- {s['change']}: **{s['targets']}** targets" for s in summary["suggestions"]]
    lines += [f"- warning: {w}" for w in summary["warnings"]]
    publish_markdown("target-size-verdict", "\n".join(lines), "Size verdict and the changes that fix it")


@flow(name="build_target_list", flow_run_name="target-{request.icp.stem}", log_prints=True, validate_parameters=False)
def build_target_list(request: TargetRequest) -> dict[str, Any]:
    """Prefect flow: the targeting steps as tasks, with the funnel and verdict as keyed artifacts."""
    return run_targeting(request, use_prefect=True)
