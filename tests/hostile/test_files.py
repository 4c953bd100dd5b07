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

from flows.cli import app
from flows.edges.files import file_set, formula_unsafe, read_targets, replaced, write_csv, write_json
from targeting.errors import InputError
from tests.flows.conftest import RUNNER, invoke, invoke_ok, new_workspace

ROOT = Path(__file__).resolve().parents[2]


def run_target(ws: Path, accounts: Path | str, out: Path, *extra: str) -> dict:
    args = ["target", "--accounts", accounts, "--icp", ws / "icp.yaml", "--out", out, "--as-of", "2026-01-01"]
    return json.loads(invoke_ok(*args, "--no-prefect", "--json", *extra).stdout)


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


def test_draft_writes_its_summary_last_and_a_torn_drafts_set_is_refused_by_every_reader(ws, tmp_path):
    summary = json.loads((ws / "drafts" / "draft_summary.json").read_text())
    drafts = pl.read_parquet(ws / "drafts" / "drafts.parquet")
    assert summary["drafts"] == drafts.height > 1
    assert not [p.name for p in (ws / "drafts").rglob(".*")]  # no temporary file left behind
    # A kill between the renames: the new drafts.parquet beside the old summary and CSV.
    parquet_torn = _copy(ws / "drafts", tmp_path / "parquet-torn")
    drafts.head(drafts.height - 1).write_parquet(parquet_torn / "drafts.parquet")
    # drafts.csv cut at a row boundary (bodies hold line breaks: cut by rows, not by lines).
    csv_torn = _copy(ws / "drafts", tmp_path / "csv-torn")
    pl.read_csv(csv_torn / "drafts.csv", infer_schema=False).head(3).write_csv(csv_torn / "drafts.csv")
    for folder, path, rows in ((parquet_torn, "drafts.parquet", drafts.height - 1), (csv_torn, "drafts.csv", 3)):
        for reader, args in _readers(ws, folder, tmp_path).items():
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
    prefect_harness, ws, tmp_path, monkeypatch, fault
):
    target = ["target", "--accounts", ws / "accounts.csv", "--icp", ws / "icp.yaml", "--prefect"]
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
        args = ["draft", "--targets", ws / "out" / "targets.parquet", "--contacts", ws / "contacts.csv"]
        args += ["--workspace", ws, "--out", tmp_path / "d", "--store", store, "--prefect"]
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


def test_the_next_set_written_removes_the_temporaries_of_a_killed_run_and_keeps_a_live_ones(tmp_path):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    dead = tmp_path / f".targets.parquet.{finished.pid}.partial"
    live = tmp_path / f".targets.csv.{os.getppid()}.partial"
    for path in (dead, live):
        path.write_bytes(b"torn")
    with file_set(tmp_path) as stage:
        stage(tmp_path / "target_summary.json").write_text("{}")
    assert not dead.exists() and live.read_bytes() == b"torn"
    assert (tmp_path / "target_summary.json").read_text() == "{}"


def test_a_csv_a_person_opens_carries_no_live_formula_and_reads_back_as_written(tmp_path):
    frame = pl.DataFrame(
        {
            "name": ['=HYPERLINK("http://evil.example","x")', "Acme", "-1+2", "@SUM(A1)"],
            "reasons": [["+2 sweet-spot size: employees=120"], [], ["+1 hiring"], []],
            "score": [3, 1, -2, 0],
        }
    )
    path = write_csv(frame, tmp_path / "targets.csv")
    cells = pl.read_csv(path, infer_schema=False)
    assert cells["name"].to_list() == ['\'=HYPERLINK("http://evil.example","x")', "Acme", "'-1+2", "'@SUM(A1)"]
    assert cells["reasons"][0] == "'+2 sweet-spot size: employees=120" and cells["score"].to_list()[2] == "-2"
    assert formula_unsafe(cells)["name"].to_list() == frame["name"].to_list()


def test_a_write_that_fails_leaves_the_previous_file_and_no_partial_one(tmp_path):
    path = write_json({"targets": 30}, tmp_path / "target_summary.json")
    with pytest.raises(RuntimeError), replaced(path) as temporary:
        temporary.write_text('{"targ')
        raise RuntimeError("killed half way")
    assert json.loads(path.read_text()) == {"targets": 30}
    assert [p.name for p in tmp_path.iterdir()] == ["target_summary.json"]


