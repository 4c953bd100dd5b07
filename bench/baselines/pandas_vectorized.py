"""Baseline: the targeting work as a plain, vectorized pandas script.

What an analyst would write without the project: `pd.read_parquet` of every part, one nullable
Boolean column per condition (pandas' "boolean" dtype does the Kleene logic that makes a null
"unknown"), list fields exploded once and tested with `isin` + `groupby(level=0).any()`, numpy
counts for the funnel and every candidate edit, and the sorted targets written with `to_parquet`.

    python bench/baselines/pandas_vectorized.py --universe 'bench/data/universe-1000000-seed7/*.parquet' \
        --icp bench/bench_icp.yaml --as-of 2026-01-01 --out result.json --targets targets.parquet
"""

from __future__ import annotations

import glob
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from common import (
    APOLLO_COLUMNS,
    APOLLO_FUNDING,
    APOLLO_LIST_SEPARATOR,
    APOLLO_URL_PREFIX,
    APOLLO_WEBSITE,
    LIST_FIELDS,
    MULTI_VALUE_OPS,
    NUMERIC_OPS,
    QUARTILES,
    REGIONS,
    candidates,
    load_spec,
    lower,
    nearest_index,
    parse_args,
    preset_source,
    reason_prefix,
    result,
    tier_of,
    write,
    write_command_outputs,
)


class Accounts:
    """The universe plus the per-field helpers every condition reuses (lower-cased text, exploded lists)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._lowered: dict[str, pd.Series] = {}
        self._exploded: dict[str, pd.Series] = {}
        self.signals_at = pd.to_datetime(frame["signals_at"])

    def lowered(self, field: str) -> pd.Series:
        if field not in self._lowered:
            self._lowered[field] = self.frame[field].str.lower()
        return self._lowered[field]

    def exploded(self, field: str) -> pd.Series:
        """One row per list element (index = account row), lower-cased; empty and null lists drop out."""
        if field not in self._exploded:
            self._exploded[field] = self.frame[field].explode().dropna().str.lower()
        return self._exploded[field]

    def any_element(self, field: str, hit: pd.Series) -> np.ndarray:
        """Per account: does any element satisfy `hit` (a Boolean series over the exploded elements)?"""
        rows = hit.index[hit.to_numpy(dtype=bool)]
        out = np.zeros(len(self.frame), dtype=bool)
        out[np.unique(rows.to_numpy())] = True
        return out


def kleene(hit: np.ndarray, unknown: np.ndarray) -> pd.arrays.BooleanArray:
    """A nullable Boolean: `hit` where known, NA where `unknown`."""
    return pd.arrays.BooleanArray(np.asarray(hit, dtype=bool), np.asarray(unknown, dtype=bool))


def predicate(acc: Accounts, cond: dict[str, Any], as_of) -> pd.arrays.BooleanArray:
    """The nullable Boolean for one condition: NA where the account's field is unknown."""
    field, op, value = cond["field"], cond["op"], cond["value"]
    col = acc.frame[field]
    unknown = col.isna().to_numpy()
    if op == "is_null":
        return kleene(unknown, np.zeros_like(unknown))
    if op == "not_null":
        return kleene(~unknown, np.zeros_like(unknown))
    if field in LIST_FIELDS:
        elements = acc.exploded(field)
        if op in ("eq", "in", "contains_any", "not_in"):
            hit = acc.any_element(field, elements.isin(lower(value if isinstance(value, list) else [value])))
            hit = ~hit if op == "not_in" else hit
        elif op == "contains_all":
            hit = np.logical_and.reduce([acc.any_element(field, elements == v) for v in dict.fromkeys(lower(value))])
        elif op == "matches":
            hit = acc.any_element(field, elements.str.contains(value, case=False, regex=True))
        else:
            raise SystemExit(f"operator {op} does not apply to list field {field}")
    elif op == "matches":
        hit = col.str.contains(value, case=False, regex=True, na=False).to_numpy(dtype=bool)
    else:
        text = isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], str))
        series = acc.lowered(field) if text else col
        hit = {
            "eq": lambda: series == lower(value),
            "in": lambda: series.isin(lower(value)),
            "not_in": lambda: ~series.isin(lower(value)),
            "between": lambda: (series >= value[0]) & (series <= value[1]),
            "gte": lambda: series >= value,
            "lte": lambda: series <= value,
        }[op]()
        hit = np.asarray(hit, dtype=bool)
    out = kleene(hit, unknown)
    if cond.get("within_days"):
        since = pd.Timestamp(as_of - timedelta(days=cond["within_days"]))
        recent = acc.signals_at >= since
        out = out & kleene(recent.to_numpy(dtype=bool), acc.signals_at.isna().to_numpy())
    return out


