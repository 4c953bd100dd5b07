"""The README's examples: workspace commands name files that exist from where it says to run them; the local
model server is started as the model tier starts it."""

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


def model_example() -> tuple[list[str], list[str], dict[str, str]]:
    """The README's worked example of a local model server: (the server's argv, `outbound`'s argv, the env)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"^```\w*\n(.*?)^```", text, re.S | re.M) if "llama_cpp.server" in b)
    # The model's path is a shell command (the GGUF file the installed package ships): one word here.
    block = re.sub(r'--model "\$\(.*?\)"', "--model MODEL", block.replace("\\\n", " "))
    words = shlex.split(block)
    cut = words.index("&")
    server, rest = words[:cut], words[cut + 1 :]
    env = dict(w.split("=", 1) for w in rest[: rest.index("outbound")])
    return server, rest[rest.index("outbound") :], env


def test_the_readme_starts_the_model_server_and_the_command_as_the_model_tier_does():
    from tests.model.conftest import llm_args
    from tests.model.llama_server import LlamaServer

    server, command, env = model_example()
    tier = LlamaServer(Path("MODEL"))
    assert server[0] == ".venv-model/bin/python" and server[1:3] == tier.args[1:3] == ["-m", "llama_cpp.server"]
    options, theirs = dict(zip(server[3::2], server[4::2])), dict(zip(tier.args[3::2], tier.args[4::2]))
    assert options.pop("--port") == env["OPENAI_BASE_URL"].split(":")[-1].removesuffix("/v1")
    theirs.pop("--port")
    assert options == theirs  # every other option the tier starts its server with, and no other
    assert " ".join(map(str, llm_args())) in " ".join(command) and command[1] == "draft"
