"""flows/commands/target.py: the in-memory and the streamed run of `outbound target` write the same files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from flows.cli import app
from targeting import memory
from targeting.importing import import_accounts
from targeting.selection.target_list import select_targets
from tests.flows.conftest import RUNNER, new_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("workspace")
    new_workspace(directory, accounts=3000)
    # The same universe as a canonical Parquet file in two parts (the import's fast path).
    accounts = import_accounts(directory / "accounts.csv").accounts.collect()
    (directory / "parts").mkdir()
    accounts.head(1800).write_parquet(directory / "parts" / "part-0.parquet")
    accounts.slice(1800).write_parquet(directory / "parts" / "part-1.parquet")
    return directory


def run_target(workspace: Path, accounts: Path | str, out: Path, *extra: str) -> dict:
    result = RUNNER.invoke(
        app,
        ["target", "--accounts", str(accounts), "--icp", str(workspace / "icp.yaml"), "--out", str(out)]
        + ["--as-of", "2026-01-01", "--no-prefect", "--json", *extra],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("source", ["csv", "parquet parts"])
def test_a_streamed_universe_writes_exactly_what_one_held_in_memory_writes(workspace, tmp_path, monkeypatch, source):
    if source == "csv":
        accounts, extra = workspace / "accounts.csv", ["--contacts", str(workspace / "contacts.csv")]
    else:
        accounts, extra = workspace / "parts" / "*.parquet", []
    held = run_target(workspace, accounts, tmp_path / "held", *extra)
    monkeypatch.setattr(memory, "IN_MEMORY_ROWS", 0)  # every universe streams, its list is sunk
    streamed = run_target(workspace, accounts, tmp_path / "streamed", *extra)
    assert streamed == held and held["targets"] > 0
    assert (held["reachable"] is not None) == (source == "csv")
    assert_frame_equal(
        pl.read_parquet(tmp_path / "streamed" / "targets.parquet"),
        pl.read_parquet(tmp_path / "held" / "targets.parquet"),
    )
    for name in ("targets.csv", "rejected.csv", "target_summary.json"):
        assert (tmp_path / "streamed" / name).read_bytes() == (tmp_path / "held" / name).read_bytes(), name


def test_a_text_file_too_wide_for_the_streaming_budget_streams_and_writes_what_a_held_one_writes(
    workspace, tmp_path, monkeypatch
):
    accounts = workspace / "accounts.csv"
    held = run_target(workspace, accounts, tmp_path / "held")
    # Polars read its own budget when it loaded; the decision reads the variable each time.
    monkeypatch.setenv("POLARS_OOC_MEMORY_BUDGET_MB", "0")
    ways = []
    monkeypatch.setattr(
        "flows.commands.target.select_targets", lambda *a, **k: ways.append(k["in_memory"]) or SELECT(*a, **k)
    )
    streamed = run_target(workspace, accounts, tmp_path / "streamed")
    assert ways == [False]  # the import streamed the file, and the list was sunk from the stream
    assert streamed == held and held["targets"] > 0
    for name in ("targets.csv", "rejected.csv", "target_summary.json"):
        assert (tmp_path / "streamed" / name).read_bytes() == (tmp_path / "held" / name).read_bytes(), name


SELECT = select_targets


# The command in its own process with every universe streamed: Polars reads its memory budget once,
# when it loads, so a budget can only be given to a new process.
STREAMED_COMMAND = """
import sys
from targeting import memory
memory.IN_MEMORY_ROWS = 0
from flows.cli import main
sys.argv = ["outbound", *sys.argv[1:]]
main()
"""


def test_a_streamed_sort_that_spills_to_disk_writes_what_the_list_held_in_memory_writes(workspace, tmp_path):
    accounts = workspace / "parts" / "*.parquet"
    held = run_target(workspace, accounts, tmp_path / "held")
    root = Path(__file__).resolve().parents[3]
    # A budget of 1 MB and no minimum spill size: the streaming sort must spill (its log says so).
    env = os.environ | {
        "PYTHONPATH": str(root),
        "POLARS_OOC_MEMORY_BUDGET_MB": "1",
        "POLARS_OOC_SPILL_MIN_BYTES": "0",
        "POLARS_OOC_SPILL_DIR": str(tmp_path / "spill"),
        "POLARS_OOC_LOG_METRICS": "1",
    }
    args = ["target", "--accounts", str(accounts), "--icp", str(workspace / "icp.yaml"), "--out"]
    args += [str(tmp_path / "spilled"), "--as-of", "2026-01-01", "--no-prefect", "--json"]
    done = subprocess.run(
        [sys.executable, "-c", STREAMED_COMMAND, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == held and held["targets"] > 0
    spills = [int(n) for n in re.findall(r"spill_stats\(sort[^)]*\):.*? spill\(succ=[^,]*, n=(\d+)\)", done.stderr)]
    assert spills and sum(spills) > 0, done.stderr[-2000:]
    assert_frame_equal(
        pl.read_parquet(tmp_path / "spilled" / "targets.parquet"),
        pl.read_parquet(tmp_path / "held" / "targets.parquet"),
    )
    for name in ("targets.csv", "rejected.csv", "target_summary.json"):
        assert (tmp_path / "spilled" / name).read_bytes() == (tmp_path / "held" / name).read_bytes(), name


def test_the_parquet_universe_sizes_as_its_csv_does(workspace, tmp_path):
    from_csv = run_target(workspace, workspace / "accounts.csv", tmp_path / "csv")
    from_parquet = run_target(workspace, workspace / "parts" / "*.parquet", tmp_path / "parquet")
    kept = ("universe", "funnel", "targets", "by_tier", "verdict", "suggestions", "warnings")
    assert {k: from_parquet[k] for k in kept} == {k: from_csv[k] for k in kept}
    csv_ids = pl.read_parquet(tmp_path / "csv" / "targets.parquet").select("account_id", "score", "reasons")
    assert_frame_equal(pl.read_parquet(tmp_path / "parquet" / "targets.parquet").select(csv_ids.columns), csv_ids)


@pytest.mark.parametrize(
    "given", [{}, {"POLARS_OOC_MEMORY_BUDGET_MB": "512"}, {"POLARS_OOC_MEMORY_BUDGET_FRACTION": "0.5"}]
)
def test_the_commands_give_polars_a_streaming_memory_budget_unless_the_user_gave_one(given):
    import flows

    env = {k: v for k, v in os.environ.items() if not k.startswith("POLARS_OOC_MEMORY_BUDGET")} | given
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    shown = "import os, flows; print(os.environ.get('POLARS_OOC_MEMORY_BUDGET_MB'))"
    done = subprocess.run([sys.executable, "-c", shown], env=env, capture_output=True, text=True, timeout=600)
    expected = given.get("POLARS_OOC_MEMORY_BUDGET_MB", "None" if given else str(flows.STREAMING_MEMORY_MB))
    assert done.stdout.strip() == expected


@pytest.mark.parametrize(
    ("physical_mb", "budget_mb"), [(4096, 3072), (9216, 3072), (24 * 1024, 8192), (64 * 1024, 21845)]
)
def test_the_streaming_budget_is_a_third_of_the_machine_with_a_3_gb_floor(monkeypatch, physical_mb, budget_mb):
    import flows

    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": physical_mb * 2**20 // 4096}
    monkeypatch.setattr(flows.os, "sysconf", pages.__getitem__)
    assert flows._streaming_memory_mb() == budget_mb


def test_the_streaming_budget_falls_back_to_its_floor_where_the_machine_cannot_say(monkeypatch):
    import flows

    def unknown(name):
        raise ValueError(f"unrecognized configuration name {name!r}")

    monkeypatch.setattr(flows.os, "sysconf", unknown)
    assert flows._streaming_memory_mb() == flows.FLOOR_STREAMING_MEMORY_MB


FACT_COLUMNS = ("pain_points", "growth_signals", "prior_solutions")
YC_SLICE = Path(__file__).resolve().parents[2] / "data" / "yc_companies_slice.csv"


@pytest.mark.parametrize("scored", [(), ("pain_points",), FACT_COLUMNS])
@pytest.mark.parametrize("streamed", [False, True])
def test_facts_no_condition_reads_derived_for_the_targets_alone_write_the_same_files(
    tmp_path, monkeypatch, scored, streamed
):
    criteria = [{"name": "us", "field": "country", "in": ["US"], "points": 1}]
    criteria += [{"name": f"has {c}", "field": c, "not_null": True, "points": 1} for c in scored]
    icp = tmp_path / "icp.yaml"
    icp.write_text(json.dumps({"name": "yc", "target_size": {"min": 1, "max": 10}, "scoring": {"criteria": criteria}}))
    if streamed:
        monkeypatch.setattr(memory, "IN_MEMORY_ROWS", 0)

    def target(out: Path) -> dict:
        result = RUNNER.invoke(
            app,
            ["target", "--accounts", str(YC_SLICE), "--preset", "yc", "--icp", str(icp), "--out", str(out)]
            + ["--as-of", "2026-01-01", "--no-prefect", "--json"],
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    later = target(tmp_path / "later")
    # Every fact column derived over the whole universe first, as when every condition read them.
    monkeypatch.setattr("flows.commands.target.fields_read", lambda spec: set(FACT_COLUMNS))
    upfront = target(tmp_path / "upfront")
    assert later == upfront and later["targets"] > 0
    listed = pl.read_parquet(tmp_path / "later" / "targets.parquet")
    assert_frame_equal(listed, pl.read_parquet(tmp_path / "upfront" / "targets.parquet"))
    # The columns left for later were derived, not left empty (YC carries no tech: no prior solutions).
    assert all(listed[column].list.len().sum() > 0 for column in ("pain_points", "growth_signals"))
    for name in ("targets.csv", "rejected.csv", "target_summary.json"):
        assert (tmp_path / "later" / name).read_bytes() == (tmp_path / "upfront" / name).read_bytes(), name
