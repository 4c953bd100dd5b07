"""An independent oracle for the target list: plain dicts and loops, compared with the project.

The oracle below reads the ICP with pyyaml and nothing else from the project; it re-derives the
rules of docs/icp.md on its own (nulls are unknown and never match, case-insensitive text, list
`in` means contains, inclusive between, within_days against signals_at). Only the comparison
at the bottom calls the project.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import polars as pl
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

AS_OF = date(2026, 1, 1)
OPS = ("eq", "in", "not_in", "between", "gte", "lte", "contains_any", "contains_all", "matches", "is_null", "not_null")
LISTS = {"tags", "tech_stack", "hiring_roles", "growth_signals", "pain_points", "prior_solutions"}

ICP = """\
name: oracle
version: 3
target_size: {min: 40, max: 90}
filters:
  - {field: industry, in: [saas, FinTech, devtools]}
  - {field: employees, between: [10, 2000]}
  - {field: country, not_in: [fr]}
  - {field: tech_stack, not_null: true}
  - {field: name, matches: "^[a-m]"}
disqualifiers:
  - {field: funding_stage, in: [public, acquired], reason: procurement}
  - {field: status, eq: inactive, reason: gone}
  - {field: is_customer, eq: true, reason: customer}
scoring:
  min_score: 2
  tiers: {A: 6, B: 4, C: 2}
  criteria:
    - {name: sweet spot, field: employees, between: [50, 200], points: 2}
    - {field: employees, gte: 1000, points: -1}
    - {field: employees, lte: 30, points: -1}
    - {field: tech_stack, contains_any: [salesforce, hubspot], points: 2}
    - {field: tech_stack, contains_all: [snowflake, dbt], points: 1}
    - {field: tech_stack, eq: slack, points: 1}
    - {field: hiring_roles, in: [sales, revops], points: 1, within_days: 60}
    - {field: pain_points, not_in: [churn_risk], points: 1}
    - {field: tags, matches: "b2b", points: 1}
    - {field: country, in: [US, ca], points: 1}
    - {field: funding_stage, eq: series_d_plus, points: -1}
    - {field: revenue_usd, is_null: true, points: -1}
    - {field: founded_year, not_in: [2020, 2021], points: 1}
"""


# ---------------------------------------------------------------- the oracle (no project imports)


def _and(a, b):
    """Three-valued AND (None is unknown)."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def holds(cond: dict, row: dict):
    """True, False, or None when the account's value is unknown."""
    field = cond["field"]
    op = next(o for o in OPS if o in cond)
    want = cond[op]
    value = row.get(field)
    if op == "is_null":
        return value is None
    if op == "not_null":
        return value is not None
    if value is None:
        result = None
    elif field in LISTS:
        elements = [e for e in value if e is not None]
        lowered = [e.lower() for e in elements]
        wants = [str(w).lower() for w in (want if isinstance(want, list) else [want])]
        if op == "matches":
            result = any(re.search(want, e, re.IGNORECASE) for e in elements)
        elif op == "contains_all":
            result = all(w in lowered for w in wants)
        elif op == "not_in":
            result = not any(w in lowered for w in wants)
        else:  # eq, in, contains_any: "contains"
            result = any(w in lowered for w in wants)
    else:
        norm = value.lower() if isinstance(value, str) else value
        wants = [w.lower() if isinstance(w, str) else w for w in (want if isinstance(want, list) else [want])]
        result = {
            "eq": lambda: norm == wants[0],
            "in": lambda: norm in wants,
            "not_in": lambda: norm not in wants,
            "between": lambda: want[0] <= value <= want[1],
            "gte": lambda: value >= want,
            "lte": lambda: value <= want,
            "matches": lambda: re.search(want, value, re.IGNORECASE) is not None,
        }[op]()
    if "within_days" in cond:
        signal = row.get("signals_at")
        recent = None if signal is None else signal >= AS_OF - timedelta(days=cond["within_days"])
        result = _and(result, recent)
    return result


