"""Shared by the flows tests: the CLI run in-process (`invoke`), a new workspace (`new_workspace`), the
user's own sender (`own_sender`), and the `loads` fixture (every call of the spec loaders, recorded)."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from flows.cli import app
from messaging.composing.copy_blocks import load_messaging
from messaging.composing.sender import load_sender
from messaging.composing.templates import check_templates, load_templates
from messaging.contacts.persona_rules import load_persona_rules
from targeting.icp.spec import load_icp
from targeting.importing.presets import load_column_map
from targeting.importing.suppression import read_suppression

# check_templates is the dry render: each call renders every template once.
COUNTED = (
    load_icp,
    load_column_map,
    load_persona_rules,
    load_messaging,
    load_sender,
    load_templates,
    read_suppression,
    check_templates,
)
PACKAGES = ("flows", "targeting", "messaging", "campaigns")


class Loads(defaultdict):
    """Function name -> [(first argument, whether the call ran inside a flow run)], in call order."""

    def __init__(self) -> None:
        super().__init__(list)

    def paths(self, name: str) -> list[object]:
        """The first arguments (the spec paths) of `name`'s calls."""
        return [arg for arg, _ in self[name]]

    def outside_then_inside(self, name: str, path: object = None) -> bool:
        """One call before the flow run (the command's validation), then one inside it, of the same spec."""
        calls = [(arg, in_flow) for arg, in_flow in self[name] if path is None or arg == path]
        return [in_flow for _, in_flow in calls] == [False, True] and calls[0][0] == calls[1][0]


def own_sender(workspace) -> None:
    """Make an `init` workspace's sender and copy the user's: what a user does before drafting for real.

    The copy is adopted as it is (its `sample: true` removed), as a user who has written their own
    lines over it would; drafting refuses the sample's copy under the user's sender otherwise.
    """
    for name in ("sender.yaml", "messaging.yaml"):
        path = workspace / name
        path.write_text(path.read_text(encoding="utf-8").replace("sample: true\n", ""), encoding="utf-8")


@pytest.fixture
def loads(monkeypatch) -> Loads:
    """Record each call of the loaders and the dry render (see `Loads`).

    Each function is replaced wherever a module bound it (its own module and every `from ... import`).
    """
    from prefect.context import FlowRunContext

    # Import every module first: one first imported while the wrappers are in place would keep one.
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if not info.name.endswith("__main__"):  # `python -m flows.cli` runs the command line
                importlib.import_module(info.name)
    seen = Loads()
    for fn in COUNTED:

        def counted(*args, _fn=fn, **kwargs):
            seen[_fn.__name__].append((args[0] if args else None, FlowRunContext.get() is not None))
            return _fn(*args, **kwargs)

        for name, module in list(sys.modules.items()):
            if name.split(".")[0] in PACKAGES and vars(module).get(fn.__name__) is fn:
                monkeypatch.setattr(module, fn.__name__, counted)
    return seen


RUNNER = CliRunner()


def invoke(*args: object) -> Result:
    """Run `outbound ARGS` in-process (each argument as `str`); the result, whatever its exit code."""
    return RUNNER.invoke(app, [str(a) for a in args])


def invoke_ok(*args: object) -> Result:
    """Run `outbound ARGS` in-process and require exit code 0."""
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result


def invoke_json(*args: object) -> dict:
    """Run `outbound ARGS --json` in-process and return the summary it printed."""
    return json.loads(invoke_ok(*args, "--json").stdout)


def new_workspace(directory: Path, *, accounts: int, own: bool = False) -> Path:
    """`outbound init` into `directory` with a sample universe of `accounts`; with `own`, the user's sender."""
    from flows.edges.workspace import init_workspace

    init_workspace(directory, accounts=accounts)
    if own:
        own_sender(directory)
    return directory


def artifact_keys() -> set[str]:
    """The keys of every artifact the session's Prefect backend holds."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return {artifact.key for artifact in client.read_artifacts() if artifact.key}
