"""The sample's copy: telling it from the user's own, refusing to send it under their name, and a skeleton to replace it.

`outbound init` writes the sample workspace: a fictional sender (`sender.yaml`, `sample: true`) and
copy written for that sender's product (`messaging.yaml`, `sample: true`: its pain point blocks speak
of the sample's problem area). A user who writes their own `sender.yaml` and keeps the rest would
send the sample product's sentences under their name, so drafting refuses that pairing (one line
naming the file and what to write) unless allowed. `copy_scaffold` writes a `messaging.yaml` whose
pain point blocks are TODO lines for the keys the sender `solves`, followed by the product-neutral
growth signal, prior solution and generic blocks of the shipped file; a TODO line left in is caught
by the same refusal.
"""

from __future__ import annotations

import re
from pathlib import Path

from messaging.composing.copy_blocks import MessagingSpec
from messaging.composing.sender import Sender, default_spec_text, unknown_key_reason
from targeting.columns import PERSONAS
from targeting.errors import InputError
from targeting.facts.spec import FactsSpec

TODO = "TODO"
SAMPLE_COPY_FIX = (
    "the copy here was written for the sample's product ({product}), and your sender would sign it: write your own "
    "lines for the pain points in sender.yaml's `solves` (`outbound copy scaffold` writes a skeleton) and remove "
    "`sample: true`; or pass --allow-sample-copy"
)
TODO_FIX = "{count} line(s) are still TODO ({where}): write them, or pass --allow-sample-copy"
# The shipped file's product-neutral part starts here (growth signals, prior solutions, generic).
_NEUTRAL_START = re.compile(r"^growth_signals:", re.M)


def todo_lines(messaging: MessagingSpec) -> list[str]:
    """Where the spec still has a TODO line, as dotted paths (`pain_points.tool_sprawl.opener.champion`)."""
    found: list[str] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, str):
            if TODO in value:
                found.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for item in value:
                walk(item, where)

    walk(messaging.model_dump(exclude={"sample"}), "")
    return list(dict.fromkeys(found))


def refuse_sample_copy(
    sender: Sender, messaging: MessagingSpec, *, allow: bool, path: str | Path | None = None, sample_product: str = ""
) -> None:
    """Stop drafting with the user's own sender and copy still marked sample (or still TODO), unless `allow`.

    The sample sender with the sample's copy is the demo, and passes (`refuse_sample_sender` rules
    on the sender itself).

    Args:
        sender: who signs the drafts.
        messaging: the copy they would carry.
        allow: `--allow-sample-copy`.
        path: the messaging.yaml read (None: the shipped default), named in the message.
        sample_product: the sample sender's product, named in the message (default: read from the
            shipped sender.yaml).

    Raises:
        InputError: one line naming the file and what to write.
    """
    if allow or sender.sample:
        return
    where = path if path is not None else "messaging/defaults/messaging.yaml"
    if messaging.sample:
        product = sample_product or _sample_product()
        raise InputError(SAMPLE_COPY_FIX.format(product=product), path=where, line=_first_line(where, "sample:"))
    todo = todo_lines(messaging)
    if todo:
        shown = ", ".join(todo[:2]) + (f" and {len(todo) - 2} more" if len(todo) > 2 else "")
        raise InputError(TODO_FIX.format(count=len(todo), where=shown), path=where, line=_first_line(where, TODO))


def _sample_product() -> str:
    from messaging.composing.sender import load_sender

    return load_sender().product


def _first_line(path: str | Path, needle: str) -> int | None:
    """The 1-based line of a file's first non-comment line containing `needle` (None: not a readable file)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line.split("#", 1)[0]:
            return number
    return None


def check_solves(sender: Sender, facts: FactsSpec, *, path: str | Path | None = None) -> None:
    """Every key in the sender's `solves` must be a pain point `facts.yaml` defines.

    Raises:
        InputError: one line naming the file, the field, the key and the closest keys ("did you mean").
    """
    known = list(facts.pain_points)
    for key in sender.solves or ():
        if key not in known:
            raise InputError(unknown_key_reason(key, known, "facts.yaml's pain points"), path=path, field="solves")


def copy_scaffold(sender: Sender, messaging: MessagingSpec | None = None) -> str:
    """A `messaging.yaml` for the sender's own product: TODO pain blocks for `solves`, the neutral blocks as shipped.

    Args:
        sender: the user's sender; its `solves` names the pain points to write (none: every pain
            point of the shipped copy, so the user picks).
        messaging: the copy whose pain lines are shown as examples in comments (default: shipped).

    Returns:
        YAML text that loads as a MessagingSpec; every pain line reads `TODO: ...`, which
        `refuse_sample_copy` refuses until it is written.
    """
    from messaging.composing.copy_blocks import load_messaging

    example = messaging or load_messaging()
    keys = list(sender.solves) if sender.solves else list(example.pain_points)
    out = [
        f"# Copy for {sender.product}: one block per pain point in sender.yaml's `solves`.",
        "# Write each TODO line in your own words (drafting refuses a TODO left in). `opener` says the account",
        "# has the pain (it may quote {evidence}, the words of its description that show it); `problem` says",
        "# why the pain matters, in general terms (an account without any of your pains hears it too);",
        "# `topic` names the pain in subjects. The blocks after the pain points are product-neutral.",
        "pain_points:",
    ]
    for key in keys:
        shipped = example.pain_points.get(key)
        out += [f"  {key}:", f'    topic: "{TODO}: {key.replace("_", " ")}, as a subject line names it"']
        for block, what in (("opener", "the account has this pain"), ("problem", "why it matters, in general")):
            out.append(f"    {block}:")
            for persona in (*PERSONAS[:3], "default"):
                if shipped is not None:
                    lines = getattr(shipped, block).get(persona) or getattr(shipped, block).get("default") or []
                    if lines:
                        out.append(f"      # the sample's line: {lines[-1]}")
                reader = "any other persona" if persona == "default" else f"the {persona.replace('_', ' ')}"
                out.append(f'      {persona}: "{TODO}: one sentence to {reader}: {what}"')
    neutral = default_spec_text("messaging.yaml")
    start = _NEUTRAL_START.search(neutral)
    out.append(neutral[start.start() :] if start else "")
    return "\n".join(out).rstrip() + "\n"
