"""Targeting benchmark: `outbound target` against DuckDB SQL and pandas scripts that write the same outputs.

    python bench/targeting_bench.py [--sizes 1m,3m,10m] [--repeats 3]          # the command (default)
    python bench/targeting_bench.py --core [--sizes 1m,10m] [--repeats 3]      # select_targets only
    python bench/targeting_bench.py --layouts canonical,nofacts,apollo,yc --sizes 1m,3m --repeats 3

`--layouts`: the files users run the command on, each against DuckDB SQL doing the same mapping:
the canonical Parquet with its fact columns (`canonical`) and without them (`nofacts`, the facts
derived from the descriptions), an Apollo Companies CSV through `--preset apollo` and a YC directory
CSV through `--preset yc` (bench/make_universe.py --layout). `name=1m+3m` gives a layout its own
sizes. The table goes to the "Targeting: what users run" section with the commit and the load.

The command benchmark runs the installed `outbound target --no-prefect` as a user does, and beside it
bench/baselines/duckdb_sql.py and pandas_vectorized.py with `--out-dir`: each reads the same Parquet
universe and writes targets.parquet, targets.csv (lists joined by `;`), target_summary.json (funnel,
targets, by_tier, verdict, every suggestion with its count) and rejected.csv. Every contender also
runs on a 1,000-account universe, and the figure is the marginal time: the median at N minus the
median at 1,000 (interpreter start, imports and fixed costs cancel). Before a figure is written the
summaries are checked equal, the Parquet lists row by row (account_id, score, tier, reasons) and the
CSV files cell by cell (an empty list and a null both read as an empty cell).

The core benchmark (`--core`): for each size it generates (or reuses) a universe under bench/data/, runs every contender in its own
process `--repeats` times (bench/harness.py), checks that all contenders agree on the funnel, the
targets (the sorted list itself, compared by account_id, score and tier), by_tier, the verdict and
the ranked suggestions (the baselines also agree on every candidate edit's count), and only then
writes the table to the "Targeting" section of docs/benchmarks.md. A disagreement stops the run.

Contenders (same ICP, same as_of, same Parquet parts):
- project: `targeting.selection.target_list.select_targets` over `pl.scan_parquet`, targets written to Parquet;
- duckdb: hand-written SQL (bench/baselines/duckdb_sql.py), the reference for the ratio;
- pandas: vectorized pandas (bench/baselines/pandas_vectorized.py);
- pandas-apply: `DataFrame.apply` row by row (bench/baselines/pandas_apply.py), at --apply-size only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# The baselines' shared helpers (`common`) are imported by name, as the baseline scripts do.
sys.path.insert(1, str(HERE / "baselines"))
if TYPE_CHECKING:
    from harness import Contender

AS_OF = date(2026, 1, 1)
ICP = HERE / "bench_icp.yaml"
DERIVED_FACTS = ("growth_signals", "pain_points", "prior_solutions")


class Layout(NamedTuple):
    """A file users run the command on: its ICP, the command's preset, the baselines' mapping, and
    the CSV columns only the command fills (facts from the descriptions), left out of the comparison."""

    icp: Path
    preset: str | None = None
    unread: tuple[str, ...] = ()


LAYOUTS = {
    "canonical": Layout(ICP),
    "nofacts": Layout(HERE / "bench_icp_nofacts.yaml", unread=DERIVED_FACTS),
    "apollo": Layout(HERE / "bench_icp_apollo.yaml", "apollo", DERIVED_FACTS),
    "yc": Layout(HERE / "bench_icp_yc.yaml", "yc", DERIVED_FACTS),
}
PRESET_ICP = {name: layout.icp for name, layout in LAYOUTS.items() if layout.preset}
LAYOUTS_SECTION = "Targeting: what users run"
DOC = ROOT / "docs" / "benchmarks.md"
OUT = HERE / "data" / "out"
COMPARED = ("universe", "funnel", "targets", "by_tier", "verdict", "suggestions")
COMMAND = "python bench/targeting_bench.py"
COMMAND_SECTION = "Targeting"
CORE_SECTION = "Targeting: the core only"
BASE_ROWS = 1_000
OUTBOUND = ROOT / ".venv" / "bin" / "outbound"


def run_project(universe: str, icp: str, as_of: date, out: str, targets: str) -> None:
    """The project contender: what `outbound target` runs on an already-canonical universe."""
    import polars as pl
    from common import edit_key, write

    import targeting
    from targeting.icp.spec import load_icp
    from targeting.selection.target_list import select_targets

    if Path(targeting.__file__).resolve().parent != ROOT / "targeting":
        raise SystemExit(f"`targeting` resolved to {targeting.__file__}, not the project's package")

    spec = load_icp(icp)
    result = select_targets(pl.scan_parquet(universe), spec, as_of=as_of)
    result.targets.write_parquet(targets)
    summary = result.summary
    write(
        out,
        {
            "universe": summary.universe,
            "funnel": [[s.removed, s.unknown, s.remaining] for s in summary.funnel],
            "targets": summary.targets,
            "by_tier": summary.by_tier,
            "verdict": summary.verdict,
            "suggestions": [[edit_key(s.edit), s.targets] for s in summary.suggestions],
        },
    )


def contender_argv(name: str, universe: str, targets: Path) -> list[str]:
    """The command line of one contender; "{result}" is filled in by the harness."""
    common = [
        "--universe",
        universe,
        "--icp",
        str(ICP),
        "--as-of",
        AS_OF.isoformat(),
        "--out",
        "{result}",
        "--targets",
        str(targets),
    ]
    script = {
        "project": [str(Path(__file__).resolve()), "--contender", "project"],
        "duckdb": [str(HERE / "baselines" / "duckdb_sql.py")],
        "pandas": [str(HERE / "baselines" / "pandas_vectorized.py")],
        "pandas-apply": [str(HERE / "baselines" / "pandas_apply.py")],
    }[name]
    return [sys.executable, *script, *common]


def compare_targets(paths: dict[str, Path]) -> None:
    """Every contender's target list holds the same accounts, scores and tiers in the same order.

    Runs in a child process (`--compare-targets`), never in the parent: reading 2M-row lists would
    grow the parent, and a child's peak RSS starts from its parent's at fork.
    """
    import polars as pl
    from harness import BenchmarkError

    frames = {
        name: pl.read_parquet(path, columns=["account_id", "score", "tier"]).cast({"score": pl.Int64})
        for name, path in paths.items()
    }
    (ref_name, ref), *others = frames.items()
    for name, frame in others:
        if not frame.equals(ref):
            rows = min(frame.height, ref.height)
            diff = next((i for i in range(rows) if frame.row(i) != ref.row(i)), rows)
            raise BenchmarkError(
                f"TARGET LISTS DIFFER: {ref_name} ({ref.height} rows) vs {name} ({frame.height} rows), first at row "
                f"{diff}: {ref.row(diff) if diff < ref.height else None} != {frame.row(diff) if diff < frame.height else None}"
            )


def parse_size(text: str) -> int:
    """'1m' -> 1_000_000, '100k' -> 100_000 (as bench/make_universe.py reads them, without its imports)."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    try:
        value = int(float(text[:-1] if scale != 1 else text) * scale)
    except ValueError:
        raise SystemExit(f"size {text!r} is not a number like 100k, 1m or 10m") from None
    if value <= 0:
        raise SystemExit(f"size {text!r} must be positive")
    return value


