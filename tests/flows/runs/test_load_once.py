"""In-process, each command loads every spec once and dry-renders each template once.

`loads` (tests/flows/conftest.py) records every loader call; the flow path, where the command
validates before the flow and the flow loads once inside, is tested with the other flow runs in
test_cli.py (one Prefect harness per test worker).
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.flows.conftest import invoke, new_workspace, own_sender


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("workspace")
    new_workspace(directory, accounts=1000)
    own_sender(directory)
    (directory / "map.yaml").write_text("columns:\n  domain: domain\n")
    blocked = pl.read_csv(directory / "accounts.csv", infer_schema=False)["domain"].head(5).to_list()
    (directory / "dnc.txt").write_text("\n".join(blocked) + "\n")
    return directory


def _target(workspace: Path, out: Path, *extra: object):
    return invoke(
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--contacts",
        workspace / "contacts.csv",
        "--icp",
        workspace / "icp.yaml",
        "--personas",
        workspace / "personas.yaml",
        "--map",
        workspace / "map.yaml",
        "--suppress",
        workspace / "dnc.txt",
        "--out",
        out,
        "--no-prefect",
        *extra,
    )


def test_target_loads_each_spec_once(workspace, tmp_path, loads):
    result = _target(workspace, tmp_path / "t", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reachable"] > 0
    assert loads.paths("load_icp") == [workspace / "icp.yaml"]
    assert loads.paths("load_column_map") == [workspace / "map.yaml"]
    assert loads.paths("load_persona_rules") == [workspace / "personas.yaml"]
    assert loads.paths("read_suppression") == [[workspace / "dnc.txt"]]
    assert not any(in_flow for calls in loads.values() for _, in_flow in calls)


def test_draft_loads_each_spec_once_and_dry_renders_each_template_once(workspace, tmp_path, loads):
    assert _target(workspace, tmp_path / "t").exit_code == 0
    loads.clear()
    result = invoke(
        "draft",
        "--targets",
        tmp_path / "t" / "targets.parquet",
        "--contacts",
        workspace / "contacts.csv",
        "--workspace",
        workspace,
        "--suppress",
        workspace / "dnc.txt",
        "--out",
        tmp_path / "d",
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["drafts"] > 0
    assert loads.paths("load_icp") == [tmp_path / "t" / "icp.yaml"]
    assert loads.paths("load_persona_rules") == [workspace / "personas.yaml"]
    assert loads.paths("load_messaging") == [workspace / "messaging.yaml"]
    assert loads.paths("load_templates") == [workspace / "templates"]
    assert loads.paths("read_suppression") == [[workspace / "dnc.txt"]]
    # load_templates dry-renders against the run's own sender, loaded once (no second, shipped one).
    assert loads.paths("load_sender") == [workspace / "sender.yaml"]
    assert len(loads["check_templates"]) == 1


def test_personas_loads_each_spec_once(workspace, tmp_path, loads):
    result = invoke(
        "personas",
        "--contacts",
        workspace / "contacts.csv",
        "--personas",
        workspace / "personas.yaml",
        "--map",
        workspace / "map.yaml",
        "--out",
        tmp_path / "p.csv",
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert loads.paths("load_persona_rules") == [workspace / "personas.yaml"]
    assert loads.paths("load_column_map") == [workspace / "map.yaml"]


def test_flow_functions_are_named_for_their_verb_and_registered_under_the_command_verbs():
    from flows.runs.pipeline import build_target_list as build_target_list_flow
    from flows.runs.pipeline import classify_personas as classify_personas_flow
    from flows.runs.pipeline import draft_emails as draft_emails_flow

    assert (build_target_list_flow.name, draft_emails_flow.name, classify_personas_flow.name) == (
        "build_target_list",
        "draft_emails",
        "classify_personas",
    )
