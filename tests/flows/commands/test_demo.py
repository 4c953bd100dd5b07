"""The demo's loop: two simulated rounds on a fresh store, ending in report.html."""

from __future__ import annotations

import json

import polars as pl

from campaigns.store import Store
from flows.commands.demo import run_campaign_loop
from targeting.sample.responder import simulated_results


def test_the_loop_runs_two_simulated_rounds_and_ends_in_report_html(tmp_path):
    from flows.commands.draft import load_draft_inputs, resolve_draft_request, run_drafting
    from flows.commands.target import TargetRequest, load_target_inputs, run_targeting
    from flows.edges.workspace import init_workspace

    out = tmp_path / "demo"
    init_workspace(out, accounts=1500)
    request = TargetRequest(
        accounts=out / "accounts.csv",
        contacts=out / "contacts.csv",
        icp=out / "icp.yaml",
        personas=out / "personas.yaml",
        out=out / "targets",
    )
    run_targeting(request, load_target_inputs(request), use_prefect=False)
    drafting = resolve_draft_request(
        out / "targets" / "targets.parquet",
        out / "contacts.csv",
        out / "drafts",
        icp=None,
        workspace=out,
        allow_sample_sender=True,
    )
    run_drafting(drafting, load_draft_inputs(drafting), use_prefect=False)

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
