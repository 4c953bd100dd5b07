"""The targeting flow: import the universe, score and size it, write the target list."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel

from flows.commands.facts import load_facts_spec
from flows.edges.files import sink_csv, write_csv, write_json
from flows.runner import as_step, publish_markdown, publish_table
from targeting.errors import InputError
from targeting.facts import FactsSpec, with_account_facts
from targeting.icp.spec import IcpSpec, load_icp
from targeting.importing.canonical import check_importable, import_accounts, import_contacts
from targeting.importing.presets import ColumnMap, load_column_map
from targeting.importing.suppression import read_suppression, suppressed_emails
from targeting.selection.target_list import TargetList, build_target_list

if TYPE_CHECKING:
    from messaging.contacts.persona_rules import PersonaRules


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
    facts: Path | None = None
    dask: str | None = None  # `--dask`: run the per-partition work on this cluster (flows/commands/target_on_dask.py)


@dataclass(frozen=True)
class TargetInputs:
    """Every spec a targeting run reads, loaded and checked once by `load_target_inputs`."""

    spec: IcpSpec
    column_map: ColumnMap | None
    suppression: pl.DataFrame | None
    persona_rules: PersonaRules | None  # with contacts only: they decide which accounts are reachable
    facts: FactsSpec  # the vocabulary that gives facts to an export without fact columns


def load_target_inputs(request: TargetRequest) -> TargetInputs:
    """Check every input file and load every spec, once.

    The command calls this before a flow starts, so a bad input is one line, not a traceback; the
    in-process run uses what it returns, and the flow (started with plain paths) calls it inside.

    Raises:
        InputError: a file is missing, a spec does not validate, or a file cannot be imported.
    """
    for label, path in [("--accounts", request.accounts), ("--icp", request.icp)]:
        _require_file(path, label)
    for path in [request.contacts, request.column_map, request.personas, *request.suppress]:
        if path is not None:
            _require_file(path, "input")
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    spec = load_icp(request.icp)
    facts = load_facts_spec(request.facts)
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    persona_rules = None
    if request.contacts is not None:
        from messaging.contacts.classify import load_persona_rules

        check_importable(request.contacts, "contact", preset=request.preset, column_map=column_map)
        persona_rules = load_persona_rules(request.personas)
    suppression = read_suppression(request.suppress) if request.suppress else None
    return TargetInputs(
        spec=spec, column_map=column_map, suppression=suppression, persona_rules=persona_rules, facts=facts
    )


def _require_file(path: Path, label: str) -> None:
    if not path.exists() and not any(ch in str(path) for ch in "*?["):
        raise InputError(f"{label} file not found", path=path)


def run_targeting(request: TargetRequest, inputs: TargetInputs, *, use_prefect: bool) -> dict[str, Any]:
    """Run the targeting steps (as Prefect tasks when `use_prefect`) and write the outputs.

    Args:
        request: The files and options.
        inputs: The specs `load_target_inputs` loaded from `request`.
        use_prefect: Run each step as a task (inside a flow run).

    Returns:
        The target summary, exactly as written to `target_summary.json`.
    """
    step = as_step(use_prefect)
    universe = step(import_accounts)(request.accounts, preset=request.preset, column_map=inputs.column_map)
    # Facts from the accounts' own text where the export has no fact columns (targeting.facts).
    accounts = with_account_facts(universe.accounts, inputs.facts, carried=universe.carried)
    reachable = None
    if request.contacts is not None:
        reachable = step(find_reachable_accounts)(request, inputs)
    # A streamed universe's list goes straight from the lazy plan into targets.parquet.
    sink = partial(_sink_targets, request.out / "targets.parquet")
    request.out.mkdir(parents=True, exist_ok=True)
    result = step(build_target_list)(
        accounts,
        inputs.spec,
        suppression=inputs.suppression,
        reachable_account_ids=reachable,
        as_of=request.as_of,
        rows_read=universe.rows_read,
        rejected=universe.rejected.height,
        # A people export's extra person rows for an account already read are, at account
        # level, repeats of that account: they count as duplicates so the identity holds.
        duplicates=universe.duplicates + universe.folded,
        sink=sink,
    )
    summary = step(write_target_outputs)(result, universe.rejected, universe.unmapped, request.icp, request.out)
    if use_prefect:
        _publish_targeting_artifacts(summary)
    return summary


def find_reachable_accounts(request: TargetRequest, inputs: TargetInputs) -> pl.LazyFrame:
    """Import the contacts and keep the accounts with a sendable, unsuppressed contact in an ICP persona."""
    from flows.edges.store import without_ledger  # here, not at the top: DuckDB costs a bad input's 0.2 s
    from messaging.contacts.reachability import reachable_accounts

    assert request.contacts is not None and inputs.persona_rules is not None
    contacts = import_contacts(request.contacts, preset=request.preset, column_map=inputs.column_map).contacts
    contacts = without_ledger(contacts)  # the campaign store's suppression ledger (bounces, unsubscribes, forgotten)
    if inputs.suppression is not None:
        blocked = suppressed_emails(inputs.suppression)
        contacts = contacts.filter(~pl.col("email").str.to_lowercase().is_in(blocked.to_list()))
    return reachable_accounts(contacts, list(inputs.spec.personas), inputs.persona_rules).collect().lazy()


def _sink_targets(path: Path, plan: pl.LazyFrame) -> pl.LazyFrame:
    return plan.sink_parquet(path, lazy=True)


def write_target_outputs(
    result: TargetList, rejected: pl.DataFrame, unmapped: list[str], icp: Path, out: Path
) -> dict[str, Any]:
    """Write targets.parquet/.csv, target_summary.json, rejected.csv and the ICP used into `out`.

    A target list held in memory is written from that one frame; a streamed one was sunk into
    targets.parquet by `build_target_list` and the CSV is streamed from that file, so neither is
    ever held whole.
    The summary gains `unmapped`: the account file's columns that nothing reads.

    Raises:
        ValueError: the sunk list does not hold the summary's number of targets.
    """
    out.mkdir(parents=True, exist_ok=True)
    if icp.resolve() != (out / "icp.yaml").resolve():
        shutil.copyfile(icp, out / "icp.yaml")
    if result.targets is None:
        written = pl.scan_parquet(out / "targets.parquet")
        listed = written.select(pl.len()).collect().item()  # from the file's metadata
        if listed != result.summary.targets:
            raise ValueError(
                f"counts do not add up: {listed} targets written, the funnel counts {result.summary.targets}"
            )
        sink_csv(written, out / "targets.csv")
    else:
        result.targets.write_parquet(out / "targets.parquet")
        write_csv(result.targets, out / "targets.csv")
    write_csv(rejected, out / "rejected.csv")
    summary = result.summary.model_dump(mode="json") | {"unmapped": unmapped}
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
