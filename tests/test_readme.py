"""The README's workspace examples name files that exist from where it says to run them."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from flows.edges.workspace import SPEC_FILES

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("--accounts", "--contacts", "--icp", "--map", "--targets", "--facts", "--personas")
SAMPLE = ("accounts.csv", "contacts.csv", "customers.csv", "deals.csv")


def workspace_commands() -> list[list[str]]:
    """The commands of the README block that starts with `outbound init`, comments dropped."""
    blocks = re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    block = next(b for b in blocks if "outbound init" in b)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_every_input_exists_or_an_earlier_line_writes_it():
    commands = workspace_commands()
    assert commands[0][:2] == [".", ".venv/bin/activate"]  # run from the repository's root
    here, written = ROOT, set()
    for argv in commands[1:]:
        if argv[0] == "cd":
            here = here / argv[1]
            continue
        assert argv[0] == "outbound", argv
        if argv[1] == "init":
            workspace = here / argv[2]
            written |= {workspace / name for name in (*SAMPLE, *SPEC_FILES)}
            continue
        options = dict(zip(argv[2::2], argv[3::2]))
        for option in INPUTS:
            if option not in options:
                continue
            path = (here / options[option]).resolve()
            if "shared" in path.parts and not path.parent.is_dir():
                continue  # the shared real data, outside this repository, is not beside this checkout
            made = any(path == w.resolve() or w.resolve() in path.parents for w in written)
            assert made or path.exists(), f"{' '.join(argv)}: {options[option]} does not exist from {here}"
        if "--out" in options:
            written.add(here / options["--out"])
