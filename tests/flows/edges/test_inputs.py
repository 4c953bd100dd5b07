"""Real-shaped exports through every command: one line or a result, never a traceback, rows all accounted."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from flows.cli import app
from tests.flows.conftest import RUNNER

DATA = Path(__file__).resolve().parents[2] / "data"

# (file, preset, people-shaped): layouts as the tools write them, see tests/data/SOURCES.md.
EXPORTS = [
    ("exports/european_accounts.csv", "canonical", False),
    ("exports/clay_people.csv", "clay", True),
    ("apollo_people.csv", "apollo", True),
    ("apollo_companies.csv", "apollo", False),
    ("hubspot_companies.csv", "hubspot", False),
    ("yc_companies_slice.csv", "yc", False),
]
ICP = """
name: any
version: 1
target_size: {min: 1, max: 100}
filters:
  - {field: country, in: [USA, Germany, Brazil, Netherlands, Italy, France]}
scoring:
  min_score: 0
  tiers: {A: 1}
  criteria:
    - {field: tech_stack, contains_any: [HubSpot], points: 1}
personas: [economic_buyer, champion, technical_evaluator]
"""


def invoke(*args):
    result = RUNNER.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture(scope="module")
def icp(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("icp") / "icp.yaml"
    path.write_text(ICP)
    return path


@pytest.mark.parametrize(("name", "preset", "people"), EXPORTS)
def test_target_accounts_for_every_row_and_explains_each_rejection(name, preset, people, icp, tmp_path):
    result = invoke(
        "target",
        "--accounts",
        DATA / name,
        "--preset",
        preset,
        "--icp",
        icp,
        "--out",
        tmp_path,
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    removed = sum(step["removed"] for step in s["funnel"])
    assert s["rows_read"] == s["rejected"] + s["duplicates"] + s["suppressed"] + removed + s["targets"]
    rejected = pl.read_csv(tmp_path / "rejected.csv", infer_schema=False)
    assert rejected.height == s["rejected"] and rejected["reason"].null_count() == 0
    # every file the tool writes it reads back, CSV or Parquet
    for written in ("targets.csv", "targets.parquet"):
        again = invoke(
            "target",
            "--accounts",
            tmp_path / written,
            "--icp",
            icp,
            "--out",
            tmp_path / "again",
            "--no-prefect",
            "--json",
        )
        assert again.exit_code == 0, again.output
        assert json.loads(again.stdout)["targets"] == s["targets"]


@pytest.mark.parametrize(("name", "preset", "people"), EXPORTS)
def test_columns_and_icp_check_read_every_export(name, preset, people, icp):
    assert invoke("columns", "--accounts", DATA / name, "--json").exit_code == 0
    checked = invoke("icp", "check", "--icp", icp, "--accounts", DATA / name, "--preset", preset, "--json")
    assert checked.exit_code == 0, checked.output
    assert {"written": "USA", "read_as": "US"}.items() <= json.loads(checked.stdout)["respelled"][0].items()


@pytest.mark.parametrize(("name", "preset"), [(n, p) for n, p, people in EXPORTS if people])
def test_personas_read_every_people_export(name, preset, tmp_path):
    result = invoke(
        "personas", "--contacts", DATA / name, "--preset", preset, "--out", tmp_path / "p.csv", "--no-prefect", "--json"
    )
    assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "p.csv").height > 0
