"""Who is writing: the sender spec (`sender.yaml`) and the YAML-to-pydantic loading it shares.

The proof points here are the only claims a draft may make about the sender, so the file is
validated strictly: a missing or unknown field stops the command with the file, line and field.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from targeting.columns import PERSONAS
from targeting.errors import InputError

Spec = TypeVar("Spec", bound=BaseModel)


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
        return load_yaml_spec(Sender, "messaging/defaults/sender.yaml", default_spec_text("sender.yaml"))
    return load_yaml_spec(Sender, path, read_spec_file(path))


def read_spec_file(path: Path | str) -> str:
    """Read a spec file, turning a missing file into an InputError that names it."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", path=path) from None


def load_yaml_spec(model: type[Spec], path: Path | str, text: str) -> Spec:
    """Parse YAML text into a pydantic model, reporting errors by file, line, field and value.

    Args:
        model: The pydantic model to validate against.
        path: The file the text came from (for messages only).
        text: The YAML text.

    Returns:
        The validated model.

    Raises:
        InputError: The text is not a YAML mapping or does not validate.
    """
    try:
        document = YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"not valid YAML ({getattr(exc, 'problem', None) or exc})", path=path, line=line) from None
    if not isinstance(document, dict):
        raise InputError("expected a YAML mapping at the top level", path=path, value=type(document).__name__)
    try:
        return model.model_validate(_plain(document))
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = [str(part) for part in error["loc"] if part != "[key]"]
        field = ".".join(loc)
        line = yaml_line(document, loc)
        if "[key]" in error["loc"]:
            reason = f"unknown key; {error['msg'].replace('Input should be', 'expected')}"
            raise InputError(reason, path=path, line=line, field=field, value=loc[-1]) from None
        if error["type"] == "missing":
            raise InputError("missing required field", path=path, line=line, field=field) from None
        if error["type"] == "extra_forbidden":
            raise InputError("unknown field", path=path, line=line, field=field, value=loc[-1]) from None
        reason = error["msg"].removeprefix("Value error, ")
        raise InputError(reason, path=path, line=line, field=field, value=error.get("input"), has_value=True) from None


def yaml_line(document: Any, loc: list[str]) -> int | None:
    """The 1-based line of the deepest key of `loc` found in a round-trip YAML document."""
    line = None
    node = document
    for key in loc:
        if isinstance(node, dict) and key in node:
            line = node.lc.key(key)[0] + 1 if hasattr(node, "lc") else line
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            line = node.lc.item(int(key))[0] + 1 if hasattr(node, "lc") else line
            node = node[int(key)]
        else:
            break
    return line


def _plain(node: Any) -> Any:
    # ruamel's commented containers and scalar strings validate oddly in pydantic strict spots.
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node
