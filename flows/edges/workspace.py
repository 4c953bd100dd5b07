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

    def refuse_sample(self, *, allow: bool) -> None:
        """Refuse copy signed by the sample sender unless `allow` (one line naming sender.yaml)."""
        from messaging.composing.sender import refuse_sample_sender

        refuse_sample_sender(self.sender, allow=allow, path=self.sender_file)


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

    files = {name: copy_file(workspace, name, given.get(name)) for name in COPY_FILES}
    sender = load_sender(files["sender"])
    return CopySpecs(
        persona_rules=load_persona_rules(files["personas"]),
        messaging=load_messaging(files["messaging"]),
        sender=sender,
        templates=load_templates(files["templates"], sender=sender),
        sender_file=files["sender"],
    )
