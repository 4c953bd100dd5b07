"""The `model` tier: the real commands, through the real openai client, against llama.cpp's server serving
SmolLM2-135M-Instruct (`make test-model`; not part of `make test`).

One server for the session (`llama`); YC targets and one person each for 20 of them (`yc`). Every
test here is marked `model`, which `make test` leaves out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.model.llama_server import ALIAS, LlamaServer, ModelServerError, call_budget, model_file
from tests.model.yc_inputs import YC_SLICE, invoke_json, yc_people, yc_targets

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def llama() -> LlamaServer:
    """llama.cpp's server on a free port of 127.0.0.1, for the session."""
    try:
        server = LlamaServer(model_file())
        server.__enter__()
    except ModelServerError as exc:
        pytest.exit(str(exc), returncode=2)  # one line: what is missing and how to get it
    print(f"\nllama.cpp server ready in {server.ready_after:.1f} s at {server.url} ({server.model.name})")
    yield server
    server.stop()


@pytest.fixture
def served(llama, monkeypatch) -> LlamaServer:
    """The session's server as the openai client's environment names it."""
    monkeypatch.setenv("OPENAI_BASE_URL", llama.url)
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    monkeypatch.setenv("OUTBOUND_LLM_TIMEOUT", f"{call_budget():.0f}")  # `--timeout`, as loaded as the machine is
    return llama


@dataclass(frozen=True)
class Yc:
    """A workspace, YC targets, one person each for 20 of them, and their template drafts."""

    root: Path
    workspace: Path
    targets: Path
    people: Path
    templates: Path  # drafts.parquet of the same run without a model


@pytest.fixture(scope="session")
def yc(tmp_path_factory) -> Yc:
    from tests.flows.conftest import new_workspace

    root = tmp_path_factory.mktemp("yc")
    workspace = new_workspace(root / "ws", accounts=10, own=True)
    targets = yc_targets(root, YC_SLICE)
    people = yc_people(targets, root / "people.csv", 20)
    invoke_json(*draft_args(targets, people, workspace, root / "templates", root / "t.duckdb"))
    return Yc(root, workspace, targets, people, root / "templates" / "drafts.parquet")


def draft_args(targets: Path, people: Path, workspace: Path, out: Path, store: Path, *extra: object) -> list[object]:
    """`outbound draft`'s arguments for one step per person."""
    return [
        "draft", "--targets", targets, "--contacts", people, "--workspace", workspace, "--steps", 1,
        "--out", out, "--store", store, "--no-prefect", *extra,
    ]  # fmt: skip


def llm_args(*extra: object) -> list[object]:
    """The options of a run against the tier's server (the model as the server names it)."""
    return ["--llm", "--model", ALIAS, "--concurrency", 1, *extra]


def say(title: str, what: dict) -> None:
    """Print a figure of the tier (shown with `pytest -s`, and in the log `make test-model` keeps)."""
    print(f"\n[model tier] {title}: {json.dumps(what, sort_keys=True)}")
