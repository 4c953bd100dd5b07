"""`outbound icp refine` and `outbound icp history` over a store: the new version, its paper trail, bad input."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from campaigns.results.outcomes import RANK
from campaigns.store import CampaignRecord, Store
from targeting.icp.spec import load_icp
from tests.flows.conftest import invoke

ICP = """name: mid-market-saas
version: 1
parent: null
scoring:
  min_score: 1
  tiers: {A: 3, B: 1}
  criteria:
    - {name: sweet-spot size, field: employees, between: [50, 200], points: 2}
    - {name: North America, field: country, in: [US, CA], points: 1}
personas: [champion]
"""


def _record(
    store: Store,
    name: str,
    cid: str,
    icp: str,
    blocks,
    *,
    lineage="mid-market-saas",
    version=1,
    start=0,
    design=None,
) -> None:
    """Record a campaign whose contacts come in (criteria, delivered, positive) blocks, with outcomes unless blocks say None."""
    rows, outcomes = [], []
    i = start
    for criteria, n, k in blocks:
        for j in range(n):
            rows.append(
                {
                    "contact_id": f"k{i}",
                    "email": f"p{i}@a{i}.com",
                    "first_name": "P",
                    "last_name": "Q",
                    "account_id": f"a{i}.com",
                    "company": "A",
                    "domain": f"a{i}.com",
                    "persona": "champion",
                    "segment": "A" if criteria else "B",
                    "variant": "ab"[j % 2],
                    "drafts": "[]",
                    "edited": False,
                    "criteria": json.dumps(criteria),
                }
            )
            if k is not None:
                outcomes.append((f"k{i}", f"p{i}@a{i}.com", "positive" if j < k else "no_reply"))
            i += 1
    campaign = CampaignRecord(cid, name, lineage, version, 0, design or {"segments": []}, datetime(2026, 1, 5))
    store.record_campaign(campaign, pl.DataFrame(rows), icp_text=icp, icp_parent=None)
    if outcomes:
        events = pl.DataFrame(
            {
                "contact_id": [o[0] for o in outcomes],
                "email": [o[1] for o in outcomes],
                "outcome": [o[2] for o in outcomes],
                "outcome_rank": [RANK[o[2]] for o in outcomes],
                "step": [1] * len(outcomes),
                "reply_text": [None] * len(outcomes),
                "event_at": [None] * len(outcomes),
                "inbox": [None] * len(outcomes),
                "source_row": list(range(len(outcomes))),
            }
        )
        store.record_outcomes(
            cid,
            events,
            source_hash=cid,
            preset="canonical",
            rows=len(outcomes),
            simulated=True,
            ledger=pl.DataFrame(schema={"kind": pl.String, "key": pl.String, "reason": pl.String}),
        )


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    (tmp_path / "icp.yaml").write_text(ICP)
    store = Store(tmp_path / "s.duckdb")
    _record(store, "q1", "c-00000001", ICP, [(["sweet-spot size"], 70, 8), ([], 70, 0)])
    _record(store, "q2", "c-00000002", ICP, [(["sweet-spot size"], 50, 6), (["North America"], 40, 1)], start=1000)
    _record(store, "planned-only", "c-00000003", ICP, [(["sweet-spot size"], 5, None)], start=2000)
    other = ICP.replace("mid-market-saas", "enterprise")
    _record(store, "other", "c-00000004", other, [([], 5, 1)], lineage="enterprise", start=3000)
    return tmp_path


def test_refine_pools_the_lineage_writes_the_next_version_and_history_shows_it(ws):
    out = ws / "icp.v2.yaml"
    result = invoke(
        "icp",
        "refine",
        "--icp",
        ws / "icp.yaml",
        "--campaign",
        "q1",
        "--campaign",
        "c-00000002",
        "--out",
        out,
        "--store",
        ws / "s.duckdb",
        "--json",
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["changed"] is True and summary["version"] == 2 and summary["parent"] == 1
    assert summary["delivered"] == 230 and summary["positive"] == 15 and summary["replies"] == 15
    [change] = summary["changes"]
    assert change["criterion"] == "sweet-spot size" and change["replies_with"] == 14 and change["delivered_with"] == 120
    assert change["replies_without"] == 1 and change["delivered_without"] == 110
    # At most two points a round, on the ICP's own scale.
    assert (change["old_points"], change["new_points"]) == (2, 4)
    assert {u["criterion"] for u in summary["unchanged"]} == {"North America"}
    spec = load_icp(out)
    assert (spec.name, spec.version, spec.parent) == ("mid-market-saas", 2, 1)
    assert spec.scoring.criteria[0].points == change["new_points"] > 2 and spec.scoring.criteria[1].points == 1
    assert spec.evidence[0]["text"] == change["text"]
    line = next(x for x in out.read_text().splitlines() if "sweet-spot size" in x and "points:" in x)
    assert "# Raised sweet-spot size from +2 to +4: accounts meeting it replied" in line
    assert "(14 of 120 with it, 1 of 110 without; over 99% sure the difference is real)" in line
    assert Store(ws / "s.duckdb").icp_hash("mid-market-saas", 2) is not None

    history = invoke("icp", "history", "mid-market-saas", "--store", ws / "s.duckdb", "--json")
    assert history.exit_code == 0, history.output
    versions = json.loads(history.stdout)
    assert [v["version"] for v in versions] == [1, 2] and versions[1]["parent"] == 1
    assert versions[1]["changes"] == [f"~ criterion sweet-spot size: +2 -> {change['new_points']:+d}"]
    assert versions[1]["evidence"][0]["text"] == change["text"]
    shown = invoke("icp", "history", "mid-market-saas", "--store", ws / "s.duckdb")
    assert "v2 (from v1)" in shown.stdout and "14 of 120 with it" in shown.stdout


def test_weak_evidence_writes_the_same_version_marked_unchanged_and_says_so(ws):
    out = ws / "v2.yaml"
    result = invoke(
        "icp",
        "refine",
        "--icp",
        ws / "icp.yaml",
        "--campaign",
        "c-00000002",
        "--out",
        out,
        "--store",
        ws / "s.duckdb",
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    assert "no criterion moved: wrote the same v1, marked unchanged" in result.stdout
    assert "next: outbound campaign plan --icp" in result.stdout
    # A script's next round plans from --out either way: the same version, nothing new recorded.
    assert out.read_text().startswith("# UNCHANGED") and load_icp(out) == load_icp(ws / "icp.yaml")
    assert Store(ws / "s.duckdb").icp_hash("mid-market-saas", 2) is None


@pytest.mark.parametrize(
    ("campaign", "icp_edit", "needle"),
    [
        ("other", None, "another lineage"),
        ("planned-only", None, "no outcomes yet"),
        ("q1", lambda t: t.replace("points: 1", "points: 3"), "not the v1 the campaigns used"),
        ("q1", lambda t: t.replace("version: 1", "version: 2"), "the campaigns used v1"),
        ("nope", None, "nope"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(ws, campaign, icp_edit, needle):
    icp = ws / "icp.yaml"
    if icp_edit:
        icp = ws / "edited.yaml"
        icp.write_text(icp_edit(ICP))
    out = ws / "v2.yaml"
    result = invoke(
        "icp", "refine", "--icp", icp, "--campaign", campaign, "--out", out, "--store", ws / "s.duckdb", "--no-prefect"
    )
    assert result.exit_code == 2, result.output
    assert needle in result.output and "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 3
    assert not out.exists()


def test_a_missing_accounts_file_is_one_line_exit_2(ws):
    out = ws / "v2.yaml"
    result = invoke(
        "icp",
        "refine",
        "--icp",
        ws / "icp.yaml",
        "--campaign",
        "q1",
        "--out",
        out,
        "--accounts",
        ws / "none.csv",
        "--store",
        ws / "s.duckdb",
        "--no-prefect",
    )
    assert result.exit_code == 2 and "--accounts file not found" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_history_of_an_unknown_name(ws):
    result = invoke("icp", "history", "nope", "--store", ws / "s.duckdb")
    assert result.exit_code == 2 and "nope" in result.output


def test_refine_as_a_flow_run_gives_the_same_version(ws, prefect_harness):
    out = ws / "icp.v2.yaml"
    result = invoke(
        "icp",
        "refine",
        "--icp",
        ws / "icp.yaml",
        "--campaign",
        "q1",
        "--campaign",
        "q2",
        "--out",
        out,
        "--store",
        ws / "s.duckdb",
        "--json",
        "--prefect",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["changed"] is True and load_icp(out).version == 2
    assert summary["changes"][0]["replies_with"] == 14


def _refine(ws: Path, *extra) -> object:
    return invoke(
        "icp", "refine", "--icp", ws / "icp.yaml", "--out", ws / "v2.yaml", "--store", ws / "s.duckdb", *extra
    )


def test_refine_reads_against_the_prior_the_campaigns_were_planned_with(tmp_path):
    (tmp_path / "icp.yaml").write_text(ICP)
    store = Store(tmp_path / "s.duckdb")
    blocks = [(["sweet-spot size"], 60, 6), ([], 60, 2)]
    _record(store, "p1", "c-00000011", ICP, blocks, design={"segments": [], "prior": 0.2})
    _record(store, "p2", "c-00000012", ICP, blocks, start=500, design={"segments": [], "prior": 0.2})
    planned = _refine(tmp_path, "--campaign", "p1", "--campaign", "p2", "--json", "--no-prefect")
    assert planned.exit_code == 0, planned.output
    summary = json.loads(planned.stdout)
    assert summary["prior"]["source"] == "design" and summary["prior"]["reply_rate"] == 0.2
    given = json.loads(
        _refine(tmp_path, "--campaign", "p1", "--campaign", "p2", "--prior", "0.034", "--json", "--no-prefect").stdout
    )
    assert given["prior"]["source"] == "--prior" and given["prior"]["reply_rate"] == 0.034
    # The intercept's prior is what differs: the same counts read against another rate.
    lift = {s["criterion"]: s for s in summary["unchanged"] + summary["changes"]}["sweet-spot size"]
    other = {s["criterion"]: s for s in given["unchanged"] + given["changes"]}["sweet-spot size"]
    assert lift["p_better"] != other["p_better"]
    shown = _refine(tmp_path, "--campaign", "p1", "--campaign", "p2", "--no-prefect")
    assert "read against a 20.0% reply rate" in shown.stdout and "as the campaigns were planned" in shown.stdout


def test_campaigns_planned_with_different_priors_need_prior(tmp_path):
    (tmp_path / "icp.yaml").write_text(ICP)
    store = Store(tmp_path / "s.duckdb")
    blocks = [(["sweet-spot size"], 20, 2), ([], 20, 1)]
    _record(store, "p1", "c-00000011", ICP, blocks, design={"segments": [], "prior": 0.2})
    _record(store, "p2", "c-00000012", ICP, blocks, start=500, design={"segments": [], "prior": 0.05})
    result = _refine(tmp_path, "--campaign", "p1", "--campaign", "p2", "--no-prefect")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and "--prior" in result.output and "0.05, 0.2" in result.output
    assert not (tmp_path / "v2.yaml").exists()
    assert _refine(tmp_path, "--campaign", "p1", "--campaign", "p2", "--prior", "0.1", "--no-prefect").exit_code == 0


OLD = ICP.replace("    - {name: North America, field: country, in: [US, CA], points: 1}\n", "")
NEW = ICP.replace("version: 1\nparent: null", "version: 2\nparent: 1")


@pytest.fixture
def lineage(tmp_path: Path) -> Path:
    """v1 lacks North America; v2 has it; a campaign of each, v1's contacts all in the US."""
    (tmp_path / "icp.yaml").write_text(NEW)
    store = Store(tmp_path / "s.duckdb")
    _record(store, "old", "c-00000021", OLD, [(["sweet-spot size"], 100, 12)])
    store.record_icp("mid-market-saas", 2, NEW, 1)
    _record(store, "new", "c-00000022", NEW, [(["North America"], 50, 1), ([], 50, 1)], version=2, start=100)
    ids = [f"a{i}.com" for i in range(200)]
    pl.DataFrame({"account_id": ids, "domain": ids, "name": ids, "country": ["US"] * 100 + ["DE"] * 100}).write_csv(
        tmp_path / "accounts.csv"
    )
    return tmp_path