def oracle(icp: dict, rows: list[dict], suppressed: set[str]) -> dict:
    """Funnel, targets, tiers and verdict, one account at a time."""
    filters, disqualifiers = icp.get("filters", []), icp.get("disqualifiers", [])
    scoring = icp["scoring"]
    steps = [{"removed": 0, "unknown": 0} for _ in range(len(filters) + len(disqualifiers) + 1)]
    tiers = {name: 0 for name in scoring.get("tiers", {})}
    dropped_suppressed, targets = 0, []
    for row in rows:
        if (row["account_id"] or "").lower() in suppressed or (row.get("domain") or "").lower() in suppressed:
            dropped_suppressed += 1
            continue
        step = None
        for i, f in enumerate(filters):
            outcome = holds(f, row)
            if outcome is not True:
                step = i
                steps[i]["unknown"] += outcome is None
                break
        if step is None:
            for j, d in enumerate(disqualifiers):
                if holds(d, row) is True:
                    step = len(filters) + j
                    break
        score = sum(c["points"] for c in scoring.get("criteria", []) if holds(c, row) is True)
        if step is None and score < scoring["min_score"]:
            step = len(steps) - 1
        if step is not None:
            steps[step]["removed"] += 1
            continue
        targets.append((row["account_id"], score))
        tier = next((name for name, threshold in scoring.get("tiers", {}).items() if score >= threshold), None)
        if tier is None:
            tiers["untiered"] = tiers.get("untiered", 0) + 1
        else:
            tiers[tier] += 1
    remaining = len(rows) - dropped_suppressed
    for step in steps:
        remaining -= step["removed"]
        step["remaining"] = remaining
    band = icp["target_size"]
    n = len(targets)
    verdict = "too_narrow" if n < band["min"] else "too_broad" if n > band["max"] else "ok"
    return {
        "universe": len(rows),
        "suppressed": dropped_suppressed,
        "funnel": steps,
        "targets": n,
        "by_tier": tiers,
        "verdict": verdict,
        "scores": dict(targets),
    }


def messy_rows(n: int, seed: int) -> list[dict]:
    """A generated universe with nulls, mixed case, empty lists and null list elements."""
    rng = random.Random(seed)

    def maybe(make, p=0.12):
        return None if rng.random() < p else make()

    def some(pool, k=3):
        return [rng.choice(pool + [None] if rng.random() < 0.05 else pool) for _ in range(rng.randint(0, k))]

    tech = ["salesforce", "HubSpot", "snowflake", "dbt", "Slack", "aws"]
    return [
        {
            "account_id": f"acct{i}.example",
            "domain": f"acct{i}.example",
            "name": maybe(lambda i=i: rng.choice(["Acme", "beta", "Kilo", "zulu", "Mango", "north"]) + str(i)),
            "industry": maybe(lambda: rng.choice(["saas", "SaaS", "fintech", "devtools", "media", "edtech"])),
            "tags": maybe(lambda: some(["B2B", "b2c", "b2b saas", "AI"])),
            "employees": maybe(lambda: rng.choice([5, 10, 30, 50, 120, 200, 201, 999, 1000, 2000, 2001, 5000])),
            "revenue_usd": maybe(lambda: rng.uniform(1e5, 1e8), 0.4),
            "country": maybe(lambda: rng.choice(["US", "us", "CA", "FR", "fr", "DE"])),
            "funding_stage": maybe(lambda: rng.choice(["seed", "series_a", "series_d_plus", "public", "acquired"])),
            "founded_year": maybe(lambda: rng.randint(2010, 2024)),
            "tech_stack": maybe(lambda: some(tech, 4)),
            "hiring_roles": maybe(lambda: some(["sales", "RevOps", "engineering"], 2)),
            "pain_points": maybe(lambda: some(["churn_risk", "manual_reporting"], 2)),
            "signals_at": maybe(lambda: AS_OF - timedelta(days=rng.randint(0, 120)), 0.25),
            "status": maybe(lambda: rng.choice(["active", "active", "inactive", "Inactive"])),
            "is_customer": maybe(lambda: rng.random() < 0.1),
        }
        for i in range(n)
    ]


# ---------------------------------------------------------------- comparison with the project


