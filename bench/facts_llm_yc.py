"""Facts read by a model against the rule-based step, on the real YC directory and its 50 hand labels.

    python bench/facts_llm_yc.py [YC_CSV] [--model gpt-4o-mini] [--api chat] [--limit N | --sample N] [--stand-in | --llama]

With OPENAI_API_KEY (and OPENAI_BASE_URL for a local or gateway server) set, a real model reads
every description, exactly as `outbound facts --llm` does (flows/edges/model_facts.py). Printed for the
rules and for the model: precision and recall against tests/data/yc_facts_labelled.csv, the share of
accounts with a fact over the whole file, and how often the two agree on an account having one;
for the model also the answers dropped (no verbatim quote, unknown key), calls, tokens and cost.

`--stand-in` runs against tests/fake_openai.py's stand-in reader instead (no network, no model):
it checks the mechanics only, and its precision means nothing about any model.

`--llama` starts llama.cpp's server on SmolLM2-135M-Instruct from the model tier's environment
(`make test-model` builds it; tests/model/llama_server.py) and reads with it. A 135M model is a floor,
not what a user's model will do. `--sample N` reads a fixed sample of N accounts (seed 25) of the file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "yc_facts_labelled.csv"
DEFAULT_YC = ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv"
KINDS = ("pain_points", "growth_signals", "prior_solutions")


def facts_of(path: Path, reader=None, limit: int | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accounts, long-form facts) of a YC file (its first `limit` accounts), by the rules, or by `reader`."""
    from flows.edges.model_facts import model_facts
    from targeting.facts import account_facts, load_facts
    from targeting.importing.canonical import import_accounts

    imported = import_accounts(path, preset="yc")
    accounts = imported.accounts.collect()
    if limit:
        accounts = accounts.head(limit)
    facts = account_facts(accounts.lazy(), load_facts(), carried=imported.carried).collect()
    if reader is not None:
        facts = model_facts(accounts.select("account_id", "name", "description"), facts, reader)
    return accounts, facts


