"""`outbound target --dask` here: 1 vs 2 LocalCluster workers, the cost of a partition, the fixed cost.

Run: `python bench/dask_bench.py [--accounts 200000] [--parts 8] [--many-parts 32] [--repeats 1]`.
Each contender is the installed command in its own process against one `prefect server` on
127.0.0.1 (so Prefect's ephemeral start-up is not timed), on the same generated partitioned universe;
every run's target_summary.json is checked equal to the single-process run's before a time counts.
Prints a markdown table and the figures docs/scale.md derives its estimate from.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup_bench import free_port, start_server  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ICP = ROOT / "targeting" / "defaults" / "icp.yaml"


def write_parts(directory: Path, accounts: int, parts: int) -> Path:
    import polars as pl

    from targeting.sample.accounts import generate_accounts

    directory.mkdir(parents=True)
    size = -(-accounts // parts)
    for i in range(parts):
        n = min(size, accounts - i * size)
        generate_accounts(n, seed=7, start=i * size).write_parquet(directory / f"part-{i:04d}.parquet")
    assert pl.scan_parquet(directory / "*.parquet").select(pl.len()).collect().item() == accounts
    return directory


def timed(accounts: Path, out: Path, env: dict[str, str], *extra: str) -> tuple[float, dict]:
    argv = [str(BIN / "outbound"), "target", "--accounts", str(accounts), "--icp", str(ICP), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run([*argv, "--as-of", "2026-01-01", "--json", *extra], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(extra)} failed: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--parts", type=int, default=8)
    parser.add_argument("--many-parts", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dask-bench-"))
    few = write_parts(tmp / "few", args.accounts, args.parts)
    many = write_parts(tmp / "many", args.accounts, args.many_parts)
    tiny = write_parts(tmp / "tiny", 200, 2)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env |= {"PREFECT_HOME": str(tmp / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    server, _ = start_server(env, port)
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    contenders = [
        ("in-process (--no-prefect)", few, ["--no-prefect"]),
        ("--dask local:1", few, ["--dask", "local:1"]),
        ("--dask local:2", few, ["--dask", "local:2"]),
        (f"--dask local:2, {args.many_parts} parts", many, ["--dask", "local:2"]),
        ("--dask local:2, 200 accounts in 2 parts", tiny, ["--dask", "local:2"]),
        ("--dask local:1, 200 accounts in 2 parts", tiny, ["--dask", "local:1"]),
    ]
    times: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    expected: dict[Path, dict] = {}
    try:
        for _ in range(args.repeats):
            for name, universe, extra in contenders:  # contenders take turns: the load drifts
                elapsed, summary = timed(universe, tmp / "out", env, *extra)
                if universe in expected and summary != expected[universe]:
                    raise RuntimeError(f"{name}: the summary differs from the single-process run's")
                expected.setdefault(universe, summary)
                times[name].append(elapsed)
    finally:
        os.killpg(server.pid, 15)
    median = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"{args.accounts:,} accounts, {args.parts} parts (and {args.many_parts}); median of {args.repeats}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| run | wall s |\n| --- | ---: |")
    for name, value in median.items():
        print(f"| {name} | {value:.1f} |")
    fixed1 = median["--dask local:1, 200 accounts in 2 parts"]
    fixed2 = median["--dask local:2, 200 accounts in 2 parts"]
    per_account = (median["--dask local:1"] - fixed1) / args.accounts
    per_part = (median[f"--dask local:2, {args.many_parts} parts"] - median["--dask local:2"]) / (
        args.many_parts - args.parts
    )
    print(f"\nfixed cost (cluster start, flow run, 3 rounds of tasks): {fixed1:.1f} s at 1 worker, {fixed2:.1f} s at 2")
    print(f"one worker: {per_account * 1e6:.2f} worker-s per million accounts")
    print(f"an extra partition at 2 workers: {per_part:.2f} s of wall time ({2 * per_part:.2f} worker-s)")
    print(
        f"speed-up 1 -> 2 workers, work only: {(median['--dask local:1'] - fixed1) / (median['--dask local:2'] - fixed2):.2f}x"
    )


if __name__ == "__main__":
    main()
