"""The workspace: `outbound init` writes it (the sample universe and every spec a user edits), and the
commands that write copy read its persona rules, copy blocks, sender and templates (`load_copy_specs`)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from messaging.composing.copy_blocks import MessagingSpec
    from messaging.composing.sender import Sender
    from messaging.composing.templates import TemplateSet
    from messaging.contacts.persona_rules import PersonaRules
    from targeting.facts import FactsSpec

SPEC_FILES = {
    "icp.yaml": ("targeting", "defaults/icp.yaml"),
    "facts.yaml": ("targeting", "defaults/facts.yaml"),
    "personas.yaml": ("messaging", "defaults/personas.yaml"),
    "messaging.yaml": ("messaging", "defaults/messaging.yaml"),
    "sender.yaml": ("messaging", "defaults/sender.yaml"),
}


def init_workspace(directory: Path, *, seed: int = 7, accounts: int = 20_000) -> dict[str, list[Path]]:
    """Write the sample universe, the default specs and templates into `directory`.

    Files that already exist are kept, never overwritten, so `init` is safe on a workspace a user
    has edited.

    Returns:
        {"written": [...], "kept": [...]} paths.
    """
    from messaging.composing.templates import default_templates_dir
    from targeting.sample.universe import generate_sample, write_sample  # the demo's data, not the path of real runs

    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    kept: list[Path] = []
    sample_names = ("accounts.csv", "contacts.csv", "customers.csv", "deals.csv")
    if all((directory / name).exists() for name in sample_names):
        kept += [directory / name for name in sample_names]
    else:
        written += list(write_sample(directory, generate_sample(seed=seed, n_accounts=accounts)).values())
    for name, (package, relative) in SPEC_FILES.items():
        target = directory / name
        if target.exists():
            kept.append(target)
            continue
        target.write_text(resources.files(package).joinpath(relative).read_text(encoding="utf-8"), encoding="utf-8")
        written.append(target)
    source = default_templates_dir()
    for template in sorted(Path(str(source)).rglob("*.txt.j2")):
        target = directory / "templates" / template.relative_to(Path(str(source)))
        if target.exists():
            kept.append(target)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        written.append(target)
    return {"written": written, "kept": kept}


# The workspace files that say how copy is written, by the option that overrides each.
COPY_FILES = {
    "personas": "personas.yaml",
    "messaging": "messaging.yaml",
    "sender": "sender.yaml",
    "templates": "templates",
}


@dataclass(frozen=True)
class CopySpecs:
    """What drafts are written with: persona rules, copy blocks, the sender and the templates."""

    persona_rules: PersonaRules
    messaging: MessagingSpec
    sender: Sender
    templates: TemplateSet
    sender_file: Path | None
    messaging_file: Path | None

    def refuse_sample(self, facts: FactsSpec, *, allow_sender: bool, allow_copy: bool, copy: bool = True) -> None:
        """Refuse what would ship another product's words, each in one line naming the file and what to write.

        The sample sender unless `allow_sender`; `solves` keys the facts vocabulary lacks ("did you
        mean"); with `copy`, the user's own sender signing copy still marked sample unless `allow_copy`.
        """
        from messaging.composing.sample_copy import check_solves, refuse_sample_copy
        from messaging.composing.sender import refuse_sample_sender

        refuse_sample_sender(self.sender, allow=allow_sender, path=self.sender_file)
        check_solves(self.sender, facts, path=self.sender_file or "sender.yaml")
        if copy:
            refuse_sample_copy(self.sender, self.messaging, allow=allow_copy, path=self.messaging_file)


def copy_file(workspace: Path, name: str, given: Path | None = None) -> Path | None:
    """`personas`, `messaging`, `sender` or `templates`: as given, else the workspace's, else None (shipped)."""
    if given is not None:
        return given
    found = workspace / COPY_FILES[name]
    return found if found.exists() else None


def load_copy_specs(workspace: Path, **given: Path | None) -> CopySpecs:
    """Load the persona rules, copy blocks, sender and templates (each dry-rendered against the sender), once.

    Args:
        workspace: the folder whose files stand in for the ones not `given`.
        given: `personas`, `messaging`, `sender`, `templates` paths from the command line.

    Raises:
        InputError: a spec does not validate or a template is broken.
    """
    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender
    from messaging.composing.templates import load_templates
    from messaging.contacts.classify import load_persona_rules
    from messaging.contacts.persona_rules import buying_rules

    files = {name: copy_file(workspace, name, given.get(name)) for name in COPY_FILES}
    sender = load_sender(files["sender"])
    persona_rules = load_persona_rules(files["personas"])
    # A buying function the rules do not assign stops here, naming sender.yaml, before any flow starts.
    buying_rules(persona_rules, sender.buying_functions or [], path=files["sender"] or "sender.yaml")
    return CopySpecs(
        persona_rules=persona_rules,
        messaging=load_messaging(files["messaging"]),
        sender=sender,
        templates=load_templates(files["templates"], sender=sender),
        sender_file=files["sender"],
        messaging_file=files["messaging"],
    )


def write_copy_scaffold(
    workspace: Path, *, sender: Path | None = None, out: Path | None = None, force: bool = False
) -> dict[str, object]:
    """Write `copy_scaffold` for the workspace's sender to `out` (default: the workspace's messaging.yaml).

    Returns:
        {"out", "solves", "todo", "replaced"}: the file, the pain points it has blocks for, the TODO
        lines to write, whether a file was replaced.

    Raises:
        InputError: the sender does not load, or `out` holds copy that is not the sample's and
            `force` is False.
    """
    from messaging.composing.copy_blocks import MessagingSpec, load_messaging
    from messaging.composing.sample_copy import copy_scaffold, todo_lines
    from messaging.composing.sender import load_sender
    from targeting.errors import InputError
    from targeting.spec_file import load_spec

    sender_file = sender or workspace / "sender.yaml"
    if not sender_file.exists():
        raise InputError("no sender.yaml: write yours first (outbound init writes the sample's)", path=sender_file)
    own = load_sender(sender_file)
    if own.sample:
        raise InputError(
            "sender.yaml is still the sample's (sample: true): write your own company, product and `solves` first",
            path=sender_file,
        )
    target = out or workspace / "messaging.yaml"
    replaced = target.exists()
    if replaced and not force and not load_messaging(target).sample:
        raise InputError("this messaging.yaml is not the sample's; pass --force to replace it, or --out", path=target)
    text = copy_scaffold(own)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    spec = load_spec(MessagingSpec, target, what="a messaging file")
    return {"out": str(target), "solves": list(spec.pain_points), "todo": len(todo_lines(spec)), "replaced": replaced}
