"""`outbound campaign report` on a planned and ingested campaign: report.json, report.html, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.flows.conftest import invoke, new_workspace


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> tuple[Path, Path, str]:
    """A workspace, a store with one planned campaign of 40 (no results yet), its campaign.csv folder."""
    ws = tmp_path_factory.mktemp("report-ws")
    new_workspace(ws, accounts=1200)
    store = ws / "s.duckdb"
    result = invoke(
        "campaign",
        "plan",
        "--icp",
        ws / "icp.yaml",
        "--accounts",
        ws / "accounts.csv",
        "--contacts",
        ws / "contacts.csv",
        "--workspace",
        ws,
        "--out",
        ws / "c1",
        "--store",
        store,
        "--size",
        "40",
        "--name",
        "q1-test",
        "--json",
        "--no-prefect",
        "--allow-sample-sender",
    )
    assert result.exit_code == 0, result.output
    return ws, store, json.loads(result.stdout)["campaign_id"]


def test_a_report_before_results_is_a_report_of_the_plan(planned, tmp_path):
    ws, store, campaign_id = planned
    result = invoke("campaign", "report", "--campaign", "q1-test", "--store", store, "--out", tmp_path, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["campaign_id"] == campaign_id and report["results"] is False and report["totals"]["planned"] == 40
    assert "no results ingested yet" in report["notes"][0]
    assert (tmp_path / "report.json").is_file() and (tmp_path / "report.html").is_file()
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "no results ingested yet" in page and "SIMULATED" not in page
    target = report["design"]["target_list"]  # the plan's target list and its size verdict, on the page too
    assert f"Target list: <b>{target['targets']:,}</b>" in page


def test_report_after_a_simulated_ingest(planned, tmp_path):
    ws, store, campaign_id = planned
    emails = pl.read_csv(ws / "c1" / "campaign.csv", infer_schema=False)["email"].unique(maintain_order=True).to_list()
    outcomes = ["meeting", "positive", "positive", "replied", "auto_reply", "bounced", "unsubscribed"]
    outcomes += ["no_reply"] * (len(emails) - len(outcomes))
    (tmp_path / "r.csv").write_text("email,outcome\n" + "".join(f"{e},{o}\n" for e, o in zip(emails, outcomes)))
    assert (
        invoke(
            "campaign",
            "ingest",
            "--campaign",
            campaign_id,
            "--store",
            store,
            "--simulated",
            tmp_path / "r.csv",
            "--no-prefect",
        ).exit_code
        == 0
    )
    result = invoke("campaign", "report", "--campaign", campaign_id, "--store", store, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "SIMULATED" in result.stdout and "wrote" in result.stdout
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["simulated"] is True and report["results"] is True
    assert report["totals"] == {
        "planned": 40,
        "sent": 40,
        "delivered": 39,
        "bounced": 1,
        "replies": 4,
        "positive": 3,
        "meetings": 1,
        "auto_replies": 1,
        "unsubscribed": 1,
    }
    assert sum(s["planned"] for s in report["segments"]) == 40
    assert sum(s["delivered"] for s in report["segments"]) == 39
    assert [c["name"] for c in report["criteria"]]  # the sample ICP's criteria, each contrasted
    assert all(c["planned"] <= 40 for c in report["criteria"])
    assert {v["name"] for v in report["variants"]} <= {"a", "b"}


@pytest.mark.parametrize(
    ("extra", "needle"),
    [(["--prior", p], "--prior is a reply rate strictly between 0 and 1") for p in ("1.5", "0", "1", "-0.1", "nan")],
)
def test_bad_prior_is_one_line_exit_2_and_nothing_written(planned, tmp_path, extra, needle):
    ws, store, _ = planned
    result = invoke("campaign", "report", "--campaign", "q1-test", "--store", store, "--out", tmp_path / "o", *extra)
    assert result.exit_code == 2 and needle in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_unknown_campaign_and_missing_store(planned, tmp_path):
    ws, store, _ = planned
    result = invoke("campaign", "report", "--campaign", "nope", "--store", store, "--out", tmp_path / "o")
    assert result.exit_code == 2 and "nope" in result.output
    result = invoke(
        "campaign", "report", "--campaign", "q1-test", "--store", tmp_path / "none.duckdb", "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and "no campaign store" in result.output
