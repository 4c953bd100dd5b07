"""The facts flow: import the accounts, derive their facts, write the long form (`outbound facts`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.commands.request import InputFile, Request
from flows.edges.files import write_table
from flows.edges.inputs import Layout, accounts_layout, check_universe, load_facts_spec, read_universe
from flows.edges.model_server import LlmRequest, progress_bar, store_cache
from flows.runner import Runner
from targeting.errors import InputError
from targeting.facts import FactsSpec, account_facts, facts_summary


class FactsRequest(Request):
    """What `outbound facts` was asked to do; validated before any flow starts."""

    accounts: InputFile
    out: Path
    facts: InputFile | None = None
    preset: str = "canonical"
    column_map: InputFile | None = None
    # Set by `--llm` (checked by `flows.edges.model_server.model_or_none` before any flow starts).
    llm: LlmRequest | None = None
    store: Path | None = None


@dataclass(frozen=True)
class FactsInputs:
    """The vocabulary and the accounts' layout a facts run reads, loaded once by `load_facts_inputs`."""

    facts: FactsSpec
    accounts: Layout


def load_facts_inputs(request: FactsRequest) -> FactsInputs:
    """Check the output name and the accounts file, and load the vocabulary and column map, once.

    Raises:
        InputError: `--out` is neither CSV nor Parquet, a spec does not validate, or the accounts
            file cannot be imported.
    """
    if request.out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError("--out must end in .csv or .parquet", field="--out", value=str(request.out))
    facts = load_facts_spec(request.facts)
    layout = accounts_layout(request.preset, request.column_map)
    check_universe(request.accounts, layout)
    return FactsInputs(facts=facts, accounts=layout)


def run_facts(request: FactsRequest, inputs: FactsInputs, runner: Runner, *, quiet: bool = False) -> dict[str, Any]:
    """Derive every account's facts and write them.

    Returns:
        `{"accounts", "with_fact", "facts": {kind: n}, "dropped", "out"}`; `dropped` counts the source
        rows that gave no account (rejected, duplicate or folded into an earlier row); with `--llm`,
        `llm` holds the model run (accounts read, answers dropped for no verbatim quote or an
        unknown key, accounts left to the rules and why, calls, tokens, cost).
    """
    universe = read_universe(request.accounts, inputs.accounts, inputs.facts, runner).imported
    facts = account_facts(universe.accounts, inputs.facts, carried=universe.carried).collect()
    reader = None
    if request.llm is not None:
        from flows.edges.model_facts import FactsReader, model_facts
        from messaging.drafting.caller import ModelSettings

        reader = FactsReader(ModelSettings(**request.llm.model_dump()), inputs.facts, store_cache(request.store))
        texts = universe.accounts.select("account_id", "name", "domain", "description").collect()
        with progress_bar(0, what="reading", quiet=quiet or runner.in_flow_run) as progress:
            facts = runner.step(model_facts)(texts, facts, reader, progress)
    runner.step(write_table)(facts, request.out)
    summary = facts_summary(facts, accounts=universe.universe, dropped=universe.rows_read - universe.universe)
    if reader is not None:
        summary["llm"] = reader.summary()
    if runner.in_flow_run:
        by_key = facts.group_by("kind", "key").len().sort("len", "kind", "key", descending=[True, False, False])
        rows = [{"kind": kind, "key": key, "accounts": n} for kind, key, n in by_key.iter_rows()]
        runner.publish_table(
            "account-facts", rows, f"Facts of {summary['with_fact']} of {summary['accounts']} accounts"
        )
    return {**summary, "unmapped": universe.unmapped, "out": str(request.out)}
