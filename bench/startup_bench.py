"""Command start-up, whole processes, paired against a bare Python and a bare one-task Prefect flow.

Run: `python bench/startup_bench.py [--repeats 5] [--ephemeral]`. Goals (issue 13):
- `outbound --help`, `outbound --version` and a bad-input error: each under 0.5 s;
- `outbound target` on 100 rows in-process (no Prefect API configured, the default): under 1.5 s;
- against a running `prefect server` on 127.0.0.1 (the same command, now a flow run because
  PREFECT_API_URL is set): within 1.2x of a bare one-task flow against the same server.
`--ephemeral` also times `--prefect` with no server (Prefect's ephemeral API, 10-25 s), for reference.
Contenders take turns run by run (the load on a shared machine drifts); medians are reported.
Figures go to docs/benchmarks.md ("Start-up" section).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from harness import Contender, markdown_table, run_interleaved, write_doc_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ICP = ROOT / "targeting" / "defaults" / "icp.yaml"
OK = "echo '{\"ok\": true}' > {result}"
GOALS = {"quick": 0.5, "in-process": 1.5, "server ratio": 1.2}


def write_accounts(path: Path, rows: int = 100) -> None:
    """A small canonical accounts file: enough to run every step, not enough to matter."""
    rng = random.Random(1)
    industries = ["saas", "fintech", "healthtech", "ecommerce"]
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["account_id", "name", "domain", "industry", "employees", "country", "funding_stage", "tech_stack"]
        )
        for i in range(rows):
            writer.writerow(
                [
                    f"a{i}",
                    f"Company {i}",
                    f"company{i}.com",
                    rng.choice(industries),
                    rng.randint(5, 3000),
                    rng.choice(["US", "GB", "DE"]),
                    rng.choice(["seed", "series_a", "series_b"]),
                    "salesforce;slack",
                ]
            )


def shell(command: str, *, exit_code: int = 0) -> list[str]:
    """A contender that runs `command` and passes when it exits `exit_code` (2 for a bad input)."""
    return ["sh", "-c", f"{command} > /dev/null 2>&1; test $? -eq {exit_code} && {OK}"]


def quick_contenders(tmp: Path) -> list[Contender]:
    outbound = BIN / "outbound"
    bare = "import json, sys; json.dump({}, open(sys.argv[1], 'w'))"
    return [
        Contender("bare python", [sys.executable, "-c", bare, "{result}"]),
        Contender("outbound --help", shell(f"{outbound} --help")),
        Contender("outbound --version", shell(f"{outbound} --version")),
        Contender(
            "outbound target, missing file (exit 2)",
            shell(f"{outbound} target --accounts {tmp / 'missing.csv'} --icp {ICP} --out {tmp / 'o'}", exit_code=2),
        ),
        Contender(
            "outbound target, 100 rows in-process",
            shell(f"{outbound} target --accounts {tmp / 'accounts.csv'} --icp {ICP} --out {tmp / 'out'} --json"),
        ),
    ]


def flow_contenders(tmp: Path, env: dict[str, str], extra: str = "") -> list[Contender]:
    target = (
        f"{BIN / 'outbound'} target --accounts {tmp / 'accounts.csv'} --icp {ICP} --out {tmp / 'out'} --json {extra}"
    )
    return [
        Contender("bare one-task flow", [sys.executable, str(Path(__file__).parent / "bare_flow.py"), "{result}"], env),
        Contender(f"outbound target, 100 rows, flow run{' (--prefect)' if extra else ''}", shell(target), env),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> tuple[subprocess.Popen, float]:
    """Start `prefect server` on 127.0.0.1:port; return it and the seconds it took to answer /api/health."""
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
            return server, time.perf_counter() - started
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("prefect server did not start in 180 s")


def rows_of(measured: dict, floor: str) -> list[list[str]]:
    base = measured[floor].median_s
    return [
        [
            m.name,
            f"{m.median_s:.2f}",
            " / ".join(f"{w:.2f}" for w in m.wall_s),
            f"{m.peak_rss_mb:.0f}",
            f"{m.median_s / base:.2f}",
        ]
        for m in measured.values()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--ephemeral", action="store_true", help="Also time --prefect on Prefect's ephemeral API.")
    args = parser.parse_args()
    prefect_vars = ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_PROFILES_PATH", "PREFECT_HOME")
    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    # No Prefect API configured: an empty Prefect home, so a profile on this machine cannot decide the mode.
    for name in prefect_vars:
        os.environ.pop(name, None)
    os.environ |= {
        "PREFECT_HOME": str(tmp / "home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    write_accounts(tmp / "accounts.csv")
    # As `make install` does: with PYTHONDONTWRITEBYTECODE set (as on this machine) every command would
    # otherwise compile the project from source (~1-2 s), which the bare flow, importing only the
    # compiled install of Prefect, never pays.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "flows", "targeting", "messaging", "campaigns"], cwd=ROOT, check=True
    )
    load = [os.getloadavg()[0]]
    verdicts: list[str] = []
    try:
        quick = run_interleaved(quick_contenders(tmp), repeats=args.repeats)
        sections = [("No Prefect API configured (the default)", rows_of(quick, "bare python"))]
        for name, m in quick.items():
            if name == "bare python":
                continue
            goal = GOALS["in-process"] if "100 rows" in name else GOALS["quick"]
            verdicts.append(
                f"- {name}: {m.median_s:.2f} s ({'meets' if m.median_s < goal else 'misses'} the goal of < {goal} s)"
            )
        port = free_port()
        api = {"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"}
        server, server_start_s = start_server(dict(os.environ), port)
        try:
            served = run_interleaved(flow_contenders(tmp, api), repeats=args.repeats)
        finally:
            server.terminate()
            server.wait(30)
        bare, ours = served.values()
        ratio = ours.median_s / bare.median_s
        sections.append(
            (
                f"Against a running `prefect server` (PREFECT_API_URL set; it took {server_start_s:.0f} s to "
                "start, not counted)",
                rows_of(served, "bare one-task flow"),
            )
        )
        verdicts.append(
            f"- flow run against a running server: {ratio:.2f}x the bare one-task flow "
            f"({'meets' if ratio <= GOALS['server ratio'] else 'misses'} the goal of <= {GOALS['server ratio']}x)"
        )
        if args.ephemeral:
            ephemeral = run_interleaved(flow_contenders(tmp, {}, "--prefect"), repeats=min(args.repeats, 3))
            sections.append(
                (
                    "`--prefect` with no server: Prefect's ephemeral API, started inside each process",
                    rows_of(ephemeral, "bare one-task flow"),
                )
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    load.append(os.getloadavg()[0])
    header = ["contender", "median s", "runs s", "peak RSS MB", "ratio"]
    tables = "\n\n".join(f"{title}:\n\n{markdown_table(header, rows)}" for title, rows in sections)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    flags = f" --repeats {args.repeats}" + (" --ephemeral" if args.ephemeral else "")
    body = (
        f"Command: `python bench/startup_bench.py{flags}`. Measured {stamp}, {os.cpu_count()} cores shared with other "
        f"jobs: load average {load[0]:.1f} before, {load[1]:.1f} after (single runs are noisy; compare medians and the "
        f"ratios, measured in turns within one run).\n\nEach contender is a whole process (interpreter start and imports "
        f"included), median of {args.repeats}, contenders taking turns. The ratio is to the first row of its table: a "
        "bare `python -c` (the floor of any command), or `bench/bare_flow.py` (one task, one flow, nothing from the "
        "project) against the same server. The in-process rows import no Prefect. The project is byte-compiled first, "
        "as `make install` does.\n\n"
        f"{tables}\n\nGoals:\n" + "\n".join(verdicts) + "\n"
    )
    print(body)
    write_doc_section(ROOT / "docs" / "benchmarks.md", "Start-up", body)


if __name__ == "__main__":
    main()
