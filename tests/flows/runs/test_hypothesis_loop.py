"""The hypothesis loop against a real Prefect server on 127.0.0.1: it pauses for results, is resumed, and finishes."""

from __future__ import annotations

import json
import threading
import time

import polars as pl

from tests.flows.conftest import new_workspace


def test_the_loop_pauses_for_results_and_finishes_when_resumed(prefect_harness, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.flow_runs import resume_flow_run

    from flows.runs.hypothesis_loop import LoopRequest, hypothesis_loop

    ws = tmp_path / "ws"
    new_workspace(ws, accounts=1200)
    request = LoopRequest(
        icp=ws / "icp.yaml",
        accounts=ws / "accounts.csv",
        contacts=ws / "contacts.csv",
        out=tmp_path / "c1",
        store=tmp_path / "s.duckdb",
        workspace=ws,
        size=30,
        name="loop-1",
        wait_seconds=300,
        poll_seconds=1,
        allow_sample_sender=True,
    )
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(hypothesis_loop(**request.model_dump())), daemon=True)
    thread.start()

    def paused_run():
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=["loop-icp"])))
        return next((r for r in runs if r.state and r.state.is_paused()), None)

    deadline = time.monotonic() + 600
    run = None
    while run is None and time.monotonic() < deadline and thread.is_alive():
        time.sleep(1)
        run = paused_run()
    assert run is not None, "the loop never paused for its results"
    planned = (
        pl.read_csv(tmp_path / "c1" / "campaign.csv", infer_schema=False)["email"].unique(maintain_order=True).to_list()
    )
    rows = ["meeting", "positive", "bounced"] + ["no_reply"] * (len(planned) - 3)
    (tmp_path / "r.csv").write_text("email,outcome\n" + "".join(f"{e},{o}\n" for e, o in zip(planned, rows)))
    resume_flow_run(run.id, run_input={"results": str(tmp_path / "r.csv"), "simulated": True})
    thread.join(timeout=600)
    assert not thread.is_alive()
    assert result["planned"] == 30 and result["ingested"] == 30
    assert result["refined"]["campaigns"] == [result["campaign_id"]]  # every round of the lineage with results
    report = json.loads((tmp_path / "c1" / "report.json").read_text())
    assert report["simulated"] is True and report["totals"]["positive"] == 2
    assert (tmp_path / "c1" / "report.html").is_file()
    with get_client(sync_client=True) as client:
        artifacts = client.read_latest_artifacts()
    assert "campaign-reply-rates" in {a.key for a in artifacts}
