"""Hostile faults against the files a command writes: a set torn by a kill, a full disk, a denied
permission, a file where the output folder goes, a damaged store, as a flow run and in-process
(docs/trust.md)."""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from tests.flows.conftest import invoke, invoke_ok, new_workspace

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> Path:
    """A workspace with the user's own sender, its target list in t/ and its drafts in d/."""
    ws = new_workspace(tmp_path_factory.mktemp("drafted"), accounts=300, own=True)
    invoke_ok("target", "--accounts", ws / "accounts.csv", "--icp", ws / "icp.yaml", "--out", ws / "t", "--no-prefect")
    invoke_ok(
        "draft",
        *("--targets", ws / "t" / "targets.parquet", "--contacts", ws / "contacts.csv"),
        *("--workspace", ws, "--out", ws / "d", "--no-prefect"),
    )
    return ws


def _readers(ws: Path, drafts: Path, tmp_path: Path) -> dict[str, list[object]]:
    """Every command that reads a drafts folder, asked to read `drafts`."""
    plan = ["campaign", "plan", "--icp", ws / "icp.yaml", "--accounts", ws / "accounts.csv"]
    plan += ["--contacts", ws / "contacts.csv", "--workspace", ws, "--out", tmp_path / "c"]
    return {
        "campaign plan --drafts": [*plan, "--store", tmp_path / "s.duckdb", "--drafts", drafts, "--no-prefect"],
        "review": ["review", "--drafts", drafts, "--store", tmp_path / "s.duckdb", "--workspace", ws],
    }


def _copy(folder: Path, to: Path) -> Path:
    to.mkdir()
    for path in folder.iterdir():
        if path.is_file():
            (to / path.name).write_bytes(path.read_bytes())
    return to


def test_draft_writes_its_summary_last_and_a_torn_drafts_set_is_refused_by_every_reader(drafted, tmp_path):
    summary = json.loads((drafted / "d" / "draft_summary.json").read_text())
    drafts = pl.read_parquet(drafted / "d" / "drafts.parquet")
    assert summary["drafts"] == drafts.height > 1
    assert not [p.name for p in (drafted / "d").rglob(".*")]  # no temporary file left behind
    # A kill between the renames: the new drafts.parquet beside the old summary and CSV.
    parquet_torn = _copy(drafted / "d", tmp_path / "parquet-torn")
    drafts.head(drafts.height - 1).write_parquet(parquet_torn / "drafts.parquet")
    # drafts.csv cut at a row boundary (bodies hold line breaks: cut by rows, not by lines).
    csv_torn = _copy(drafted / "d", tmp_path / "csv-torn")
    pl.read_csv(csv_torn / "drafts.csv", infer_schema=False).head(3).write_csv(csv_torn / "drafts.csv")
    for folder, path, rows in ((parquet_torn, "drafts.parquet", drafts.height - 1), (csv_torn, "drafts.csv", 3)):
        for reader, args in _readers(drafted, folder, tmp_path).items():
            result = invoke(*args)
            said = f"holds {rows:,} drafts but draft_summary.json says {summary['drafts']:,}"
            assert result.exit_code == 2, (reader, result.output)
            assert said in result.stderr and path in result.stderr, (reader, result.stderr)
            assert result.stderr.count("\n") == 1, (reader, result.stderr)
    assert not (tmp_path / "c" / "campaign.csv").exists() and not (tmp_path / "s.duckdb").exists()