def _evidence(summary: dict, label: str) -> dict:
    return {s["criterion"]: s for s in summary["unchanged"] + summary["changes"]}[label]


def test_an_older_version_without_a_criterion_counts_as_unknown_not_as_without(lineage):
    result = _refine(lineage, "--campaign", "old", "--campaign", "new", "--json", "--no-prefect")
    assert result.exit_code == 0, result.output
    na = _evidence(json.loads(result.stdout), "North America")
    # Only v2's 100 contacts were scored on it: 1/50 with, 1/50 without (not 13/150 without).
    assert "(1 of 50 with it, 1 of 50 without" in na["text"]


def test_an_older_version_without_a_criterion_is_evaluated_on_the_accounts_when_given(lineage):
    result = _refine(
        lineage,
        "--campaign",
        "old",
        "--campaign",
        "new",
        "--accounts",
        lineage / "accounts.csv",
        "--json",
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    na = _evidence(json.loads(result.stdout), "North America")
    # v1's 100 contacts' accounts are in the US: they meet it.
    assert "(13 of 150 with it, 1 of 50 without" in na["text"]


def test_refine_acts_on_the_reading_the_report_shows(ws):
    from campaigns.prior import Prior
    from campaigns.report import build_report
    from targeting.icp.reading import read_contrast

    store = Store(ws / "s.duckdb")
    result = invoke(
        "icp", "refine", "--icp", ws / "icp.yaml", "--campaign", "q1", "--out", ws / "v2.yaml",
        "--store", ws / "s.duckdb", "--json", "--no-prefect",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    size = _evidence(json.loads(result.stdout), "sweet-spot size")
    meta = {"campaign_id": "c-00000001", "name": "q1", "icp": "mid-market-saas", "version": 1, "design": {}}
    report = build_report(meta, store.contact_outcomes(["c-00000001"]), Prior(), ["sweet-spot size", "North America"])
    row = report["criteria"][0]
    assert size["p_better"] == row["p_better"] == round(read_contrast(8, 70, 0, 70, Prior().reply_rate).p_better, 4)


def test_the_lineage_campaigns_are_those_with_outcomes_of_this_version_or_older(ws):
    store = Store(ws / "s.duckdb")  # q1, q2 with outcomes; planned-only without; another lineage's
    assert store.lineage_campaigns("mid-market-saas", 1) == ["c-00000001", "c-00000002"]
    _record(store, "v2", "c-000000a5", NEW, [([], 10, 1)], version=2, start=4000)
    assert store.lineage_campaigns("mid-market-saas", 1) == ["c-00000001", "c-00000002"]
    assert store.lineage_campaigns("mid-market-saas", 2) == ["c-00000001", "c-00000002", "c-000000a5"]
    assert store.lineage_campaigns("enterprise", 1) == ["c-00000004"]


def test_the_next_command_reads_the_accounts_as_refine_read_them(lineage):
    # Refine read a YC directory through --preset yc, then printed a plan command without it: run as
    # printed, the plan read the directory as canonical columns.
    ids = [f"a{i}.com" for i in range(200)]
    pl.DataFrame(
        {"company_id": [str(i) for i in range(200)], "company_name": ids, "website": ids, "country": ["US"] * 200}
    ).write_csv(lineage / "yc.csv")
    result = _refine(
        lineage, "--campaign", "old", "--campaign", "new", "--accounts", lineage / "yc.csv", "--preset", "yc",
        "--json", "--no-prefect",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    command = json.loads(result.stdout)["next"]
    assert f"--accounts {lineage / 'yc.csv'} --preset yc " in command
    plain = _refine(lineage, "--campaign", "old", "--campaign", "new", "--json", "--no-prefect")
    assert "--preset" not in json.loads(plain.stdout)["next"]


def test_a_round_of_the_lineage_left_out_is_named(ws):
    # Refining on round 2 alone read its 99 contacts and said nothing of round 1's, whose outcomes
    # were in the same store: the reading silently lost a round.
    result = _refine(ws, "--campaign", "q2", "--json", "--no-prefect")
    assert result.exit_code == 0, result.output
    warnings = json.loads(result.stdout)["warnings"]
    assert any("c-00000001" in w and "--campaign c-00000001" in w for w in warnings)
    both = _refine(ws, "--campaign", "q1", "--campaign", "q2", "--json", "--no-prefect")
    assert not any("--campaign c-0000000" in w for w in json.loads(both.stdout)["warnings"])


def test_the_report_s_next_command_refines_on_every_round_of_the_lineage(ws, tmp_path):
    # Round 2's report said "outbound icp refine ... --campaign c-00000002": run as printed, refine
    # read round 2 alone.
    result = invoke("campaign", "report", "--campaign", "q2", "--store", ws / "s.duckdb", "--out", tmp_path / "r")
    assert result.exit_code == 0, result.output
    [line] = " ".join(result.stdout.split()).split("next: ")[1:]  # the terminal wraps it
    assert "--campaign c-00000001 --campaign c-00000002" in line
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["lineage"] == ["c-00000001", "c-00000002"]
