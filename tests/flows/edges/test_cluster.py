"""`--dask`: the address, the checks before a flow starts, and real `dask scheduler` / `dask worker` processes.

Bad input is one line and exit 2 before any flow run starts: an address nobody answers, a part with
another schema, an empty glob, a worker without the package. The smoke tests start a scheduler and two
workers on 127.0.0.1 and run the installed command against them; a worker killed mid-run is retried
by Dask (the outputs equal the single-process run's) or the run fails with one line, never a wrong count.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import dask
import polars as pl
import pytest

from flows.cli import app
from flows.edges.cluster import CONNECT_TIMEOUT, parse_dask
from targeting.errors import InputError
from targeting.sample.accounts import generate_accounts
from tests.flows.conftest import RUNNER

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
AS_OF = "2026-01-01"
# A worker "without the package": every import of the project's packages fails, as on a bare machine.
NO_PACKAGE = (
    "import sys\n"
    "class Missing:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] in ('targeting', 'messaging', 'campaigns', 'flows'):\n"
    "            raise ModuleNotFoundError(f'No module named {name!r}')\n"
    "sys.meta_path.insert(0, Missing())\n"
    "from distributed.cli.dask_worker import main\n"
    "main()\n"
)


@pytest.mark.parametrize("text", ["tcp://nohost", "spark://h:1", "local:0", "local:x", ""])
def test_a_dask_address_that_is_not_one_is_named(text):
    with pytest.raises(InputError, match="--dask"):
        parse_dask(text)


def test_local_and_tcp_addresses_are_read():
    assert parse_dask("local:3").workers == 3 and parse_dask("local").workers == (os.cpu_count() or 1)
    assert parse_dask("tcp://127.0.0.1:8786").address == "tcp://127.0.0.1:8786"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def universe(tmp_path_factory) -> tuple[Path, Path]:
    from flows.edges.workspace import init_workspace

    directory = tmp_path_factory.mktemp("cluster")
    init_workspace(directory / "ws", accounts=200)
    parts = directory / "parts"
    parts.mkdir()
    frame = generate_accounts(24_000, seed=5)
    for i in range(12):
        frame.slice(i * 2000, 2000).write_parquet(parts / f"part-{i:03d}.parquet")
    return parts, directory / "ws" / "icp.yaml"


def flow_runs() -> int:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        return len(client.read_flow_runs())


def invoke_target(accounts: Path, icp: Path, out: Path, dask: str, *extra: str):
    argv = ["target", "--accounts", accounts, "--icp", icp, "--out", out, "--dask", dask, "--json", *extra]
    return RUNNER.invoke(app, [str(a) for a in argv])


def assert_one_line(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


def test_an_address_that_does_not_answer_is_one_line_and_starts_no_flow_run(prefect_harness, universe, tmp_path):
    parts, icp = universe
    before = flow_runs()
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    # Dask's own connect timeout set far beyond the bound below: a check that waited on it instead of
    # CONNECT_TIMEOUT would fail here, while the bound leaves a loaded machine room (never a fixed 30 s).
    # distributed imported first: set() on its key before its defaults load would drop them all on exit.
    import distributed  # noqa: F401

    with dask.config.set({"distributed.comm.timeouts.connect": "900s"}):
        result = invoke_target(parts, icp, tmp_path / "out", address)
    assert_one_line(result, address, "no Dask scheduler answers")
    assert time.monotonic() - started < 60 * CONNECT_TIMEOUT
    assert flow_runs() == before and not (tmp_path / "out").exists()


def test_a_part_with_another_schema_names_the_file_and_the_column(prefect_harness, universe, tmp_path):
    parts, icp = universe
    odd = tmp_path / "parts"
    odd.mkdir()
    for i, file in enumerate(sorted(parts.glob("*.parquet"))[:3]):
        frame = pl.read_parquet(file)
        if i == 2:
            frame = frame.with_columns(pl.col("employees").cast(pl.String))
        frame.write_parquet(odd / file.name)
    before = flow_runs()
    result = invoke_target(odd, icp, tmp_path / "out", "local:1")
    assert_one_line(result, "part-002.parquet", "'employees'", "String")
    assert flow_runs() == before


def test_an_empty_glob_is_one_line(prefect_harness, universe, tmp_path):
    _, icp = universe
    result = invoke_target(tmp_path / "nothing-*.parquet", icp, tmp_path / "out", "local:1")
    assert_one_line(result, "nothing-*.parquet", "no file matches")


def test_a_people_export_is_refused_with_dask(prefect_harness, universe, tmp_path):
    _, icp = universe
    people = tmp_path / "people.parquet"
    pl.read_csv(ROOT / "tests" / "data" / "apollo_people.csv", infer_schema=False).write_parquet(people)
    result = invoke_target(people, icp, tmp_path / "out", "local:1", "--preset", "apollo")
    assert_one_line(result, "people-shaped", "without --dask")


# ---- real processes on 127.0.0.1 ---------------------------------------------------------------


def _env() -> dict[str, str]:
    from prefect.settings import get_current_settings

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return env | {
        "PYTHONPATH": str(ROOT),
        "PREFECT_API_URL": str(get_current_settings().api.url),
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "DASK_LOGGING__DISTRIBUTED": "error",
    }


def _start(args: list[str]) -> subprocess.Popen:
    # A session of its own: stopping it must not signal pytest.
    return subprocess.Popen(
        args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_for_workers(address: str, n: int, timeout: float = 600) -> None:
    from distributed import Client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with Client(address, timeout=60, set_as_default=False) as client:
                client.wait_for_workers(n, timeout=max(1, deadline - time.monotonic()))
                return
        except (OSError, TimeoutError):
            time.sleep(1)
    raise AssertionError(f"{n} workers never joined {address}")


@pytest.fixture
def scheduler(prefect_harness):
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = [_start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"])]
    yield address, processes
    _stop(processes)


def _worker(address: str, *, package: bool = True) -> subprocess.Popen:
    options = ["--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "60"]
    if package:
        return _start([str(BIN / "dask"), "worker", address, *options])
    # No nanny: the nanny would start the worker in a fresh process, without the import block.
    return _start([sys.executable, "-c", NO_PACKAGE, address, "--no-nanny", *options])


def _command(accounts: Path, icp: Path, out: Path, *extra: str) -> subprocess.Popen:
    argv = [str(BIN / "outbound"), "target", "--accounts", str(accounts), "--icp", str(icp), "--out", str(out)]
    argv += ["--as-of", AS_OF, "--json", *extra]
    return subprocess.Popen(argv, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _local(universe: tuple[Path, Path], out: Path) -> dict:
    parts, icp = universe
    done = subprocess.run(
        [str(BIN / "outbound"), "target", "--accounts", str(parts), "--icp", str(icp), "--out", str(out)]
        + ["--as-of", AS_OF, "--json", "--no-prefect"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.smoke
def test_two_real_workers_give_the_single_process_outputs(scheduler, universe, tmp_path):
    address, processes = scheduler
    processes += [_worker(address), _worker(address)]
    _wait_for_workers(address, 2)
    parts, icp = universe
    local = _local(universe, tmp_path / "local")
    stdout, stderr = _command(parts, icp, tmp_path / "dask", "--dask", address).communicate(timeout=600)
    assert json.loads(stdout) == local, stderr
    for name in ("target_summary.json", "targets.csv", "rejected.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name


@pytest.mark.smoke
def test_a_worker_killed_mid_run_is_retried_or_fails_in_one_line_never_a_wrong_count(scheduler, universe, tmp_path):
    from distributed import Client

    address, processes = scheduler
    processes += [_worker(address), _worker(address)]
    _wait_for_workers(address, 2)
    parts, icp = universe
    local = _local(universe, tmp_path / "local")
    run = _command(parts, icp, tmp_path / "dask", "--dask", address)
    killed = None
    with Client(address, timeout=600, set_as_default=False) as client:  # a cap, not a measure
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 300
        while killed is None and run.poll() is None and time.monotonic() < deadline:
            busy = [worker for worker, keys in client.processing().items() if keys]
            if busy:
                killed = busy[0]
                os.kill(pids[killed], signal.SIGKILL)  # the worker process, not its nanny
            time.sleep(0.05)
    stdout, stderr = run.communicate(timeout=600)
    assert killed is not None, "the run ended before a task was seen running"
    if run.returncode == 0:
        assert json.loads(stdout) == local
        assert (tmp_path / "dask" / "targets.csv").read_bytes() == (tmp_path / "local" / "targets.csv").read_bytes()
    else:
        lines = [line for line in stderr.splitlines() if line.startswith("error:")]
        assert len(lines) == 1 and "Dask" in lines[0], stderr
        assert not (tmp_path / "dask" / "target_summary.json").exists()


@pytest.mark.smoke
def test_a_worker_without_the_package_is_one_line_before_any_flow_run(scheduler, universe, tmp_path):
    address, processes = scheduler
    processes.append(_worker(address, package=False))
    _wait_for_workers(address, 1)
    parts, icp = universe
    before = flow_runs()
    result = invoke_target(parts, icp, tmp_path / "out", address)
    assert_one_line(result, "cannot import outbound", "ModuleNotFoundError", address)
    assert flow_runs() == before


def test_local_workers_share_the_cores_between_their_polars_threads(monkeypatch):
    from distributed import Client, LocalCluster

    from flows.edges.cluster import polars_threads, task_runner_options

    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    assert [polars_threads(n, cores=8) for n in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    options = task_runner_options(parse_dask("local:2"))["cluster_kwargs"]
    with LocalCluster(**options) as cluster, Client(cluster) as client:

        def pool() -> int:
            import polars

            return polars.thread_pool_size()

        assert set(client.run(pool).values()) == {polars_threads(2)}
    monkeypatch.setenv("POLARS_MAX_THREADS", "3")  # the user's own setting is kept
    assert task_runner_options(parse_dask("local:2"))["cluster_kwargs"]["env"] == {"POLARS_MAX_THREADS": "3"}
