"""The one rule that decides flow run or in-process, the flows' plain parameters, and the start-up face."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli import app
from flows.cli.running import configured_api_url, wants_flow_run
from tests.flows.conftest import RUNNER

ROOT = Path(__file__).resolve().parents[3]
PREFECT_ENV = ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH", "PREFECT_HOME")


@pytest.fixture
def no_prefect_config(monkeypatch, tmp_path):
    """No Prefect API in the environment, and a Prefect home with no profiles file."""
    for name in PREFECT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect-home"))
    return tmp_path


def test_in_process_where_nothing_is_configured_and_the_flags_force_either(no_prefect_config, monkeypatch):
    assert configured_api_url() is None
    assert (wants_flow_run(None), wants_flow_run(True), wants_flow_run(False)) == (False, True, False)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert (wants_flow_run(None), wants_flow_run(False)) == (True, False)


def test_the_active_profile_pointing_at_a_server_means_a_flow_run(no_prefect_config, monkeypatch):
    profiles = no_prefect_config / "prefect-home" / "profiles.toml"
    profiles.parent.mkdir()
    profiles.write_text(
        'active = "team"\n\n[profiles.ephemeral]\n\n'
        '[profiles.team]\nPREFECT_API_URL = "http://prefect.internal:4200/api"\n'
    )
    assert configured_api_url() == "http://prefect.internal:4200/api" and wants_flow_run(None)
    monkeypatch.setenv("PREFECT_PROFILE", "ephemeral")  # the profile a shell selects wins over `active`
    assert configured_api_url() is None
    other = no_prefect_config / "elsewhere.toml"
    other.write_text(
        '[profiles.ephemeral]\nPREFECT_API_URL = "https://api.prefect.cloud/api/accounts/a/workspaces/w"\n'
    )
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(other))
    assert configured_api_url().startswith("https://api.prefect.cloud")


def test_the_working_folders_dotenv_prefect_toml_and_pyproject_count_in_prefects_order(no_prefect_config, monkeypatch):
    work = no_prefect_config / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    (work / "pyproject.toml").write_text('[tool.prefect.api]\nurl = "http://from-pyproject:4200/api"\n')
    assert configured_api_url() == "http://from-pyproject:4200/api"
    (work / "prefect.toml").write_text('[api]\nurl = "http://from-prefect-toml:4200/api"\n')
    assert configured_api_url() == "http://from-prefect-toml:4200/api"
    (work / ".env").write_text("# team settings\nPREFECT_API_URL='http://from-dotenv:4200/api'\n")
    assert configured_api_url() == "http://from-dotenv:4200/api" and wants_flow_run(None)
    monkeypatch.setenv("PREFECT_API_URL", "http://from-env:4200/api")
    assert configured_api_url() == "http://from-env:4200/api"
    monkeypatch.delenv("PREFECT_API_URL")
    (work / ".env").write_text("OTHER=1\n")
    (work / "prefect.toml").write_text("[api]\nkey = 'no url here'\n")
    (work / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert configured_api_url() is None and not wants_flow_run(None)


def test_a_broken_profiles_file_is_no_api(no_prefect_config):
    profiles = no_prefect_config / "prefect-home" / "profiles.toml"
    profiles.parent.mkdir()
    profiles.write_text("active = [unclosed\n")
    assert configured_api_url() is None


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PREFECT_ENV}
    return env | {"PYTHONPATH": str(ROOT), "PREFECT_HOME": str(tmp_path / "prefect-home")}


def test_target_in_process_imports_no_prefect_module_and_says_once_how_to_get_the_ui(tmp_path):
    from flows.edges.workspace import init_workspace

    init_workspace(tmp_path / "ws", accounts=100)
    ws = tmp_path / "ws"
    script = (
        "import sys\n"
        "from flows.cli import main\n"
        "try:\n    main()\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "loaded = sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.'))\n"
        "print('PREFECT-MODULES', len(loaded), loaded[:5], file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    argv = [
        "target",
        "--accounts",
        str(ws / "accounts.csv"),
        "--contacts",
        str(ws / "contacts.csv"),
        "--icp",
        str(ws / "icp.yaml"),
        "--out",
        str(tmp_path / "out"),
    ]
    result = subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "PREFECT-MODULES 0 []" in result.stderr
    assert result.stderr.count("ran in-process") == 1 and "PREFECT_API_URL" in result.stderr
    assert "verdict" in result.stdout and (tmp_path / "out" / "targets.parquet").is_file()
    quiet = subprocess.run(
        [sys.executable, "-c", script, *argv, "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_clean_env(tmp_path),
        timeout=300,
    )
    assert quiet.returncode == 0 and "ran in-process" not in quiet.stderr
    assert json.loads(quiet.stdout)["rows_read"] == 100


def test_version_prints_the_package_version():
    from importlib.metadata import version

    result = RUNNER.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"outbound {version('outbound')}"


@pytest.mark.parametrize("command", [["target"], ["draft"], ["demo"], ["campaign", "plan"], ["icp", "derive"]])
def test_help_at_80_columns_keeps_every_option_name_whole(command):
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", *command, "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout and max(map(len, result.stdout.splitlines())) <= 80
    assert "--prefect / --no-prefect" in result.stdout
    if command == ["draft"]:
        assert "--allow-free-mail / --no-allow-free-mail" in result.stdout


REQUESTS = {
    "build_target_list": ("flows.commands.target", "TargetRequest"),
    "draft_emails": ("flows.commands.draft", "DraftRequest"),
    "classify_personas": ("flows.commands.personas", "PersonasRequest"),
    "derive_facts": ("flows.commands.facts", "FactsRequest"),
    "derive_icp": ("flows.commands.icp_derive", "DeriveRequest"),
    "backtest_icp": ("flows.commands.icp_backtest", "BacktestRequest"),
    "plan_campaign": ("flows.commands.campaign_plan", "PlanRequest"),
    "ingest_results": ("flows.commands.campaign_ingest", "IngestRequest"),
    "refine_icp": ("flows.commands.icp_refine", "RefineRequest"),
}


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_each_flow_takes_its_requests_fields_as_plain_parameters(name):
    """A field added to a request and not to its flow would be lost when a deployment starts the flow."""
    import importlib

    from flows.runs import pipeline as flow_runs

    module, model = REQUESTS[name]
    request_model = getattr(importlib.import_module(module), model)
    flow = getattr(flow_runs, name)
    assert flow.name == name
    assert list(inspect.signature(flow.fn).parameters) == list(request_model.model_fields)
