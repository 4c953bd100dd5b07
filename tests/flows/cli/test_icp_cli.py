"""`outbound icp derive` and `outbound icp backtest` from the command line, in-process and as flows."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from targeting.icp.spec import load_icp
from tests.flows.conftest import invoke, new_workspace


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("icp-workspace")
    new_workspace(directory, accounts=5000)
    return directory


def test_derive_writes_an_icp_that_target_runs_unchanged(workspace, tmp_path):
    out = tmp_path / "derived.yaml"
    result = invoke(
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--customers",
        workspace / "customers.csv",
        "--out",
        out,
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    spec = load_icp(out)
    assert spec.name == summary["icp"] == "derived-from-customers" and spec.version == 1
    assert summary["best"] >= 5 and summary["worst"] >= 5 and "churned" in summary["how"]
    assert len(summary["filters"]) == len(spec.filters) and summary["attributes"]
    assert "# " in out.read_text()
    targets = invoke(
        "target",
        "--accounts",
        workspace / "accounts.csv",
        "--icp",
        out,
        "--out",
        tmp_path / "t",
        "--no-prefect",
        "--json",
    )
    assert targets.exit_code == 0, targets.output
    assert json.loads(targets.stdout)["targets"] == summary["list_size"]


def test_derive_from_deals_and_backtest_with_a_split_print_their_summaries(workspace, tmp_path):
    out = tmp_path / "from-deals.yaml"
    result = invoke(
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--deals",
        workspace / "deals.csv",
        "--out",
        out,
        "--no-prefect",
    )
    assert result.exit_code == 0, result.output
    assert "Attributes that matter" in result.stdout and "won deal" in result.stdout
    deals = pl.read_csv(workspace / "deals.csv", try_parse_dates=True).drop_nulls("closed_at")["closed_at"]
    middle = deals.sort()[deals.len() // 2].isoformat()
    result = invoke(
        "icp",
        "backtest",
        "--icp",
        workspace / "icp.yaml",
        "--accounts",
        workspace / "accounts.csv",
        "--deals",
        workspace / "deals.csv",
        "--split",
        middle,
        "--no-prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["open"] > 0 and summary["won"] + summary["lost"] == summary["deals"]
    assert summary["separation"]["auc"] > 0.5 and summary["review"]["segment"] == "A"
    human = invoke(
        "icp",
        "backtest",
        "--icp",
        out,
        "--accounts",
        workspace / "accounts.csv",
        "--deals",
        workspace / "deals.csv",
        "--no-prefect",
    )
    assert human.exit_code == 0 and "ROC AUC" in human.stdout and "Last closed deals" in human.stdout


def test_derive_and_backtest_run_as_prefect_flows_with_their_artifacts(prefect_harness, workspace, tmp_path):
    out = tmp_path / "icp.yaml"
    result = invoke(
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--customers",
        workspace / "customers.csv",
        "--out",
        out,
        "--prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    result = invoke(
        "icp",
        "backtest",
        "--icp",
        out,
        "--accounts",
        workspace / "accounts.csv",
        "--deals",
        workspace / "deals.csv",
        "--prefect",
        "--json",
    )
    assert result.exit_code == 0, result.output
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        keys = {a.key for a in client.read_artifacts() if a.key}
        flows = {f.name for f in client.read_flows()}
    assert {"icp-derivation", "icp-backtest"} <= keys
    assert {"derive_icp", "backtest_icp"} <= flows


def _customers(tmp_path, workspace, kind: str) -> Path:
    ids = pl.read_csv(workspace / "accounts.csv", infer_schema=False)["account_id"].head(20).to_list()
    rows = {
        "nomatch": "domain,label\nnosuch.example,best\nother.example,worst\n",
        "unknown_label": f"account_id,label\n{ids[0]},great\n",
        "same_label": "account_id,label\n" + "".join(f"{i},best\n" for i in ids[:8]),
        "few": "account_id,label\n" + "".join(f"{i},best\n" for i in ids[:8]) + f"{ids[9]},worst\n",
    }[kind]
    path = tmp_path / f"{kind}.csv"
    path.write_text(rows)
    return path


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("nomatch", "none of the 2 customers"),
        ("unknown_label", "'great'"),
        ("same_label", "all 8 labelled customers are best"),
        ("few", "only 1 worst accounts"),
    ],
)
def test_derive_bad_customers_is_one_line_and_exit_2(workspace, tmp_path, kind, expected):
    result = invoke(
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--customers",
        _customers(tmp_path, workspace, kind),
        "--out",
        tmp_path / "x.yaml",
        "--no-prefect",
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert expected in result.stderr


@pytest.mark.parametrize(
    ("deals", "extra", "expected"),
    [
        ("account_id,stage\n{a},won\n{b},won\n", [], "no lost deal"),
        ("account_id,stage,closed_at\n{a},won,2025-13-45\n{b},lost,2025-01-01\n", [], "'2025-13-45'"),
        (
            "account_id,stage,closed_at\n{a},won,2025-02-01\n{b},lost,2025-01-01\n",
            ["--split", "2031-01-01"],
            "split date outside",
        ),
        ("account_id,stage\n{a},won\n{b},lost\n", ["--split", "July"], "'July'"),
    ],
)
def test_backtest_bad_deals_is_one_line_and_exit_2(workspace, tmp_path, deals, extra, expected):
    ids = pl.read_csv(workspace / "accounts.csv", infer_schema=False)["account_id"].head(2).to_list()
    path = tmp_path / "deals.csv"
    path.write_text(deals.format(a=ids[0], b=ids[1]))
    result = invoke(
        "icp",
        "backtest",
        "--icp",
        workspace / "icp.yaml",
        "--accounts",
        workspace / "accounts.csv",
        "--deals",
        path,
        "--no-prefect",
        *extra,
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert expected in result.stderr


def test_derive_needs_exactly_one_outcome_file(workspace, tmp_path):
    result = invoke(
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--customers",
        workspace / "customers.csv",
        "--deals",
        workspace / "deals.csv",
        "--out",
        tmp_path / "x.yaml",
    )
    assert result.exit_code == 2 and "exactly one of --customers" in result.stderr


def test_derive_records_version_1_of_its_lineage_only_where_a_store_is_given(workspace, tmp_path, monkeypatch):
    from campaigns.store import Store

    monkeypatch.delenv("OUTBOUND_STORE", raising=False)
    monkeypatch.chdir(tmp_path)
    args = [
        "icp",
        "derive",
        "--accounts",
        workspace / "accounts.csv",
        "--customers",
        workspace / "customers.csv",
        "--out",
        tmp_path / "derived.yaml",
        "--no-prefect",
        "--json",
    ]
    plain = invoke(*args)
    assert plain.exit_code == 0 and json.loads(plain.stdout)["recorded"] is None
    assert not (tmp_path / "outbound.duckdb").exists()  # no store given: none is created
    store = tmp_path / "lineage.duckdb"
    first = json.loads(invoke(*args, "--store", store).stdout)["recorded"]
    assert first == {
        "store": str(store),
        "icp": "derived-from-customers",
        "version": 1,
        "recorded": True,
        "created": True,
    }
    assert json.loads(invoke(*args, "--store", store).stdout)["recorded"]["recorded"] is False  # same text: idempotent
    assert Store(store).icp_hash("derived-from-customers", 1) is not None
