"""The persona rules (`personas.yaml`): title normalization, seniority, function and persona rules.

The shipped default lives in `messaging/defaults/personas.yaml`. A workspace file overrides it
section by section, so a team can re-map personas without copying the whole vocabulary.
Patterns are validated by Polars itself, so a pattern that loads is one the classifier can run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import polars as pl
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from messaging.composing.sender import default_spec_text
from targeting.columns import PERSONAS
from targeting.spec_file import read_spec, spec_error, validate_spec

UNCLASSIFIED = "unclassified"
DEFAULT_PATH = "messaging/defaults/personas.yaml"
SECTIONS = ("max_title_length", "normalize", "seniority", "functions", "personas")


def _checked_regex(pattern: str) -> str:
    # Polars (Rust regex) is the engine that runs these, and it differs from Python's `re`
    # (no look-around), so it is also the engine that validates them.
    try:
        pl.select(pl.lit("").str.contains(pattern))
    except pl.exceptions.PolarsError as exc:
        detail = str(exc).split("\n\nThis error occurred")[0].strip()
        raise ValueError(f"not a valid regex: {detail.splitlines()[-1]}") from None
    return pattern


Regex = Annotated[str, Field(min_length=1), AfterValidator(_checked_regex)]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Replacement(_Rule):
    """One normalization step: every match of `find` becomes `replace` ($1 names a group)."""

    find: Regex
    replace: str


class SeniorityRule(_Rule):
    """A normalized title matching `pattern` has seniority `level`."""

    level: str = Field(pattern=r"^[a-z_]+$")
    pattern: Regex


class FunctionRule(_Rule):
    """A normalized title matching `pattern` belongs to `function`."""

    function: str = Field(pattern=r"^[a-z_]+$")
    pattern: Regex


class PersonaRule(_Rule):
    """`persona` for titles whose seniority, function and normalized text all fit (absent = any)."""

    name: str = Field(min_length=1)
    persona: str
    seniority: list[str] | None = None
    function: list[str] | None = None
    title: Regex | None = None

    @field_validator("persona")
    @classmethod
    def _known_persona(cls, persona: str) -> str:
        if persona not in (*PERSONAS, UNCLASSIFIED):
            raise ValueError(f"unknown persona; expected one of {', '.join((*PERSONAS, UNCLASSIFIED))}")
        return persona


class PersonaRules(BaseModel):
    """Everything the title classifier needs, in the order the rules are tried."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_title_length: int | None = Field(default=None, ge=1)
    normalize: list[Replacement] | None = None
    seniority: list[SeniorityRule] | None = Field(default=None, min_length=1)
    functions: list[FunctionRule] | None = Field(default=None, min_length=1)
    personas: list[PersonaRule] | None = Field(default=None, min_length=1)

    @property
    def levels(self) -> list[str]:
        """The seniority levels the rules can assign, in rule order, without repeats."""
        return list(dict.fromkeys(rule.level for rule in self.seniority or []))

    @property
    def function_names(self) -> list[str]:
        """The functions the rules can assign, in rule order, without repeats."""
        return list(dict.fromkeys(rule.function for rule in self.functions or []))


def default_persona_rules_text() -> str:
    """The text of the shipped `personas.yaml` (what `outbound init` copies into a workspace)."""
    return default_spec_text("personas.yaml")


def load_persona_rules(path: Path | str | None = None) -> PersonaRules:
    """Load the persona rules: a workspace `personas.yaml` over the shipped default.

    Sections the workspace file leaves out (say, everything but `personas:`) come from the default.

    Args:
        path: A workspace personas.yaml; None loads the shipped default alone.

    Returns:
        The validated, complete PersonaRules.

    Raises:
        InputError: The file is missing, is not YAML, has an unknown key, a bad regex, an unknown
            persona, or a persona rule naming a seniority level or function no rule assigns.
    """
    default, default_document = _read(DEFAULT_PATH, default_persona_rules_text())
    if path is None:
        return _checked_references(default, DEFAULT_PATH, default_document)
    own, document = _read(path)
    merged = default.model_copy(update={key: getattr(own, key) for key in own.model_fields_set})
    return _checked_references(merged, path, document)


def _read(path: Path | str, text: str | None = None) -> tuple[PersonaRules, Any]:
    # The document is kept: the cross-section check below needs its lines.
    document = read_spec(path, text=text)
    return validate_spec(PersonaRules, document, path, what="a persona rules file", fields="dots"), document


def _checked_references(rules: PersonaRules, path: Path | str, document: Any) -> PersonaRules:
    levels, functions = set(rules.levels), set(rules.function_names)
    for index, rule in enumerate(rules.personas or []):
        for field, known, values in (("seniority", levels, rule.seniority), ("function", functions, rule.function)):
            unknown = [value for value in values or [] if value not in known]
            if unknown:
                raise spec_error(
                    f"no {field} rule assigns this; expected one of {', '.join(sorted(known))}",
                    document,
                    ("personas", index, field),
                    path=path,
                    fields="dots",
                    value=unknown[0],
                )
    return rules


# Seniority -> the persona a title of a function that buys the product gets (`buying_rules`).
BUYER_BY_SENIORITY = {
    "owner": "economic_buyer",
    "c_level": "economic_buyer",
    "vp": "economic_buyer",
    "director": "champion",
    "manager": "champion",
    "senior_ic": "champion",
    "ic": "user",
}
# Functions whose leaders also evaluate a product technically: a founder in one ("Co-Founder & CTO")
# has a second role (`second_persona`).
TECHNICAL_FUNCTIONS = ("engineering", "it", "security", "data")


def buying_rules(rules: PersonaRules, functions: list[str], *, path: str | Path | None = None) -> PersonaRules:
    """The rules with the product's buying functions read as buyers, champions and users by seniority.

    `sender.yaml`'s `buying_functions` (say `[legal]` for a compliance product) names the functions
    whose people buy the product: their executives buy, their directors, managers and senior
    specialists champion, the rest use, where the shipped rules would send them to procurement or
    elsewhere. Assistants still gatekeep and placeholders stay unclassified (those rules come first).

    Raises:
        InputError: a function no rule assigns, with the closest names ("did you mean").
    """
    from messaging.composing.sender import unknown_key_reason
    from targeting.errors import InputError

    known = rules.function_names
    for function in functions:
        if function not in known:
            raise InputError(
                unknown_key_reason(function, known, "the functions personas.yaml assigns"),
                path=path,
                field="buying_functions",
            )
    if not functions:
        return rules
    current = list(rules.personas or [])
    # After the rules that keep a title out of the committee or make it a gatekeeper.
    first = next((i for i, r in enumerate(current) if r.persona not in ("unclassified", "gatekeeper")), len(current))
    by_persona: dict[str, list[str]] = {}
    for level, persona in BUYER_BY_SENIORITY.items():
        if level in rules.levels:
            by_persona.setdefault(persona, []).append(level)
    added = [
        PersonaRule(
            name=f"{persona.replace('_', ' ')} of a function that buys the product",
            persona=persona,
            seniority=levels,
            function=list(functions),
        )
        for persona, levels in by_persona.items()
    ]
    return rules.model_copy(update={"personas": current[:first] + added + current[first:]})
