"""`outbound draft --llm` over 200 YC contacts against llama.cpp serving SmolLM2-135M-Instruct.

    python bench/draft_llm_yc.py [YC_CSV] [--contacts 200] [--sample 500] [--concurrency 1]

A fixed sample of the YC directory (seed 25) is targeted with the model tier's ICP; one person a
company (Apollo's layout) for the first `--contacts` targets; one step each, drafted by the real
command (`--llm --model smollm2`) against llama.cpp's server from the model tier's environment
(`make test-model` builds it). Printed: the share of model drafts kept, the reasons for the rest,
drafts/s, calls, tokens, the structured output the server took, and the load before and after.

A 135M model is a floor, not what a user's model will do: it shows what the checks catch from a
model nobody here wrote, and what a small local model costs in time.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    args = parser.parse_args()

    import polars as pl

    from flows.edges.workspace import init_workspace
    from tests.flows.conftest import own_sender
    from tests.model.llama_server import ALIAS, LlamaServer, model_file
    from tests.model.yc_inputs import invoke_json, yc_people, yc_sample, yc_targets

    with tempfile.TemporaryDirectory() as tmp, LlamaServer(model_file()) as server:
        root = Path(tmp)
        print(f"llama.cpp's server on {server.model.name}, ready in {server.ready_after:.1f} s; load {_load()}")
        init_workspace(root / "ws", accounts=10)
        own_sender(root / "ws")
        targets = yc_targets(root, yc_sample(root / "yc.csv", args.sample, source=args.yc))
        people = yc_people(targets, root / "people.csv", args.contacts)
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"] = server.url, "local"
        started = time.perf_counter()
        summary = invoke_json(
            "draft", "--targets", targets, "--contacts", people, "--workspace", root / "ws", "--steps", 1,
            "--out", root / "d", "--store", root / "s.duckdb", "--no-prefect",
            "--llm", "--model", ALIAS, "--concurrency", args.concurrency,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        drafts = pl.read_parquet(root / "d" / "drafts.parquet")
        llm = summary["llm"]
        kept = drafts.filter(pl.col("source") == "model").height
        reasons = Counter(r.split(":")[0] for r in drafts["fallback_reason"].drop_nulls())
        assert kept + sum(reasons.values()) == drafts.height == llm["jobs"]
        assert dict(reasons) == llm["fallback_reasons"]
        detail = [r for r in drafts["fallback_reason"].drop_nulls() if r.startswith("failed checks")]
        print(f"== draft --llm, {drafts.height} YC contacts (sample {args.sample}, seed 25), model {ALIAS}")
        print(f"  model drafts kept: {kept}/{drafts.height} ({kept / drafts.height:.1%})")
        print(f"  replaced by the template, by reason: {json.dumps(dict(reasons.most_common()))}")
        failed = Counter(re.split(r" ['\"]", p.strip())[0] for r in detail for p in r.split(": ", 1)[1].split(";"))
        print(f"  what the failed checks named: {json.dumps(dict(failed.most_common(8)))}")
        print(
            f"  {drafts.height / seconds:.2f} drafts/s ({seconds:.0f} s), {llm['calls']} calls "
            f"({llm['http_retries']} client retries, {llm['retries']} drafts asked again), "
            f"{llm['tokens_in']:,} tokens in, {llm['tokens_out']:,} out; structured output "
            f"{llm['structured_output']} (refused: {', '.join(llm['server_refused']) or 'nothing'})"
        )
        print(f"  server POSTs logged: {server.posts()}; load after: {_load()}")


if __name__ == "__main__":
    main()
