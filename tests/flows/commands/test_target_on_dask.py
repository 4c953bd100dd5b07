"""`target --dask` on a LocalCluster writes what the single-process command writes, exactly.

The oracle is the command itself without `--dask` on the same partitioned universe: its
target_summary.json (every funnel step and suggestion count), targets.parquet and rejected.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from flows.cli import app
from targeting.sample.accounts import generate_accounts
from tests.flows.conftest import RUNNER, new_workspace

# A Dask cluster and a Prefect backend for the module: the slow tier (make test-slow, CI).
pytestmark = pytest.mark.slow
AS_OF = "2026-01-01"
UNIVERSE = generate_accounts(60, seed=11)


@pytest.fixture(scope="session")
def cluster():
    """One in-process LocalCluster (threads, no processes) for the session, on a 127.0.0.1 port."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local.scheduler_address


@pytest.fixture(scope="module")
def icp(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("ws")
    new_workspace(directory, accounts=200)
    return directory / "icp.yaml"


def write_parts(directory: Path, sizes: list[int], *, repeats: int = 0, unusable: int = 0) -> Path:
    """UNIVERSE cut into parts of `sizes` rows; `repeats` ids of the first rows recur in the last part,
    `unusable` rows lose every account key (rejected)."""
    directory.mkdir(parents=True, exist_ok=True)
    frame = UNIVERSE.head(sum(sizes))
    if unusable:
        gone = pl.int_range(pl.len()) < unusable
        frame = frame.with_columns(
            pl.when(gone).then(None).otherwise(pl.col(c)).alias(c) for c in ("account_id", "domain")
        )
    start = 0
    for i, size in enumerate(sizes):
        part = frame.slice(start, size)
        if i == len(sizes) - 1 and repeats and part.height:
            earlier = frame.head(min(repeats, start))["account_id"]
            part = part.with_columns(
                pl.when(pl.int_range(pl.len()) < earlier.len())
                .then(pl.lit(earlier).get(pl.int_range(pl.len()).clip(0, max(earlier.len() - 1, 0))))
                .otherwise(pl.col("account_id"))
                .alias("account_id")
            )
        part.write_parquet(directory / f"part-{i:03d}.parquet")
        start += size
    return directory


def run(accounts: Path, icp: Path, out: Path, *extra: str) -> dict:
    argv = ["target", "--accounts", accounts, "--icp", icp, "--out", out, "--as-of", AS_OF, "--json", *extra]
    result = RUNNER.invoke(app, [str(a) for a in argv])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def assert_same_outputs(local: Path, dask: Path) -> None:
    for name in ("target_summary.json", "targets.csv", "rejected.csv"):
        assert (dask / name).read_text() == (local / name).read_text(), name
    assert_frame_equal(pl.read_parquet(dask / "targets.parquet"), pl.read_parquet(local / "targets.parquet"))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sizes=st.lists(st.integers(0, 25), min_size=1, max_size=6).filter(lambda s: sum(s) > 0),
    repeats=st.integers(0, 3),
    unusable=st.integers(0, 2),
)
@example(sizes=[1] * 8, repeats=0, unusable=0)  # one account per partition
@example(sizes=[0, 20, 0, 15, 0], repeats=0, unusable=1)  # empty partitions, a rejected row
def test_dask_equals_the_single_process_command(
    prefect_harness, cluster, icp, tmp_path_factory, sizes, repeats, unusable
):
    base = tmp_path_factory.mktemp("run")
    parts = write_parts(base / "parts", sizes, repeats=repeats, unusable=unusable)
    local = run(parts, icp, base / "local", "--no-prefect")
    dask = run(parts, icp, base / "dask", "--dask", cluster)
    assert dask == local
    assert_same_outputs(base / "local", base / "dask")


def test_a_single_file_splits_by_row_group_with_suppression_and_the_same_outputs(
    prefect_harness, cluster, icp, tmp_path
):
    path = tmp_path / "universe.parquet"
    UNIVERSE.write_parquet(path, row_group_size=13)
    (tmp_path / "dnc.txt").write_text("\n".join(UNIVERSE["domain"].head(5).to_list()) + "\n")
    extra = ["--suppress", tmp_path / "dnc.txt"]
    local = run(path, icp, tmp_path / "local", "--no-prefect", *extra)
    dask = run(path, icp, tmp_path / "dask", "--dask", cluster, *extra)
    assert dask == local and local["suppressed"] > 0
    assert local["suggestions"], "a universe this small is too narrow: the suggestion counts are compared"
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


def test_a_glob_of_parts_and_contacts_read_locally_give_the_same_reachable_count(
    prefect_harness, cluster, icp, tmp_path
):
    from targeting.sample.contacts import generate_contacts

    parts = write_parts(tmp_path / "parts", [20, 20, 20])
    contacts = tmp_path / "contacts.parquet"
    generate_contacts(UNIVERSE, seed=3).write_parquet(contacts)
    pattern = str(parts / "part-*.parquet")
    extra = ["--contacts", contacts, "--personas", icp.parent / "personas.yaml"]
    local = run(Path(pattern), icp, tmp_path / "local", "--no-prefect", *extra)
    dask = run(Path(pattern), icp, tmp_path / "dask", "--dask", cluster, *extra)
    assert dask == local and local["reachable"] is not None
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")


def test_an_account_in_two_partitions_stays_in_the_first_and_counts_as_a_duplicate(
    prefect_harness, cluster, icp, tmp_path
):
    parts = write_parts(tmp_path / "parts", [0, 20, 0, 15], repeats=2, unusable=1)
    local = run(parts, icp, tmp_path / "local", "--no-prefect")
    dask = run(parts, icp, tmp_path / "dask", "--dask", cluster)
    assert local["duplicates"] >= 1 and local["rejected"] >= 1
    assert dask == local
    assert_same_outputs(tmp_path / "local", tmp_path / "dask")