def passes(values: pd.arrays.BooleanArray) -> np.ndarray:
    """True only where the condition holds (NA counts as not holding)."""
    return values.fillna(False).to_numpy(dtype=bool)


def universe_stats(acc: Accounts, spec: dict[str, Any]) -> tuple[dict, dict]:
    """Quartiles of the numeric filters' fields and value counts of the multi-value filters' fields."""
    filters = spec.get("filters", [])
    quartiles: dict[str, dict[str, float]] = {}
    for field in sorted({f["field"] for f in filters if f["op"] in NUMERIC_OPS}):
        known = acc.frame[field].dropna().to_numpy()
        if len(known):
            index = [nearest_index(len(known), q) for _, q in QUARTILES]
            picked = np.partition(known, index)[index]
            quartiles[field] = {name: value.item() for (name, _), value in zip(QUARTILES, picked)}
    counts: dict[str, dict[Any, int]] = {}
    for field in sorted({f["field"] for f in filters if f["op"] in MULTI_VALUE_OPS and len(f["value"]) > 1}):
        values = acc.exploded(field) if field in LIST_FIELDS else acc.lowered(field).dropna()
        counts[field] = {k: int(v) for k, v in values.value_counts().items()}
    return quartiles, counts


def shown_values(frame: pd.DataFrame, cond: dict[str, Any]) -> pd.Series:
    """Per row of `frame`, the value that earned a criterion's points; for a list, the elements that matched."""
    field, op, value = cond["field"], cond["op"], cond["value"]
    col = frame[field]
    if field in LIST_FIELDS:
        elements = col.explode().dropna()
        if op in ("eq", "in", "contains_any", "contains_all"):
            elements = elements[elements.str.lower().isin(lower(value if isinstance(value, list) else [value]))]
        elif op == "matches":
            elements = elements[elements.str.contains(value, case=False, regex=True)]
        joined = elements.groupby(level=0).agg(",".join)
        return joined.reindex(frame.index, fill_value="")
    if field == "revenue_usd":  # 5000000.0 reads as 5000000
        return col.map(lambda v: "null" if pd.isna(v) else str(int(v)) if float(v).is_integer() else str(v))
    if field == "signals_at":
        return col.map(lambda v: "null" if pd.isna(v) else pd.Timestamp(v).date().isoformat())
    if col.dtype == bool:
        return col.map(lambda v: "true" if v else "false")
    return col.map(lambda v: "null" if pd.isna(v) else str(v))


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # flows/edges/files.py


def write_targets(targets: pd.DataFrame, out_dir: str) -> None:
    """targets.parquet and targets.csv (list cells joined by `;`) as `outbound target` writes them."""
    import os

    os.makedirs(out_dir, exist_ok=True)
    targets.to_parquet(os.path.join(out_dir, "targets.parquet"), index=False)
    text = targets.copy()
    for name in [*LIST_FIELDS, "reasons"]:
        text[name] = text[name].map(lambda v: None if v is None else ";".join(v))
    for name in text.columns:
        if text[name].dtype == bool:
            text[name] = text[name].map(lambda v: "true" if v else "false")
        else:  # formula-safe as the command writes it: a cell a spreadsheet would evaluate starts with `'`
            text[name] = text[name].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in FORMULA_START else v)
    text.to_csv(os.path.join(out_dir, "targets.csv"), index=False)


