"""Where `outbound target`'s time goes: each step of its in-process run, timed alone on one universe.

    python bench/targeting_profile.py [--size 3m] [--seed 7] [--stream]

Runs the steps `flows.commands.target.run_target` runs, in order, on a generated canonical Parquet universe
(bench/make_universe.py) with bench/bench_icp.yaml, and prints wall and CPU seconds (the process's
user + system time, all threads: on a shared machine CPU seconds vary far less than wall seconds)
for each: imports, the import with its row accounting, the universe statistics, the main pass
(scoring, the funnel and every suggestion's count, the sorted targets with their reasons), and
writing targets.parquet and targets.csv. `select_targets` computes the statistics itself, so its
main pass is its time less the statistics' line above. `--stream` times the streamed path instead (the list is
sunk into targets.parquet in the main pass; reasons and the Parquet write are inside it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

ICP = HERE / "bench_icp.yaml"
AS_OF = date(2026, 1, 1)


class Clock:
    """Wall and CPU seconds per step, printed as they finish."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float]] = []
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.rows.append((step, wall - self._wall, cpu - self._cpu))
        print(f"  {step:62s} wall {wall - self._wall:6.2f} s  cpu {cpu - self._cpu:6.2f} s", file=sys.stderr)
        self._wall, self._cpu = wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="3m")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stream", action="store_true", help="time the streamed path (as above 4M rows)")
    args = parser.parse_args()
    from make_universe import ensure_universe, parse_size

    universe = str(ensure_universe(parse_size(args.size), args.seed, log=False) / "*.parquet")
    out = Path(tempfile.mkdtemp(prefix="profile-"))
    clock = Clock()
    import polars as pl

    from flows.edges.files import sink_csv, write_csv
    from flows.edges.inputs import load_facts_spec
    from targeting import memory
    from targeting.facts import with_account_facts
    from targeting.icp.spec import load_icp
    from targeting.icp.spelling import spoken_like_the_data
    from targeting.importing.canonical import import_accounts
    from targeting.selection import target_list
    from targeting.selection.sizing import universe_stats

    clock.lap("imports (polars, pydantic, the project)")
    spec, facts = load_icp(ICP), load_facts_spec(None)
    imported = import_accounts(universe)
    accounts = with_account_facts(imported.accounts, facts, carried=imported.carried)
    clock.lap(f"import + row accounting ({imported.rows_read:,} rows)")
    if args.stream:
        memory.IN_MEMORY_ROWS = 0
    else:
        accounts = accounts.collect(engine="streaming").lazy()
        clock.lap("read into memory once (holds_in_memory)")
    spoken, _ = spoken_like_the_data(spec)
    universe_stats(accounts, spoken, with_coverage=False)
    clock.lap("universe statistics (quartiles, value counts)")
    sink = (lambda plan: plan.sink_parquet(out / "targets.parquet", lazy=True)) if args.stream else None
    result = target_list.select_targets(
        accounts, spec, as_of=AS_OF, rows_read=imported.rows_read, rejected=0, duplicates=0, sink=sink
    )
    clock.lap("select_targets (statistics again + main pass + reasons)")
    if result.targets is None:
        sink_csv(pl.scan_parquet(out / "targets.parquet"), out / "targets.csv")
        clock.lap("targets.csv streamed from targets.parquet")
    else:
        result.targets.write_parquet(out / "targets.parquet")
        clock.lap("write targets.parquet")
        write_csv(result.targets, out / "targets.csv")
        clock.lap("write targets.csv")
    print(f"targets {result.summary.targets:,}; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
