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
