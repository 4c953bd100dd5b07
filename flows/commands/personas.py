"""The personas flow: every contact with persona, seniority, function and the rule that decided."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from flows.commands.request import InputFile, Request
from flows.edges.files import write_table
from flows.edges.inputs import Layout, check_contacts, contacts_layout, contacts_read, read_contacts
from flows.runner import Runner

if TYPE_CHECKING:
    from messaging.contacts.persona_rules import PersonaRules


class PersonasRequest(Request):
    """What `outbound personas` was asked to do."""

    contacts: InputFile
    out: Path
    personas: InputFile | None = None
    # The contacts' preset and map; `contacts_preset` and `contacts_map` are the newer names of the two.
    preset: str | None = None
    column_map: InputFile | None = None
    contacts_preset: str | None = None
    contacts_map: InputFile | None = None
    # A sender.yaml whose `buying_functions` are read as the product's buyers (as `draft` reads them).
    sender: InputFile | None = None


@dataclass(frozen=True)
class PersonasInputs:
    """The persona rules and the contacts' layout a classification run reads, loaded once."""

    persona_rules: PersonaRules
    contacts: Layout
    buying_functions: tuple[str, ...] = ()


def load_personas_inputs(request: PersonasRequest) -> PersonasInputs:
    """Check the contacts file and load the persona rules and the contacts' layout, once.

    With `--sender`, its `buying_functions` are applied to the rules as `draft` applies them.

    Raises:
        InputError: the contacts file cannot be imported, or a spec does not validate.
    """
    from messaging.composing.sender import load_sender
    from messaging.contacts.classify import load_persona_rules
    from messaging.contacts.persona_rules import buying_rules

    persona_rules = load_persona_rules(request.personas)
    functions = (load_sender(request.sender).buying_functions or []) if request.sender else []
    # The product's own buyers, read as `draft` reads them (docs/personas.md).
    persona_rules = buying_rules(persona_rules, functions, path=request.sender)
    layout = contacts_layout(
        request.contacts, request.contacts_preset or request.preset, request.contacts_map or request.column_map
    )
    check_contacts(request.contacts, layout)
    return PersonasInputs(persona_rules=persona_rules, contacts=layout, buying_functions=tuple(functions))


def run_personas(request: PersonasRequest, inputs: PersonasInputs, runner: Runner) -> dict[str, Any]:
    """Classify every contact and write them to `request.out` (CSV or Parquet by extension)."""
    from messaging.contacts.classify import classify_contacts
    from messaging.contacts.sendability import check_sendability

    imported = read_contacts(request.contacts, inputs.contacts, runner)
    classified = classify_contacts(imported.contacts, inputs.persona_rules)
    # skip_reason says why a contact cannot be emailed (role address, malformed email); `sendable`
    # is left out so that `draft` checks again with its own --allow-role/--allow-free-mail.
    frame = check_sendability(classified).drop("sendable", "email_flag").lazy().collect()
    runner.step(write_table)(frame, request.out)
    unusable = unusable_rows(imported.rejected)
    unusable_out = request.out.with_name(f"{request.out.stem}.unusable.csv")
    if unusable.height:
        runner.step(write_table)(unusable, unusable_out)
    counts = dict(frame.group_by("persona").len().sort("len", "persona", descending=[True, False]).iter_rows())
    rows = [{"persona": persona, "contacts": n} for persona, n in counts.items()]
    runner.publish_table("contact-personas", rows, "Contacts by persona")
    return {
        "contacts": frame.height,
        "rejected": imported.rejected.height,
        "rejected_by_reason": _by(unusable, "reason"),
        "rejected_out": str(unusable_out) if unusable.height else None,
        "not_sendable_by_reason": _by(frame.filter(pl.col("skip_reason").is_not_null()), "skip_reason"),
        "by_persona": counts,
        "buying_functions": list(inputs.buying_functions),
        **contacts_read(imported, request.contacts, inputs.contacts),
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
