"""The demo's loop: two simulated rounds on a fresh store, ending in report.html."""

from __future__ import annotations

import json

import polars as pl

from campaigns.store import Store
from flows.commands.demo import run_campaign_loop
from targeting.sample.responder import simulated_results
from tests.flows.conftest import new_workspace


def test_the_loop_runs_two_simulated_rounds_and_ends_in_report_html(tmp_path):
    from flows.commands.demo import demo_draft_request, demo_target_request
    from flows.commands.draft import load_draft_inputs, run_draft
    from flows.commands.target import load_target_inputs, run_target
    from flows.runner import IN_PROCESS

    out = tmp_path / "demo"
    new_workspace(out, accounts=1500)
    targeting = demo_target_request(out)
    run_target(targeting, load_target_inputs(targeting), IN_PROCESS)
    drafting = demo_draft_request(out)  # its targets are written now
    run_draft(drafting, load_draft_inputs(drafting), IN_PROCESS)

    # The review command the demo prints opens its drafts with their accounts and contacts.
    from flows.commands.demo import review_command
    from flows.commands.review import ReviewRequest, load_review_inputs

    args = review_command(out)[2:]
    review = ReviewRequest.given({args[i].lstrip("-").replace("-", "_"): args[i + 1] for i in range(0, len(args), 2)})
    inputs = load_review_inputs(review)
    assert inputs.targets == out / "targets" / "targets.parquet" and "rule" in inputs.drafts.columns
    assert inputs.drafts.height == pl.read_parquet(out / "drafts" / "drafts.parquet").height

    summary = run_campaign_loop(out, rounds=2, size=40)
    assert len(summary["rounds"]) == 2 and (out / "report.html").is_file()
    report = json.loads((out / "report.json").read_text())
    assert report["simulated"] is True and report["campaign_id"] == summary["rounds"][1]["campaign_id"]
    assert "icp_change" in report
    html = (out / "report.html").read_text()
    assert ">SIMULATED<" in html and "<svg" in html
    assert len(Store(out / "outbound.duckdb").campaign_summaries()) == 2
    # Again on the same folder: a fresh store, the same campaigns.
    again = run_campaign_loop(out, rounds=2, size=40)
    assert [r["campaign_id"] for r in again["rounds"]] == [r["campaign_id"] for r in summary["rounds"]]


def test_the_responder_is_seeded_and_marks_auto_replies():
    planned = pl.DataFrame(
        {"email": [f"p{i}@x{i}.com" for i in range(400)], "account_id": [f"x{i}.com" for i in range(400)]}
    )
    accounts = pl.DataFrame(
        {
            "account_id": [f"x{i}.com" for i in range(400)],
            "industry": ["saas"] * 400,
            "employees": [100] * 400,
            "tech_stack": [["salesforce"]] * 400,
            "region": ["NA"] * 400,
            "funding_stage": ["series_a"] * 400,
        }
    )
    first, second = simulated_results(planned, accounts, seed=3), simulated_results(planned, accounts, seed=3)
    assert first.equals(second) and first.height == 400
    counts = dict(first.group_by("outcome").len().iter_rows())
    assert counts.get("positive", 0) + counts.get("meeting", 0) > 80  # inside the planted profile: ~30%
    assert first.filter(pl.col("reply_text").str.contains("out of the office")).height > 0
