"""A few subprocess runs of the installed command: the real entry point, and the built wheel."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.smoke


def run(argv: list[str], *, isolated: bool = False, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    if isolated:  # a fresh install must find its own packages, not a checkout on PYTHONPATH
        env.pop("PYTHONPATH", None)
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=600, **kwargs)


def test_help_lists_every_command():
    result = run([str(BIN / "outbound"), "--help"])
    assert result.returncode == 0
    for command in ("init", "demo", "columns", "target", "personas", "draft"):
        assert command in result.stdout


def test_unusable_icp_is_one_line_on_stderr_and_exit_2(tmp_path):
    (tmp_path / "a.csv").write_text("domain,name\nacme.com,Acme\n")
    (tmp_path / "icp.yaml").write_text("name: x\nversion: 1\nfilters:\n  - {field: industry, nope: [saas]}\n")
    result = run(
        [
            str(BIN / "outbound"),
            "target",
            "--accounts",
            str(tmp_path / "a.csv"),
            "--icp",
            str(tmp_path / "icp.yaml"),
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "icp.yaml:4" in result.stderr and "nope" in result.stderr


def test_a_row_found_unusable_inside_a_flow_run_is_one_line_not_prefects_traceback(tmp_path):
    # Only a full read finds a quote never closed near the end, and that read is a task of the run.
    rows = [f"acct-{i},Company {i},c{i}.com,SaaS" for i in range(3000)]
    rows[2990] = 'acct-2990,"Company 2990,c2990.com,SaaS'
    (tmp_path / "a.csv").write_text("account_id,name,domain,industry\n" + "\n".join(rows) + "\n")
    (tmp_path / "icp.yaml").write_text(
        "name: x\nversion: 1\nscoring:\n  criteria:\n    - {name: saas, field: industry, in: [saas], points: 1}\n"
    )
    argv = [str(BIN / "outbound"), "target", "--accounts", str(tmp_path / "a.csv"), "--icp", str(tmp_path / "icp.yaml")]
    result = run([*argv, "--out", str(tmp_path / "out"), "--prefect"], cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "a.csv:2992" in result.stderr and "never closed" in result.stderr


def test_built_wheel_drafts_with_its_packaged_templates(tmp_path):
    """Install the wheel (not editable) into a fresh venv and draft from a workspace with no templates/."""
    uv = shutil.which("uv", path=str(BIN)) or shutil.which("uv")
    assert uv, "uv is installed by `make install`"
    dist = tmp_path / "dist"
    assert run([uv, "build", "--wheel", "--out-dir", str(dist), str(ROOT)], isolated=True).returncode == 0
    wheel = next(dist.glob("outbound-*.whl"))
    venv = tmp_path / "venv"
    assert run([uv, "venv", "--python", sys.executable, str(venv)], isolated=True).returncode == 0
    py = venv / "bin" / "python"
    installed = run(
        [uv, "pip", "install", "--python", str(py), "-r", str(ROOT / "requirements.lock"), str(wheel)], isolated=True
    )
    assert installed.returncode == 0, installed.stderr
    outbound = str(venv / "bin" / "outbound")
    work = tmp_path / "work"
    assert run([outbound, "init", str(work), "--accounts", "400"], isolated=True).returncode == 0
    shutil.rmtree(work / "templates")
    located = run(
        [str(py), "-c", "import messaging.composing.templates as t; print(t.default_templates_dir())"],
        cwd=tmp_path,
        isolated=True,
    )
    assert "site-packages" in located.stdout, located.stdout + located.stderr
    target = run(
        [
            outbound,
            "target",
            "--accounts",
            str(work / "accounts.csv"),
            "--icp",
            str(work / "icp.yaml"),
            "--out",
            str(work / "out"),
            "--no-prefect",
            "--json",
        ],
        cwd=work,
        isolated=True,
    )
    assert target.returncode == 0, target.stderr
    drafted = run(
        [
            outbound,
            "draft",
            "--targets",
            str(work / "out" / "targets.parquet"),
            "--contacts",
            str(work / "contacts.csv"),
            "--out",
            str(work / "drafts"),
            "--no-prefect",
            "--json",
            "--allow-sample-sender",
        ],
        cwd=work,
        isolated=True,
    )
    assert drafted.returncode == 0, drafted.stderr
    assert json.loads(drafted.stdout)["drafts"] > 0