def against_labels(accounts: pl.DataFrame, facts: pl.DataFrame) -> tuple[int, int, int]:
    """(right, said, labelled) of the facts on the labelled rows."""
    truth = pl.read_csv(LABELLED, infer_schema=False).select(
        pl.col("company_name").alias("name"),
        pl.concat_str([pl.col(f"labelled_{k}") for k in KINDS], separator=";", ignore_nulls=True)
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != ""))
        .alias("truth"),
    )
    judged = facts.join(accounts.select("account_id", "name"), on="account_id").join(truth, on="name")
    right = judged.filter(pl.col("truth").list.contains(pl.col("key"))).height
    return right, judged.height, truth.select(pl.col("truth").list.len().sum()).item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("yc", nargs="?", type=Path, default=DEFAULT_YC)
    parser.add_argument("--model", default=os.environ.get("OUTBOUND_LLM_MODEL", "gpt-4o-mini"))
    parser.add_argument("--api", default="chat", choices=["chat", "responses"])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--limit", type=int, default=None, help="Read only the first N accounts of the file.")
    parser.add_argument("--sample", type=int, default=None, help="Read a fixed sample of N accounts (seed 25).")
    parser.add_argument("--chunk", type=int, default=50, help="Accounts a read; the figures so far after each.")
    parser.add_argument("--labelled-only", action="store_true", help="Read only the 50 hand-labelled accounts.")
    parser.add_argument("--stand-in", action="store_true", help="The local stand-in reader instead of a model.")
    parser.add_argument("--llama", action="store_true", help="llama.cpp's server on SmolLM2-135M (make test-model).")
    args = parser.parse_args()

    from campaigns.store import Store
    from flows.edges.model_facts import FactsReader, model_facts
    from messaging.drafting.caller import ModelSettings
    from targeting.facts import load_facts

    signal.signal(signal.SIGTERM, _interrupted)  # `kill PID` stops it as Ctrl-C does: the server is stopped too
    server = llama = None
    if args.llama:
        sys.path.insert(0, str(ROOT))
        from tests.model.llama_server import ALIAS, LlamaServer, call_budget, model_file

        llama = LlamaServer(model_file()).__enter__()
        os.environ["OPENAI_BASE_URL"], os.environ["OPENAI_API_KEY"], args.model = llama.url, "local", ALIAS
        os.environ.setdefault("OUTBOUND_LLM_TIMEOUT", f"{call_budget():.0f}")  # `--timeout` at this load
        args.concurrency = 1  # the server answers one call at a time: more would only queue (and time out)
        print(f"llama.cpp's server on {llama.model.name}, ready in {llama.ready_after:.1f} s; load {_load()}")
    if args.stand_in:
        serve = (
            "import sys, threading; sys.path.insert(0, sys.argv[1]); from fake_openai import FakeOpenAI, "
            "stand_in_reader\nwith FakeOpenAI(responder=stand_in_reader) as s:\n print(s.url, flush=True); "
            "threading.Event().wait()"
        )
        server = subprocess.Popen([sys.executable, "-c", serve, str(ROOT / "tests")], stdout=subprocess.PIPE, text=True)
        os.environ["OPENAI_BASE_URL"] = server.stdout.readline().strip()
        os.environ["OPENAI_API_KEY"] = "stand-in"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            if args.sample:
                sys.path.insert(0, str(ROOT))
                from tests.model.yc_inputs import yc_sample

                args.yc = yc_sample(Path(tmp) / f"yc_sample_{args.sample}.csv", args.sample, source=args.yc)
            timeout = float(os.environ.get("OUTBOUND_LLM_TIMEOUT", 60))  # as `--timeout` reads it
            settings = ModelSettings(model=args.model, api=args.api, concurrency=args.concurrency, timeout=timeout)
            runs = [("labelled 50", LABELLED, None), (args.yc.name, args.yc, args.limit)]
            for label, path, limit in runs[:1] if args.labelled_only else runs:
                accounts, rules = facts_of(path, limit=limit)
                reader = FactsReader(settings, load_facts(), cache=Store(Path(tmp) / "cache.duckdb"))
                started, read = time.perf_counter(), []
                try:
                    # A chunk of accounts at a time, so a run stopped early has its figures so far.
                    for start in range(0, accounts.height, args.chunk):
                        chunk = accounts.slice(start, args.chunk)
                        ids = chunk.select("account_id").to_series().implode()
                        chunk_rules = rules.filter(pl.col("account_id").is_in(ids))
                        read.append(model_facts(chunk.select("account_id", "name", "description"), chunk_rules, reader))
                        if start + args.chunk < accounts.height:
                            show(f"{label}: {start + chunk.height:,} of {accounts.height:,} accounts so far", reader,
                                 accounts.head(start + chunk.height), rules, pl.concat(read), path,
                                 time.perf_counter() - started)  # fmt: skip
                except KeyboardInterrupt:
                    m = reader.summary()
                    print(
                        f"stopped in {label} after {reader.stats.done:,} of {accounts.height:,} accounts answered "
                        f"(figures above: the whole chunks); counted so far: {m['dropped_unquoted']:,} unquoted, "
                        f"{m['dropped_unknown_key']:,} unknown keys, {m['fallback_to_rules']:,} left to the rules, "
                        f"{m['calls']:,} calls in {time.perf_counter() - started:.1f} s, {m['tokens_in']:,} tokens in, "
                        f"{m['tokens_out']:,} out; load: {_load()}",
                        flush=True,
                    )
                    return
                show(f"{label}: {accounts.height:,} accounts", reader, accounts, rules, pl.concat(read), path,
                     time.perf_counter() - started)  # fmt: skip
        if llama is not None:
            print(f"load after: {_load()}")
    finally:
        if llama is not None:
            llama.stop()
        if server is not None:
            server.terminate()
            server.wait()


def show(title: str, reader, accounts, rules, model, path: Path, seconds: float) -> None:
    """The figures of the accounts read so far: rules and model, the model's drops, calls, tokens, time."""
    ids = set(accounts["account_id"])
    rules = rules.filter(pl.col("account_id").is_in(list(ids)))
    has_rules, has_model = set(rules["account_id"]), set(model["account_id"])
    agree = sum((a in has_rules) == (a in has_model) for a in ids) / len(ids)
    print(f"== {title}; load {_load()}")
    for who, facts, has in [("rules", rules, has_rules), ("model", model, has_model)]:
        line = f"  {who}: with a fact {len(has) / len(ids):.1%}, {facts.height:,} facts"
        if path == LABELLED:
            right, said, labelled = against_labels(accounts, facts)
            line += f"; precision {right}/{said}, recall {right}/{labelled}"
        print(line)
    m = reader.summary()
    print(
        f"  agree on having a fact: {agree:.1%}; model dropped {m['dropped_unquoted']:,} unquoted, "
        f"{m['dropped_unknown_key']:,} unknown keys; {m['fallback_to_rules']:,} left to the rules "
        f"{json.dumps(m['fallback_reasons'])}; {m['calls']:,} calls in {seconds:.1f} s, "
        f"{m['tokens_in']:,} tokens in, {m['tokens_out']:,} out, ${m['cost_usd']:.4f}; "
        f"structured output {m['structured_output']}",
        flush=True,
    )


def _interrupted(*_: object) -> None:
    raise KeyboardInterrupt


def _load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg()) + f" on {os.cpu_count()} cores"


if __name__ == "__main__":
    main()
