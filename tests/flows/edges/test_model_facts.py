"""`outbound facts --llm` against a local server: quoted facts kept, the rest counted, rules where the model fails."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from fake_openai import FakeOpenAI, Reply, stand_in_reader

from flows.cli import app
from tests.flows.conftest import RUNNER

LABELLED = Path(__file__).parents[2] / "data" / "yc_facts_labelled.csv"


def _facts(out: Path, store: Path, *extra: str, llm: bool = True):
    args = ["facts", "--accounts", LABELLED, "--preset", "yc", "--out", out, "--store", store, "--no-prefect"]
    return RUNNER.invoke(app, [str(a) for a in [*args, *(["--llm"] if llm else []), "--json", *extra]])


@pytest.fixture
def server(monkeypatch):
    with FakeOpenAI(responder=stand_in_reader) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        yield fake


def test_facts_llm_keeps_quoted_facts_counts_the_rest_and_reruns_from_the_cache(server, tmp_path):
    store = tmp_path / "store.duckdb"
    result = _facts(tmp_path / "facts.csv", store)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    accounts = summary["accounts"]
    facts = pl.read_csv(tmp_path / "facts.csv")
    model = facts.filter(pl.col("source") == "description (model)")
    # The stand-in quotes one fact verbatim, paraphrases one and invents a key, per account.
    assert model.height == accounts and set(model["key"]) == {"raised_funding"}
    assert summary["llm"]["dropped_unquoted"] == accounts == summary["llm"]["dropped_unknown_key"]
    assert summary["llm"]["calls"] == server.calls == accounts
    # What the rules read from description gives way to the model's; list-column facts stay.
    assert facts.filter(pl.col("source") == "description").is_empty()
    again = _facts(tmp_path / "again.csv", store)
    assert json.loads(again.stdout)["llm"]["calls"] == 0 and server.calls == accounts
    assert pl.read_csv(tmp_path / "again.csv").equals(facts)


def test_accounts_the_model_cannot_read_keep_the_rules_facts(server, tmp_path):
    rules = _facts(tmp_path / "rules.csv", tmp_path / "s0.duckdb", llm=False)
    assert rules.exit_code == 0, rules.output
    # Every attempt fails (the client's retries included); retry-after-ms keeps each retry's wait at 1 ms
    # instead of the client's backoff of up to 8 s, which made this test sleep 80 s and cost nothing more.
    server.script.extend([Reply(status=500, headers={"retry-after-ms": "1"})] * 200)
    result = _facts(tmp_path / "facts.csv", tmp_path / "s.duckdb", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["llm"]["fallback_to_rules"] == summary["llm"]["accounts_with_text"] > 0
    assert "api error" in next(iter(summary["llm"]["fallback_reasons"]))
    assert pl.read_csv(tmp_path / "facts.csv").equals(pl.read_csv(tmp_path / "rules.csv"))


def test_facts_llm_under_prefect_reads_as_in_process(prefect_harness, server, tmp_path):
    local = _facts(tmp_path / "local.csv", tmp_path / "s1.duckdb")
    assert local.exit_code == 0, local.output
    calls = server.calls
    flow = _facts(tmp_path / "flow.csv", tmp_path / "s2.duckdb", "--prefect")
    assert flow.exit_code == 0, flow.output
    assert json.loads(flow.stdout)["llm"] == json.loads(local.stdout)["llm"]
    assert server.calls == 2 * calls  # a fresh store: the flow run asked the model itself
    assert pl.read_csv(tmp_path / "flow.csv").equals(pl.read_csv(tmp_path / "local.csv"))


def test_facts_llm_optional_without_a_key_reads_by_the_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    assert _facts(tmp_path / "rules.csv", tmp_path / "s0.duckdb", llm=False).exit_code == 0
    result = _facts(tmp_path / "facts.csv", tmp_path / "s.duckdb", "--llm-optional", llm=False)
    assert result.exit_code == 0, result.output
    assert "--llm-optional: " in result.stderr and "needs OPENAI_API_KEY" in result.stderr
    assert "needs OPENAI_API_KEY" in json.loads(result.stdout)["llm_unavailable"]
    assert pl.read_csv(tmp_path / "facts.csv").equals(pl.read_csv(tmp_path / "rules.csv"))


def test_facts_llm_on_a_server_that_refuses_schemas_reads_with_a_json_object_and_says_so(monkeypatch, tmp_path):
    refusal = (500, "1 validation error: response_format.type Input should be 'text' or 'json_object'")
    forms = ("json_object_schema", "json_object", "prompt")
    with FakeOpenAI(responder=stand_in_reader, forms=forms, refusal=refusal) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        result = _facts(tmp_path / "facts.csv", tmp_path / "s.duckdb", "--concurrency", "4")
        posts = fake.calls
    assert result.exit_code == 0, result.output
    llm = json.loads(result.stdout)["llm"]
    assert llm["fallback_to_rules"] == 0 and llm["accounts_read"] == llm["accounts_with_text"] > 0
    assert llm["structured_output"] == "json_object_schema" and list(llm["server_refused"]) == ["json_schema"]
    assert llm["calls"] == posts == llm["accounts_read"] + 1  # the one refusal, counted, not retried
