"""flows/target.py: the in-memory and the streamed run of `outbound target` write the same files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from flows.cli import app
from targeting.importing import import_accounts
from targeting.selection import target_list

runner = CliRunner()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    from flows.workspace import init_workspace

    directory = tmp_path_factory.mktemp("workspace")
    init_workspace(directory, accounts=3000)
    # The same universe as a canonical Parquet file in two parts (the import's fast path).
    accounts = import_accounts(directory / "accounts.csv").accounts.collect()
    (directory / "parts").mkdir()
    accounts.head(1800).write_parquet(directory / "parts" / "part-0.parquet")
    accounts.slice(1800).write_parquet(directory / "parts" / "part-1.parquet")
    return directory


def run_target(workspace: Path, accounts: Path | str, out: Path, *extra: str) -> dict:
    result = runner.invoke(
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
    monkeypatch.setattr(target_list, "IN_MEMORY_ROWS", 0)  # every universe streams, its list is sunk
    streamed = run_target(workspace, accounts, tmp_path / "streamed", *extra)
    assert streamed == held and held["targets"] > 0
    assert (held["reachable"] is not None) == (source == "csv")
    assert_frame_equal(
        pl.read_parquet(tmp_path / "streamed" / "targets.parquet"),
        pl.read_parquet(tmp_path / "held" / "targets.parquet"),
    )
    for name in ("targets.csv", "rejected.csv", "target_summary.json"):
        assert (tmp_path / "streamed" / name).read_bytes() == (tmp_path / "held" / name).read_bytes(), name


def test_the_parquet_universe_sizes_as_its_csv_does(workspace, tmp_path):
    from_csv = run_target(workspace, workspace / "accounts.csv", tmp_path / "csv")
    from_parquet = run_target(workspace, workspace / "parts" / "*.parquet", tmp_path / "parquet")
    kept = ("universe", "funnel", "targets", "by_tier", "verdict", "suggestions", "warnings")
    assert {k: from_parquet[k] for k in kept} == {k: from_csv[k] for k in kept}
    csv_ids = pl.read_parquet(tmp_path / "csv" / "targets.parquet").select("account_id", "score", "reasons")
    assert_frame_equal(pl.read_parquet(tmp_path / "parquet" / "targets.parquet").select(csv_ids.columns), csv_ids)
