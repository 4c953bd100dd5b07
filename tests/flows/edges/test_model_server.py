"""`outbound draft --llm` end to end against a local server, and each bad input as one line before any drafting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from fake_openai import FakeOpenAI

from campaigns.store import Store
from flows.cli import app
from tests.flows.conftest import RUNNER, new_workspace, own_sender


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("workspace")
    new_workspace(directory, accounts=300)
    own_sender(directory)
    out = directory / "targets"
    result = RUNNER.invoke(
        app,
        ["target", "--accounts", str(directory / "accounts.csv"), "--icp", str(directory / "icp.yaml")]
        + ["--out", str(out), "--no-prefect"],
    )
    assert result.exit_code == 0, result.output
    return directory


def _draft(workspace: Path, out: Path, store: Path, *extra: str, prefect: str = "--no-prefect"):
    args = ["draft", "--targets", workspace / "targets" / "targets.parquet", "--contacts", workspace / "contacts.csv"]
    args += ["--workspace", workspace, "--out", out, "--store", store, "--llm", prefect, "--json", *extra]
    return RUNNER.invoke(app, [str(a) for a in args])


@pytest.fixture
def server(monkeypatch):
    with FakeOpenAI(models=("gpt-4o-mini", "qwen2.5-7b-instruct")) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        yield fake


def test_draft_llm_writes_model_drafts_and_a_second_run_makes_no_call(server, workspace, tmp_path):
    store = tmp_path / "store.duckdb"
    first = _draft(workspace, tmp_path / "d1", store, "--concurrency", "4")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    drafts = pl.read_parquet(tmp_path / "d1" / "drafts.parquet")
    calls = server.calls
    assert set(drafts["source"]) == {"model"} and summary["llm"]["model_drafts"] == drafts.height
    assert summary["llm"]["calls"] == calls == drafts.height
    assert summary["llm"]["tokens_in"] > 0 and summary["llm"]["cost_usd"] > 0
    with Store(store).reading() as con:
        assert con.execute("SELECT count(*) FROM model_cache").fetchone()[0] == calls
    second = _draft(workspace, tmp_path / "d2", store)
    assert second.exit_code == 0, second.output
    again = json.loads(second.stdout)["llm"]
    assert server.calls == calls  # nothing asked twice
    assert again["cache_hits"] == drafts.height and again["calls"] == 0 and again["cost_usd"] == 0
    assert pl.read_parquet(tmp_path / "d2" / "drafts.parquet")["body"].equals(drafts["body"])
    # Every cached call names whom it was about, so forgetting a person removes theirs.
    email = drafts["email"][0]
    removed = Store(store).forget(email)
    assert removed["model_cache"] == drafts.filter(pl.col("email") == email).height > 0


def test_draft_llm_under_prefect_publishes_tokens_and_cost_in_the_samples(prefect_harness, server, workspace, tmp_path):
    result = _draft(workspace, tmp_path / "d", tmp_path / "store.duckdb", prefect="--prefect")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["llm"]["model_drafts"] > 0
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts()
    samples = [a for a in artifacts if a.key == "draft-samples"]
    assert any("tokens in" in (a.data or "") and "Model `gpt-4o-mini`" in (a.data or "") for a in samples)


@contextmanager
def _server_as(setup: str, monkeypatch) -> Iterator[FakeOpenAI]:
    """A local server as `setup` says: ok, chat_only, dead_url (nothing listens) or no_key."""
    with FakeOpenAI(apis=("chat",) if setup == "chat_only" else ("chat", "responses")) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1" if setup == "dead_url" else fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        if setup == "no_key":
            monkeypatch.delenv("OPENAI_API_KEY")
        yield fake


@pytest.mark.parametrize(
    ("setup", "extra", "expected"),
    [
        ("no_key", [], "needs OPENAI_API_KEY"),
        ("dead_url", [], "does not answer"),
        ("ok", ["--model", "llama-9"], "does not serve model 'llama-9'"),
        ("ok", ["--model", "qwen2.5-7b-instruct", "--max-cost", "5"], "--max-cost needs a price"),
        ("chat_only", ["--api", "responses"], "does not speak the responses API"),
        ("ok", ["--api", "soap"], "--api must be chat or responses"),
    ],
)
def test_bad_llm_input_is_one_line_before_any_drafting(monkeypatch, workspace, tmp_path, setup, extra, expected):
    with _server_as(setup, monkeypatch) as fake:
        result = _draft(workspace, tmp_path / "out", tmp_path / "store.duckdb", *extra)
        calls = fake.calls
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    assert calls == 0  # the API probe is an empty body (400 or 404): no draft was asked for


@pytest.mark.parametrize(
    ("setup", "extra", "expected"),
    [
        ("no_key", [], "needs OPENAI_API_KEY"),
        ("dead_url", [], "does not answer"),
        ("ok", ["--model", "llama-9"], "does not serve model 'llama-9'"),
        ("chat_only", ["--api", "responses"], "does not speak the responses API"),
    ],
)
def test_llm_optional_says_why_and_drafts_from_the_templates(monkeypatch, workspace, tmp_path, setup, extra, expected):
    with _server_as(setup, monkeypatch) as fake:
        result = _draft(workspace, tmp_path / "out", tmp_path / "store.duckdb", "--llm-optional", *extra)
        calls = fake.calls
    assert result.exit_code == 0, result.output
    assert "--llm-optional: " in result.stderr and expected in result.stderr
    summary = json.loads(result.stdout)
    assert expected in summary["llm_unavailable"] and "llm" not in summary
    drafts = pl.read_parquet(tmp_path / "out" / "drafts.parquet")
    assert drafts.height > 0 and set(drafts["source"]) == {"template"}
    assert calls == 0


def test_llm_optional_still_refuses_what_the_user_must_fix(server, workspace, tmp_path):
    result = _draft(
        workspace,
        tmp_path / "out",
        tmp_path / "store.duckdb",
        "--llm-optional",
        "--model",
        "qwen2.5-7b-instruct",
        "--max-cost",
        "5",
    )
    assert result.exit_code == 2 and "--max-cost needs a price" in result.output
    assert not (tmp_path / "out").exists()


def test_a_call_slower_than_timeout_is_a_stated_fallback_and_a_longer_timeout_waits_for_it(
    server, workspace, tmp_path, monkeypatch
):
    # A slow local server (a small model on a loaded machine): each completion takes 2 s.
    one = tmp_path / "one.csv"
    contacts = pl.read_csv(workspace / "contacts.csv", infer_schema=False)
    drafted = _draft(workspace, tmp_path / "templates", tmp_path / "t.duckdb", "--steps", "1")  # --llm, fast server
    assert drafted.exit_code == 0, drafted.output
    first = pl.read_parquet(tmp_path / "templates" / "drafts.parquet")["email"][0]
    contacts.filter(pl.col("email") == first).write_csv(one)  # one contact that is drafted
    with FakeOpenAI(latency=2.0) as slow:
        monkeypatch.setenv("OPENAI_BASE_URL", slow.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")

        def draft(out: str, *extra: str) -> tuple[dict, pl.DataFrame]:
            args = ["draft", "--targets", workspace / "targets" / "targets.parquet", "--contacts", one, "--steps", 1]
            args += ["--workspace", workspace, "--out", tmp_path / out, "--store", tmp_path / f"{out}.duckdb"]
            result = RUNNER.invoke(app, [str(a) for a in (*args, "--llm", "--no-prefect", "--json", *extra)])
            assert result.exit_code == 0, result.output
            return json.loads(result.stdout)["llm"], pl.read_parquet(tmp_path / out / "drafts.parquet")

        llm, drafts = draft("short", "--timeout", "1")
        assert drafts["source"].to_list() == ["template"] and llm["fallback_reasons"] == {"api error": 1}
        assert "timed out" in drafts["fallback_reason"][0].lower()
        assert llm["calls"] > 1  # the client asked again before giving up
        monkeypatch.setenv("OUTBOUND_LLM_TIMEOUT", "120")  # the option's environment variable
        llm, drafts = draft("long")
        assert drafts["source"].to_list() == ["model"] and llm["calls"] == 1