def in_child(argv: list[str], what: str) -> str:
    """Run a helper command in its own process and return its stdout; raise with its stderr if it fails.

    The parent stays a small launcher (no polars, numpy or data): on Linux a child's ru_maxrss
    starts from its parent's resident size at fork, so a big parent would inflate every figure.
    """
    import subprocess

    from harness import BenchmarkError

    done = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchmarkError(f"{what} failed ({done.returncode}): {done.stderr[-2000:]}")
    if done.stderr:
        print(done.stderr, end="", file=sys.stderr)
    return done.stdout


def bench_size(n: int, names: list[str], repeats: int, seed: int, timeout_s: float) -> list[dict]:
    """Run the contenders on one universe size; raise before reporting if any output differs."""
    from harness import Contender, check_equal, run_interleaved

    made = in_child([str(HERE / "make_universe.py"), "--size", str(n), "--seed", str(seed)], f"universe {n:,}")
    universe = str(Path(made.strip().splitlines()[-1]) / "*.parquet")
    OUT.mkdir(parents=True, exist_ok=True)
    targets = {name: OUT / f"targets-{name}-{n}.parquet" for name in names}
    print(f"{', '.join(names)} on {n:,} accounts, taking turns", file=sys.stderr)
    contenders = [Contender(name, contender_argv(name, universe, targets[name])) for name in names]
    measured = run_interleaved(contenders, repeats, timeout_s)
    reference = measured["duckdb"].result
    check_equal({name: {k: m.result[k] for k in COMPARED} for name, m in measured.items()})
    check_equal({name: m.result["candidates"] for name, m in measured.items() if "candidates" in m.result})
    in_child(
        [str(Path(__file__).resolve()), "--compare-targets", *(f"{k}={v}" for k, v in targets.items())],
        f"comparing the target lists at {n:,}",
    )
    rows = []
    for name, m in measured.items():
        rows.append(
            {
                "contender": name,
                "size": n,
                "median_s": m.median_s,
                "runs": m.wall_s,
                "ratio": m.median_s / measured["duckdb"].median_s,
                "peak_rss_mb": m.peak_rss_mb,
                "targets": reference["targets"],
                "candidates": len(reference["candidates"]),
            }
        )
        print(f"  {name}: median {m.median_s:.2f} s, peak {m.peak_rss_mb:.0f} MB", file=sys.stderr)
    return rows


