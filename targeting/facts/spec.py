"""The facts vocabulary (`facts.yaml`): per kind, each key with the phrases and column values that evidence it."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from targeting.spec_file import load_spec

# kind -> the account list column it fills (PRODUCT.md: `kind` is pain_point, growth_signal, prior_solution).
FACT_KINDS = {"pain_point": "pain_points", "growth_signal": "growth_signals", "prior_solution": "prior_solutions"}
# The list columns whose values may evidence a key, in the order their evidence is preferred.
EVIDENCE_COLUMNS = ("tags", "tech_stack", "hiring_roles")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


def _items(value: str) -> str:
    """A column value as the importer normalizes list items: lower snake case."""
    text = re.sub(r"[^\w]+", "_", value.lower().replace("&", " and ")).strip("_")
    if not text:
        raise ValueError(f"{value!r} is empty once normalized")
    return text


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyEvidence(_Strict):
    """What evidences one key: phrases found in `description`, values found in the list columns.

    A phrase matches case-insensitively on word boundaries; `*` stands for the rest of a word
    (`bank*` finds banks and banking), `#` for a number (`# customers` finds "2,000 customers").
    """

    phrases: list[str] = Field(default_factory=list)
    # Contexts, read in the sentence a phrase is found in (a sentence failing one gives no evidence):
    # `not_in`, phrases that give the words another sense ("for banks": the account's customers,
    # "worked at companies like": the founders' past); `requires`, phrases of which one must be
    # there (a raise needs an amount or a round: "raised $2M", not "raised the bar"); `recent_years`,
    # a sentence naming a year older than this many years before today is not evidence of now.
    not_in: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    recent_years: int | None = Field(default=None, ge=0)
    # `read_out: text`: a sentence that names the key in a `not_in` sense reads the key out for the
    # whole description, not that sentence alone ("Axle is Plaid for insurance" makes the later
    # "verify insurance" the same market's word). `sentence` (default) reads each sentence alone.
    read_out: Literal["sentence", "text"] = "sentence"
    # `not_in_text`: phrases that anywhere in the description read the key out: the account sells to
    # that market ("helps pharmaceutical companies measure..." makes its "drug development" theirs).
    not_in_text: list[str] = Field(default_factory=list)
    # `tags_need`: a tags / tech_stack / hiring_roles value counts only where the description (when
    # there is one) names one of these phrases or one of the key's own: a `payments` tag on a paywall
    # tool whose text says nothing of money is a market, not its activity.
    tags_need: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    tech_stack: list[str] = Field(default_factory=list)
    hiring_roles: list[str] = Field(default_factory=list)

    @field_validator("phrases", "not_in", "requires", "not_in_text", "tags_need")
    @classmethod
    def _phrases_are_words(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not phrase.strip() or phrase.strip().startswith("*"):
                raise ValueError(f"phrase {phrase!r} is empty or starts with `*`")
        return [" ".join(phrase.split()) for phrase in phrases]

    @field_validator(*EVIDENCE_COLUMNS)
    @classmethod
    def _values_normalized(cls, values: list[str]) -> list[str]:
        return [_items(str(value)) for value in values]


def _snake_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"key {key!r} is not lower snake case (e.g. compliance_burden)")
    return key


Vocabulary = dict[Annotated[str, AfterValidator(_snake_key)], KeyEvidence]


class FactsSpec(_Strict):
    """`facts.yaml`: the vocabulary of pain point, growth signal and prior solution keys."""

    pain_points: Vocabulary = Field(default_factory=dict)
    growth_signals: Vocabulary = Field(default_factory=dict)
    prior_solutions: Vocabulary = Field(default_factory=dict)


def load_facts(path: str | Path | None = None) -> FactsSpec:
    """Read and validate a `facts.yaml`; None reads the shipped default.

    Raises:
        InputError: the file is missing, is not YAML, or breaks a rule; the message names the file,
            the line, the field and the bad value.
    """
    if path is None:
        text = resources.files("targeting").joinpath("defaults/facts.yaml").read_text(encoding="utf-8")
        return parse_facts(text, path="targeting/defaults/facts.yaml")
    return load_spec(FactsSpec, path, what="a facts file")


def parse_facts(text: str, *, path: str | Path = "facts.yaml") -> FactsSpec:
    """Validate facts YAML text; `path` only names the source in errors."""
    return load_spec(FactsSpec, path, text=text, what="a facts file")
