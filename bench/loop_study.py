"""The test-campaign loop, studied in worlds whose truth is known: does refining an ICP find what it missed?

    .venv/bin/python bench/loop_study.py --rate 0.06 --positive-share 0.4 --worlds strong,null   # real reply rates
    .venv/bin/python bench/loop_study.py --seeds 20        # a quick look
    .venv/bin/python bench/loop_study.py --universe yc --rate 0.06 --positive-share 0.4 --worlds strong,null

`--universe yc` runs the same loop over the YC directory (../shared/data/yc-companies-2024-05-11.csv
through the `yc` preset, seeded contacts for its accounts) with bench/loop_yc_icp.yaml, six criteria;
its worlds move `sells to businesses` (5x), `developer tools` (3x) and `North America` (0.5x; 2 points,
met by 81% of the pool as `CRM in place` is by 80%) the way the sample's do.

Each world gives every account of the bundled sample universe a true rate:

- strong: two criteria the default ICP gives 1 point (`hiring revenue roles`, `recent momentum`) have
  5x and 3x the rate, one it gives 2 points (`CRM in place`) has 0.5x;
- weak: the same criteria at 1.5x, 1.5x and 1/1.5;
- null: no difference at all.

Every world is scaled so that the mean true rate over ICP v1's targets is `--rate` (so a null world
gets as many replies as the others: it is the test that refinement is not chasing noise). With
`--positive-share S`, `--rate` is the **reply rate** (every genuine reply, positive or not: the
multipliers act on it) and S of the replies are positive (real cold email: ~3-6% replies, 14-40% of
them positive); without it, `--rate` is the positive-reply rate and negative replies are 4% of sends
everywhere (the tables before the issue of real reply rates).

Per seed, three rounds of 100 contacts, each round the project's own code as plain functions:
plan (`campaigns.planning.design_campaign`, Thompson allocation on the lineage's pooled outcomes,
earlier rounds' emails cooled down and every account where anyone answered, as `Store.cooldown`
does; each round designed for the joint reading over the criteria not yet sure, as `campaign plan
--balance` does by default: `campaigns.planning.design`), results from the seeded responder (`targeting.sample.responder`,
3% bounces and 3% auto-replies, negative replies giving one of four reasons), read and matched as
`campaign ingest` does (`campaigns.results.ingest`), pooled as `icp refine` pools them
(`campaigns.report.pooled_outcomes`: every round of the lineage, each contact at its campaign's
version's criteria; `--pool since-change` pools only the rounds since the last change), and refined
(`targeting.icp.refine.refine_on_outcomes`, reading genuine replies against the 3.4% benchmark reply rate).
ICP v1 -> v2 -> v3 -> v4 (a version that does not change keeps its number in the table's sense:
v(k+1) = v(k)).

Measured: the true positive-reply rate of the top 300 accounts each version scores highest (ties
shared out exactly: a tie group at the cut counts at its mean rate), against the oracle (the 300
accounts with the highest true rate among those v1's filters admit, what re-weighting can reach);
the share of the v1-to-oracle gap v4 closes; how often a refinement changes anything.
Goals: >= 60% of the gap closed by v4 in the strong world; <= 5% of null-world refinements change anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

AS_OF = date(2026, 3, 1)
UNIVERSE_SEED, N_ACCOUNTS = 7, 20_000
YC_FILE = ROOT.parent / "shared/data/yc-companies-2024-05-11.csv"
"""The YC directory as scraped on 2024-05-11 (`--universe yc`; `--yc-file` names another copy)."""
YC_AS_OF = date(2024, 5, 11)
ROUNDS, SIZE, TOP = 3, 100, 300
DEFAULT_RATE = 0.03
"""The mean true positive-reply rate over v1's targets in every world (see docs/benchmarks.md)."""
GOAL_GAP, GOAL_NULL = 0.60, 0.05

