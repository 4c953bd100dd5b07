"""Command start-up: `outbound target` on a 100-row file against a bare one-task Prefect flow.

Run: `python bench/startup_bench.py` (ephemeral mode, then against a `prefect server` it starts and stops).
Goal: ratio <= 1.2 in both modes. Figures go to docs/benchmarks.md ("Start-up" section).
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import Contender, markdown_table, run_contender, write_doc_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ICP = ROOT / "targeting" / "defaults" / "icp.yaml"
PORT = 4299


def write_accounts(path: Path, rows: int = 100) -> None:
    """A small canonical accounts file: enough to run every step, not enough to matter."""
    rng = random.Random(1)
    industries = ["saas", "fintech", "healthtech", "ecommerce"]
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["account_id", "name", "domain", "industry", "employees", "country", "funding_stage", "tech_stack"])
        for i in range(rows):
            writer.writerow([f"a{i}", f"Company {i}", f"company{i}.com", rng.choice(industries),
                             rng.randint(5, 3000), rng.choice(["US", "GB", "DE"]),
                             rng.choice(["seed", "series_a", "series_b"]), "salesforce;slack"])


def contenders(tmp: Path, env: dict[str, str]) -> list[Contender]:
    accounts = tmp / "accounts.csv"
    write_accounts(accounts)
    outbound = (
        f"{BIN / 'outbound'} target --accounts {accounts} --icp {ICP} --out {tmp / 'out'} --json"
        " > /dev/null && echo '{\"ok\": true}' > {result}"
    )
    return [
        Contender("bare one-task flow", [sys.executable, str(Path(__file__).parent / "bare_flow.py"), "{result}"], env),
        Contender("outbound target (100 rows)", ["sh", "-c", outbound], env),
    ]


GOAL = 1.2


def measure(label: str, tmp: Path, env: dict[str, str], verdicts: list[str]) -> list[list[str]]:
    bare, ours = (run_contender(c, repeats=3) for c in contenders(tmp, env))
    ratio = ours.median_s / bare.median_s
    print(f"{label}: bare {bare.median_s:.2f} s, outbound {ours.median_s:.2f} s, ratio {ratio:.2f}")
    verdicts.append(f"- {label}: ratio {ratio:.2f} ({'meets' if ratio <= GOAL else 'misses'} the goal of <= {GOAL})")
    return [
        [label, bare.name, f"{bare.median_s:.2f}", f"{bare.peak_rss_mb:.0f}", ""],
        [label, ours.name, f"{ours.median_s:.2f}", f"{ours.peak_rss_mb:.0f}", f"{ratio:.2f}"],
    ]


def start_server(env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(PORT)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/health", timeout=2)
            return server
        except OSError:
            time.sleep(1)
    server.kill()
    raise RuntimeError("prefect server did not start in 120 s")


def main() -> None:
    base = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    base |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    try:
        # The same start-up allowance the CLI gives itself (flows.runtime), for both contenders.
        verdicts: list[str] = []
        load_before = os.getloadavg()[0]
        rows = measure("ephemeral", tmp, {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}, verdicts)
        server_env = base | {"PREFECT_API_URL": f"http://127.0.0.1:{PORT}/api", "PREFECT_HOME": str(tmp / "home")}
        server = start_server(server_env)
        try:
            rows += measure("prefect server", tmp, {"PREFECT_API_URL": server_env["PREFECT_API_URL"]}, verdicts)
        finally:
            server.terminate()
            server.wait(30)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    table = markdown_table(["mode", "contender", "median s", "peak RSS MB", "ratio"], rows)
    notes = (
        f"Each contender is a whole process (imports included), median of 3; load average "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after. The bare flow imports only Prefect; "
        "`outbound target` also imports Polars, Typer and the project and runs three tasks and two artifacts.\n\n"
    )
    body = f"Command: `python bench/startup_bench.py`\n\n{table}\n\n" + notes + "\n".join(verdicts) + "\n"
    write_doc_section(ROOT / "docs" / "benchmarks.md", "Start-up", body)


if __name__ == "__main__":
    main()