SERVER_ENV: dict[str, str] = {}  # PREFECT_API_URL of the server `--server` started


def command_contender(name: str, universe: str, out_dir: Path, layout: Layout = LAYOUTS["canonical"]) -> Contender:
    """One contender of the command benchmark: a process that writes every output into `out_dir`.

    With a layout's preset, `universe` is one CSV in that export's layout: the command reads it through
    `--preset`, the baselines through their own column mapping (`--csv-preset`, baselines/common.py).
    """
    from harness import Contender

    preset = layout.preset
    common = ["--icp", str(layout.icp), "--as-of", AS_OF.isoformat()]
    summary = str(out_dir / "target_summary.json")
    if name in ("command", "command, flow run"):
        mode = "--no-prefect" if name == "command" else "--prefect"
        argv = [str(OUTBOUND), "target", mode, "--accounts", universe, *common, "--out", str(out_dir), "--json"]
        argv += ["--preset", preset] if preset else []
        # The installed command, run on this checkout's code (the venv may be shared with others).
        env = {"PYTHONPATH": str(ROOT), **(SERVER_ENV if name != "command" else {})}
        return Contender(name, argv, env=env, result_file=summary)
    script = {"duckdb": "duckdb_sql.py", "pandas": "pandas_vectorized.py"}[name]
    argv = [sys.executable, str(HERE / "baselines" / script), "--universe", universe, *common]
    argv += ["--csv-preset", preset] if preset else []
    return Contender(name, [*argv, "--out", str(out_dir / "core.json"), "--out-dir", str(out_dir)], result_file=summary)