WORLDS: dict[str, dict[str, float]] = {
    "strong": {"hiring revenue roles": 5.0, "recent momentum": 3.0, "CRM in place": 0.5},
    "weak": {"hiring revenue roles": 1.5, "recent momentum": 1.5, "CRM in place": 1 / 1.5},
    "null": {},
}
"""Each world: the criteria of the default ICP whose true effect is a rate multiplier; the rest 1x."""
YC_WORLDS: dict[str, dict[str, float]] = {
    "strong": {"sells to businesses": 5.0, "developer tools": 3.0, "North America": 0.5},
    "weak": {"sells to businesses": 1.5, "developer tools": 1.5, "North America": 1 / 1.5},
    "null": {},
}
"""The same worlds over the YC universe's ICP (bench/loop_yc_icp.yaml): two 1-point criteria at 5x and 3x,
the 2-point criterion most accounts meet (`North America`, 81% of the pool, as `CRM in place` is 80%) at 0.5x."""
UNIVERSES = {"sample": ("targeting/defaults/icp.yaml", WORLDS), "yc": ("bench/loop_yc_icp.yaml", YC_WORLDS)}
"""`--universe`: the ICP v1 and the worlds over it."""


@dataclass
class Context:
    """What every seed of a process shares: the universe, ICP v1, the drafting specs, caches per version."""

    accounts: pl.DataFrame
    contacts: pl.DataFrame
    v1: Any
    render: Any
    cache: dict[str, Any]
    as_of: date = AS_OF
    worlds: dict[str, dict[str, float]] | None = None


_CTX: Context | None = None
_UNIVERSE = {"name": "sample", "yc_file": YC_FILE}


def init_process(settings: dict[str, float], universe: str = "sample", yc_file: Path = YC_FILE) -> None:
    """A worker's start: the refine settings explored and the universe its seeds run on."""
    _UNIVERSE.update(name=universe, yc_file=yc_file)
    apply_settings(settings)


