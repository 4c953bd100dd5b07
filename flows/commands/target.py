"""The targeting flow: import the universe, score and size it, write the target list."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.commands.request import Day, InputFile, Request
from flows.edges.files import file_set, sink_csv, write_csv, write_json, write_parquet
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
)
from flows.runner import Runner
from targeting.facts import FactsSpec
from targeting.icp.spec import IcpSpec, load_icp
from targeting.importing.canonical import ContactImport
from targeting.importing.suppression import is_suppressed_contact, read_suppression
from targeting.selection.target_list import TargetList, fields_read, select_targets

if TYPE_CHECKING:
    from messaging.contacts.persona_rules import PersonaRules


class TargetRequest(Request):
    """What `outbound target` was asked to do; validated before any flow starts."""

    accounts: InputFile
    icp: InputFile
    out: Path
    contacts: InputFile | None = None
    suppress: list[InputFile] = []
    preset: str = "canonical"
    column_map: InputFile | None = None
    personas: InputFile | None = None
    as_of: Day | None = None
    facts: InputFile | None = None
    dask: str | None = None  # `--dask`: run the per-partition work on this cluster (commands/target_on_dask.py)
    contacts_preset: str | None = None
    contacts_map: InputFile | None = None


@dataclass(frozen=True)
class TargetInputs:
    """Every spec a targeting run reads, loaded and checked once by `load_target_inputs`."""

    spec: IcpSpec
    accounts: Layout
    contacts: Layout | None
    suppression: pl.DataFrame | None
    persona_rules: PersonaRules | None  # with contacts only: they decide which accounts are reachable
    facts: FactsSpec  # the vocabulary that gives facts to an export without fact columns


def load_target_inputs(request: TargetRequest) -> TargetInputs:
    """Check every input file and load every spec, once.

    The command calls this before a flow starts, so a bad input is one line, not a traceback; the
    in-process run uses what it returns, and the flow (started with plain paths) calls it inside.

    Raises:
        InputError: a spec does not validate, or a file cannot be imported.
    """
    layout = accounts_layout(request.preset, request.column_map)
    spec = load_icp(request.icp)
    facts = load_facts_spec(request.facts)
    check_universe(request.accounts, layout)
    persona_rules = people = None
    if request.contacts is not None:
        from messaging.contacts.classify import load_persona_rules

        people = contacts_layout(
            request.contacts,
            request.contacts_preset,
            request.contacts_map,
            accounts=request.accounts,
            of_accounts=layout,
        )
        check_contacts(request.contacts, people)
        persona_rules = load_persona_rules(request.personas)
    suppression = read_suppression(request.suppress) if request.suppress else None
    return TargetInputs(spec, layout, people, suppression, persona_rules, facts)


def run_target(request: TargetRequest, inputs: TargetInputs, runner: Runner) -> dict[str, Any]:
    """Run the targeting steps and write the outputs.

    Returns:
        The target summary, exactly as written to `target_summary.json`.
    """
    # Facts no condition reads are derived for the targets alone, as the list is written.
    universe = read_universe(request.accounts, inputs.accounts, inputs.facts, runner, read=fields_read(inputs.spec))
    imported = universe.imported
    reachable = people = None
    if request.contacts is not None:
        reachable, people = runner.step(find_reachable_accounts)(request, inputs)
    # A streamed universe's list goes straight from the lazy plan into targets.parquet.
    sink = partial(_sink_targets, sunk_targets(request.out))
    request.out.mkdir(parents=True, exist_ok=True)
    result = runner.step(select_targets)(
        universe.accounts,
        inputs.spec,
        suppression=inputs.suppression,
        reachable_account_ids=reachable,
        as_of=request.as_of,
        rows_read=imported.rows_read,
        rejected=imported.rejected.height,
        # A people export's extra person rows for an account already read are, at account
        # level, repeats of that account: they count as duplicates so the identity holds.
        duplicates=imported.duplicates + imported.folded,
        sink=sink,
        complete=universe.facts_later,
        in_memory=imported.held,  # held or streamed as the import decided (rows, a text file's bytes)
    )
    extra = contacts_summary(result, request, inputs, people)
    if imported.encoding is not None:  # the text encoding the accounts file was read in
        extra = {"accounts_encoding": imported.encoding, **extra}
    summary = runner.step(write_target_outputs)(
        result, imported.rejected, imported.unmapped, request.icp, request.out, extra
    )
    publish_targeting_artifacts(summary, runner)
    return summary


def find_reachable_accounts(request: TargetRequest, inputs: TargetInputs) -> tuple[pl.LazyFrame, ContactImport]:
    """The accounts with a sendable, unsuppressed contact in an ICP persona, and the contacts as read."""
    from flows.edges.store import without_ledger  # here, not at the top: DuckDB costs a bad input's 0.2 s
    from messaging.contacts.reachability import reachable_accounts

    assert request.contacts is not None and inputs.contacts is not None and inputs.persona_rules is not None
    imported = read_contacts(request.contacts, inputs.contacts)
    contacts = without_ledger(imported.contacts)  # the campaign store's ledger (bounces, unsubscribes, forgotten)
    if inputs.suppression is not None:  # emails, and people at listed domains, in any spelling
        contacts = contacts.filter(~is_suppressed_contact(inputs.suppression))
    reachable = reachable_accounts(contacts, list(inputs.spec.personas), inputs.persona_rules).collect().lazy()
    return reachable, imported


def contacts_summary(
    result: TargetList, request: TargetRequest, inputs: TargetInputs, people: ContactImport | None
) -> dict[str, Any]:
    """What the summary says of the contacts: the layout they were read with, what they lack."""
    if people is None or inputs.contacts is None or request.contacts is None:
        return {}
    read = contacts_read(people, request.contacts, inputs.contacts)
    lacking = read.pop("contact_warnings")
    return read | {"warnings": [*result.summary.warnings, *lacking]}


def _sink_targets(path: Path, plan: pl.LazyFrame) -> pl.LazyFrame:
    return plan.sink_parquet(path, lazy=True)


def sunk_targets(out: Path) -> Path:
    """Where a streamed list is sunk before it is renamed to targets.parquet (never read as a list)."""
    return out / ".targets.parquet.partial"


def write_target_outputs(
    result: TargetList,
    rejected: pl.DataFrame,
    unmapped: list[str],
    icp: Path,
    out: Path,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write targets.parquet/.csv, target_summary.json, rejected.csv and the ICP used into `out`.

    A target list held in memory is written from that one frame; a streamed one was sunk into
    targets.parquet by `select_targets` and the CSV is streamed from that file, so neither is
    ever held whole.
    The summary gains `unmapped`: the account file's columns that nothing reads, and `extra` (the
    contacts' layout and what they lack).

    Raises:
        ValueError: the sunk list does not hold the summary's number of targets.
    """
    # The set is written whole under temporary names, then renamed into place, the summary last: a run
    # killed while it writes leaves the previous set, which a reader checks against its summary
    # (`flows.edges.files.read_targets`).
    with file_set(out) as stage:
        if icp.resolve() != (out / "icp.yaml").resolve():
            shutil.copyfile(icp, stage(out / "icp.yaml"))
        if result.targets is None:
            sunk = sunk_targets(out)
            written = pl.scan_parquet(sunk)
            listed = written.select(pl.len()).collect().item()  # from the file's metadata
            if listed != result.summary.targets:
                sunk.unlink(missing_ok=True)
                raise ValueError(
                    f"counts do not add up: {listed} targets written, the funnel counts {result.summary.targets}"
                )
            stage(out / "targets.parquet", sunk)
            sink_csv(written, stage(out / "targets.csv"))
        else:
            write_parquet(result.targets, stage(out / "targets.parquet"))
            write_csv(result.targets, stage(out / "targets.csv"))
        write_csv(rejected, stage(out / "rejected.csv"))
        summary = result.summary.model_dump(mode="json") | {"unmapped": unmapped} | (extra or {})
        write_json(summary, stage(out / "target_summary.json"))
    return summary


def publish_targeting_artifacts(summary: dict[str, Any], runner: Runner) -> None:
    """The funnel and the size verdict as the flow run's keyed artifacts."""
    runner.publish_table(
        "target-list-funnel", summary["funnel"], f"Funnel of ICP {summary['icp']} v{summary['version']}"
    )
    lines = [
        f"# {summary['verdict'].replace('_', ' ')}: {summary['targets']} targets",
        f"Band {summary['band']['min']}-{summary['band']['max']}; by tier: {summary['by_tier']}.",
    ]
    lines += [f"- {s['change']}: **{s['targets']}** targets" for s in summary["suggestions"]]
    lines += [f"- warning: {w}" for w in summary["warnings"]]
    runner.publish_markdown("target-size-verdict", "\n".join(lines), "Size verdict and the changes that fix it")
