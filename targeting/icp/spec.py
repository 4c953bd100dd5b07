"""The ICP spec: pydantic models for `icp.yaml`, loading with file/line errors, dumping, edits."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from targeting.columns import PERSONAS
from targeting.errors import InputError
from targeting.icp.conditions import OPERATORS, Condition, format_value
from targeting.spec_file import load_spec, validate_spec

__all__ = [
    "OPERATORS",
    "Condition",
    "Criterion",
    "Disqualifier",
    "Filter",
    "IcpSpec",
    "Scoring",
    "TargetSize",
    "apply_edit",
    "dump_icp",
    "format_value",
    "load_icp",
    "parse_icp",
]


class Filter(Condition):
    """A condition every target must meet."""


class Disqualifier(Condition):
    """Anti-ICP: an account meeting it is dropped, for the stated reason."""

    reason: str


class Criterion(Condition):
    """A scoring rule: matching accounts earn `points` (negative points penalise)."""

    points: int

    @field_validator("points", mode="before")
    @classmethod
    def _points_are_int(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("points must be a whole number")
        return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSize(_Strict):
    """The band of list sizes a team can work."""

    min: int = Field(ge=0)
    max: int = Field(ge=0)

    @model_validator(mode="after")
    def _band_not_inverted(self) -> TargetSize:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class Scoring(_Strict):
    """Points per criterion, the minimum score to pursue, and tier thresholds (highest first)."""

    min_score: int = 0
    tiers: dict[str, int] = Field(default_factory=dict)
    # A bound on the work one spec asks of every pass over the universe (each criterion is a column).
    criteria: list[Criterion] = Field(default_factory=list, max_length=200)

    @field_validator("tiers")
    @classmethod
    def _tiers_descend(cls, tiers: dict[str, int]) -> dict[str, int]:
        thresholds = list(tiers.values())
        if any(a <= b for a, b in zip(thresholds, thresholds[1:])):
            raise ValueError("tier thresholds must strictly descend (highest tier first)")
        return tiers


class IcpSpec(_Strict):
    """One version of an Ideal Customer Profile, exactly as `icp.yaml` writes it."""

    name: str = Field(min_length=1)
    version: int = Field(default=1, ge=1)
    parent: int | str | None = None
    # Lineage metadata written by refine/derive; named so that unknown keys stay an error.
    description: str | None = None
    created_at: datetime | date | str | None = None
    author: str | None = None
    evidence: list[str | dict[str, Any]] | None = None
    notes: str | None = None
    target_size: TargetSize = Field(default_factory=lambda: TargetSize(min=200, max=5000))
    filters: list[Filter] = Field(default_factory=list, max_length=200)
    disqualifiers: list[Disqualifier] = Field(default_factory=list, max_length=200)
    scoring: Scoring = Field(default_factory=Scoring)
    personas: list[str] = Field(default_factory=list)

    @field_validator("personas")
    @classmethod
    def _known_personas(cls, personas: list[str]) -> list[str]:
        for persona in personas:
            if persona not in PERSONAS:
                raise ValueError(f"unknown persona {persona!r} (known: {', '.join(PERSONAS)})")
        return personas


def load_icp(path: str | Path) -> IcpSpec:
    """Read and validate an ICP file.

    Args:
        path: the `icp.yaml` to read.

    Returns:
        The validated spec.

    Raises:
        InputError: the file is missing, is not YAML, or breaks a rule; the message names the
            file, the line, the field path and the bad value.
    """
    return load_spec(IcpSpec, path, what="an ICP file")


def parse_icp(text: str, *, path: str | Path = "icp.yaml") -> IcpSpec:
    """Validate ICP YAML text; `path` only names the source in errors."""
    return load_spec(IcpSpec, path, text=text, what="an ICP file")


def dump_icp(spec: IcpSpec) -> str:
    """Write a spec as YAML that `load_icp` reads back to an equal spec (conditions one per line)."""
    # ruamel.yaml writes flow-style conditions and keeps comments; only writing needs it.
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    data = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    data = {"name": data.pop("name"), "version": data.pop("version"), "parent": spec.parent, **data}
    doc = CommentedMap(data)
    for key in ("filters", "disqualifiers"):
        if key in doc:
            doc[key] = CommentedSeq(_flow(item) for item in doc[key])
    if "target_size" in doc:
        doc["target_size"] = _flow(doc["target_size"])
    scoring = CommentedMap(doc["scoring"])
    scoring["tiers"] = _flow(scoring.get("tiers", {}))
    scoring["criteria"] = CommentedSeq(_flow(item) for item in scoring.get("criteria", []))
    doc["scoring"] = scoring
    if "personas" in doc:
        seq = CommentedSeq(doc["personas"])
        seq.fa.set_flow_style()
        doc["personas"] = seq
    out = io.StringIO()
    writer = YAML(typ="rt")
    writer.width = 4096  # one condition per line, however long its value list
    writer.dump(doc, out)
    return out.getvalue()


def _flow(mapping: dict[str, Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap

    node = CommentedMap(mapping)
    node.fa.set_flow_style()
    return node


def apply_edit(spec: IcpSpec, edit: dict[str, Any]) -> IcpSpec:
    """Apply one structured edit (as a sizing suggestion carries it) and revalidate.

    Edits:
        `{"op": "set_min_score", "min_score": 4}`,
        `{"op": "replace_filter", "index": 1, "filter": {"field": "employees", "between": [20, 500]}}`,
        `{"op": "drop_filter", "index": 1}`.

    Raises:
        InputError: an unknown op, an index out of range, or a result that breaks a spec rule.
    """
    data = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    op = edit.get("op")
    try:
        if op == "set_min_score":
            data["scoring"]["min_score"] = edit["min_score"]
        elif op in ("replace_filter", "drop_filter"):
            index = edit["index"]
            if not isinstance(index, int) or not 0 <= index < len(data["filters"]):
                raise InputError("no filter at this index", field="edit.index", value=index)
            if op == "replace_filter":
                data["filters"][index] = edit["filter"]
            else:
                del data["filters"][index]
        else:
            raise InputError(
                "unknown edit op (set_min_score, replace_filter, drop_filter)",
                field="edit.op",
                value=op,
                has_value=True,
            )
    except KeyError as exc:
        raise InputError(f"edit {op!r} needs key {exc.args[0]!r}", field="edit", value=edit) from exc
    return validate_spec(IcpSpec, data, "edit")