def test_a_set_that_fails_half_written_leaves_the_previous_set_and_no_temporary_file(tmp_path):
    for name, text in (("targets.csv", "old list"), ("target_summary.json", '{"targets": 1}')):
        (tmp_path / name).write_text(text)
    with pytest.raises(OSError, match="No space"), file_set(tmp_path) as stage:
        stage(tmp_path / "targets.csv").write_text("new list")
        raise OSError(errno.ENOSPC, "No space left on device")  # before the summary is written
    assert _set(tmp_path) == {"targets.csv": b"old list", "target_summary.json": b'{"targets": 1}'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target_summary.json", "targets.csv"]
    with file_set(tmp_path) as stage:
        stage(tmp_path / "targets.csv").write_text("new list")
        stage(tmp_path / "target_summary.json").write_text('{"targets": 2}')
        assert _set(tmp_path)["targets.csv"] == b"old list"  # nothing moves before the set is whole
    assert _set(tmp_path) == {"targets.csv": b"new list", "target_summary.json": b'{"targets": 2}'}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_target_list_cut_short_of_its_summary_is_refused(tmp_path, kind):
    frame = pl.DataFrame(
        {
            "account_id": [f"a{i}.io" for i in range(30)],
            "domain": [f"a{i}.io" for i in range(30)],
            "score": [1] * 30,
            "tier": ["A"] * 30,
            "reasons": [["+1 x"]] * 30,
        }
    )
    path = tmp_path / f"targets.{kind}"
    write_json({"targets": 30}, tmp_path / "target_summary.json")
    if kind == "csv":
        write_csv(frame.head(10), path)
    else:
        frame.head(10).write_parquet(path)
    with pytest.raises(InputError, match="holds 10 targets but target_summary.json says 30"):
        read_targets(path)
    write_json({"targets": 10}, tmp_path / "target_summary.json")
    read = read_targets(path)
    assert read.height == 10 and read["reasons"][0].to_list() == ["+1 x"]


def test_the_files_a_person_opens_are_formula_safe_and_a_torn_list_is_refused_by_draft(ws, tmp_path):
    out = tmp_path / "t"
    summary = run_target(ws, ws / "accounts.csv", out)
    reasons = pl.read_csv(out / "targets.csv", infer_schema=False)["reasons"].drop_nulls()
    assert reasons.len() and not reasons.str.contains(r"^[=+\-@]").any() and reasons.str.starts_with("'+").all()
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no partial file left
    lines = (out / "targets.csv").read_text().splitlines(keepends=True)
    (out / "targets.csv").write_text("".join(lines[: 1 + summary["targets"] // 3]))  # cut at a row boundary
    result = RUNNER.invoke(
        app,
        ["draft", "--targets", str(out / "targets.csv"), "--contacts", str(ws / "contacts.csv")]
        + ["--workspace", str(ws), "--out", str(tmp_path / "d"), "--no-prefect", "--allow-sample-sender"],
    )
    assert result.exit_code == 2 and "targets but target_summary.json says" in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_out_that_is_a_file_and_a_full_disk_are_one_line_and_leave_the_previous_files(ws, tmp_path, monkeypatch):
    import errno

    blocker = tmp_path / "out-is-a-file"
    blocker.write_text("x")
    args = ["target", "--accounts", str(ws / "accounts.csv"), "--icp", str(ws / "icp.yaml")]
    result = RUNNER.invoke(app, [*args, "--out", str(blocker), "--no-prefect"])
    assert result.exit_code == 2 and "a file is in the way" in result.stderr and result.stderr.count("\n") == 1
    out = tmp_path / "t"
    run_target(ws, ws / "accounts.csv", out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr("flows.commands.target.write_csv", full)
    result = RUNNER.invoke(app, [*args, "--out", str(out), "--as-of", "2025-06-01", "--no-prefect"])
    assert result.exit_code == 2 and "the disk is full" in result.stderr and result.stderr.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