class _Records(logging.Handler):
    """Every record Prefect's run loggers let through (what its console would print)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _denied(frame, path):
    raise PermissionError(errno.EACCES, "Permission denied", str(path))


def _full(frame, path):
    raise OSError(errno.ENOSPC, "No space left on device", str(path))


@pytest.mark.parametrize("fault", ["out is a file", "disk full", "permission denied", "store damaged"])
def test_a_fault_of_the_machine_inside_a_flow_run_is_one_line_and_no_traceback(
    prefect_harness, drafted, tmp_path, monkeypatch, fault
):
    target = ["target", "--accounts", drafted / "accounts.csv", "--icp", drafted / "icp.yaml", "--prefect"]
    out = tmp_path / "t"
    if fault == "out is a file":
        out.write_text("x")
        args, said = [*target, "--out", out], "a file is in the way"
    elif fault == "disk full":
        monkeypatch.setattr("flows.commands.target.write_csv", _full)
        args, said = [*target, "--out", out], "the disk is full"
    elif fault == "permission denied":
        monkeypatch.setattr("flows.commands.target.write_csv", _denied)
        args, said = [*target, "--out", out], "permission denied"
    else:
        store = tmp_path / "cut.duckdb"
        invoke_ok("forget", "nobody@example.com", "--store", store)  # a real store, then cut short
        store.write_bytes(store.read_bytes()[: store.stat().st_size // 2])
        args = ["draft", "--targets", drafted / "t" / "targets.parquet", "--contacts", drafted / "contacts.csv"]
        args += ["--workspace", drafted, "--out", tmp_path / "d", "--store", store, "--prefect"]
        said = "damaged"
    records = _Records()
    logging.getLogger("prefect").addHandler(records)
    try:
        result = invoke(*args)
    finally:
        logging.getLogger("prefect").removeHandler(records)
    assert result.exit_code == 2 and said in result.stderr and result.stderr.count("\n") == 1, result.output
    assert "Traceback" not in result.output
    failed = [r for r in records.records if r.levelno >= logging.ERROR]
    assert not failed, [r.getMessage() for r in failed]
    assert not (tmp_path / "d").exists() or not list((tmp_path / "d").iterdir())


def _temporary(folder: Path) -> list[Path]:
    return [p for p in folder.glob(".*") if p.name.endswith(".partial")] if folder.is_dir() else []


def _set(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


def test_a_kill_9_while_target_writes_leaves_the_previous_complete_set_and_draft_reads_it(tmp_path):
    ws = new_workspace(tmp_path / "ws", accounts=40_000, own=True)
    out = tmp_path / "t"
    command = [sys.executable, "-m", "flows.cli", "target", "--accounts", str(ws / "accounts.csv")]
    command += ["--icp", str(ws / "icp.yaml"), "--out", str(out), "--no-prefect", "--json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    assert first.returncode == 0, first.stderr
    before = _set(out)
    assert json.loads(before["target_summary.json"])["targets"] == pl.read_parquet(out / "targets.parquet").height
    # The second run would write another list (another day counts other signals as recent): a torn
    # set would show as counts that differ. Each attempt is killed as soon as its first temporary file
    # appears; an attempt that finished before the poll saw one is tried again.
    killed = 0
    for _ in range(5):
        run = subprocess.Popen([*command, "--as-of", "2024-01-01"], stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
        while run.poll() is None and not _temporary(out):
            time.sleep(0.005)
        if run.poll() is None:
            os.kill(run.pid, signal.SIGKILL)
            killed += 1
        run.wait()
        if killed:
            break
        for name, data in before.items():  # it finished: the previous set back, and again
            (out / name).write_bytes(data)
    assert killed and run.returncode == -signal.SIGKILL
    assert _set(out) == before  # the previous complete set, byte for byte; the kill left only temporaries
    contacts = tmp_path / "contacts.csv"
    pl.read_csv(ws / "contacts.csv", infer_schema=False, n_rows=400).write_csv(contacts)
    summary = json.loads(
        invoke_ok(
            *("draft", "--targets", out / "targets.parquet", "--contacts", contacts, "--workspace", ws),
            *("--out", tmp_path / "d", "--no-prefect", "--json"),
        ).stdout
    )
    drafted = pl.read_parquet(tmp_path / "d" / "drafts.parquet")
    targets = set(pl.read_parquet(out / "targets.parquet")["account_id"].to_list())
    assert summary["drafts"] == drafted.height and set(drafted["account_id"].to_list()) <= targets
