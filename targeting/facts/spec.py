"""The facts vocabulary (`facts.yaml`): per kind, each key with the phrases and column values that evidence it."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from targeting.spec_file import load_spec

# kind -> the account list column it fills (docs/commands.md, `outbound facts`: `kind` is pain_point, growth_signal, prior_solution).
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
    # `values_alone: false`: a tags / tech_stack / hiring_roles value is evidence only where the
    # account has no description to read (a `payments` or `biotech` tag also marks a vendor to that
    # market; where there is text, the text decides).
    values_alone: bool = True
    # `first_sentences: N`: the phrases are read only in the first N sentences of the description,
    # where a company says what it is ("Letter is a private bank for ..."); later sentences tell of
    # its customers, its founders, its plans. The contexts that read the key out still read the whole text.
    first_sentences: int | None = Field(default=None, ge=1)
    # `object_of`: words that make the key's phrase what the account serves when they come before it
    # (up to `gap` words between: "software for biotech", "an API to brokerage accounts", "helps
    # community lenders"); `modifier_of`: words that make the phrase a product's or a trade's market
    # when they follow it (at most one word between: "banking infrastructure", "tax form data").
    # Either reads the sentence out, as a `not_in` phrase does.
    object_of: list[str] = Field(default_factory=list)
    modifier_of: list[str] = Field(default_factory=list)
    gap: int = Field(default=3, ge=0, le=6)
    # `allow`: the `every_key` groups that do not apply to this key (security_reviews' evidence is
    # its buyers, so the "what it serves" group does not read it out).
    allow: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    tech_stack: list[str] = Field(default_factory=list)
    hiring_roles: list[str] = Field(default_factory=list)

    @field_validator("phrases", "not_in", "requires", "not_in_text", "tags_need", "object_of", "modifier_of")
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


class SentenceRule(_Strict):
    """One group of `every_key`: sentences that are no evidence of the account, whatever the key.

    `not_in` phrases anywhere in the sentence (its subject is a person: "founded by", "previously";
    a forecast: "we believe", "billion market"); `object_of` / `modifier_of` words around the key's
    own phrase (the account's customers or market: "for banks", "banking infrastructure").
    """

    not_in: list[str] = Field(default_factory=list)
    object_of: list[str] = Field(default_factory=list)
    modifier_of: list[str] = Field(default_factory=list)
    gap: int = Field(default=3, ge=0, le=6)
    # Phrases that anywhere in the text read the key out ("acquired by": no growth of its own now).
    not_in_text: list[str] = Field(default_factory=list)
    # The kinds whose keys the group reads (default: all three); a key opts out with `allow`.
    kinds: list[Literal["pain_points", "growth_signals", "prior_solutions"]] = Field(
        default_factory=lambda: list(FACT_KINDS.values())
    )

    @field_validator("not_in", "object_of", "modifier_of", "not_in_text")
    @classmethod
    def _phrases_are_words(cls, phrases: list[str]) -> list[str]:
        return KeyEvidence._phrases_are_words(phrases)


class FactsSpec(_Strict):
    """`facts.yaml`: the vocabulary of pain point, growth signal and prior solution keys.

    `every_key` holds rules over sentences, not words: each group applies to every key that has
    phrases, unless the key names the group in its `allow`.
    """

    every_key: dict[Annotated[str, AfterValidator(_snake_key)], SentenceRule] = Field(default_factory=dict)
    pain_points: Vocabulary = Field(default_factory=dict)
    growth_signals: Vocabulary = Field(default_factory=dict)
    prior_solutions: Vocabulary = Field(default_factory=dict)

    @model_validator(mode="after")
    def _allow_names_a_group(self) -> FactsSpec:
        for kind in FACT_KINDS.values():
            for key, rule in getattr(self, kind).items():
                for group in rule.allow:
                    if group not in self.every_key:
                        known = ", ".join(sorted(self.every_key)) or "none"
                        raise ValueError(
                            f"{kind}.{key}.allow names {group!r}, not a group of every_key (groups: {known})"
                        )
        return self

    def vocabulary(self, kind: str) -> dict[str, KeyEvidence]:
        """The keys of one kind (`pain_points`, ...) with the `every_key` groups they do not allow folded in."""
        out = {}
        for key, rule in getattr(self, kind).items():
            groups = [g for name, g in self.every_key.items() if name not in rule.allow and kind in g.kinds]
            if not (groups and rule.phrases):
                out[key] = rule
                continue
            out[key] = rule.model_copy(
                update={
                    "not_in": _union(rule.not_in, *(g.not_in for g in groups)),
                    "object_of": _union(rule.object_of, *(g.object_of for g in groups)),
                    "modifier_of": _union(rule.modifier_of, *(g.modifier_of for g in groups)),
                    "not_in_text": _union(rule.not_in_text, *(g.not_in_text for g in groups)),
                    "gap": max(g.gap for g in [rule, *groups] if g.object_of or g is rule),
                }
            )
        return out


def _union(*lists: list[str]) -> list[str]:
    return list(dict.fromkeys(item for items in lists for item in items))


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
