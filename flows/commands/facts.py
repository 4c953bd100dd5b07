"""The facts flow: import the accounts, derive their facts, write the long form (`outbound facts`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from flows.edges.files import write_table
from flows.edges.model_server import LlmRequest, progress_bar, store_cache
from flows.runner import as_step, publish_table
from targeting.errors import InputError
from targeting.facts import FactsSpec, account_facts, facts_summary, load_facts
from targeting.importing.canonical import check_importable, import_accounts
from targeting.importing.presets import ColumnMap, load_column_map

WORKSPACE_FACTS = Path("facts.yaml")


class FactsRequest(BaseModel):
    """What `outbound facts` was asked to do; validated before any flow starts."""

    accounts: Path
    out: Path
    facts: Path | None = None
    preset: str = "canonical"
    column_map: Path | None = None
    # Set by `--llm` (checked by `flows.edges.model_server.model_or_none` before any flow starts): a model reads `description`.
    llm: LlmRequest | None = None
    store: Path | None = None


def facts_file(explicit: Path | None) -> Path | None:
    """The vocabulary to read: the one given, else the workspace's `facts.yaml`, else None (the shipped one)."""
    if explicit is not None:
        return explicit
    return WORKSPACE_FACTS if WORKSPACE_FACTS.is_file() else None


def load_facts_spec(explicit: Path | None) -> FactsSpec:
    """Load the vocabulary `facts_file` picks (an InputError names the file, line, field and value)."""
    return load_facts(facts_file(explicit))


@dataclass(frozen=True)
class FactsInputs:
    """The vocabulary and column map a facts run reads, loaded once by `load_facts_inputs`."""

    facts: FactsSpec
    column_map: ColumnMap | None


def load_facts_inputs(request: FactsRequest) -> FactsInputs:
    """Check the accounts file and the output name, and load the vocabulary and column map, once.

    The command calls this before a flow starts; the in-process run uses what it returns, and the
    flow (started with plain paths) calls it inside.

    Raises:
        InputError: the accounts file is missing or cannot be imported, `--out` is neither CSV nor
            Parquet, or a spec does not validate.
    """
    if not request.accounts.exists() and not any(ch in str(request.accounts) for ch in "*?["):
        raise InputError("--accounts file not found", path=request.accounts)
    if request.out.suffix.lower() not in (".csv", ".parquet"):
        raise InputError("--out must end in .csv or .parquet", field="--out", value=str(request.out))
    facts = load_facts_spec(request.facts)
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    check_importable(request.accounts, "account", preset=request.preset, column_map=column_map)
    return FactsInputs(facts=facts, column_map=column_map)


def run_facts(request: FactsRequest, inputs: FactsInputs, *, use_prefect: bool, quiet: bool = False) -> dict[str, Any]:
    """Derive every account's facts and write them (as Prefect tasks when `use_prefect`).

    Returns:
        `{"accounts", "with_fact", "facts": {kind: n}, "dropped", "out"}`; `dropped` counts the source
        rows that gave no account (rejected, duplicate or folded into an earlier row); with `--llm`,
        `llm` holds the model run (accounts read, answers dropped for no verbatim quote or an
        unknown key, accounts left to the rules and why, calls, tokens, cost).
    """
    step = as_step(use_prefect)
    universe = step(import_accounts)(request.accounts, preset=request.preset, column_map=inputs.column_map)
    facts = account_facts(universe.accounts, inputs.facts, carried=universe.carried).collect()
    reader = None
    if request.llm is not None:
        from flows.edges.model_facts import FactsReader, model_facts
        from messaging.drafting.caller import ModelSettings

        reader = FactsReader(ModelSettings(**request.llm.model_dump()), inputs.facts, store_cache(request.store))
        texts = universe.accounts.select("account_id", "name", "domain", "description").collect()
        with progress_bar(0, what="reading", quiet=quiet or use_prefect) as progress:
            facts = step(model_facts)(texts, facts, reader, progress)
    step(write_table)(facts, request.out)
    summary = facts_summary(facts, accounts=universe.universe, dropped=universe.rows_read - universe.universe)
    if reader is not None:
        summary["llm"] = reader.summary()
    if use_prefect:
        by_key = facts.group_by("kind", "key").len().sort("len", "kind", "key", descending=[True, False, False])
        rows = [{"kind": kind, "key": key, "accounts": n} for kind, key, n in by_key.iter_rows()]
        publish_table("account-facts", rows, f"Facts of {summary['with_fact']} of {summary['accounts']} accounts")
    return {**summary, "out": str(request.out)}
