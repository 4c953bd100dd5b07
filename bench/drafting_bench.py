"""Drafting benchmark: `outbound draft` as a user runs it, and its core, against a bare Jinja2 loop.

    python bench/drafting_bench.py [--drafts 100000] [--repeats 3] [--profile]

Three contenders, each run in its own process by `bench/harness.py`, taking turns (median of 3,
peak RSS):

- `command`: the installed `outbound draft --targets ... --contacts ... --icp ... --out DIR
  --no-prefect --json`, whole: start-up, reading, persona classification, sendability, copy
  blocks, sandboxed render of every persona/step/variant template, the checks and the gate, and
  every output written (drafts.parquet, drafts.csv, skipped.csv, review.csv, five sending tools'
  exports). Its comparison is read from drafts.parquet after it exits (untimed).
- `core` (core only): reads the same Parquet inputs, loads the shipped specs and calls
  `messaging.drafts.build_drafts` in one process; nothing is written.
- `bare`: imports nothing from the project. It reads one row of template variables per draft,
  compiles ONE template (economic_buyer step 1 variant a) with plain Jinja2, renders it for every
  row in a Python loop, splits subject from body and writes the drafts to one CSV file: the floor
  any template drafter pays.

The bare loop's variables are the very ones the project renders with (prepared once, untimed, by
the project's own copy-block step), so on the rows where the project used the same template the
two bodies must be identical; the benchmark compares a digest of those bodies, and the number of
drafts, before it reports any time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
DOC = ROOT / "docs" / "benchmarks.md"
PERSONAS = ["economic_buyer", "champion", "technical_evaluator"]
STEPS = 3
BARE_TEMPLATE = ("economic_buyer", 1, "a")
GOAL_RATIO = 2.0


# ---------------------------------------------------------------- the bare contender (no project imports)


def run_bare(data: Path, result: Path) -> None:
    """Render the one template over every row of variables with plain Jinja2; write the comparison."""
    import hashlib

    import jinja2
    import polars as pl

    spec = json.loads((data / "bare_template.json").read_text())
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    # The shipped templates use one filter of the project's; the baseline brings its own copy.
    env.filters["sentence"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    template = env.from_string(spec["source"], globals=spec["globals"])
    rows = pl.read_parquet(data / "variables.parquet")
    names = spec["variables"]
    render = template.render
    texts = [render(dict(zip(names, values))) for values in rows.select(names).iter_rows()]
    parts = pl.Series("text", texts).str.splitn("\n", 2)
    bodies = (
        parts.struct.field("field_1")
        .fill_null("")
        .str.replace_all(r"[ \t]+\n", "\n")
        .str.replace_all(r"\n{3,}", "\n\n")
        .str.strip_chars()
    )
    drafted = rows.with_columns(bodies.alias("body"), parts.struct.field("field_0").alias("subject"))
    drafted.select("contact_id", "step", "subject", "body").write_csv(result.with_suffix(".csv"))
    same = drafted.filter(
        (pl.col("persona") == spec["key"][0])
        & (pl.col("step") == spec["key"][1])
        & (pl.col("variant") == spec["key"][2])
    )
    result.write_text(json.dumps({"compare": _comparison(rows.height, same, hashlib)}))


def _comparison(drafts: int, same, hashlib) -> dict:
    """What both contenders must agree on: draft count and the bodies of the shared template's rows."""
    ordered = same.sort("contact_id", "step")
    digest = hashlib.sha256("\x1e".join(ordered["body"].to_list()).encode()).hexdigest()
    return {"drafts": drafts, "same_template_rows": ordered.height, "same_template_sha256": digest}


# ---------------------------------------------------------------- the project contender


def run_core(data: Path, result: Path) -> None:
    """Draft every contact through `build_drafts` (which lints every body); write the comparison."""
    import polars as pl

    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender
    from messaging.composing.templates import load_templates
    from messaging.contacts.classify import load_persona_rules
    from messaging.drafts import build_drafts

    sender = load_sender(None)
    drafted = build_drafts(
        pl.read_parquet(data / "targets.parquet"),
        pl.read_parquet(data / "contacts.parquet"),
        personas=PERSONAS,
        persona_rules=load_persona_rules(None),
        messaging=load_messaging(None),
        sender=sender,
        templates=load_templates(None),
        steps=STEPS,
    )
    result.write_text(json.dumps(_project_result(drafted.drafts, skipped=drafted.skipped.height)))


