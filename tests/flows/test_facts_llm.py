"""`outbound facts --llm` against a local server: quoted facts kept, the rest counted, rules where the model fails."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from fake_openai import FakeOpenAI, Reply, stand_in_reader
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()
LABELLED = Path(__file__).parents[1] / "data" / "yc_facts_labelled.csv"


def _facts(out: Path, store: Path, *extra: str, llm: bool = True):
    args = ["facts", "--accounts", LABELLED, "--preset", "yc", "--out", out, "--store", store, "--no-prefect"]
    return runner.invoke(app, [str(a) for a in [*args, *(["--llm"] if llm else []), "--json", *extra]])


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
    server.script.extend([Reply(status=500)] * 200)
    result = _facts(tmp_path / "facts.csv", tmp_path / "s.duckdb", "--concurrency", "2")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["llm"]["fallback_to_rules"] == summary["llm"]["accounts_with_text"] > 0
    assert "api error" in next(iter(summary["llm"]["fallback_reasons"]))
    assert pl.read_csv(tmp_path / "facts.csv").equals(pl.read_csv(tmp_path / "rules.csv"))