def start_prefect_server():
    """A `prefect server` on 127.0.0.1 with its own PREFECT_HOME; sets SERVER_ENV for the flow-run contender."""
    import tempfile

    from startup_bench import free_port, start_server

    port = free_port()
    home = tempfile.mkdtemp(prefix="bench-prefect-")
    env = {**os.environ, "PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    server, took = start_server(env, port)
    SERVER_ENV.update(
        PREFECT_HOME=home, PREFECT_API_URL=f"http://127.0.0.1:{port}/api", PREFECT_LOGGING_LEVEL="WARNING"
    )
    print(f"  prefect server on 127.0.0.1:{port} answered after {took:.0f} s", file=sys.stderr)
    return server


def summary_view(summary: dict) -> dict:
    """What every contender's target_summary.json must agree on (the command's has more fields)."""
    from common import edit_key

    return {
        "universe": summary["universe"],
        "funnel": [[s["removed"], s["unknown"], s["remaining"]] for s in summary["funnel"]],
        "targets": summary["targets"],
        "by_tier": summary["by_tier"],
        "verdict": summary["verdict"],
        "suggestions": [[edit_key(s["edit"]), s["targets"]] for s in summary["suggestions"]],
    }


def compare_outputs(dirs: dict[str, Path], unread: tuple[str, ...] = ()) -> None:
    """Every contender wrote the same target list: Parquet row by row, CSV cell by cell (in a child).

    `unread`: CSV columns only the first (the command) fills, left out of the comparison.
    """
    import polars as pl
    from harness import BenchmarkError

    def first_diff(name: str, what: str, ref: pl.DataFrame, other: pl.DataFrame) -> None:
        if ref.columns != other.columns:
            raise BenchmarkError(f"{what} COLUMNS DIFFER: {ref.columns} vs {name} {other.columns}")
        if ref.height != other.height:
            raise BenchmarkError(f"{what} DIFFER: {ref.height} rows vs {name} {other.height} rows")
        for column in ref.columns:
            same = ref[column] == other[column]
            if not same.fill_null(ref[column].is_null() & other[column].is_null()).all():
                at = int((~same.fill_null(False)).arg_max() or 0)
                raise BenchmarkError(
                    f"{what} DIFFER: {name} column {column} row {at}: {ref[column][at]!r} != {other[column][at]!r}"
                )

    (ref_name, ref_dir), *others = dirs.items()
    keys = ["account_id", "score", "tier", "reasons"]
    ref_pq = pl.read_parquet(ref_dir / "targets.parquet", columns=keys).cast({"score": pl.Int64})
    ref_csv = pl.read_csv(ref_dir / "targets.csv", infer_schema=False).fill_null("").drop(unread, strict=False)
    for name, out_dir in others:
        pq = pl.read_parquet(out_dir / "targets.parquet", columns=keys).cast({"score": pl.Int64})
        first_diff(name, f"TARGET LISTS ({ref_name} vs {name}, Parquet)", ref_pq, pq)
        csv = pl.read_csv(out_dir / "targets.csv", infer_schema=False).fill_null("").drop(unread, strict=False)
        first_diff(name, f"TARGET CSV FILES ({ref_name} vs {name})", ref_csv, csv)


def bench_command_size(
    n: int, names: list[str], repeats: int, seed: int, timeout_s: float, layout_name: str = "canonical"
) -> dict:
    """Run the command and the baselines on one universe; raise before reporting if any output differs.

    The universe is in `layout_name`'s layout (`make_universe.py --layout`): Parquet parts or one CSV.
    """
    from harness import check_equal, run_interleaved

    layout = LAYOUTS[layout_name]
    made = in_child(
        [str(HERE / "make_universe.py"), "--size", str(n), "--seed", str(seed), "--layout", layout_name],
        f"universe {n:,} ({layout_name})",
    )
    made_path = Path(made.strip().splitlines()[-1])
    universe = str(made_path if layout.preset else made_path / "*.parquet")
    tag = "" if layout_name == "canonical" else f"-{layout_name}"
    dirs = {name: OUT / f"command{tag}-{name.replace(', ', '-').replace(' ', '-')}-{n}" for name in names}
    print(
        f"{', '.join(names)} on {n:,} accounts ({layout_name}), taking turns (load {os.getloadavg()[0]:.1f})",
        file=sys.stderr,
    )
    load_before = os.getloadavg()[0]
    contenders = [command_contender(name, universe, dirs[name], layout) for name in names]
    measured = run_interleaved(contenders, repeats, timeout_s)
    check_equal({name: summary_view(m.result) for name, m in measured.items()})
    check_equal({name: m.result["candidates"] for name, m in measured.items() if "candidates" in m.result})
    unread = ["--unread", *layout.unread] if layout.unread else []
    in_child(
        [str(Path(__file__).resolve()), "--compare-outputs", *(f"{k}={v}" for k, v in dirs.items()), *unread],
        f"comparing the outputs at {n:,}",
    )
    return {
        "size": n,
        "layout": layout_name,
        "commit": commit(),  # the code measured, should it change before the report
        "load": (load_before, os.getloadavg()[0]),
        "targets": measured["duckdb"].result["targets"],
        "suggestions": len(measured["duckdb"].result["suggestions"]),
        "contenders": {
            name: {"median_s": m.median_s, "runs": m.wall_s, "peak_rss_mb": m.peak_rss_mb}
            for name, m in measured.items()
        },
    }


def command_report(sizes: list[dict], argv: list[str], started: float, repeats: int, floor: dict[str, float]) -> str:
    """The Markdown body of the command benchmark's section."""
    from harness import machine_info, markdown_table

    info = machine_info()
    base = next(s for s in sizes if s["size"] == BASE_ROWS)
    table_rows, goals = [], []
    for s in sizes:
        if s["size"] == BASE_ROWS:
            continue
        marginal = {
            name: c["median_s"] - base["contenders"][name]["median_s"]
            for name, c in s["contenders"].items()
            if name in base["contenders"]
        }
        for name, c in s["contenders"].items():
            ratio = marginal[name] / marginal["duckdb"] if marginal.get("duckdb") else float("nan")
            table_rows.append(
                [
                    name,
                    f"{s['size']:,}",
                    f"{c['median_s']:.2f}",
                    " / ".join(f"{w:.2f}" for w in c["runs"]),
                    f"{marginal[name]:.2f}",
                    f"{ratio:.2f}",
                    f"{c['peak_rss_mb']:.0f}",
                    f"{s['load'][0]:.1f} / {s['load'][1]:.1f}",
                ]
            )
        command = s["contenders"]["command"]
        if "command, flow run" in marginal and marginal["command"]:
            goals.append(
                f"- {s['size']:,} accounts: the flow run against a running server takes "
                f"{marginal['command, flow run']:.2f} s marginal against {marginal['command']:.2f} s in process "
                f"({marginal['command, flow run'] / marginal['command']:.2f}x)"
            )
        if s["size"] >= 3_000_000:
            ratio = marginal["command"] / marginal["duckdb"]
            goals.append(
                f"- {s['size']:,} accounts: marginal command / DuckDB = {ratio:.2f} "
                f"({'meets' if ratio <= 1.0 else 'misses'} the goal of <= 1.0)"
            )
        if s["size"] == 10_000_000:
            goals.append(
                f"- {s['size']:,} accounts scored, sized and written in {command['peak_rss_mb']:,.0f} MB peak RSS "
                f"({'meets' if command['peak_rss_mb'] <= 4096 else 'misses'} the goal of <= 4 GB)"
            )
    base_line = ", ".join(f"{name} {c['median_s']:.2f} s" for name, c in base["contenders"].items())
    details = ", ".join(f"{s['size']:,}: {s['targets']:,} targets" for s in sizes if s["size"] != BASE_ROWS)
    table = markdown_table(
        [
            "contender",
            "accounts",
            f"median s (of {repeats})",
            "runs s",
            "marginal s (over 1,000)",
            "marginal / DuckDB",
            "peak RSS MB",
            "load before / after",
        ],
        table_rows,
    )
    return "\n".join(
        [
            f"Command: `{' '.join([COMMAND, *argv])}` (run by `make bench`). "
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['os']}; Python "
            f"{info['python']}, polars {info['polars']}, duckdb {info['duckdb']}, pandas {info['pandas']}.",
            "",
            "What is timed: the command a user runs, `outbound target --no-prefect --accounts <parts>/*.parquet "
            "--icp bench/bench_icp.yaml --as-of 2026-01-01 --out <dir> --json` (the installed entry point, in "
            "process: no Prefect API), against `bench/baselines/duckdb_sql.py --out-dir <dir>` and "
            "`bench/baselines/pandas_vectorized.py --out-dir <dir>`, which read the same canonical Parquet "
            "universe (`bench/make_universe.py`, seed 7) and write the same files: targets.parquet and "
            "targets.csv with every target's reasons, target_summary.json with the funnel, by_tier, the verdict "
            "and every suggestion's count, rejected.csv. Each run is a whole process (start-up, imports, "
            f"reading, writing), median of {repeats}, contenders taking turns; peak RSS is the process's own "
            f"(`os.wait4`; an empty child launched the same way reports {floor['empty_child_mb']:.0f} MB). The "
            "marginal time is the median at N minus the same contender's median on a 1,000-account universe "
            f"({base_line}), so start-up and fixed costs cancel; the ratio is of marginal times. Before any "
            "figure is written the summaries are checked equal (funnel, targets, by_tier, verdict, the ranked "
            "suggestions and their counts; the baselines also every candidate's count), the Parquet target "
            "lists row by row (account_id, score, tier, reasons) and the CSV files cell by cell.",
            "",
            table,
            "",
            f"Sizes: {details}. Whole run took {(time.perf_counter() - started) / 60:.1f} min. The machine has "
            f"{info['cores']} cores shared with other jobs: the load average is beside each size, and under load "
            "single times are noisy; compare medians and ratios, measured in turns within one run.",
            "",
            "Goals:" if goals else "",
            *goals,
        ]
    )


