"""`outbound campaign report --llm` against a local server: a grounded reason kept, every other answer left to the rules."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from fake_openai import FakeOpenAI, Reply, reason_reply, reply_text

from campaigns.results.reading import FALLBACKS
from tests.flows.conftest import invoke, new_workspace

# Each reply, the rules' reason, and what the stand-in model answers about it.
REPLIES = {
    "Honestly the timing is awkward for us this spring.": ("other", ("bad_timing", "the timing is awkward")),
    "Kein Interesse, danke.": ("not_interested", ("already_use", "we use Gong already")),
    "Not for us, sorry.": ("not_interested", ("budget_freeze", "Not for us")),
    "Please talk to our head of sales.": ("wrong_person", ("unsubscribe", "Please talk to")),
}


def stand_in(request: dict, api: str) -> Reply:
    """The answer REPLIES gives for the reply in the request."""
    reason, quote = REPLIES[reply_text(request)][1]
    return reason_reply(reason, quote)


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> tuple[Path, str]:
    """A store with one planned campaign of 40 whose first four contacts replied with REPLIES."""
    ws = tmp_path_factory.mktemp("reasons-ws")
    new_workspace(ws, accounts=1200)
    store = ws / "s.duckdb"
    planned = invoke(
        "campaign", "plan", "--icp", ws / "icp.yaml", "--accounts", ws / "accounts.csv",
        "--contacts", ws / "contacts.csv", "--workspace", ws, "--out", ws / "c1", "--store", store,
        "--size", "40", "--json", "--no-prefect", "--allow-sample-sender",
    )  # fmt: skip
    assert planned.exit_code == 0, planned.output
    campaign_id = json.loads(planned.stdout)["campaign_id"]
    emails = pl.read_csv(ws / "c1" / "campaign.csv", infer_schema=False)["email"].unique(maintain_order=True)
    texts = [*REPLIES, *[None] * (len(emails) - len(REPLIES))]
    pl.DataFrame(
        {
            "email": emails,
            "outcome": ["replied" if t else "no_reply" for t in texts],
            "reply text": texts,
        }
    ).write_csv(ws / "r.csv")
    ingested = invoke("campaign", "ingest", "--campaign", campaign_id, "--store", store, ws / "r.csv", "--no-prefect")
    assert ingested.exit_code == 0, ingested.output
    return store, campaign_id


def _report(store: Path, campaign_id: str, out: Path, *extra: str):
    args = ["campaign", "report", "--campaign", campaign_id, "--store", store, "--out", out, "--json", *extra]
    return invoke(*args)


@pytest.fixture
def server(monkeypatch):
    with FakeOpenAI(responder=stand_in) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        yield fake


def _said(report: dict) -> dict[str, int]:
    return {k: v for k, v in report["reasons"].items() if v}


def test_a_grounded_reason_is_kept_and_every_other_answer_falls_back_by_why(campaign, server, tmp_path):
    store, campaign_id = campaign
    rules = json.loads(_report(store, campaign_id, tmp_path / "rules").stdout)
    expected_rules: dict[str, int] = {}
    for reason, _ in REPLIES.values():
        expected_rules[reason] = expected_rules.get(reason, 0) + 1
    assert _said(rules) == expected_rules and "llm" not in rules
    result = _report(store, campaign_id, tmp_path / "llm", "--llm")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    # The one answer with a fixed reason and a verbatim quote changes its reply's reason; the rest stand.
    assert _said(report) == {"bad_timing": 1, "not_interested": 2, "wrong_person": 1}
    llm = report["llm"]
    assert llm["replies_with_text"] == len(REPLIES) == server.calls == llm["calls"]
    assert llm["kept"] == 1 and llm["fallback_to_rules"] == len(REPLIES) - 1
    assert llm["fallback_reasons"] == {"unknown_reason": 1, "unquoted": 1, "unsubscribe": 1}
    assert set(llm["fallback_reasons"]) <= set(FALLBACKS)
    assert f"1 of {len(REPLIES)} replies' reasons kept" in report["notes"][-1]
    assert json.loads((tmp_path / "llm" / "report.json").read_text())["reasons"] == report["reasons"]
    # The store is the model cache: a rerun asks nothing and reads the same.
    again = json.loads(_report(store, campaign_id, tmp_path / "again", "--llm").stdout)
    assert again["llm"]["calls"] == 0 and again["llm"]["cache_hits"] == len(REPLIES) == server.calls
    assert again["reasons"] == report["reasons"]


def test_replies_the_model_cannot_read_keep_the_rules_reasons(campaign, monkeypatch, tmp_path):
    store, campaign_id = campaign
    rules = json.loads(_report(store, campaign_id, tmp_path / "rules").stdout)
    with FakeOpenAI(responder=stand_in) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test")
        # A model name the cache has not seen, so every call reaches the server, and every one fails
        # (retry-after-ms keeps the client's retries from sleeping their backoff).
        fake.models = ("other-model",)
        fake.script.extend([Reply(status=500, headers={"retry-after-ms": "1"})] * 50)
        result = _report(store, campaign_id, tmp_path / "llm", "--llm", "--model", "other-model")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["reasons"] == rules["reasons"] and report["llm"]["kept"] == 0
    assert report["llm"]["fallback_to_rules"] == len(REPLIES)
    assert all(why.startswith("api error") for why in report["llm"]["fallback_reasons"])


def test_llm_optional_without_a_key_sorts_by_the_rules(campaign, monkeypatch, tmp_path):
    store, campaign_id = campaign
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    rules = json.loads(_report(store, campaign_id, tmp_path / "rules").stdout)
    result = _report(store, campaign_id, tmp_path / "opt", "--llm-optional")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "needs OPENAI_API_KEY" in report["llm_unavailable"] and report["reasons"] == rules["reasons"]
    refused = _report(store, campaign_id, tmp_path / "llm", "--llm")
    assert refused.exit_code == 2 and "needs OPENAI_API_KEY" in refused.output
