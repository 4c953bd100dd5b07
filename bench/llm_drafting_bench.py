"""LLM drafting benchmark: 1,000 model drafts against a local OpenAI-compatible server with fixed latency.

    python bench/llm_drafting_bench.py [--drafts 1000] [--latency 0.2] [--concurrency 16] [--repeats 3]

The server (`tests/fake_openai.py`) runs in its own process and answers every call after
`--latency` seconds with the reference draft of its prompt (so each reply passes the checks). The
drafter (`messaging.drafting.model.OpenAIDrafter`, the real `AsyncOpenAI` client, chat completions
with structured output) drafts the first `--drafts` (contact, step) jobs of the sample universe's
template drafts, caching in a fresh campaign store. Reported, median of `--repeats`:

- throughput of a cold run (drafts/s), against the ceiling concurrency / latency (goal: >= 80%);
- the calls a second run against the same store makes (goal: 0) and its time;
- the checks (grounding and AI tells) per draft, in microseconds (goal: < 1 ms).

No real model is called: the server stands in for one for the mechanics (concurrency, retries,
cache), not for what a model writes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives beside the tests that use it


def sample_jobs(n: int, work: Path):
    """The first `n` (contact, step) jobs of the sample universe's template drafts."""
    import polars as pl

    from flows.edges.workspace import init_workspace
    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender
    from messaging.composing.templates import load_templates
    from messaging.drafting.jobs import draft_jobs
    from messaging.drafts import build_drafts
    from targeting.importing.canonical import import_accounts, import_contacts

    init_workspace(work, accounts=max(1000, n * 3))
    accounts = import_accounts(work / "accounts.csv").accounts.collect()
    contacts = import_contacts(work / "contacts.csv").contacts
    sender = load_sender(work / "sender.yaml")
    personas = ["economic_buyer", "champion", "technical_evaluator", "user", "gatekeeper", "procurement"]
    drafts = build_drafts(
        accounts,
        contacts,
        personas=personas,
        persona_rules=None,
        messaging=load_messaging(work / "messaging.yaml"),
        sender=sender,
        templates=load_templates(work / "templates", sender=sender),
        per_persona=3,
    ).drafts.head(n)
    if drafts.height < n:
        raise SystemExit(f"the sample gave {drafts.height} drafts, fewer than --drafts {n}")
    fields = ["account_id", "name", "domain", "industry", "tech_stack", "hiring_roles"]
    fields += ["pain_points", "growth_signals", "prior_solutions", "description"]
    return draft_jobs(drafts, accounts.select([c for c in fields if c in accounts.columns])), sender, pl


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drafts", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from campaigns.store import Store
    from messaging.drafting.model import ModelSettings, OpenAIDrafter, check_reply
    from messaging.drafting.prompt import DraftReply, body_without_footer

    with tempfile.TemporaryDirectory() as tmp:
        jobs, sender, _ = sample_jobs(args.drafts, Path(tmp) / "ws")
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "fake_openai.py"), "--latency", str(args.latency)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            url = server.stdout.readline().strip()
            settings = ModelSettings(base_url=url, api_key="bench", concurrency=args.concurrency, max_retries=2)
            cold, cold_cpu, warm, warm_calls, sources = [], [], [], [], set()
            load_before = os.getloadavg()[0]
            for repeat in range(args.repeats):
                store = Store(Path(tmp) / f"store-{repeat}.duckdb")
                drafter = OpenAIDrafter(settings, sender, cache=store)
                started, cpu = time.perf_counter(), time.process_time()
                first = drafter.draft(jobs)
                cold.append(time.perf_counter() - started)
                cold_cpu.append(time.process_time() - cpu)
                if drafter.stats.calls != len(jobs) or any(o.source != "model" for o in first):
                    raise SystemExit(f"cold run: {drafter.stats.as_dict()}")
                started = time.perf_counter()
                second = OpenAIDrafter(settings, sender, cache=store)
                again = second.draft(jobs)
                warm.append(time.perf_counter() - started)
                warm_calls.append(second.stats.calls)
                sources |= {"cache" if o.cached else o.source for o in again}
                if [o.body for o in again] != [o.body for o in first]:
                    raise SystemExit("the cached run's drafts differ from the cold run's")
        finally:
            server.terminate()
            server.wait()
        replies = [DraftReply(subject=j.subject, body=body_without_footer(j.body, sender), facts_used=[]) for j in jobs]
        check_times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            failing = sum(bool(check_reply(job, reply, sender)) for job, reply in zip(jobs, replies))
            check_times.append(time.perf_counter() - started)
    ceiling = args.concurrency / args.latency
    rate = len(jobs) / statistics.median(cold)
    per_check_us = statistics.median(check_times) / len(jobs) * 1e6
    print(
        f"drafts {len(jobs):,}, latency {args.latency * 1000:.0f} ms, concurrency {args.concurrency}; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores"
    )
    cpu_ms = statistics.median(cold_cpu) / len(jobs) * 1000
    print(
        f"drafter CPU: {cpu_ms:.1f} ms per draft (client, prompt, checks, cache), so one free core "
        f"caps a run at {1000 / cpu_ms:.0f} drafts/s"
    )
    print(
        f"cold run: median {statistics.median(cold):.2f} s of {[round(t, 2) for t in cold]}, {rate:.1f} drafts/s "
        f"= {rate / ceiling:.0%} of the {ceiling:.0f} drafts/s ceiling (goal >= 80%)"
    )
    print(f"second run: calls {warm_calls} (goal 0), median {statistics.median(warm):.2f} s, sources {sorted(sources)}")
    print(f"checks: {per_check_us:.0f} us per draft (goal < 1000), {failing} of {len(jobs)} reference drafts failing")


if __name__ == "__main__":
    main()