def _project_result(drafts, skipped: int) -> dict:
    """The comparison of the project's drafts (command or core) with the bare loop, and their findings."""
    import hashlib

    import polars as pl

    persona, step, variant = BARE_TEMPLATE
    same = drafts.filter((pl.col("persona") == persona) & (pl.col("step") == step) & (pl.col("variant") == variant))
    issues = drafts.select(pl.col("issues").list.explode().str.extract(r"^([a-z_]+)").alias("code")).drop_nulls()
    return {
        "compare": _comparison(drafts.height, same, hashlib),
        "skipped": skipped,
        "issues_by_code": dict(issues.group_by("code").len().sort("code").iter_rows()),
    }


def command_contender(data: Path, work: Path):
    """`outbound draft` on the prepared inputs into `work`, its result read from drafts.parquet afterwards."""
    from harness import Contender

    out, store = work / "drafts", work / "store.duckdb"
    argv = [str(Path(sys.executable).with_name("outbound")), "draft", "--targets", str(data / "target_list.parquet")]
    argv += ["--contacts", str(data / "contacts.parquet"), "--icp", str(ROOT / "targeting" / "defaults" / "icp.yaml")]
    argv += ["--out", str(out), "--store", str(store), "--no-prefect", "--json", "--allow-sample-sender"]

    def read_result() -> dict:
        import polars as pl

        drafts = pl.read_parquet(out / "drafts.parquet")
        skipped = pl.read_csv(out / "skipped.csv", infer_schema=False).height
        shutil.rmtree(out)
        store.unlink(missing_ok=True)
        return _project_result(drafts, skipped=skipped)

    return Contender("command", argv, read_result=read_result)


# ---------------------------------------------------------------- preparation (untimed)


