"""Through the CLI: the sample's copy is refused under the user's own sender, `copy scaffold`, and the batch summary."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from flows.cli import app
from messaging.checks.batch import CLAIM_KINDS
from tests.flows.commands.test_draft import draft_args, plan_args
from tests.flows.conftest import RUNNER, new_workspace


def invoke(*args: object):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


# The founder's own sender, for a product that is not the sample's (the journey's).
STACKPILOT = """company: Stackpilot
product: Stackpilot CI
value_proposition:
  default: Stackpilot CI runs your existing workflow files on faster runners with cached layers.
proof_points:
  - Teams usually see their first faster build on the day they switch.
call_to_action: Would a short call next week be useful?
signature: |-
  Ada Quinn
  Founder, Stackpilot
postal_address: "Stackpilot Inc., 500 Howard Street, San Francisco, CA 94105, USA"
opt_out_line: If this isn't relevant, reply "no" and I won't write again.
solves: [tool_sprawl, scaling_support]
"""


@pytest.fixture(scope="module")
def own_ws(tmp_path_factory) -> Path:
    """An `init` workspace with the user's own sender (Stackpilot) and the copy `init` wrote, still the sample's."""
    directory = tmp_path_factory.mktemp("own-ws")
    new_workspace(directory, accounts=600)
    (directory / "sender.yaml").write_text(STACKPILOT, encoding="utf-8")
    result = invoke(
        "target",
        "--accounts",
        directory / "accounts.csv",
        "--icp",
        directory / "icp.yaml",
        "--out",
        directory / "out",
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    return directory


def _one_line(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().count("\n") == 0, result.stderr
    for word in words:
        assert word in result.stderr, (word, result.stderr)


def test_draft_and_plan_refuse_the_samples_copy_under_the_users_sender(own_ws, tmp_path):
    refused = invoke(*draft_args(own_ws, tmp_path / "d"))
    _one_line(refused, str(own_ws / "messaging.yaml"), "Tallybeam Pipeline", "copy scaffold", "--allow-sample-copy")
    assert not (tmp_path / "d").exists()
    planned = invoke(*plan_args(own_ws, tmp_path / "c", tmp_path / "s.duckdb"))
    _one_line(planned, "messaging.yaml", "--allow-sample-copy")
    assert not (tmp_path / "s.duckdb").exists()


def test_allowed_the_drafts_carry_no_sample_words_and_the_summary_says_how_good_the_batch_is(own_ws, tmp_path):
    result = invoke(*draft_args(own_ws, tmp_path / "d", "--allow-sample-copy", "--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert 0 <= summary["with_account_fact"] <= 1
    top = summary["most_repeated_sentence"]
    assert top is not None and 0 < top["share"] <= 1 and "Stackpilot" not in top["sentence"]
    # The sample claims every kind of fact it has; the kinds are the ones the batch check declares.
    claims = {"firmographic", "growth_signal", "own_words", "pain_point", "prior_solution"}
    assert claims <= set(summary["claims"]) <= set(CLAIM_KINDS.values())
    assert summary["issues_by_kind"]["sample_copy"] == summary["drafts"]  # every draft is warned
    import polars as pl

    drafts = pl.read_parquet(tmp_path / "d" / "drafts.parquet")
    text = (drafts["subject"] + " " + drafts["body"]).str.to_lowercase()
    assert not text.str.contains("tallybeam|revenue reporting|pipeline report|data plumbing").any()
    human = invoke(*draft_args(own_ws, tmp_path / "h", "--allow-sample-copy"))
    assert human.exit_code == 0 and "most repeated sentence:" in human.stdout


def test_copy_scaffold_writes_todo_blocks_for_solves_that_drafting_refuses_until_written(own_ws, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(own_ws, ws)
    written = json.loads(invoke("copy", "scaffold", "--workspace", ws, "--json").stdout)
    assert written["solves"] == ["tool_sprawl", "scaling_support"] and written["todo"] == 18 and written["replaced"]
    refused = invoke(*draft_args(ws, tmp_path / "d"))
    _one_line(refused, f"{ws / 'messaging.yaml'}:", "18 line(s) are still TODO", "--allow-sample-copy")
    again = invoke("copy", "scaffold", "--workspace", ws)
    _one_line(again, "not the sample's", "--force")
    path = ws / "messaging.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("TODO: ", "Our line: "), encoding="utf-8")
    assert invoke(*draft_args(ws, tmp_path / "d2")).exit_code == 0


def test_copy_scaffold_refuses_the_sample_sender(tmp_path):
    ws = new_workspace(tmp_path / "ws", accounts=50)
    _one_line(invoke("copy", "scaffold", "--workspace", ws), "sender.yaml", "sample: true")


def test_solves_naming_a_key_facts_yaml_lacks_is_one_line_with_did_you_mean(own_ws, tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(own_ws, ws)
    facts = ws / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace("  scaling_support: {}\n", ""), encoding="utf-8")
    result = invoke(*draft_args(ws, tmp_path / "d", "--allow-sample-copy"))
    _one_line(result, "sender.yaml", "'scaling_support' is not one of facts.yaml's pain points; did you mean")