def report(rows: list[dict], argv: list[str], started: float, repeats: int, floor: dict[str, float]) -> str:
    """The Markdown body of the Targeting section."""
    from harness import machine_info, markdown_table

    info = machine_info()
    command = " ".join([COMMAND, *argv])
    table = markdown_table(
        ["contender", "accounts", f"median s (of {repeats})", "ratio to DuckDB", "peak RSS MB", "outputs equal"],
        [
            [
                r["contender"],
                f"{r['size']:,}",
                f"{r['median_s']:.2f}",
                f"{r['ratio']:.2f}",
                f"{r['peak_rss_mb']:.0f}",
                "yes",
            ]
            for r in rows
        ],
    )
    sizes = sorted({r["size"] for r in rows})
    details = ", ".join(
        f"{n:,} accounts: {next(r['targets'] for r in rows if r['size'] == n):,} targets, "
        f"{next(r['candidates'] for r in rows if r['size'] == n)} candidate edits"
        for n in sizes
    )
    goals = []
    for n in (1_000_000, 10_000_000):
        project = next((r for r in rows if r["size"] == n and r["contender"] == "project"), None)
        if project:
            goals.append(
                f"- {n:,} accounts: project / DuckDB = {project['ratio']:.2f} "
                f"({'meets' if project['ratio'] <= 1.0 else 'misses'} the goal of <= 1.0)"
            )
        if project and n == 10_000_000:
            goals.append(
                f"- {n:,} accounts scored and sized in {project['peak_rss_mb']:,.0f} MB peak RSS "
                f"({'meets' if project['peak_rss_mb'] <= 4096 else 'misses'} the goal of <= 4 GB)"
            )
    return "\n".join(
        [
            f"Command: `{command}` (run by `make bench`). Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['os']}; Python {info['python']}, "
            f"polars {info['polars']}, duckdb {info['duckdb']}, pandas {info['pandas']}, numpy {info['numpy']}.",
            "",
            "The work, identical for every contender: the ICP in `bench/bench_icp.yaml` (4 filters, 3 disqualifiers, "
            "14 criteria incl. contains_any/contains_all on lists, within_days, matches, negative points) over a "
            "generated universe (`bench/make_universe.py`, Parquet parts, seed 7, as_of 2026-01-01): the funnel "
            "(removed/unknown/remaining per filter, disqualifier and the minimum score), the sorted target list "
            "written to Parquet, by_tier, the verdict, and every suggestion candidate (min score +-1..3, numeric "
            "filter bounds at the quartiles, each filter dropped, multi-value filters cut to their most common "
            "values) counted and ranked. Each contender runs as its own process; the time is the whole process "
            f"(imports, reading Parquet, writing targets), median of {repeats} runs, contenders taking turns run by run; peak RSS is that process's own "
            f"(`os.wait4` rusage), launched from a parent that holds no data (it peaked at {floor['parent_mb']:.0f} MB; "
            f"an empty Python child launched the same way reports {floor['empty_child_mb']:.0f} MB, the floor under every "
            "figure, since a child's peak RSS starts from its parent's at fork). Before any figure is written, the funnel, targets, by_tier, verdict and ranked "
            "suggestions are checked equal across contenders, the target lists row by row (account_id, score, tier), "
            "and the baselines' counts for every candidate edit too; a mismatch stops the run.",
            "",
            table,
            "",
            f"Sizes: {details}. Whole run took {(time.perf_counter() - started) / 60:.1f} min; load average at "
            f"the end {os.getloadavg()[0]:.1f} on {info['cores']} cores (other jobs share this machine, so single "
            "times are noisy: compare medians, and ratios within one run).",
            "",
            "Coverage: vectorized pandas runs up to `--pandas-max` (1m by default: it peaks near 1.8 GB per "
            "million accounts, so 10M would need most of the machine's RAM and ~15 min for its 3 runs); "
            "pandas-apply runs at `--apply-size` (100k) only, where project, DuckDB and pandas run too so it "
            "is checked against them.",
            "",
            "The project does more than the baselines in the same time: it also builds every target's `reasons`, "
            "counts every value the ICP names over the whole universe (for its never-seen warnings and its "
            "raw-spelling lookup) and imports polars and pydantic; those fixed costs weigh most at small sizes. "
            "It reads a universe of up to 4M accounts into memory once (`holds_in_memory` in "
            "targeting/selection/target_list.py: its statistics and main pass then decode Parquet once, not twice) "
            "and streams larger ones.",
            "",
            "Goals:" if goals else "",
            *goals,
        ]
    )


