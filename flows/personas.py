"""The personas flow: every contact with persona, seniority, function and the rule that decided."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from pydantic import BaseModel

from flows.frames_io import write_table
from flows.runtime import as_step, publish_table
from targeting.importing.canonical import import_contacts
from targeting.importing.presets import load_column_map


class PersonasRequest(BaseModel):
    """What `outbound personas` was asked to do."""

    contacts: Path
    out: Path
    personas: Path | None = None
    preset: str = "canonical"
    column_map: Path | None = None


def run_personas(request: PersonasRequest, *, use_prefect: bool) -> dict[str, Any]:
    """Classify every contact and write them to `request.out` (CSV or Parquet by extension)."""
    from messaging.contacts.classify import classify_contacts, load_persona_rules

    step = as_step(use_prefect)
    rules = load_persona_rules(request.personas)
    mapping = load_column_map(request.column_map) if request.column_map else None
    imported = step(import_contacts)(request.contacts, preset=request.preset, column_map=mapping)
    frame = classify_contacts(imported.contacts, rules).lazy().collect()
    step(write_table)(frame, request.out)
    counts = dict(frame.group_by("persona").len().sort("len", "persona", descending=[True, False]).iter_rows())
    if use_prefect:
        rows = [{"persona": persona, "contacts": n} for persona, n in counts.items()]
        publish_table("contact-personas", rows, "Contacts by persona")
    return {"contacts": frame.height, "rejected": imported.rejected.height, "by_persona": counts, "out": str(request.out)}


@flow(name="classify_personas", flow_run_name="personas-{request.contacts.stem}", validate_parameters=False)
def classify_personas(request: PersonasRequest) -> dict[str, Any]:
    """Prefect flow: classify and write the contacts, with counts by persona as a keyed artifact."""
    return run_personas(request, use_prefect=True)
