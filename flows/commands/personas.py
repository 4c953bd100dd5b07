"""The personas flow: every contact with persona, seniority, function and the rule that decided."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from pydantic import BaseModel

from flows.edges.files import write_table
from flows.runner import as_step, publish_table
from targeting.errors import InputError
from targeting.importing.canonical import check_importable, import_contacts
from targeting.importing.presets import ColumnMap, load_column_map

if TYPE_CHECKING:
    from messaging.contacts.persona_rules import PersonaRules


class PersonasRequest(BaseModel):
    """What `outbound personas` was asked to do."""

    contacts: Path
    out: Path
    personas: Path | None = None
    preset: str = "canonical"
    column_map: Path | None = None


@dataclass(frozen=True)
class PersonasInputs:
    """The persona rules and column map a classification run reads, loaded once by `load_personas_inputs`."""

    persona_rules: PersonaRules
    column_map: ColumnMap | None


def load_personas_inputs(request: PersonasRequest) -> PersonasInputs:
    """Check the contacts file and load the persona rules and column map, once.

    The command calls this before a flow starts; the in-process run uses what it returns, and the
    flow (started with plain paths) calls it inside.

    Raises:
        InputError: the contacts file is missing or cannot be imported, or a spec does not validate.
    """
    from messaging.contacts.classify import load_persona_rules

    if not request.contacts.exists():
        raise InputError("--contacts file not found", path=request.contacts)
    persona_rules = load_persona_rules(request.personas)
    column_map = load_column_map(request.column_map) if request.column_map is not None else None
    check_importable(request.contacts, "contact", preset=request.preset, column_map=column_map)
    return PersonasInputs(persona_rules=persona_rules, column_map=column_map)


def run_personas(request: PersonasRequest, inputs: PersonasInputs, *, use_prefect: bool) -> dict[str, Any]:
    """Classify every contact and write them to `request.out` (CSV or Parquet by extension)."""
    from messaging.contacts.classify import classify_contacts
    from messaging.contacts.sendability import check_sendability

    step = as_step(use_prefect)
    imported = step(import_contacts)(request.contacts, preset=request.preset, column_map=inputs.column_map)
    classified = classify_contacts(imported.contacts, inputs.persona_rules)
    # skip_reason says why a contact cannot be emailed (role address, malformed email); `sendable`
    # is left out so that `draft` checks again with its own --allow-role/--allow-free-mail.
    frame = check_sendability(classified).drop("sendable", "email_flag").lazy().collect()
    step(write_table)(frame, request.out)
    unusable = unusable_rows(imported.rejected)
    unusable_out = request.out.with_name(f"{request.out.stem}.unusable.csv")
    if unusable.height:
        step(write_table)(unusable, unusable_out)
    counts = dict(frame.group_by("persona").len().sort("len", "persona", descending=[True, False]).iter_rows())
    if use_prefect:
        rows = [{"persona": persona, "contacts": n} for persona, n in counts.items()]
        publish_table("contact-personas", rows, "Contacts by persona")
    return {
        "contacts": frame.height,
        "rejected": imported.rejected.height,
        "rejected_by_reason": _by(unusable, "reason"),
        "rejected_out": str(unusable_out) if unusable.height else None,
        "not_sendable_by_reason": _by(frame.filter(pl.col("skip_reason").is_not_null()), "skip_reason"),
        "by_persona": counts,
        "out": str(request.out),
    }


def unusable_rows(rejected: pl.DataFrame) -> pl.DataFrame:
    """The rows the import could not use, one line each: source row, column, value, reason."""
    wanted = ["source_row", "column", "value", "reason"]
    return rejected.select([c for c in wanted if c in rejected.columns])


def _by(frame: pl.DataFrame, column: str) -> dict[str, int]:
    # Reasons such as "role address (info@)" are counted by their words before the parenthesis.
    kinds = frame.select(pl.col(column).str.replace(r" \(.*$", "").alias("kind"))
    return dict(kinds.group_by("kind").len().sort("len", "kind", descending=[True, False]).iter_rows())
