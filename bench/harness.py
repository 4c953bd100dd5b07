"""The shared benchmark runner: each contender in its own process, median of 3, peak RSS, equal outputs.

A contender is a command line that does the whole job (read, compute, write its result as JSON to a
path it is given) and exits. The harness runs it `repeats` times, each time as a fresh child
process, and measures:

- wall time of the whole process, from spawn to exit (imports and reads included: that is what a
  user waits for), reported as the median of the runs;
- peak resident memory of that child and everything it waited for, from the kernel's own
  accounting (`os.wait4` returns the child's `rusage`, the per-child form of
  `getrusage(RUSAGE_CHILDREN)`), so one contender's peak never leaks into another's figure.

Every run's JSON result is kept; runs of one contender must agree with each other and contenders
must agree with the reference before any time is reported (`check_equal` raises loudly).

Usage from a benchmark script::

    from harness import Contender, run_contender, check_equal, markdown_table, write_doc_section

    contender = Contender("duckdb", [sys.executable, "baselines/duckdb_sql.py", "--in", p, "--out", "{result}"])
    measured = run_contender(contender, repeats=3)
    check_equal({"project": project.result, "duckdb": measured.result})
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

RESULT_PLACEHOLDER = "{result}"


class BenchmarkError(RuntimeError):
    """A contender failed or disagreed: the run stops before any figure is reported."""


@dataclass(frozen=True)
class Contender:
    """One way of doing the benchmarked work, as a command line.

    Attributes:
        name: short label used in tables ("project", "duckdb", ...).
        argv: the command; the literal "{result}" is replaced by the path of the JSON result file.
        env: extra environment variables for the child (e.g. thread limits).
        result_file: read the result from this JSON file (one the command writes anyway, such as
            `outbound target`'s target_summary.json) instead of the "{result}" path.
        read_result: compute the result from what the command wrote, after it exited (untimed),
            for a command that writes no JSON of its own (`outbound draft`'s drafts.parquet).
    """

    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    result_file: str | None = None
    read_result: Callable[[], Any] | None = None


@dataclass
class Measurement:
    """What `run_contender` saw: every wall time, the peak RSS and the (agreed) result."""

    name: str
    wall_s: list[float]
    peak_rss_mb: float
    result: Any

    @property
    def median_s(self) -> float:
        return statistics.median(self.wall_s)


def run_once(contender: Contender, timeout_s: float | None = None) -> tuple[float, float, Any]:
    """Run a contender once in a fresh child process.

    Args:
        contender: the command to run.
        timeout_s: kill the child after this many seconds (None: no limit).

    Returns:
        (wall seconds, peak RSS in MB of that child and its waited descendants, parsed JSON result).

    Raises:
        BenchmarkError: the child exited non-zero, timed out or wrote no valid JSON result.
    """
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        result_path = Path(contender.result_file) if contender.result_file else Path(tmp) / "result.json"
        result_path.unlink(missing_ok=True)
        argv = [arg.replace(RESULT_PLACEHOLDER, str(result_path)) for arg in contender.argv]
        env = {**os.environ, **contender.env}
        with tempfile.TemporaryFile() as stderr:
            started = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
            status, usage = _wait(proc, started, timeout_s)
            wall = time.perf_counter() - started
            if status != 0:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace")[-2000:]
                raise BenchmarkError(f"contender {contender.name!r} exited {status}: {tail}")
        try:
            result = contender.read_result() if contender.read_result else json.loads(result_path.read_text())
        except (OSError, ValueError) as exc:
            raise BenchmarkError(f"contender {contender.name!r} wrote no JSON result: {exc}") from exc
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return wall, usage.ru_maxrss / scale, result


def _wait(proc: subprocess.Popen, started: float, timeout_s: float | None) -> tuple[int, Any]:
    """Wait for the child with wait4 (to get its own rusage), killing it after `timeout_s`."""
    while True:
        pid, raw_status, usage = os.wait4(proc.pid, os.WNOHANG if timeout_s else 0)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(raw_status)
            return proc.returncode, usage
        if timeout_s and time.perf_counter() - started > timeout_s:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise BenchmarkError(f"contender timed out after {timeout_s:.0f} s: {proc.args[:3]}")
        time.sleep(0.02)


def run_contender(
    contender: Contender, repeats: int = 3, timeout_s: float | None = None, log: bool = True
) -> Measurement:
    """Run a contender `repeats` times, each in a fresh process; its runs must agree.

    Args:
        contender: the command to run.
        repeats: how many runs (the median wall time is reported).
        timeout_s: per-run limit in seconds.
        log: print one line per run to stderr.

    Returns:
        The measurement: all wall times, the highest peak RSS seen and the result.

    Raises:
        BenchmarkError: a run failed, or two runs of the same contender gave different results.
    """
    walls: list[float] = []
    peak = 0.0
    first: Any = None
    for attempt in range(repeats):
        wall, rss, result = run_once(contender, timeout_s)
        if attempt == 0:
            first = result
        else:
            check_equal({f"{contender.name} run 1": first, f"{contender.name} run {attempt + 1}": result})
        walls.append(wall)
        peak = max(peak, rss)
        if log:
            print(f"  {contender.name}: run {attempt + 1}/{repeats} {wall:.2f} s, {rss:.0f} MB", file=sys.stderr)
    return Measurement(contender.name, walls, peak, first)


def run_interleaved(
    contenders: list[Contender], repeats: int = 3, timeout_s: float | None = None, log: bool = True
) -> dict[str, Measurement]:
    """Like `run_contender` for several contenders, taking turns: A1 B1 C1 A2 B2 C2 ...

    On a shared machine the background load drifts; taking turns spreads that drift over every
    contender instead of charging it to whichever one happened to run during a busy minute.

    Returns:
        name -> measurement, in the order given.

    Raises:
        BenchmarkError: a run failed, or two runs of the same contender gave different results.
    """
    walls: dict[str, list[float]] = {c.name: [] for c in contenders}
    peaks: dict[str, float] = {c.name: 0.0 for c in contenders}
    firsts: dict[str, Any] = {}
    for attempt in range(repeats):
        for contender in contenders:
            wall, rss, result = run_once(contender, timeout_s)
            if attempt == 0:
                firsts[contender.name] = result
            else:
                name = contender.name
                check_equal({f"{name} run 1": firsts[name], f"{name} run {attempt + 1}": result})
            walls[contender.name].append(wall)
            peaks[contender.name] = max(peaks[contender.name], rss)
            if log:
                print(f"  {contender.name}: run {attempt + 1}/{repeats} {wall:.2f} s, {rss:.0f} MB", file=sys.stderr)
    return {c.name: Measurement(c.name, walls[c.name], peaks[c.name], firsts[c.name]) for c in contenders}


def empty_child_rss_mb() -> float:
    """The peak RSS an empty Python child reports when this process launches it: the floor of every figure.

    On Linux a child's ru_maxrss starts from its parent's resident size at fork, so this stays near
    a bare interpreter's ~10 MB only while the launching process is small; a benchmark reports it
    beside its figures so an inflated parent shows.
    """
    script = "import json, sys; json.dump({}, open(sys.argv[1], 'w'))"
    _, rss, _ = run_once(Contender("empty", [sys.executable, "-c", script, RESULT_PLACEHOLDER]))
    return rss


def own_peak_rss_mb() -> float:
    """This process's own peak RSS in MB."""
    import resource

    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def check_equal(results: dict[str, Any]) -> None:
    """Raise unless every result equals the first one; the message names the first difference.

    Args:
        results: label -> JSON-like result (dicts, lists, numbers, strings).

    Raises:
        BenchmarkError: naming both labels, the path of the first difference and both values.
    """
    items = list(results.items())
    ref_name, ref = items[0]
    for name, other in items[1:]:
        where = first_difference(ref, other)
        if where is not None:
            path, left, right = where
            raise BenchmarkError(f"OUTPUTS DIFFER: {ref_name} vs {name} at {path or '<root>'}: {left!r} != {right!r}")


def first_difference(left: Any, right: Any, path: str = "") -> tuple[str, Any, Any] | None:
    """The first place two JSON-like values differ, as (path, left, right), or None if equal."""
    if isinstance(left, dict) and isinstance(right, dict):
        for key in sorted(set(left) | set(right), key=str):
            if key not in left or key not in right:
                return f"{path}.{key}", left.get(key, "<missing>"), right.get(key, "<missing>")
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}[len]", len(left), len(right)
        for index, (a, b) in enumerate(zip(left, right)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if isinstance(left, float) or isinstance(right, float):
        same = (
            isinstance(left, (int, float))
            and isinstance(right, (int, float))
            and abs(left - right) <= 1e-9 * max(1.0, abs(left))
        )
        return None if same else (path, left, right)
    return None if left == right else (path, left, right)


def machine_info(packages: tuple[str, ...] = ("polars", "duckdb", "pandas", "numpy")) -> dict[str, str]:
    """Cores, RAM, OS, Python and package versions, for the record beside the figures."""
    info = {
        "cpu": _cpu_model(),
        "cores": str(os.cpu_count()),
        "ram_gb": f"{_ram_bytes() / 2**30:.1f}",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }
    for name in packages:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_doc_section(doc: Path, heading: str, body: str, all_headings: tuple[str, ...] = ()) -> None:
    """Replace one `## heading` section of a Markdown file, leaving every other section as it is.

    Creates the file (with every heading in `all_headings`, empty) when it does not exist, so two
    benchmarks can share one document and each rewrite only its own section.

    Args:
        doc: the Markdown file (docs/benchmarks.md).
        heading: the section's title without "## " ("Targeting").
        body: the new section body (without the heading line).
        all_headings: headings to create, in order, when the file is new.
    """
    marker = f"## {heading}"
    if doc.exists():
        text = doc.read_text()
    else:
        names = all_headings or (heading,)
        text = "# Benchmarks\n\n" + "".join(f"## {name}\n\n_Not run yet._\n\n" for name in names)
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == marker)
    except StopIteration:
        lines += ["", marker, "", "_Not run yet._"]
        start = len(lines) - 3
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    new = lines[: start + 1] + [""] + body.strip("\n").splitlines() + [""] + lines[end:]
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text("\n".join(new).rstrip("\n") + "\n")
