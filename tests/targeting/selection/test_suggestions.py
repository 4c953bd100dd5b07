"""Suggestions: the candidate set, ranking, and that applying an edit reproduces its count."""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
import pytest

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.spec import apply_edit, parse_icp
from targeting.selection.scoring import score_accounts
from targeting.selection.sizing import universe_stats
from targeting.selection.suggestions import Candidate, candidate_edits, candidate_exprs, rank_suggestions
from targeting.selection.target_list import select_targets

AS_OF = date(2026, 1, 1)


def generated_universe(n: int = 600, seed: int = 11) -> pl.LazyFrame:
    """A messy universe: nulls everywhere, mixed case, empty lists, old and new signals."""
    rng = random.Random(seed)

    def maybe(value, p_null=0.1):
        return None if rng.random() < p_null else value

    rows = []
    for i in range(n):
        rows.append(
            {
                "account_id": f"acct{i}.com",
                "domain": f"acct{i}.com",
                "industry": maybe(rng.choice(["saas", "SaaS", "fintech", "healthtech", "media", "devtools"])),
                "employees": maybe(int(rng.lognormvariate(4.5, 1.2))),
                "revenue_usd": maybe(rng.uniform(1e5, 5e7), 0.4),
                "country": maybe(rng.choice(["US", "CA", "DE", "gb", "FR"])),
                "funding_stage": maybe(rng.choice(["seed", "series_a", "series_b", "series_d_plus", "public"])),
                "tech_stack": maybe(
                    rng.sample(["salesforce", "HubSpot", "dbt", "snowflake", "slack"], rng.randint(0, 3))
                ),
                "hiring_roles": maybe(rng.sample(["sales", "revops", "engineering"], rng.randint(0, 2))),
                "signals_at": maybe(AS_OF - timedelta(days=rng.randint(0, 200)), 0.2),
            }
        )
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA).lazy()


SPEC = """\
name: gen
target_size: {{min: {low}, max: {high}}}
filters:
  - {{field: industry, in: [saas, fintech, devtools]}}
  - {{field: employees, between: [20, 1000]}}
  - {{field: country, not_in: [FR]}}
  - {{field: revenue_usd, gte: 200000}}
disqualifiers:
  - {{field: funding_stage, in: [public], reason: procurement}}
scoring:
  min_score: 2
  tiers: {{A: 5, B: 3}}
  criteria:
    - {{name: sweet spot, field: employees, between: [50, 200], points: 2}}
    - {{field: tech_stack, contains_any: [salesforce, hubspot], points: 2}}
    - {{field: hiring_roles, contains_any: [sales, revops], points: 1, within_days: 60}}
    - {{name: late, field: funding_stage, eq: series_d_plus, points: -1}}
"""

UNIVERSE = generated_universe()


def run(spec):
    return select_targets(UNIVERSE, spec, as_of=AS_OF).summary


@pytest.mark.parametrize(("low", "high"), [(5, 20), (150, 400), (1, 2), (80, 90), (500, 1000)])
def test_applying_each_suggestion_gives_exactly_its_count(low, high):
    spec = parse_icp(SPEC.format(low=low, high=high))
    summary = run(spec)
    assert summary.verdict != "ok"
    assert len(summary.suggestions) >= 3
    for suggestion in summary.suggestions:
        assert run(apply_edit(spec, suggestion.edit)).targets == suggestion.targets, suggestion.change


@pytest.mark.parametrize(("low", "high"), [(5, 20), (500, 1000)])
def test_every_candidate_count_is_reproducible(low, high):
    spec = parse_icp(SPEC.format(low=low, high=high))
    stats = universe_stats(UNIVERSE, spec)
    candidates = candidate_edits(spec, stats)
    scored = score_accounts(UNIVERSE, spec, AS_OF, spellings=stats.spellings)
    counts = scored.select(candidate_exprs(spec, candidates, AS_OF, stats.spellings)).collect().row(0)
    assert len(candidates) == len(counts) > 10
    for candidate, count in zip(candidates, counts):
        assert run(apply_edit(spec, candidate.edit)).targets == count, candidate.change