def load_apollo_csv(path: str) -> pd.DataFrame:
    """The Apollo export as a frame of the canonical columns (common.APOLLO_COLUMNS), as read_parquet gives them."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])

    def column(name: str) -> pd.Series:
        return raw[APOLLO_COLUMNS[name]]

    def listed(name: str) -> pd.Series:
        return column(name).map(lambda v: v.split(APOLLO_LIST_SEPARATOR) if isinstance(v, str) else None)

    domain = raw[APOLLO_WEBSITE].str.replace(APOLLO_URL_PREFIX, "", regex=True).str.lower()
    unknown = pd.Series([None] * len(raw), dtype=object)
    return pd.DataFrame(
        {
            "account_id": domain,
            "name": column("name"),
            "domain": domain,
            "industry": column("industry"),
            "tags": listed("tags"),
            "employees": pd.to_numeric(column("employees")),
            "revenue_usd": pd.to_numeric(column("revenue_usd")),
            "country": column("country"),
            "region": column("country").map(REGIONS),
            "funding_stage": column("funding_stage").map(APOLLO_FUNDING),
            "founded_year": pd.to_numeric(column("founded_year")),
            "tech_stack": listed("tech_stack"),
            **{name: unknown for name in ("hiring_roles", "growth_signals", "pain_points", "prior_solutions")},
            "signals_at": column("signals_at"),
            "status": column("status"),
            "is_customer": unknown,
            "description": column("description"),
            "source": preset_source("apollo", path),
        }
    )


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    spec = load_spec(args.icp)
    if args.csv_preset:
        frame = load_apollo_csv(args.universe)
    else:
        frame = pd.concat([pd.read_parquet(path) for path in sorted(glob.glob(args.universe))], ignore_index=True)
    acc = Accounts(frame)
    quartiles, counts = universe_stats(acc, spec)
    edits = candidates(spec, quartiles, counts)

    filters, disqualifiers = spec.get("filters", []), spec.get("disqualifiers", [])
    criteria, min_score = spec["scoring"].get("criteria", []), spec["scoring"].get("min_score", 0)
    tiers = spec["scoring"].get("tiers", {})
    outcomes = [predicate(acc, f, args.as_of) for f in filters]
    passed = [passes(o) for o in outcomes]
    dropped = [passes(predicate(acc, d, args.as_of)) for d in disqualifiers]
    score = np.zeros(len(frame), dtype=np.int64)
    for c in criteria:
        score += passes(predicate(acc, c, args.as_of)) * int(c["points"])

    everyone = np.ones(len(frame), dtype=bool)
    steps, reached = [], everyone.copy()
    for outcome, ok in zip(outcomes, passed):
        steps.append(((reached & ~ok).sum(), (reached & outcome.isna()).sum()))
        reached &= ok
    for hit in dropped:
        steps.append(((reached & hit).sum(), 0))
        reached &= ~hit
    steps.append(((reached & (score < min_score)).sum(), 0))
    target = reached & (score >= min_score)
    kept = ~np.logical_or.reduce(dropped) if dropped else everyone

    tier_counts, upper = {}, None
    for name, threshold in tiers.items():
        tier_counts[name] = (target & (score >= threshold) & (score < upper if upper is not None else everyone)).sum()
        upper = threshold
    untiered = (target & (score < min(tiers.values()))).sum() if tiers else target.sum()
    candidate_counts = []
    for e in edits:
        if "min_score" in e:
            candidate_counts.append((np.logical_and.reduce([kept, *passed]) & (score >= e["min_score"])).sum())
            continue
        others = [ok for i, ok in enumerate(passed) if i != e["index"]]
        if e["filter"]:
            others.append(passes(predicate(acc, e["filter"], args.as_of)))
        candidate_counts.append((np.logical_and.reduce([kept, *others]) & (score >= min_score)).sum())
    payload = result(spec, len(frame), steps, tier_counts, untiered, edits, candidate_counts)
    write(args.out, payload)

    targets = frame[target].assign(score=score[target])
    targets["tier"] = [tier_of(s, tiers) for s in targets["score"]]
    # pandas reads a nullable integer column as float; the outputs show it as the integer it is.
    targets = targets.astype({name: "Int64" for name in ("employees", "founded_year")})
    if not args.out_dir:
        targets.sort_values(["score", "account_id"], ascending=[False, True], kind="stable").to_parquet(
            args.targets, index=False
        )
        return
    # What `outbound target` writes: every target's reasons, the list as Parquet and as CSV.
    parts = []
    for c in criteria:
        earned = passes(predicate(acc, c, args.as_of))[target]
        parts.append(pd.Series(reason_prefix(c), index=targets.index).where(earned) + shown_values(targets, c))
    reasons = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=targets.index)
    targets["reasons"] = [[r for r in row if isinstance(r, str)] for row in reasons.itertuples(index=False)]
    targets = targets.sort_values(["score", "account_id"], ascending=[False, True], kind="stable")
    write_targets(targets, args.out_dir)
    write_command_outputs(args.out_dir, spec, payload)


if __name__ == "__main__":
    main()
