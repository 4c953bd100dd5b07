"""Baseline: the targeting work in pandas with `DataFrame.apply`, one Python call per account.

The way many first scripts are written: a function that looks at one row and returns its filter
outcomes (True, False or None for unknown), its disqualifiers, its score and its result under every
candidate filter, applied with `axis=1`; the counts are then summed in plain Python. Only run at
100k accounts: row by row it is orders of magnitude slower.

    python bench/baselines/pandas_apply.py --universe 'bench/data/universe-100000-seed7/*.parquet' \
        --icp bench/bench_icp.yaml --as-of 2026-01-01 --out result.json --targets targets.parquet
"""

from __future__ import annotations

import glob
import re
from datetime import timedelta
from typing import Any

import pandas as pd
from common import (
    LIST_FIELDS,
    MULTI_VALUE_OPS,
    NUMERIC_OPS,
    QUARTILES,
    candidates,
    load_spec,
    lower,
    nearest_index,
    parse_args,
    result,
    tier_of,
    write,
)


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NA


def holds(cond: dict[str, Any], row: pd.Series, as_of) -> bool | None:
    """Whether one condition holds for one account: None when its field is unknown."""
    field, op, value = cond["field"], cond["op"], cond["value"]
    cell = row[field]
    if op == "is_null":
        return is_missing(cell)
    if op == "not_null":
        return not is_missing(cell)
    if is_missing(cell):
        # Kleene AND: unknown & an old (or no) signal is still False when the signal is known old.
        if cond.get("within_days") and not is_missing(row["signals_at"]):
            return None if row["signals_at"] >= as_of - timedelta(days=cond["within_days"]) else False
        return None
    if field in LIST_FIELDS:
        items = [str(v).lower() for v in cell]
        wanted = lower(value if isinstance(value, list) else [value])
        if op in ("eq", "in", "contains_any"):
            out = any(v in wanted for v in items)
        elif op == "not_in":
            out = not any(v in wanted for v in items)
        elif op == "contains_all":
            out = all(v in items for v in wanted)
        elif op == "matches":
            out = any(re.search(value, v, re.IGNORECASE) for v in items)
        else:
            raise SystemExit(f"operator {op} does not apply to list field {field}")
    else:
        if isinstance(cell, str):
            cell = cell.lower()
        out = {
            "eq": lambda: cell == lower(value),
            "in": lambda: cell in lower(value),
            "not_in": lambda: cell not in lower(value),
            "between": lambda: value[0] <= cell <= value[1],
            "gte": lambda: cell >= value,
            "lte": lambda: cell <= value,
            "matches": lambda: re.search(value, cell, re.IGNORECASE) is not None,
        }[op]()
    if cond.get("within_days") and out:
        signal = row["signals_at"]
        if is_missing(signal):
            return None  # a match without a signal date is unknown, not a miss
        return signal >= as_of - timedelta(days=cond["within_days"])
    return bool(out)


def evaluate(row: pd.Series, spec: dict[str, Any], edits: list[dict[str, Any]], as_of) -> tuple:
    """(filter outcomes, disqualified flags, score, each replacement filter's outcome) for one account."""
    filters = tuple(holds(f, row, as_of) for f in spec.get("filters", []))
    dropped = tuple(bool(holds(d, row, as_of)) for d in spec.get("disqualifiers", []))
    score = sum(int(c["points"]) for c in spec["scoring"].get("criteria", []) if holds(c, row, as_of))
    replaced = tuple(bool(holds(e["filter"], row, as_of)) if e.get("filter") else None for e in edits)
    return filters, dropped, score, replaced


def universe_stats(frame: pd.DataFrame, spec: dict[str, Any]) -> tuple[dict, dict]:
    """Quartiles and value counts, in plain Python over the column values."""
    filters = spec.get("filters", [])
    quartiles: dict[str, dict[str, float]] = {}
    for field in sorted({f["field"] for f in filters if f["op"] in NUMERIC_OPS}):
        known = sorted(v for v in frame[field] if not is_missing(v))
        if known:
            quartiles[field] = {name: known[nearest_index(len(known), q)] for name, q in QUARTILES}
    counts: dict[str, dict[Any, int]] = {}
    for field in sorted({f["field"] for f in filters if f["op"] in MULTI_VALUE_OPS and len(f["value"]) > 1}):
        tally: dict[Any, int] = {}
        for cell in frame[field]:
            if is_missing(cell):
                continue
            for v in cell if field in LIST_FIELDS else [cell]:
                key = str(v).lower()
                tally[key] = tally.get(key, 0) + 1
        counts[field] = tally
    return quartiles, counts


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    spec = load_spec(args.icp)
    frame = pd.concat([pd.read_parquet(path) for path in sorted(glob.glob(args.universe))], ignore_index=True)
    quartiles, counts = universe_stats(frame, spec)
    edits = candidates(spec, quartiles, counts)
    rows = frame.apply(evaluate, axis=1, args=(spec, edits, args.as_of)).tolist()

    n_filters, n_disq = len(spec.get("filters", [])), len(spec.get("disqualifiers", []))
    min_score, tiers = spec["scoring"].get("min_score", 0), spec["scoring"].get("tiers", {})
    steps = [[0, 0] for _ in range(n_filters + n_disq + 1)]
    tier_counts = dict.fromkeys(tiers, 0)
    untiered = 0
    candidate_counts = [0] * len(edits)
    target = []
    for filters, dropped, score, replaced in rows:
        step = next((i for i, ok in enumerate(filters) if not ok), None)
        if step is not None:
            steps[step][0] += 1
            steps[step][1] += filters[step] is None
        else:
            step = next((n_filters + j for j, hit in enumerate(dropped) if hit), None)
            if step is not None:
                steps[step][0] += 1
            elif score < min_score:
                steps[-1][0] += 1
        is_target = step is None and score >= min_score
        target.append(is_target)
        if is_target:
            name = tier_of(score, tiers)
            if name is None:
                untiered += 1
            else:
                tier_counts[name] += 1
        if any(dropped):
            continue
        for n, e in enumerate(edits):
            if "min_score" in e:
                candidate_counts[n] += all(filters) and score >= e["min_score"]
            else:
                others = all(ok for i, ok in enumerate(filters) if i != e["index"])
                candidate_counts[n] += others and (e["filter"] is None or replaced[n]) and score >= min_score
    write(args.out, result(spec, len(frame), [tuple(s) for s in steps], tier_counts, untiered, edits, candidate_counts))

    scores = [r[2] for r in rows]
    targets = frame.assign(score=scores)[target]
    targets["tier"] = targets.apply(lambda row: tier_of(row["score"], tiers), axis=1)
    targets.sort_values(["score", "account_id"], ascending=[False, True], kind="stable").to_parquet(
        args.targets, index=False
    )


if __name__ == "__main__":
    main()