def project_summary(rows: list[dict], suppressed: set[str]):
    from targeting.columns import ACCOUNT_SCHEMA
    from targeting.icp.spec import parse_icp
    from targeting.selection.target_list import select_targets

    frame = pl.DataFrame(rows, schema=ACCOUNT_SCHEMA).lazy()
    keys = pl.DataFrame(
        {"level": "account", "kind": "domain", "key": sorted(suppressed), "source": "t"},
        schema={"level": pl.String, "kind": pl.String, "key": pl.String, "source": pl.String},
    )
    return select_targets(
        frame,
        parse_icp(ICP),
        suppression=keys if suppressed else None,
        as_of=AS_OF,
        rows_read=len(rows) + 4,
        rejected=3,
        duplicates=1,
    )


def assert_agrees(rows: list[dict], suppressed: set[str]) -> dict:
    expected = oracle(yaml.safe_load(ICP), rows, suppressed)
    result = project_summary(rows, suppressed)
    got = result.summary.model_dump()
    assert (
        got["rows_read"]
        == got["rejected"]
        + got["duplicates"]
        + got["suppressed"]
        + sum(s["removed"] for s in got["funnel"])
        + got["targets"]
    )
    assert [{k: s[k] for k in ("removed", "unknown", "remaining")} for s in got["funnel"]] == expected["funnel"]
    for key in ("universe", "suppressed", "targets", "by_tier", "verdict"):
        assert got[key] == expected[key], key
    assert dict(zip(result.targets["account_id"], result.targets["score"])) == expected["scores"]
    return expected


def test_generated_messy_universe_matches_the_oracle():
    rows = messy_rows(1500, seed=5)
    expected = assert_agrees(rows, {"acct3.example", "acct10.example", "nowhere.example"})
    # the universe must exercise the rules, or agreement proves little
    assert expected["targets"] > 20 and all(step["removed"] > 0 for step in expected["funnel"])
    assert sum(step["unknown"] for step in expected["funnel"]) > 0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(0, 60), cut=st.sets(st.integers(0, 70), max_size=6))
def test_any_messy_universe_agrees_with_the_oracle(seed, n, cut):
    # The counting invariant itself is test_sizing's property; this one is agreement, row by row.
    assert_agrees(messy_rows(n, seed), {f"acct{i}.example" for i in cut})


def test_target_summary_json_written_by_the_command_matches_the_oracle(tmp_path):
    """The file users script against, produced end to end by `outbound target`, agrees with the oracle."""
    import json

    from typer.testing import CliRunner

    from flows.cli import app
    from targeting.columns import ACCOUNT_SCHEMA

    rows = messy_rows(800, seed=11)
    suppressed = {"acct7.example", "acct70.example"}
    pl.DataFrame(rows, schema=ACCOUNT_SCHEMA).write_parquet(tmp_path / "accounts.parquet")
    (tmp_path / "icp.yaml").write_text(ICP)
    (tmp_path / "dnc.txt").write_text("\n".join(sorted(suppressed)) + "\n")
    result = CliRunner().invoke(
        app,
        [
            "target",
            "--accounts",
            str(tmp_path / "accounts.parquet"),
            "--icp",
            str(tmp_path / "icp.yaml"),
            "--suppress",
            str(tmp_path / "dnc.txt"),
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(tmp_path / "out"),
            "--no-prefect",
        ],
    )
    assert result.exit_code == 0, result.output
    got = json.loads((tmp_path / "out" / "target_summary.json").read_text())
    expected = oracle(yaml.safe_load(ICP), rows, suppressed)
    assert [{k: s[k] for k in ("removed", "unknown", "remaining")} for s in got["funnel"]] == expected["funnel"]
    for key in ("universe", "suppressed", "targets", "by_tier", "verdict"):
        assert got[key] == expected[key], key
    assert got["rows_read"] == len(rows) and got["rejected"] == got["duplicates"] == 0
    targets = pl.read_parquet(tmp_path / "out" / "targets.parquet")
    assert dict(zip(targets["account_id"], targets["score"])) == expected["scores"]


def test_streaming_and_in_memory_paths_agree(monkeypatch):
    """Universes above IN_MEMORY_ROWS stream from disk; both paths must give the same list and summary."""
    from targeting import memory

    rows = messy_rows(600, seed=3)
    suppressed = {"acct1.example"}
    in_memory = project_summary(rows, suppressed)
    monkeypatch.setattr(memory, "IN_MEMORY_ROWS", 0)
    streamed = project_summary(rows, suppressed)
    assert streamed.summary == in_memory.summary
    assert streamed.targets.equals(in_memory.targets)