def prepare(drafts: int, seed: int = 7) -> Path:
    """Write the benchmark inputs once: targets, contacts and the bare loop's variables and template.

    The contacts are the first ones (in generated order) that the project drafts, so every input
    contact is drafted and contacts * STEPS >= `drafts`. Cached under bench/data/ by size and seed.
    """

    from messaging.composing.copy_blocks import load_messaging
    from messaging.composing.sender import load_sender
    from messaging.composing.templates import load_templates
    from messaging.contacts.classify import load_persona_rules
    from targeting.sample.contacts import generate_contacts

    # The inputs depend on the shipped specs, templates and the code that reads them: a change to
    # any of them makes a new cache entry rather than a stale comparison.
    out = DATA_DIR / f"drafting-{drafts}-seed{seed}-{_inputs_digest()}"
    if (out / "bare_template.json").exists():
        if not (out / "target_list.parquet").exists():
            _write_target_list(out)
        return out
    for stale in DATA_DIR.glob(f"drafting-{drafts}-seed{seed}-*"):
        shutil.rmtree(stale)
    out.mkdir(parents=True, exist_ok=True)
    wanted = -(-drafts // STEPS)
    specs = {
        "persona_rules": load_persona_rules(None),
        "messaging": load_messaging(None),
        "sender": load_sender(None),
        "templates": load_templates(None),
    }
    # About one drafted contact per account (one per ICP persona present), so draw accounts generously.
    accounts = _accounts(seed, rows=min(100_000, wanted * 2))
    contacts = generate_contacts(accounts, seed=seed)
    keep = _chosen(accounts, contacts, specs).head(wanted)
    if keep.height < wanted:
        raise SystemExit(f"only {keep.height} draftable contacts in {accounts.height} accounts; need {wanted}")
    contacts = contacts.join(keep, on="contact_id", how="semi", maintain_order="left")
    targets = accounts.join(contacts.select("account_id").unique(), on="account_id", how="semi", maintain_order="left")
    chosen = _chosen(targets, contacts, specs, keep_rows=True)
    if chosen.height != contacts.height:
        raise SystemExit(f"{contacts.height - chosen.height} chosen contacts would not be drafted again")
    targets.write_parquet(out / "targets.parquet")
    contacts.write_parquet(out / "contacts.parquet")
    _write_bare_inputs(out, chosen, specs)
    _write_target_list(out)
    return out


def _write_target_list(out: Path) -> None:
    """The targets as `outbound target` lays them out for `outbound draft`: the accounts with score, tier and
    reasons (placeholders: drafting reads an account's facts, not its score, which the comparison with the
    bare loop's bodies confirms)."""
    import polars as pl

    pl.read_parquet(out / "targets.parquet").with_columns(
        pl.lit(0).alias("score"), pl.lit("A").alias("tier"), pl.lit([], dtype=pl.List(pl.String)).alias("reasons")
    ).write_parquet(out / "target_list.parquet")


def _inputs_digest() -> str:
    import hashlib

    files = sorted(
        [
            *(ROOT / "templates").rglob("*.j2"),
            *(ROOT / "messaging").rglob("*.py"),
            *(ROOT / "messaging" / "defaults").glob("*.yaml"),
        ]
        + [ROOT / "targeting" / "sample" / "contacts.py", ROOT / "bench" / "make_universe.py", Path(__file__).resolve()]
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def _chosen(accounts, contacts, specs, keep_rows: bool = False):
    """The contact rows the project decides to draft (the project's own decision functions)."""
    import polars as pl

    from messaging.drafts import classified_contacts, draft_decisions

    people = classified_contacts(contacts, specs["persona_rules"], allow_role=False, allow_free_mail=False)
    chosen = draft_decisions(people, accounts, PERSONAS).filter(pl.col("reason").is_null()).collect()
    return chosen if keep_rows else chosen.select("contact_id")


def _accounts(seed: int, rows: int):
    """Accounts from the targeting benchmark's generated universe."""
    import polars as pl
    from make_universe import ensure_universe

    universe = ensure_universe(100_000, seed)
    return pl.scan_parquet(universe / "*.parquet").head(rows).collect()


def _write_bare_inputs(out: Path, chosen, specs) -> None:
    """The per-draft template variables the project renders with, and the one template's source."""
    import polars as pl

    from messaging.composing import render as render
    from messaging.composing.copy_blocks import copy_blocks
    from messaging.composing.templates import CONTEXT_VARIABLES

    planned = render.render_drafts(
        copy_blocks(chosen.lazy(), specs["messaging"], solves=specs["sender"].solves),
        specs["templates"],
        specs["sender"],
        steps=STEPS,
    )
    # render reads a few variables from differently named columns (industry <- industry_label).
    columns = getattr(render, "_CONTEXT_COLUMNS", {})
    variables = planned.select(
        "contact_id",
        "persona",
        "step",
        "variant",
        *[pl.col(columns.get(n, n)).cast(pl.String).fill_null("").alias(n) for n in CONTEXT_VARIABLES],
    ).with_columns(pl.col("first_name").replace("", "there"))
    variables.write_parquet(out / "variables.parquet")
    persona, step, variant = BARE_TEMPLATE
    sender = specs["sender"]
    source = Path(specs["templates"].paths[BARE_TEMPLATE]).read_text(encoding="utf-8")
    bound = {
        "sender": sender.model_dump(mode="json"),
        "value_proposition": sender.value_proposition_for(persona),
        "persona": persona,
    }
    (out / "bare_template.json").write_text(
        json.dumps(
            {"key": [persona, step, variant], "source": source, "globals": bound, "variables": list(CONTEXT_VARIABLES)}
        )
    )


# ---------------------------------------------------------------- the benchmark


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--drafts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="also profile the project contender in-process")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--contender", choices=["core", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.contender == "bare":
        run_bare(args.data, args.result)
        return 0
    if args.contender == "core":
        run_core(args.data, args.result)
        return 0
    if args.prepare:
        print(prepare(args.drafts, args.seed))
        return 0

    from harness import Contender, check_equal, machine_info, markdown_table, run_interleaved, write_doc_section

    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    # Prepared in a child: a child's peak RSS starts from its parent's at fork (Linux keeps the
    # high-water mark across exec), so this process must stay small for the figures to be the
    # contenders' own.
    me = [sys.executable, str(Path(__file__).resolve())]
    prepared = subprocess.run(
        [*me, "--prepare", "--drafts", str(args.drafts), "--seed", str(args.seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    data = Path(prepared.stdout.strip().splitlines()[-1])
    print(f"inputs ready in {data} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="drafting-bench-") as work:
        contenders = [
            command_contender(data, Path(work)),
            Contender("core", [*me, "--contender", "core", "--data", str(data), "--result", "{result}"]),
            Contender("bare", [*me, "--contender", "bare", "--data", str(data), "--result", "{result}"]),
        ]
        measured = run_interleaved(contenders, repeats=args.repeats)
    check_equal({name: m.result["compare"] for name, m in measured.items()})
    check_equal({name: measured[name].result["issues_by_code"] for name in ("command", "core")})
    command, core, bare = measured["command"], measured["core"], measured["bare"]
    ratio = command.median_s / bare.median_s
    compare = command.result["compare"]
    rows = [
        [name, f"{m.median_s:.2f}", " / ".join(f"{w:.2f}" for w in m.wall_s), f"{m.peak_rss_mb:.0f}"]
        for name, m in measured.items()
    ]
    verdict = "meets" if ratio <= GOAL_RATIO else "misses"
    body = "\n".join(
        [
            f"`{' '.join(['python', 'bench/drafting_bench.py', *(argv if argv is not None else sys.argv[1:])])}`"
            f" - {compare['drafts']:,} drafts ({compare['drafts'] // STEPS:,} contacts x {STEPS} steps),"
            f" median of {args.repeats} runs, each contender in its own process (imports and reads included).",
            "",
            "- `command`: the installed `outbound draft --targets target_list.parquet --contacts contacts.parquet"
            " --icp targeting/defaults/icp.yaml --out DIR --store S --no-prefect --json --allow-sample-sender`, whole:"
            " start-up, reading, persona classification, sendability, per-account choice, copy blocks, sandboxed render"
            " of every persona/step/variant template, the checks and the gate, and every file written (drafts.parquet,"
            " drafts.csv, skipped.csv, review.csv, five sending tools' exports).",
            "- `core` (core only): the same inputs read and `messaging.drafts.build_drafts` run in one process;"
            " nothing written.",
            "- `bare`: imports nothing from the project; one plain Jinja2 template (economic_buyer step 1 variant a),"
            " compiled once and rendered in a Python loop over the same per-draft variables (prepared untimed by the"
            " project's copy-block step), the subject split off and the drafts written to one CSV file.",
            "",
            markdown_table(["contender", "median s", "runs s", "peak RSS MB"], rows),
            "",
            f"Ratio command / bare: **{ratio:.2f}x** ({verdict} the goal of {GOAL_RATIO:.0f}x); core only / bare:"
            f" {core.median_s / bare.median_s:.2f}x.",
            f"Outputs checked equal: draft count and the {compare['same_template_rows']:,} bodies rendered from"
            f" `{'/'.join(map(str, BARE_TEMPLATE))}` (sha256 {compare['same_template_sha256'][:12]}).",
            f"Lint findings (command and core alike): {json.dumps(command.result['issues_by_code'])}; skipped"
            f" contacts: {command.result['skipped']}.",
            "",
            "Machine: "
            + ", ".join(f"{k} {v}" for k, v in machine_info(("polars", "jinja2", "pydantic")).items())
            + f"; load average before/after {load_before:.1f}/{os.getloadavg()[0]:.1f} (a shared machine: compare the"
            " ratio, measured in one run, rather than the absolute seconds).",
        ]
    )
    if args.profile:
        body += "\n\n" + profile_core(data)
    write_doc_section(DOC, "Drafting", body, all_headings=("Targeting", "Drafting"))
    print(body)
    return 0


def profile_core(data: Path, top: int = 14) -> str:
    """Where the project's time goes: cProfile of one in-process run, the project's own functions
    and the Jinja2 render call, by cumulative time (profiling slows Python-level code more than Polars)."""
    import cProfile
    import io
    import pstats
    import tempfile

    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as tmp:
        profiler.runcall(run_core, data, Path(tmp) / "result.json")
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(r"(messaging|targeting)/|jinja2/environment.py.*\(render\)|\(collect\)", top)
    lines = [line.replace(str(ROOT) + "/", "") for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return (
        "Profile of one core run (cProfile, cumulative, project functions):\n\n```\n"
        + "\n".join(lines[start:])
        + "\n```"
    )


if __name__ == "__main__":
    raise SystemExit(main())