def test_candidate_set_covers_min_score_quartiles_drops_and_cuts():
    spec = parse_icp(SPEC.format(low=5, high=20))
    stats = universe_stats(UNIVERSE, spec)
    edits = [c.edit for c in candidate_edits(spec, stats)]
    assert [e["min_score"] for e in edits if e["op"] == "set_min_score"] == [-1, 0, 1, 3, 4, 5]
    assert {e["index"] for e in edits if e["op"] == "drop_filter"} == {0, 1, 2, 3}
    quartiles = stats.quartiles["employees"]
    employee_ranges = [e["filter"]["between"] for e in edits if e["op"] == "replace_filter" and e["index"] == 1]
    assert [20, quartiles["median"]] in employee_ranges and [quartiles["Q1"], 1000] in employee_ranges
    assert all(isinstance(bound, int) for pair in employee_ranges for bound in pair)
    cuts = [e["filter"]["in"] for e in edits if e["op"] == "replace_filter" and e["index"] == 0]
    counts = stats.value_counts["industry"]
    assert [len(c) for c in cuts] == [1, 2]
    assert counts[cuts[0][0]] == max(counts[v] for v in ("saas", "fintech", "devtools"))
    revenue = [e["filter"]["gte"] for e in edits if e["op"] == "replace_filter" and e["index"] == 3]
    assert sorted(revenue) == sorted(stats.quartiles["revenue_usd"].values())


def test_an_in_band_candidate_is_ranked_first_when_one_exists():
    spec = parse_icp(SPEC.format(low=5, high=20))
    stats = universe_stats(UNIVERSE, spec)
    band_counts = []
    for candidate in candidate_edits(spec, stats):
        band_counts.append(run(apply_edit(spec, candidate.edit)).targets)
    summary = run(spec)
    if any(5 <= n <= 20 for n in band_counts):
        assert 5 <= summary.suggestions[0].targets <= 20
    else:
        assert not any(5 <= s.targets <= 20 for s in summary.suggestions)


def test_ok_verdict_has_no_suggestions():
    targets = run(parse_icp(SPEC.format(low=0, high=10_000))).targets
    summary = run(parse_icp(SPEC.format(low=targets, high=targets)))
    assert (summary.verdict, summary.suggestions) == ("ok", [])


def _candidate(name: str) -> Candidate:
    return Candidate(change=name, edit={"op": "set_min_score", "min_score": len(name)}, min_score=len(name))


def test_rank_in_band_first_then_closest_to_band():
    candidates = [_candidate(name) for name in ("far", "zero", "near", "inside", "inside2", "same")]
    counts = [10_000, 0, 260, 200, 150, 1000]
    ranked = rank_suggestions(candidates, counts, targets=1000, band=(100, 250))
    # in band, the smaller change first; then by distance to the band; what moves away is left out
    assert [s.change for s in ranked] == ["inside", "inside2", "near"]
    assert [s.targets for s in ranked] == [200, 150, 260]


@pytest.mark.parametrize(
    ("targets", "counts", "offered"),
    [
        (50, [50, 40, 0, 60, 120], [120, 60]),  # too narrow: only widening edits
        (900, [900, 1000, 950, 400, 700], [400, 700]),  # too broad: only narrowing ones
        (50, [50, 40, 0], []),  # nothing helps: nothing is offered
        (50, [5_000, 201], [201]),  # overshooting past the band is no closer
    ],
)
def test_only_edits_that_move_toward_the_band_are_offered(targets, counts, offered):
    candidates = [_candidate("x" * (i + 1)) for i in range(len(counts))]
    ranked = rank_suggestions(candidates, counts, targets=targets, band=(100, 500))
    assert [s.targets for s in ranked] == offered


def test_a_list_too_narrow_finds_the_minimum_score_that_lands_in_the_band():
    # Only accounts scoring 0 exist beyond two: from min score 5, no +-3 step reached the band.
    rows = [{"account_id": f"a{i}", "employees": 500} for i in range(250)]
    rows += [{"account_id": f"b{i}", "employees": 100, "tech_stack": ["hubspot"]} for i in range(3)]
    universe = pl.DataFrame(rows, schema=ACCOUNT_SCHEMA).lazy()
    icp = parse_icp("""
name: narrow
version: 1
target_size: {min: 200, max: 1000}
filters: []
scoring:
  min_score: 5
  tiers: {A: 5}
  criteria:
    - {field: employees, between: [50, 200], points: 3}
    - {field: tech_stack, contains_any: [hubspot], points: 3}
""")
    summary = select_targets(universe, icp, as_of=AS_OF).summary
    assert (summary.verdict, summary.targets) == ("too_narrow", 3)
    best = summary.suggestions[0]
    assert (best.edit, best.targets) == ({"op": "set_min_score", "min_score": 0}, 253)
    assert all(s.targets > 3 for s in summary.suggestions)
    assert select_targets(universe, apply_edit(icp, best.edit), as_of=AS_OF).summary.targets == 253
