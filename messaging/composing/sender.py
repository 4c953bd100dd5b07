"""Who is writing: the sender spec (`sender.yaml`), and the text of the specs shipped as defaults.

The proof points here are the only claims a draft may make about the sender, so the file is
validated strictly: a missing or unknown field stops the command with the file, line and field.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from targeting.columns import PERSONAS
from targeting.errors import InputError
from targeting.spec_file import load_spec
from targeting.vocabulary import PAIN_POINTS

SAMPLE_SENDER_FIX = (
    "the sample sender ({who}) would sign these drafts: in sender.yaml set your company, name (signature) "
    "and postal address, and remove `sample: true`; or pass --allow-sample-sender"
)


def _known_pain(key: str) -> str:
    if key not in PAIN_POINTS:
        raise ValueError(f"unknown pain point key: {unknown_key_reason(key, PAIN_POINTS, 'the pain point keys')}")
    return key


def unknown_key_reason(key: str, known: Sequence[str], where: str) -> str:
    """`'word' is not one of <where>; did you mean 'x'?` (the closest keys), or the list where none is close."""
    close = difflib.get_close_matches(key, known, n=2, cutoff=0.5)
    # A word of the key found in a known key ("compliance" -> compliance_burden) counts as close too.
    close += [k for k in known if k not in close and set(key.split("_")) & set(k.split("_"))][: 2 - len(close)]
    if close:
        return f"{key!r} is not one of {where}; did you mean {' or '.join(repr(k) for k in close)}?"
    return f"{key!r} is not one of {where}; did you mean one of {', '.join(known)}?"


PainKey = Annotated[str, AfterValidator(_known_pain)]


class Sender(BaseModel):
    """The sender of a campaign, as `sender.yaml` describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    company: str = Field(min_length=1)
    product: str = Field(min_length=1)
    value_proposition: dict[str, str]
    proof_points: list[str] = Field(min_length=1)
    call_to_action: str = Field(min_length=1)
    signature: str = Field(min_length=1)
    postal_address: str = Field(min_length=1)
    opt_out_line: str = Field(min_length=1)
    link: str | None = None
    # The pain point keys the product addresses; where given, only these become openers.
    solves: list[PainKey] | None = None
    # The job functions (personas.yaml's `functions`: legal, finance, security, ...) whose people buy
    # this product: their executives are economic buyers and their managers champions, wherever the
    # shipped rules would put them (a compliance product's Chief Compliance Officer is its buyer, not
    # procurement). None: the persona rules as they are.
    buying_functions: list[str] | None = None
    # True on the fictional sender `init` writes: nothing signed by it is written outside the demo.
    sample: bool = False

    @field_validator("company", "product", "call_to_action", "signature", "postal_address", "opt_out_line")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        # A line of spaces is no opt-out line: the gate would then hold back every draft.
        if not text.strip():
            raise ValueError("must not be blank")
        return text

    @field_validator("value_proposition")
    @classmethod
    def _covers_every_persona(cls, lines: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(lines) - set(PERSONAS) - {"default"})
        if unknown:
            raise ValueError(f"unknown persona {unknown[0]!r}; expected one of {', '.join(PERSONAS)} or default")
        missing = [p for p in PERSONAS if p not in lines and "default" not in lines]
        if missing:
            raise ValueError(f"no line for persona {missing[0]!r} and no default")
        return lines

    def value_proposition_for(self, persona: str) -> str:
        """The value proposition line a persona hears (its own, else the default)."""
        return self.value_proposition.get(persona) or self.value_proposition["default"]

    @property
    def name(self) -> str:
        """The person who signs: the signature's first line."""
        return next((line.strip() for line in self.signature.splitlines() if line.strip()), self.company)

    def summary(self) -> dict[str, object]:
        """Whose name is on the drafts, as every summary reports it."""
        return {"name": self.name, "company": self.company, "sample": self.sample}


def refuse_sample_sender(sender: Sender, *, allow: bool, path: Path | None = None) -> None:
    """Stop a command that would write drafts signed by the sample sender, unless `allow`.

    Raises:
        InputError: the sender is marked `sample: true` and `allow` is False.
    """
    if sender.sample and not allow:
        where = path if path is not None else "messaging/defaults/sender.yaml"
        raise InputError(SAMPLE_SENDER_FIX.format(who=f"{sender.name}, {sender.company}"), path=where)


def default_spec_text(name: str) -> str:
    """The text of a spec shipped in `messaging/defaults/` (sender.yaml, messaging.yaml)."""
    return (resources.files("messaging") / "defaults" / name).read_text(encoding="utf-8")


def load_sender(path: Path | None = None) -> Sender:
    """Load and validate `sender.yaml`.

    Args:
        path: A workspace sender.yaml; None loads the shipped fictional sender.

    Returns:
        The validated Sender.

    Raises:
        InputError: The file is missing, is not YAML, lacks a field or has an unknown one.
    """
    if path is None:
        text = default_spec_text("sender.yaml")
        return load_spec(Sender, "messaging/defaults/sender.yaml", text=text, what="a sender file")
    return load_spec(Sender, path, what="a sender file")