def yc_universe(path: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The YC directory through the `yc` preset (as `--preset yc` reads it) and seeded contacts for it.

    The directory has no contacts: about three per account are generated (`generate_contacts`, seed 7) for
    the accounts with a company domain (an email needs one).
    """
    from targeting.importing.canonical import import_accounts
    from targeting.sample.contacts import generate_contacts

    accounts = import_accounts(path, preset="yc").accounts.collect()
    return accounts, generate_contacts(accounts.filter(pl.col("domain").is_not_null()), seed=UNIVERSE_SEED)


def apply_settings(settings: dict[str, Any]) -> None:
    """Override settings in this process (to explore them; the doc's figures use none).

    `NAME` is one of `targeting.icp.refine`'s; `balance.NAME` one of `campaigns.planning.balance`'s.
    """
    from campaigns.planning import balance
    from targeting.icp import refine

    for key, value in settings.items():
        module, name = (balance, key.split(".", 1)[1]) if key.startswith("balance.") else (refine, key)
        if not name.isupper() or not hasattr(module, name):
            raise SystemExit(f"error: {module.__name__} has no setting {name}")
        setattr(module, name, type(getattr(module, name))(value))


def _context() -> Context:
    global _CTX
    if _CTX is None:
        from campaigns.planning.drafts import RenderSpecs
        from messaging import load_messaging, load_persona_rules, load_sender, load_templates
        from targeting.icp.spec import load_icp
        from targeting.sample.universe import generate_sample

        name = _UNIVERSE["name"]
        icp, worlds = UNIVERSES[name]
        if name == "yc":
            accounts, contacts = yc_universe(Path(_UNIVERSE["yc_file"]))
            as_of = YC_AS_OF
        else:
            universe = generate_sample(UNIVERSE_SEED, N_ACCOUNTS, as_of=AS_OF)
            accounts, contacts, as_of = universe.accounts, universe.contacts, AS_OF
        render = RenderSpecs(load_persona_rules(None), load_messaging(None), load_sender(None), load_templates(None))
        _CTX = Context(accounts, contacts, load_icp(ROOT / icp), render, {}, as_of, worlds)
    return _CTX


def _key(spec: Any) -> str:
    return spec.model_dump_json(exclude={"evidence", "created_at", "version", "parent"})


def scored(spec: Any) -> pl.DataFrame:
    """Every account's score under `spec`, with `pool` (filters hold, no disqualifier, not a customer)."""
    from targeting import score_accounts

    ctx = _context()
    key = "scored" + _key(spec)
    if key not in ctx.cache:
        frame = score_accounts(ctx.accounts.lazy(), spec, ctx.as_of, with_reasons=False).collect()
        filters = [c for c in frame.columns if c.startswith("_filter_")]
        disqualifiers = [c for c in frame.columns if c.startswith("_disqualifier_")]
        pool = (
            pl.all_horizontal([pl.col(c).fill_null(False) for c in filters])
            & ~pl.any_horizontal([pl.col(c).fill_null(False) for c in disqualifiers])
            & ~pl.col("is_customer").fill_null(False)
        )
        criteria = [c for c in frame.columns if c.startswith("_criterion_")]
        ctx.cache[key] = frame.select("account_id", "score", pool.alias("pool"), *criteria)
    return ctx.cache[key]


def world_rates(world: str, rate: float, positive_share: float | None = None) -> pl.DataFrame:
    """account_id -> positive_rate: the world's multipliers over v1's criteria, scaled so v1's targets average `rate`.

    With `positive_share`, `rate` is the **reply rate** (every genuine reply, positive or not): the
    multipliers act on it, `reply_rate` is kept beside, and `positive_rate` is `positive_share` of it.
    """
    ctx = _context()
    key = f"world{world}{rate}{positive_share}"
    if positive_share is not None and key not in ctx.cache:
        replies = world_rates(world, rate).rename({"positive_rate": "reply_rate"})
        ctx.cache[key] = replies.select(
            "account_id", (pl.col("reply_rate") * positive_share).alias("positive_rate"), "reply_rate"
        )
    if key not in ctx.cache:
        frame = scored(ctx.v1)
        labels = {c.label: f"_criterion_{i}" for i, c in enumerate(ctx.v1.scoring.criteria)}
        multiplier = pl.lit(1.0)
        for label, factor in ctx.worlds[world].items():
            multiplier = multiplier * pl.when(pl.col(labels[label]).fill_null(False)).then(factor).otherwise(1.0)
        frame = frame.with_columns(multiplier.alias("_m"))
        targets = frame.filter(pl.col("pool") & (pl.col("score") >= ctx.v1.scoring.min_score))
        base = rate / float(targets["_m"].mean())
        ctx.cache[key] = frame.select("account_id", (pl.col("_m") * base).clip(0, 0.8).alias("positive_rate"))
    return ctx.cache[key]


def top_rate(spec: Any, rates: pl.DataFrame, top: int = TOP) -> float:
    """The expected true rate of the `top` pool accounts `spec` scores highest (a tie at the cut at its mean)."""
    groups = (
        scored(spec)
        .filter("pool")
        .join(rates, on="account_id")
        .group_by("score")
        .agg(pl.len().alias("n"), pl.col("positive_rate").sum().alias("total"))
        .sort("score", descending=True)
    )
    taken, total = 0, 0.0
    for n, group_total in groups.select("n", "total").iter_rows():
        take = min(n, top - taken)
        total += group_total * take / n
        taken += take
        if taken == top:
            break
    return total / taken


def oracle_rate(rates: pl.DataFrame, top: int = TOP) -> float:
    """The best list possible among the accounts v1's filters admit: the `top` highest true rates."""
    pool = scored(_context().v1).filter("pool").join(rates, on="account_id")
    return float(pool["positive_rate"].sort(descending=True).head(top).mean())


def candidates_for(spec: Any) -> tuple[pl.DataFrame, Any]:
    """Segments and plannable contacts under `spec` (before any cooldown), cached per version."""
    from campaigns.planning.contacts import eligible_contacts
    from campaigns.planning.segments import segment_accounts

    ctx = _context()
    key = "cand" + _key(spec)
    if key not in ctx.cache:
        segments = segment_accounts(ctx.accounts.lazy(), spec, as_of=ctx.as_of).collect()
        ledger = pl.DataFrame(schema={"kind": pl.String, "key": pl.String, "reason": pl.String, "since": pl.Datetime})
        ctx.cache[key] = (segments, eligible_contacts(ctx.contacts, segments, list(spec.personas), ledger=ledger))
    return ctx.cache[key]


def plan_round(
    spec: Any,
    seed: int,
    name: str,
    cooled: set[str],
    history: pl.DataFrame | None,
    answered: set[str] = frozenset(),
    balance_on: Any = None,
) -> Any:
    """One round's plan, as `campaign plan` builds it: the contacts planned earlier cooled down, and every
    account where anyone answered (as `Store.cooldown` and `eligible_contacts` do)."""
    from campaigns.planning.allocation import SegmentEvidence
    from campaigns.planning.contacts import Candidates
    from campaigns.planning.plan import PlanOptions, design_campaign
    from targeting.icp.spec import dump_icp

    segments, candidates = candidates_for(spec)
    open_ = Candidates(
        candidates.contacts.filter(~pl.col("email").is_in(list(cooled)) & ~pl.col("account_id").is_in(list(answered))),
        candidates.excluded,
    )
    evidence = {}
    if history is not None:
        evidence = {
            segment: SegmentEvidence(delivered, positive)
            for segment, delivered, positive in lineage_outcomes(history).iter_rows()
        }
    icp_hash = hashlib.sha256(dump_icp(spec).encode("utf-8")).hexdigest()
    options = PlanOptions(size=SIZE, name=name, seed=seed, balance_on=balance_on)
    return design_campaign(spec, icp_hash, segments, open_, options, render=_context().render, evidence=evidence)


def lineage_outcomes(history: pl.DataFrame) -> pl.DataFrame:
    """Per segment over the lineage's rounds: delivered and positive, as `Store.lineage_outcomes` counts them."""
    from campaigns.results.outcomes import RANK

    rank = pl.col("outcome_rank")
    return (
        history.group_by("segment")
        .agg(
            ((rank >= RANK["no_reply"]) & (rank != RANK["bounced"])).sum().cast(pl.Int64).alias("delivered"),
            (rank >= RANK["positive"]).sum().cast(pl.Int64).alias("positive"),
        )
        .sort("segment")
    )


def ingest_round(plan: Any, results: pl.DataFrame, folder: Path) -> pl.DataFrame:
    """The round's results read and matched as `campaign ingest` does; rows shaped like `Store.contact_outcomes`."""
    from campaigns.results.ingest import match_results, read_results, with_outcome

    path = folder / f"{plan.campaign_id}.csv"
    results.write_csv(path)
    matched, _ = match_results(read_results(path), plan.contacts)
    best = with_outcome(matched).group_by("contact_id").agg(pl.col("outcome_rank").max())
    return plan.contacts.join(best, on="contact_id", how="left").select(
        pl.lit(plan.campaign_id).alias("campaign_id"),
        "contact_id",
        "email",
        "account_id",
        "segment",
        "criteria",
        pl.col("outcome_rank").cast(pl.Int32),
    )


def met_under(spec: Any) -> pl.DataFrame:
    """`account_id` and `criteria` (the labels of `spec`'s criteria each account meets), cached per version."""
    from campaigns.planning.segments import criteria_met

    ctx = _context()
    key = "met" + _key(spec)
    if key not in ctx.cache:
        ctx.cache[key] = criteria_met(ctx.accounts.lazy(), spec, ctx.as_of).collect()
    return ctx.cache[key]


def lineage_pool(spec: Any, first: Any, tested: dict[str, Any], history: pl.DataFrame) -> tuple[pl.DataFrame, Any]:
    """Every round of the lineage pooled as `icp refine` pools them, and the claims before any of it was seen.

    As `icp refine --accounts` does for campaigns of older versions: a criterion a round's version did
    not score is read from its accounts. The claims are the first version's points (its rounds are the
    oldest pooled, so no evidence in the pool is in them).
    """
    from campaigns.report.pooled import pooled_outcomes, with_unknown_criteria

    pooled, _ = pooled_outcomes(history)
    labels = [c.label for c in spec.scoring.criteria]
    evaluated = {cid: [c.label for c in version.scoring.criteria] for cid, version in tested.items()}
    met = {cid: met_under(spec) for cid in tested}
    return with_unknown_criteria(pooled, evaluated, labels, met), {c.label: c.points for c in first.scoring.criteria}


def to_balance(
    spec: Any, first: Any, tested: dict[str, Any], history: pl.DataFrame | None, cooled, answered
) -> str | tuple[str, ...] | Any | None:
    """What the next round balances on, as `campaign plan --balance` picks it from the lineage so far
    (`balance.round_balance`: a criterion, two, or a design of the round; None: seeded order)."""
    from campaigns.planning.balance import reachable_shares, round_balance
    from campaigns.prior import Prior
    from targeting.icp.refine import change_at, criteria_readings

    labels = [c.label for c in spec.scoring.criteria]
    pooled = lineage_pool(spec, first, tested, history)[0] if history is not None else None
    empty = pl.DataFrame({"criteria": [], "replied": []}, schema={"criteria": pl.List(pl.String), "replied": pl.Int8})
    readings = criteria_readings(pooled if pooled is not None else empty, labels, Prior().reply_rate)
    segments, candidates = candidates_for(spec)
    pool = candidates.contacts.filter(
        ~pl.col("email").is_in(list(cooled)) & ~pl.col("account_id").is_in(list(answered))
    )
    return round_balance(
        readings,
        reachable_shares(pool, segments, labels),
        change_at(len(labels), len(tested) + 1),
        SIZE,
        pooled,
        Prior().reply_rate,
    )


def run_seed(job: tuple[str, int, float, str]) -> dict[str, Any]:
    """One seed of one world: three rounds, ICP v1..v4's top-300 true rates and what each refinement changed."""
    from campaigns.planning.balance import designs_first_round
    from campaigns.prior import Prior
    from campaigns.report.pooled import pooled_outcomes
    from campaigns.results.outcomes import RANK
    from targeting.icp.refine import refine_on_outcomes
    from targeting.sample.responder import simulated_results

    world, seed, rate, pool, share, balance = job
    ctx = _context()
    rates = world_rates(world, rate, share)
    spec = ctx.v1
    versions, changed, positives, replies, balanced, sides = [spec], [], [], [], [], []
    cooled: set[str] = set()
    answered: set[str] = set()
    history: pl.DataFrame | None = None
    since_change: list[pl.DataFrame] = []
    tested: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(1, ROUNDS + 1):
            round_seed = seed * 1000 + r
            balance_on = None
            if balance and (history is not None or designs_first_round()):
                balance_on = to_balance(spec, ctx.v1, tested, history, cooled, answered)
            plan = plan_round(spec, round_seed, f"{world}-{seed}-{r}", cooled, history, answered, balance_on)
            balanced.append(
                balance_on
                if balance_on is None or isinstance(balance_on, str)
                else list(getattr(balance_on, "labels", balance_on))
            )
            sides.append(plan_sides(plan, [c.label for c in spec.scoring.criteria]))
            results = simulated_results(plan.contacts, ctx.accounts, seed=round_seed, rates=rates)
            outcomes = ingest_round(plan, results, Path(tmp))
            cooled |= set(plan.contacts["email"].to_list())
            rank = pl.col("outcome_rank")
            answering = outcomes.filter((rank == RANK["unsubscribed"]) | (rank >= RANK["replied"]))
            answered |= set(answering["account_id"].to_list())
            history = outcomes if history is None else pl.concat([history, outcomes])
            since_change.append(outcomes)
            tested[plan.campaign_id] = spec
            if pool == "lineage":
                pooled, claims = lineage_pool(spec, ctx.v1, tested, history)
                ids = list(tested)
            else:
                pooled, claims = pooled_outcomes(pl.concat(since_change))[0], None
                ids = [str(c) for c in pl.concat(since_change)["campaign_id"].unique(maintain_order=True)]
            refinement = refine_on_outcomes(spec, pooled, Prior().reply_rate, ids, ctx.accounts, claims)
            positives.append(int(outcomes.filter(pl.col("outcome_rank") >= RANK["positive"]).height))
            replies.append(int(outcomes.filter(pl.col("outcome_rank") >= RANK["replied"]).height))
            changed.append(refinement.new_spec is not None)
            if refinement.new_spec is not None:
                spec = refinement.new_spec
                since_change = []
            versions.append(spec)
    return {
        "world": world,
        "seed": seed,
        "top": [top_rate(v, rates) for v in versions],
        "changed": changed,
        "positives": positives,
        "replies": replies,
        "balanced_on": balanced,
        "points": {c.label: c.points for c in spec.scoring.criteria},
        "points_by_version": [{c.label: c.points for c in v.scoring.criteria} for v in versions],
        "sides": sides,
    }


def plan_sides(plan: Any, labels: list[str]) -> dict[str, list[int]]:
    """label -> [accounts planned meeting it, accounts planned not meeting it] in one round's plan."""
    met = plan.contacts.unique("account_id").select(
        pl.col("criteria").str.json_decode(pl.List(pl.String)).alias("criteria")
    )
    out = {}
    for label in labels:
        n = int(met.select(pl.col("criteria").list.contains(pl.lit(label)).sum()).item())
        out[label] = [n, met.height - n]
    return out


def where_the_gap_goes(runs: list[dict[str, Any]]) -> str:
    """Per criterion: its mean points at v1..v4, how many seeds end above / at / below v1's, and the accounts planned
    on each side in each round (mean over seeds): where a strong world's gap stays open."""
    labels = list(runs[0]["points_by_version"][0])
    lines = [
        "| criterion | points v1 / v2 / v3 / v4 (mean) | v4 above / at / below v1 (seeds) | accounts with / without it, "
        "round 1 / 2 / 3 (mean) |",
        "|---|---|---|---|",
    ]
    for label in labels:
        points = [statistics.fmean(r["points_by_version"][k].get(label, 0) for r in runs) for k in range(ROUNDS + 1)]
        first = runs[0]["points_by_version"][0][label]
        last = [r["points_by_version"][-1].get(label, 0) for r in runs]
        moved = f"{sum(p > first for p in last)} / {sum(p == first for p in last)} / {sum(p < first for p in last)}"
        rounds = " / ".join(
            f"{statistics.fmean(r['sides'][k].get(label, [0, 0])[0] for r in runs):.0f}-"
            f"{statistics.fmean(r['sides'][k].get(label, [0, 0])[1] for r in runs):.0f}"
            for k in range(ROUNDS)
        )
        lines.append(f"| {label} | {' / '.join(f'{p:+.1f}' for p in points)} | {moved} | {rounds} |")
    return "\n".join(lines)


def summarize(world: str, runs: list[dict[str, Any]], rate: float, share: float | None = None) -> dict[str, Any]:
    """Means over seeds: v1..v4's top-300 rate, the oracle, the gap closed, how often refinements changed."""
    rates = world_rates(world, rate, share)
    oracle = oracle_rate(rates)
    tops = [statistics.fmean(r["top"][k] for r in runs) for k in range(ROUNDS + 1)]
    gap = oracle - tops[0]
    refinements = [c for r in runs for c in r["changed"]]
    return {
        "world": world,
        "seeds": len(runs),
        "oracle": oracle,
        "top": tops,
        "gap_closed": (tops[-1] - tops[0]) / gap if gap > 1e-12 else None,
        "refinements": len(refinements),
        "changed_share": sum(refinements) / len(refinements),
        "seeds_v4_differs": sum(any(r["changed"]) for r in runs) / len(runs),
        "positives_per_round": statistics.fmean(p for r in runs for p in r["positives"]),
        "replies_per_round": statistics.fmean(p for r in runs for p in r["replies"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200, help="seeds per world (default 200)")
    parser.add_argument("--rate", type=float, default=DEFAULT_RATE, help="mean true rate over v1's targets")
    parser.add_argument(
        "--positive-share",
        type=float,
        default=None,
        help="make --rate the reply rate (every genuine reply) and this share of replies positive",
    )
    parser.add_argument("--worlds", default="strong,weak,null", help="comma-separated worlds")
    parser.add_argument(
        "--universe",
        choices=list(UNIVERSES),
        default="sample",
        help="sample: the bundled generated universe and the default ICP (11 criteria); yc: the YC directory "
        "through the yc preset and bench/loop_yc_icp.yaml (6 criteria)",
    )
    parser.add_argument("--yc-file", type=Path, default=YC_FILE, help="the YC directory CSV (--universe yc)")
    parser.add_argument(
        "--pool",
        choices=["lineage", "since-change"],
        default="lineage",
        help="rounds a refinement pools: every round of the lineage (default) or those since the last change",
    )
    parser.add_argument(
        "--balance",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="balance each round as campaign plan --balance does (a design over the criteria not yet sure; default on)",
    )
    parser.add_argument("--processes", type=int, default=2, help="worker processes (at most 2)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", help="override a refine setting (exploring only)"
    )
    parser.add_argument("--out", type=Path, default=None, help="write every seed's figures as JSON here")
    parser.add_argument(
        "--where",
        action="store_true",
        help="also print, per criterion, its points at v1..v4 and the accounts on each side",
    )
    parser.add_argument("--seed-from", type=int, default=0, help="the first seed (a run in parts: 0, then 50, ...)")
    parser.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        default=None,
        help="run nothing: the table of the seeds in these --out files (parts of one run, same other options)",
    )
    args = parser.parse_args(argv)
    worlds = [w.strip() for w in args.worlds.split(",") if w.strip()]
    unknown = [w for w in worlds if w not in WORLDS]
    if unknown or args.seeds < 1 or not 0 < args.rate < 0.5:
        print(f"error: worlds are {', '.join(WORLDS)}; --seeds >= 1; --rate in (0, 0.5)", file=sys.stderr)
        return 2
    if args.universe == "yc" and not args.yc_file.is_file():
        print(f"error: --yc-file {args.yc_file}: no such file", file=sys.stderr)
        return 2
    settings = dict(item.split("=", 1) for item in args.set)
    init_process(settings, args.universe, args.yc_file)
    if args.combine:
        runs = {w: [] for w in worlds}
        for part in args.combine:
            for world, seeds in json.loads(part.read_text(encoding="utf-8"))["runs"].items():
                runs.setdefault(world, []).extend(seeds)
        args.seeds = min(len({r["seed"] for r in runs[w]}) for w in worlds)
        summaries = [
            summarize(w, sorted(runs[w], key=lambda r: r["seed"]), args.rate, args.positive_share) for w in worlds
        ]
        print(report(summaries, args, 0.0))
        return 0
    processes = max(1, min(2, args.processes))
    seeds = range(args.seed_from, args.seed_from + args.seeds)
    jobs = [(w, s, args.rate, args.pool, args.positive_share, args.balance) for w in worlds for s in seeds]
    runs: dict[str, list[dict[str, Any]]] = {w: [] for w in worlds}
    started = time.perf_counter()
    initial = settings
    init = (initial, args.universe, args.yc_file)
    with multiprocessing.get_context("spawn").Pool(processes, initializer=init_process, initargs=init) as pool:
        for i, run in enumerate(pool.imap_unordered(run_seed, jobs, chunksize=2), 1):
            runs[run["world"]].append(run)
            if i % 20 == 0 or i == len(jobs):
                elapsed = time.perf_counter() - started
                print(f"  {i}/{len(jobs)} seeds done, {elapsed:.0f}s", file=sys.stderr, flush=True)
    summaries = [summarize(w, sorted(runs[w], key=lambda r: r["seed"]), args.rate, args.positive_share) for w in worlds]
    print(report(summaries, args, time.perf_counter() - started))
    if args.where:
        for w in worlds:
            print(f"\n{w} world: where the gap goes\n\n{where_the_gap_goes(runs[w])}")
    if args.out:
        args.out.write_text(json.dumps({"summaries": summaries, "runs": runs}, indent=1), encoding="utf-8")
    return 0


def balance_words() -> str:
    """How the rounds were balanced, from `campaigns.planning.balance`'s settings in this process."""
    from campaigns.planning import balance

    if balance.BALANCE_BY == "design":
        return "each round designed for the joint reading (D-optimal over the criteria not yet sure)"
    rule = "the value of a decision" if balance.BALANCE_BY == "value" else "the widest posterior"
    if balance.BALANCE_COUNT == 1:
        return "balanced on the least certain criterion" if balance.BALANCE_BY != "value" else f"balanced by {rule}"
    return f"balanced on {balance.BALANCE_COUNT} criteria at once, picked by {rule}"


def report(summaries: list[dict[str, Any]], args: argparse.Namespace, elapsed: float) -> str:
    """The results as a Markdown table and the goals' verdicts."""
    rate = (
        f"mean true positive-reply rate over v1's targets {args.rate:.2%}"
        if args.positive_share is None
        else f"mean true reply rate over v1's targets {args.rate:.2%}, {args.positive_share:.0%} of replies positive"
    )
    lines = [
        f"universe {args.universe}, {args.seeds} seeds per world, {ROUNDS} rounds of {SIZE}, top {TOP}, {rate}, "
        f"pooling {args.pool}, "
        f"{balance_words() if args.balance else 'seeded order'}, {elapsed:.0f}s"
        + (f", settings {' '.join(args.set)}" if args.set else ""),
        "",
        "| world | v1 | v2 | v3 | v4 | oracle | gap closed by v4 | refinements that change | replies per round "
        "| positives per round |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in summaries:
        gap = "n/a (no gap)" if s["gap_closed"] is None else f"{s['gap_closed']:.0%}"
        tops = " | ".join(f"{t:.2%}" for t in s["top"])
        lines.append(
            f"| {s['world']} | {tops} | {s['oracle']:.2%} | {gap} | {s['changed_share']:.1%} of {s['refinements']} "
            f"| {s['replies_per_round']:.1f} | {s['positives_per_round']:.1f} |"
        )
    by = {s["world"]: s for s in summaries}
    lines.append("")
    if "strong" in by and by["strong"]["gap_closed"] is not None:
        met = "met" if by["strong"]["gap_closed"] >= GOAL_GAP else "NOT met"
        lines.append(f"goal: strong world, v4 closes >= {GOAL_GAP:.0%} of the gap: {met}")
    if "null" in by:
        met = "met" if by["null"]["changed_share"] <= GOAL_NULL else "NOT met"
        lines.append(f"goal: null world, <= {GOAL_NULL:.0%} of refinements change anything: {met}")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
