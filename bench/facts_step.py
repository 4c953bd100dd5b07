"""The facts step, measured: over YC-like descriptions, and inside `outbound target`.

    python bench/facts_step.py step --rows 3m            # the step alone, both ways, CPU seconds
    python bench/facts_step.py command later|upfront -- target --accounts ... --json

`step` reads the first `--rows` accounts of the YC layout (bench/make_universe.py --layout yc: real
YC descriptions, one per account) and derives the three fact columns twice per round: every key's
rules on every account (the code before), and one pass per kind then each key on that pass's hits
(`targeting.facts.derive`); the two results are checked equal. `command` runs `outbound target` in
this process, `later` as shipped (facts no condition reads derived for the targets alone) or
`upfront` (every fact column derived over the whole universe first, as before), and prints its wall
time, CPU seconds (user + system, all threads) and peak RSS: CPU seconds are what a shared machine
disturbs least.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def step(rows: int, rounds: int, seed: int) -> None:
    import polars as pl
    from make_universe import ensure_universe, yc_csv

    import targeting.facts.derive as derive
    from targeting.columns import ACCOUNT_SCHEMA
    from targeting.facts import load_facts, with_account_facts
    from targeting.facts.evidence import key_found

    path = yc_csv(ensure_universe(max(rows, 1_000_000), seed))  # the 1M file's first rows up to 1M
    texts = [pl.col(c).str.strip_chars() for c in ("short_description", "long_description")]
    described = pl.concat_str(
        [pl.when(t.str.len_bytes() > 0).then(t) for t in texts], separator="\n", ignore_nulls=True
    )
    tags = (
        pl.col("tags")
        .str.extract_all(r"'[^']*'")
        .list.eval(pl.element().str.strip_chars("'").str.replace_all("-", "_"))
    )
    frame = (
        pl.read_csv(path, n_rows=rows, columns=["short_description", "long_description", "tags"], infer_schema=False)
        .select(pl.when(described.str.len_bytes() > 0).then(described).alias("description"), tags.alias("tags"))
        .with_columns(
            pl.lit(None, ACCOUNT_SCHEMA[c]).alias(c)
            for c in ("tech_stack", "hiring_roles", "pain_points", "growth_signals", "prior_solutions")
        )
    )
    spec = load_facts()
    one_pass = derive._kind_keys

    def every_key(vocabulary, names, as_of):  # the code before: each key's rules on every account
        keys = [
            pl.when(found).then(pl.lit(key))
            for key, rule in vocabulary.items()
            if (found := key_found(rule, names, as_of=as_of)) is not None
        ]
        return pl.concat_list(keys).list.drop_nulls() if keys else pl.lit([], pl.List(pl.String))

    kinds = ["pain_points", "growth_signals", "prior_solutions"]
    times: dict[str, list[float]] = {}
    results = {}
    for _ in range(rounds):
        for name, keys in (
            ("every key on every account", every_key),
            ("one pass per kind, keys on its hits", one_pass),
        ):
            derive._kind_keys = keys
            started = cpu_s()
            results[name] = with_account_facts(frame.lazy(), spec).select(kinds).collect()
            times.setdefault(name, []).append(cpu_s() - started)
    derive._kind_keys = one_pass
    first, second = results.values()
    if not first.equals(second):
        raise SystemExit("THE TWO WAYS DIFFER")
    size = frame["description"].str.len_bytes().sum() / 1e6
    print(f"{frame.height:,} YC-like accounts ({size:,.0f} MB of description), facts equal both ways; CPU s per round:")
    for name, runs in times.items():
        print(f"  {name}: {' / '.join(f'{t:.2f}' for t in runs)}")


def command(mode: str, argv: list[str]) -> None:
    if mode == "upfront":
        import flows.commands.target as target

        read = target.fields_read
        target.fields_read = lambda spec: read(spec) | {"pain_points", "growth_signals", "prior_solutions"}
    from flows.cli.app import main

    sys.argv = ["outbound", *argv]
    started = time.perf_counter()
    try:
        main()
    except SystemExit as done:
        if done.code:
            raise
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{mode}: wall {time.perf_counter() - started:.1f} s, CPU {cpu_s():.1f} s, peak {peak:,.0f} MB", file=sys.stderr
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    one = sub.add_parser("step", help="the facts step alone, both ways")
    one.add_argument("--rows", default="1m")
    one.add_argument("--rounds", type=int, default=1)
    one.add_argument("--seed", type=int, default=7)
    run = sub.add_parser("command", help="outbound target with the facts derived later (as shipped) or upfront")
    run.add_argument("mode", choices=["later", "upfront"])
    run.add_argument("argv", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.what == "step":
        from make_universe import parse_size

        step(parse_size(args.rows), args.rounds, args.seed)
    else:
        command(args.mode, [a for a in args.argv if a != "--"])


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
