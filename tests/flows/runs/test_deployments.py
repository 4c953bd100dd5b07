"""prefect.yaml: each deployment's flow imports and takes the parameters it names; one runs on a real server."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
PATIENCE = 600  # seconds: a cap against a hang, never the expected time
BIN = Path(sys.executable).parent


def deployments() -> list[dict]:
    return yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


def entrypoint_flow(entrypoint: str):
    path, name = entrypoint.split(":")
    assert (ROOT / path).is_file(), path
    return getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)


@pytest.mark.parametrize("deployment", deployments(), ids=lambda d: d["name"])
def test_each_deployment_names_a_flow_and_only_parameters_it_takes(deployment):
    from prefect import Flow

    flow = entrypoint_flow(deployment["entrypoint"])
    assert isinstance(flow, Flow)
    signature = inspect.signature(flow.fn).parameters
    given = deployment.get("parameters", {})
    assert set(given) <= set(signature), set(given) - set(signature)
    for name, value in given.items():  # plain values: what a person types in the UI
        assert isinstance(value, str | int | float | bool | list), (name, value)
    assert deployment["work_pool"]["name"] == "outbound"


def test_the_scheduled_retargeting_gives_every_parameter_the_flow_needs():
    from prefect.client.schemas.schedules import CronSchedule

    (retarget,) = [d for d in deployments() if d.get("schedules")]
    flow = entrypoint_flow(retarget["entrypoint"])
    assert flow.name == "build_target_list"
    required = {n for n, p in inspect.signature(flow.fn).parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(retarget["parameters"])
    for schedule in retarget["schedules"]:
        CronSchedule(cron=schedule["cron"], timezone=schedule["timezone"])
    names = {entrypoint_flow(d["entrypoint"]).name for d in deployments()}
    assert {"build_target_list", "plan_campaign", "ingest_results", "hypothesis_loop"} <= names


def test_the_loop_deployment_gives_every_parameter_the_loop_needs_and_a_format_it_exports():
    from messaging.exports import FORMATS

    (loop,) = [d for d in deployments() if d["name"] == "hypothesis-loop"]
    flow = entrypoint_flow(loop["entrypoint"])
    assert flow.name == "hypothesis_loop"
    required = {n for n, p in inspect.signature(flow.fn).parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(loop["parameters"])
    assert loop["parameters"]["format"] in FORMATS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prefect(env: dict[str, str], *args: str, timeout: float = PATIENCE) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(BIN / "prefect"), "--no-prompt", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout
    )
    assert result.returncode == 0, f"prefect {' '.join(args)}: {result.stdout[-1500:]}{result.stderr[-1500:]}"
    return result


@pytest.mark.server
def test_the_retargeting_deployment_runs_to_completion_on_a_real_server_and_worker(tmp_path):
    """prefect server + a process work pool and worker on 127.0.0.1, `prefect deploy`, one run of `retarget`.

    Server and worker run in sessions of their own, so the signals they pass on when stopped never
    reach this test process.
    """
    from flows.edges.workspace import init_workspace

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {
        "PREFECT_HOME": str(tmp_path / "home"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    server_log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = None
    try:
        # The wait ends when the server answers or its process ends; the cap only guards against a hang
        # (a server starting on a loaded 2-core machine took over 60 s).
        deadline = time.monotonic() + PATIENCE
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"prefect server did not start on 127.0.0.1:{port} within {PATIENCE} s: "
                        f"{(tmp_path / 'server.log').read_text()[-500:]}"
                    )
                time.sleep(0.5)
        init_workspace(tmp_path / "ws", accounts=60)
        ws = tmp_path / "ws"
        _prefect(env, "work-pool", "create", "outbound", "--type", "process")
        _prefect(env, "deploy", "--name", "retarget")
        worker = subprocess.Popen(
            [str(BIN / "prefect"), "worker", "start", "--pool", "outbound"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        params = {
            "accounts": str(ws / "accounts.csv"),
            "contacts": str(ws / "contacts.csv"),
            "icp": str(ws / "icp.yaml"),
            "personas": str(ws / "personas.yaml"),
            "out": str(tmp_path / "out"),
        }
        run = _prefect(
            env,
            "deployment",
            "run",
            "build_target_list/retarget",
            "--params",
            json.dumps(params),
            "--watch",
            "--watch-interval",
            "1",
            "--watch-timeout",
            str(PATIENCE),
            timeout=PATIENCE + 60,
        )
        assert "Completed" in run.stdout, run.stdout[-1500:]
        summary = json.loads((tmp_path / "out" / "target_summary.json").read_text())
        assert summary["rows_read"] == 60 and (tmp_path / "out" / "targets.parquet").is_file()
    finally:
        for process in (worker, server):
            if process is not None:
                process.terminate()
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    process.kill()
        server_log.close()