def layout_plan(layouts: str, sizes: str) -> list[tuple[str, int]]:
    """(layout, accounts) in the order they run: every layout at 1,000 accounts, then by size.

    `layouts` is "canonical,nofacts,apollo=1m+3m": a layout without `=` runs at `sizes`.
    """
    plan: set[tuple[str, int]] = set()
    order = []
    for item in (part.strip() for part in layouts.split(",") if part.strip()):
        name, _, own = item.partition("=")
        if name not in LAYOUTS:
            raise SystemExit(f"--layouts: unknown layout {name!r} (one of {', '.join(LAYOUTS)})")
        order.append(name)
        plan |= {(name, BASE_ROWS)} | {(name, parse_size(s)) for s in (own.replace("+", ",") or sizes).split(",") if s}
    return sorted(plan, key=lambda pair: (pair[1], order.index(pair[0])))


def commit() -> str:
    """The checkout's commit (short), with `+` when files it tracks are changed."""
    import subprocess

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "-uno"], cwd=ROOT, capture_output=True, text=True)
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def layouts_report(sizes: list[dict], argv: list[str], started: float, repeats: int, floor: dict[str, float]) -> str:
    """The Markdown body of the "what users run" section: one row per layout, size and contender."""
    from harness import machine_info, markdown_table

    info = machine_info()
    base = {s["layout"]: s for s in sizes if s["size"] == BASE_ROWS}
    rows, goals = [], []
    at = commit()
    for s in sizes:
        if s["size"] == BASE_ROWS:
            continue
        floor_of = base[s["layout"]]["contenders"]
        marginal = {name: c["median_s"] - floor_of[name]["median_s"] for name, c in s["contenders"].items()}
        for name, c in s["contenders"].items():
            ratio = marginal[name] / marginal["duckdb"] if marginal["duckdb"] > 0 else float("nan")
            rows.append(
                [
                    s["layout"],
                    name,
                    f"{s['size']:,}",
                    f"{c['median_s']:.2f}",
                    " / ".join(f"{w:.2f}" for w in c["runs"]),
                    f"{marginal[name]:.2f}",
                    f"{ratio:.2f}",
                    f"{c['peak_rss_mb']:,.0f}",
                    f"{s['load'][0]:.1f} / {s['load'][1]:.1f}",
                    s.get("commit", at),
                ]
            )
        ratio = marginal["command"] / marginal["duckdb"] if marginal["duckdb"] > 0 else float("nan")
        peak = s["contenders"]["command"]["peak_rss_mb"]
        goals.append(
            f"- {s['layout']}, {s['size']:,} accounts ({s['targets']:,} targets): marginal command / DuckDB = "
            f"{ratio:.2f} ({'meets' if ratio <= 1.0 else 'misses'} <= 1.0), command peak {peak:,.0f} MB"
            + (f" ({'meets' if peak <= 4096 else 'misses'} <= 4 GB)" if s["size"] >= 3_000_000 else "")
        )
    base_line = "; ".join(
        f"{layout}: " + ", ".join(f"{name} {c['median_s']:.2f} s" for name, c in b["contenders"].items())
        for layout, b in base.items()
    )
    table = markdown_table(
        [
            "layout",
            "contender",
            "accounts",
            f"median s (of {repeats})",
            "runs s",
            "marginal s (over 1,000)",
            "marginal / DuckDB",
            "peak RSS MB",
            "load before / after",
            "commit",
        ],
        rows,
    )
    return "\n".join(
        [
            f"Command: `{' '.join([COMMAND, *argv])}`. Measured "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at commit {at}.",
            "",
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['os']}; Python "
            f"{info['python']}, polars {info['polars']}, duckdb {info['duckdb']}.",
            "",
            "The layouts (`bench/make_universe.py --layout`, seed 7, the same accounts in each): `canonical`, "
            "Parquet parts with every column, ICP `bench/bench_icp.yaml` (it scores pain points, growth signals "
            "and prior solutions); `nofacts`, the same parts without those three columns, ICP "
            "`bench/bench_icp_nofacts.yaml` (the same without the criteria on them: the command derives them from "
            "the descriptions for the targets alone); `apollo`, an Apollo Companies CSV read through `--preset "
            "apollo`, ICP `bench/bench_icp_apollo.yaml`; `yc`, a YC directory CSV (list literals, decimals, URLs, "
            "each account given a real YC company's two descriptions) read through `--preset yc`, ICP "
            "`bench/bench_icp_yc.yaml`. The command is `outbound target --no-prefect --accounts <file> [--preset "
            "P] --icp <icp> --as-of 2026-01-01 --out <dir> --json`; DuckDB is `bench/baselines/duckdb_sql.py "
            "--out-dir <dir> [--csv-preset P]`, its mapping of each export written in SQL "
            "(bench/baselines/common.py). Each run is a whole process, median of "
            f"{repeats}, contenders taking turns; peak RSS is the process's own (an empty child reports "
            f"{floor['empty_child_mb']:.0f} MB). The marginal time is the median at N minus the same "
            f"contender's median on the layout's 1,000-account file ({base_line}). Before a figure is "
            "written the summaries are checked equal, the Parquet lists row by row (account_id, score, tier, "
            "reasons) and targets.csv cell by cell, except, where the file has no fact columns, the three the "
            "command derives from the descriptions and the baseline leaves empty.",
            "",
            table,
            "",
            f"Whole run took {(time.perf_counter() - started) / 60:.1f} min; the machine has {info['cores']} "
            "cores shared with other jobs, the load average is beside each row.",
            "",
            *goals,
        ]
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="universe sizes, comma-separated (default 1m,3m,10m; --core: 1m,10m)")
    parser.add_argument("--core", action="store_true", help="time select_targets alone (the core-only table)")
    parser.add_argument(
        "--server",
        action="store_true",
        help="also time the command as a flow run against a `prefect server` on 127.0.0.1",
    )
    parser.add_argument("--apply-size", default="100k", help="the size pandas-apply runs at (row by row is slow)")
    parser.add_argument(
        "--pandas-max", default="1m", help="largest size the vectorized pandas script runs at (10m needs ~20 GB)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=900, help="seconds per contender run")
    parser.add_argument("--no-doc", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    parser.add_argument("--contender", choices=["project"], help=argparse.SUPPRESS)
    parser.add_argument("--compare-targets", nargs="+", metavar="NAME=PATH", help=argparse.SUPPRESS)
    parser.add_argument("--compare-outputs", nargs="+", metavar="NAME=DIR", help=argparse.SUPPRESS)
    parser.add_argument("--unread", nargs="+", default=[], help=argparse.SUPPRESS)
    parser.add_argument(
        "--layouts",
        help="the files users run: comma-separated among " + ", ".join(LAYOUTS) + " (name=1m+3m: its own sizes); "
        "each at --sizes (default 1m,3m) and 1,000 accounts for the marginal time",
    )
    parser.add_argument(
        "--csv-preset",
        choices=sorted(PRESET_ICP),
        help="the universe as this export's CSV, read through `--preset` (default sizes: 1m; the report is printed)",
    )
    for flag in ("--universe", "--icp", "--as-of", "--out", "--targets"):
        parser.add_argument(flag, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender == "project":
        run_project(args.universe, args.icp, date.fromisoformat(args.as_of), args.out, args.targets)
        return
    if args.compare_targets:
        compare_targets({name: Path(path) for name, path in (pair.split("=", 1) for pair in args.compare_targets)})
        return

    if args.compare_outputs:
        dirs = {name: Path(path) for name, path in (pair.split("=", 1) for pair in args.compare_outputs)}
        compare_outputs(dirs, tuple(args.unread))
        return

    from harness import empty_child_rss_mb, own_peak_rss_mb, write_doc_section

    started = time.perf_counter()
    pandas_max = parse_size(args.pandas_max)
    if args.layouts:
        plan = layout_plan(args.layouts, args.sizes or "1m,3m")
        measured = []
        for layout, n in plan:
            # DuckDB only: pandas stays in the canonical section's table (`--sizes` without `--layouts`).
            measured.append(bench_command_size(n, ["command", "duckdb"], args.repeats, args.seed, args.timeout, layout))
            # What a run so far measured, kept should a later size fail or the session end.
            OUT.mkdir(parents=True, exist_ok=True)
            (OUT / "targeting-layouts-results.json").write_text(json.dumps(measured, indent=1))
        floor = {"empty_child_mb": empty_child_rss_mb(), "parent_mb": own_peak_rss_mb()}
        body = layouts_report(measured, argv, started, args.repeats, floor)
        print(body)
        if not args.no_doc:
            write_doc_section(DOC, LAYOUTS_SECTION, body)
        return
    if not args.core:
        default_sizes = "1m" if args.csv_preset else "1m,3m,10m"
        sizes = sorted({BASE_ROWS, *(parse_size(s) for s in (args.sizes or default_sizes).split(",") if s.strip())})
        measured = []
        server = start_prefect_server() if args.server else None
        try:
            for n in sizes:
                names = ["command", *(["command, flow run"] if server else []), "duckdb"]
                names += ["pandas"] if n <= pandas_max else []
                layout = args.csv_preset or "canonical"
                measured.append(bench_command_size(n, names, args.repeats, args.seed, args.timeout, layout))
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
        floor = {"empty_child_mb": empty_child_rss_mb(), "parent_mb": own_peak_rss_mb()}
        body = command_report(measured, argv, started, args.repeats, floor)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "targeting-command-results.json").write_text(json.dumps(measured, indent=1))
        print(body)
        if not (args.no_doc or args.csv_preset):  # an export's row is one line of that section, by hand
            write_doc_section(DOC, COMMAND_SECTION, body)
        return
    args.sizes = args.sizes or "1m,10m"
    apply_size = parse_size(args.apply_size)
    plan = {parse_size(s): ["project", "duckdb"] for s in args.sizes.split(",") if s.strip()}
    for n in plan:
        if n <= pandas_max:
            plan[n].append("pandas")
    plan.setdefault(apply_size, ["project", "duckdb", "pandas"]).append("pandas-apply")
    rows = []
    for n in sorted(plan):
        rows += bench_size(n, plan[n], args.repeats, args.seed, args.timeout)
    floor = {"empty_child_mb": empty_child_rss_mb(), "parent_mb": own_peak_rss_mb()}
    print(
        f"  an empty child reports {floor['empty_child_mb']:.0f} MB; this launcher peaked at "
        f"{floor['parent_mb']:.0f} MB",
        file=sys.stderr,
    )
    body = report(rows, argv, started, args.repeats, floor)
    (OUT / "targeting-results.json").write_text(json.dumps(rows, indent=1))
    print(body)
    if not args.no_doc:
        write_doc_section(DOC, CORE_SECTION, body)


if __name__ == "__main__":
    main()
