"""`outbound draft --llm` over 200 YC contacts against llama.cpp serving SmolLM2-135M-Instruct.

    python bench/draft_llm_yc.py [YC_CSV] [--contacts 200] [--sample 500] [--concurrency 1] [--chunk 20]

A fixed sample of the YC directory (seed 25) is targeted with the model tier's ICP; one person a
company (Apollo's layout) for the first `--contacts` targets; one step each, drafted by the real
command (`--llm --model smollm2`) against llama.cpp's server from the model tier's environment
(`make test-model` builds it). Printed: the share of model drafts kept, the reasons for the rest,
drafts/s, calls, tokens, the structured output the server took, and the load before and after.
The contacts go in runs of `--chunk` (one command each); the figures so far are printed after each
run, so a run stopped early (`kill PID`: the server is stopped too) says what it reached.

A 135M model is a floor, not what a user's model will do: it shows what the checks catch from a
model nobody here wrote, and what a small local model costs in time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


def main() -> None:
    from tests.model.yc_inputs import YC_FULL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("yc", nargs="?", type=Path, default=YC_FULL)
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--chunk", type=int, default=20, help="Contacts a run; the figures so far after each.")
    args = parser.parse_args()

    import polars as pl

    from flows.edges.workspace import init_workspace
    from tests.flows.conftest import own_sender
    from tests.model.llama_server import ALIAS, LlamaServer, call_budget, model_file
    from tests.model.yc_inputs import invoke_json, yc_people, yc_sample, yc_targets

    signal.signal(signal.SIGTERM, _interrupted)  # `kill PID` stops it as Ctrl-C does: the server is stopped too
    with tempfile.TemporaryDirectory() as tmp, LlamaServer(model_file()) as server:
        root = Path(tmp)
        print(f"llama.cpp's server on {server.model.name}, ready in {server.ready_after:.1f} s; load {_load()}")
        init_workspace(root / "ws", accounts=10)
        own_sender(root / "ws")
        targets = yc_targets(root, yc_sample(root / "yc.csv", args.sample, source=args.yc))
        people = pl.read_csv(yc_people(targets, root / "people.csv", args.contacts), infer_schema=False)
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.url, "local"
        os.environ.setdefault("OUTBOUND_LLM_TIMEOUT", f"{call_budget():.0f}")  # `--timeout` at this load
        run = Tally(ALIAS)
        started = time.perf_counter()
        try:
            for n, start in enumerate(range(0, people.height, args.chunk)):
                # One run of the real command a chunk of contacts, so a run stopped early has its figures so far.
                part = root / f"people_{n}.csv"
                people.slice(start, args.chunk).write_csv(part)
                summary = invoke_json(
                    "draft", "--targets", targets, "--contacts", part, "--workspace", root / "ws", "--steps", 1,
                    "--out", root / f"d{n}", "--store", root / f"s{n}.duckdb", "--no-prefect",
                    "--llm", "--model", ALIAS, "--concurrency", args.concurrency,
                )  # fmt: skip
                run.add(summary["llm"], pl.read_parquet(root / f"d{n}" / "drafts.parquet"))
                done = "all" if start + args.chunk >= people.height else "so far"
                run.show(f"{run.drafts} of {people.height} YC contacts ({done})", time.perf_counter() - started)
                print(f"  server POSTs logged: {server.posts()} (runs: {n + 1}); load: {_load()}", flush=True)
        except (KeyboardInterrupt, AssertionError):
            if not STOPPED:
                raise
            # The command in flight turns the interrupt into its exit code 1: its chunk is not counted.
            print(f"stopped at {run.drafts} of {people.height} contacts; load: {_load()}", flush=True)


class Tally:
    """The figures of the runs so far, each run's counts checked to add up first."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.drafts = self.kept = self.calls = self.http_retries = self.retries = 0
        self.tokens_in = self.tokens_out = 0
        self.reasons: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.structured: set[str] = set()
        self.refused: set[str] = set()

    def add(self, llm: dict, drafts) -> None:
        import polars as pl

        kept = drafts.filter(pl.col("source") == "model").height
        reasons = Counter(r.split(":")[0] for r in drafts["fallback_reason"].drop_nulls())
        assert kept + sum(reasons.values()) == drafts.height == llm["jobs"]
        assert dict(reasons) == llm["fallback_reasons"]
        detail = [r for r in drafts["fallback_reason"].drop_nulls() if r.startswith("failed checks")]
        # Each failed draft's checks, one count a check, grouped by kind (the text before its quoted value).
        self.failed += Counter(
            re.split(r" ['\"]", p.strip())[0] for r in detail for p in r.split(": ", 1)[1].split(";")
        )
        self.drafts += drafts.height
        self.kept += kept
        self.reasons += reasons
        self.calls += llm["calls"]
        self.http_retries += llm["http_retries"]
        self.retries += llm["retries"]
        self.tokens_in += llm["tokens_in"]
        self.tokens_out += llm["tokens_out"]
        self.structured |= {llm["structured_output"]} - {None}
        self.refused |= set(llm["server_refused"])

    def show(self, title: str, seconds: float) -> None:
        print(f"== draft --llm, {title}, model {self.model}")
        print(f"  model drafts kept: {self.kept}/{self.drafts} ({self.kept / self.drafts:.1%})")
        print(f"  replaced by the template, by reason: {json.dumps(dict(self.reasons.most_common()))}")
        print(f"  what the failed checks named: {json.dumps(dict(self.failed.most_common(8)))}")
        print(
            f"  {self.drafts / seconds:.3f} drafts/s ({seconds:.0f} s), {self.calls} calls "
            f"({self.http_retries} client retries, {self.retries} drafts asked again), "
            f"{self.tokens_in:,} tokens in, {self.tokens_out:,} out; structured output "
            f"{', '.join(sorted(self.structured))} (refused: {', '.join(sorted(self.refused)) or 'nothing'})",
            flush=True,
        )


STOPPED: list[bool] = []


def _interrupted(*_: object) -> None:
    STOPPED.append(True)
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
