"""`outbound init`: a workspace with the sample universe and every spec a user edits."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from targeting.sample.universe import generate_sample, write_sample

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
