"""What every baseline shares: reading the ICP YAML, the candidate edits, and the result shape.

Baselines import nothing from the project: this is the small amount of plain Python a team would
write beside its SQL or pandas script. The heavy work (scanning, predicates, counting) lives in
each baseline, in its own engine.

Semantics, from docs/icp.md "Rules that make counts agree":
- a null never satisfies a filter or a criterion; a filter step counts those nulls as `unknown`;
  a null never disqualifies;
- text and list values compare case-insensitively; `in`/`eq` on a list field mean "contains";
  `between` includes both ends; `matches` is a case-insensitive regex search;
- `within_days: N` also needs `signals_at >= as_of - N days`;
- candidates: min score +-1..3; each numeric filter bound moved to the universe's Q1/median/Q3
  (the "nearest" quantile: index round-half-up((n - 1) * q) of the sorted known values); each
  filter dropped; each multi-value filter cut to its k most common values (k = 1..len - 1).
"""

from __future__ import annotations

import argparse
import json
import math
from datetime import date
from typing import Any

OPERATORS = (
    "eq",
    "in",
    "not_in",
    "between",
    "gte",
    "lte",
    "contains_any",
    "contains_all",
    "matches",
    "is_null",
    "not_null",
)
LIST_FIELDS = ("tags", "tech_stack", "hiring_roles", "growth_signals", "pain_points", "prior_solutions")
NUMERIC_FIELDS = ("employees", "revenue_usd", "founded_year")
QUARTILES = (("Q1", 0.25), ("median", 0.5), ("Q3", 0.75))
MULTI_VALUE_OPS = ("in", "contains_any", "contains_all")
NUMERIC_OPS = ("between", "gte", "lte")


def parse_args(description: str) -> argparse.Namespace:
    """--universe (Parquet glob) --icp (YAML) --as-of (date) --out (result JSON) --targets (Parquet)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--universe", required=True, help="Parquet file or glob of the accounts")
    parser.add_argument(
        "--csv-preset",
        choices=["apollo", "yc"],
        help="the universe is one CSV file in this export's layout (APOLLO, YC below), not canonical Parquet",
    )
    parser.add_argument("--icp", required=True, help="ICP YAML in the docs/icp.md format")
    parser.add_argument("--as-of", required=True, type=date.fromisoformat, help="the day within_days counts back from")
    parser.add_argument("--out", required=True, help="where to write the result JSON")
    parser.add_argument("--targets", help="where to write the target list (Parquet), for the core benchmark")
    parser.add_argument(
        "--out-dir",
        help="write what `outbound target` writes instead: targets.parquet, targets.csv (lists joined by `;`), "
        "target_summary.json (funnel, targets, by_tier, verdict, suggestions with their counts) and rejected.csv",
    )
    args = parser.parse_args()
    if not (args.targets or args.out_dir):
        parser.error("give --targets or --out-dir")
    if args.out_dir:
        import os

        os.makedirs(args.out_dir, exist_ok=True)
    return args


# An Apollo Companies export (docs/presets.md, `apollo`) as a user maps it by hand for their script:
# its headers to the canonical columns, `Website` to a domain (also the account id), comma-separated
# lists, Apollo's funding words to stages and the region from the country. Canonical columns the
# export has no column for are null; `source` is what `outbound target` writes for the preset.
APOLLO_COLUMNS = {
    "name": "Company",
    "industry": "Industry",
    "tags": "Keywords",
    "employees": "# Employees",
    "revenue_usd": "Annual Revenue",
    "country": "Company Country",
    "funding_stage": "Latest Funding",
    "founded_year": "Founded Year",
    "tech_stack": "Technologies",
    "signals_at": "Latest Funding Date",
    "status": "Account Stage",
    "description": "Short Description",
}
APOLLO_WEBSITE = "Website"
APOLLO_URL_PREFIX = r"^https?://(www\.)?"
APOLLO_LIST_SEPARATOR = ", "
APOLLO_FUNDING = {
    "Bootstrapped": "bootstrapped",
    "Angel": "pre_seed",
    "Seed": "seed",
    "Series A": "series_a",
    "Series B": "series_b",
    "Series C": "series_c",
    "Series D": "series_d_plus",
    "IPO": "public",
    "Acquired": "acquired",
}
# A YC directory export (docs/presets.md, `yc`; bench/make_universe.py --layout yc) mapped by hand:
# `website` to a domain (also the account id), `tags` a Python list literal whose first item is the
# industry, kebab case to snake case, decimals to whole numbers, the two descriptions joined by a
# newline, YC's status words to a status and (public, acquired) a funding stage.
YC_COLUMNS = {
    "name": "company_name",
    "tags": "tags",
    "employees": "team_size",
    "country": "country",
    "founded_year": "year_founded",
    "status": "status",
}
YC_WEBSITE = "website"
YC_DESCRIPTIONS = ("short_description", "long_description")
YC_URL = r"^https?://(www\.)?([^/]*).*$"
YC_FUNDING = {"Public": "public", "Acquired": "acquired"}
REGIONS = {
    "US": "NA",
    "CA": "NA",
    "GB": "EMEA",
    "DE": "EMEA",
    "FR": "EMEA",
    "NL": "EMEA",
    "SE": "EMEA",
    "IL": "EMEA",
    "IN": "APAC",
    "SG": "APAC",
    "AU": "APAC",
    "JP": "APAC",
    "BR": "LATAM",
    "MX": "LATAM",
}


def preset_source(preset: str, path: str) -> str:
    """The `source` value `outbound target --preset` gives rows of the file at `path`."""
    return f"{preset}:{path.rsplit('/', 1)[-1]}"


def load_spec(path: str) -> dict[str, Any]:
    """The ICP as plain dicts, each condition annotated with its `op` and `value`."""
    import yaml  # here, not at the top: the project contender uses `write`/`edit_key` without it

    with open(path, encoding="utf-8") as handle:
        spec = yaml.safe_load(handle)
    for cond in [*spec.get("filters", []), *spec.get("disqualifiers", []), *spec["scoring"].get("criteria", [])]:
        annotate(cond)
    return spec


def annotate(cond: dict[str, Any]) -> dict[str, Any]:
    """Add `op` (the one operator used) and `value` to a condition dict, in place."""
    cond["op"] = next(op for op in OPERATORS if op in cond)
    cond["value"] = cond[cond["op"]]
    return cond


def lower(value: Any) -> Any:
    """Lower-case text (and the text in a list); leave other values alone."""
    if isinstance(value, list):
        return [lower(v) for v in value]
    return value.lower() if isinstance(value, str) else value


def nearest_index(known: int, q: float) -> int:
    """Index of the "nearest" quantile among `known` sorted values (halves round up)."""
    return int(math.floor((known - 1) * q + 0.5))


def condition_dict(cond: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A filter as the spec writes it, without its name and helper keys, with `changes` applied."""
    out = {k: v for k, v in cond.items() if k not in ("name", "op", "value", "reason")}
    out.update(changes)
    return out


def candidates(
    spec: dict[str, Any], quartiles: dict[str, dict[str, float]], counts: dict[str, dict[Any, int]]
) -> list[dict[str, Any]]:
    """Every candidate edit, as {"key", "edit", "min_score" | "index" + "filter" (annotated, None if dropped)}.

    Args:
        spec: the loaded ICP.
        quartiles: field -> {"Q1", "median", "Q3"} for each numeric filter's field.
        counts: field -> {lower-cased value: accounts (list elements counted per occurrence)}.
    """
    current = spec["scoring"].get("min_score", 0)
    points = [c.get("points", 0) for c in spec["scoring"].get("criteria", [])]
    low, high = sum(p for p in points if p < 0), sum(p for p in points if p > 0)
    step = (high - low) // 60 + 1 if high - low > 60 else 1  # every reachable score, or a spread of them
    out = [
        {"edit": {"op": "set_min_score", "min_score": s}, "min_score": s}
        for s in range(low, high + 1, step)
        if s != current
    ]
    for i, f in enumerate(spec.get("filters", [])):
        for new in _variants(f, quartiles.get(f["field"], {}), counts.get(f["field"], {})):
            condition = annotate(dict(new))
            out.append({"edit": {"op": "replace_filter", "index": i, "filter": new}, "index": i, "filter": condition})
        out.append({"edit": {"op": "drop_filter", "index": i}, "index": i, "filter": None})
    unique: dict[str, dict[str, Any]] = {}
    for candidate in out:
        candidate["key"] = edit_key(candidate["edit"])
        unique.setdefault(candidate["key"], candidate)
    return list(unique.values())


def _variants(f: dict[str, Any], quartiles: dict[str, float], counts: dict[Any, int]) -> list[dict[str, Any]]:
    op, value = f["op"], f["value"]
    points = [quartiles[name] for name, _ in QUARTILES if name in quartiles]
    out = []
    if op == "between":
        lo, hi = value
        for q in points:
            if q != lo and q <= hi:
                out.append(condition_dict(f, between=[q, hi]))
            if q != hi and q >= lo:
                out.append(condition_dict(f, between=[lo, q]))
    elif op in ("gte", "lte"):
        out += [condition_dict(f, **{op: q}) for q in points if q != value]
    elif op in MULTI_VALUE_OPS and len(value) > 1:
        ranked = sorted(value, key=lambda v: -counts.get(lower(v), 0))  # stable: ties keep file order
        out += [condition_dict(f, **{op: ranked[:keep]}) for keep in range(1, len(value))]
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def tier_of(score: int, tiers: dict[str, int]) -> str | None:
    """The highest tier whose threshold the score meets (tiers are listed highest first)."""
    return next((name for name, threshold in tiers.items() if score >= threshold), None)


def edit_key(edit: dict[str, Any]) -> str:
    """A canonical text for a spec edit (sorted keys, whole floats as ints) to compare across engines."""
    return json.dumps(_plain(edit), sort_keys=True)


def verdict(targets: int, band: dict[str, int]) -> str:
    """too_narrow below the band, too_broad above, ok inside (ends included)."""
    if targets < band["min"]:
        return "too_narrow"
    return "too_broad" if targets > band["max"] else "ok"


def rank(
    edits: list[dict[str, Any]], counts: list[int], targets: int, band: dict[str, int], shown: int = 5
) -> list[list[Any]]:
    """The suggestions shown: only candidates strictly closer to the band than `targets`; in-band ones
    first (least change first), then by distance to the band. Returns [edit key, targets] pairs.
    """
    low, high = band["min"], band["max"]

    def distance(n: int) -> float:
        if low <= n <= high:
            return 0.0
        if n == 0:
            return math.inf
        return math.log(low / n) if n < low else math.log(n / high)

    def key(item: tuple[int, dict[str, Any], int]) -> tuple[float, float, int]:
        order, _, n = item
        change = abs(math.log((n + 1) / (targets + 1)))
        return (distance(n), change if distance(n) == 0 else 0.0, order)

    items = [(order, e, n) for order, (e, n) in enumerate(zip(edits, counts))]
    closer = [item for item in items if distance(item[2]) < distance(targets)]
    return [[e["key"], int(n)] for _, e, n in sorted(closer, key=key)[:shown]]


def result(
    spec: dict[str, Any],
    universe: int,
    steps: list[tuple[int, int]],
    tiers: dict[str, int],
    untiered: int,
    edits: list[dict[str, Any]],
    counts: list[int],
) -> dict[str, Any]:
    """The shape every contender writes.

    Funnel rows are [removed, unknown, remaining] for each filter, disqualifier and the minimum
    score; `suggestions` are the ranked [edit key, targets] shown; `candidates` every edit's count.
    """
    remaining = universe
    funnel = []
    for removed, unknown in steps:
        remaining -= removed
        funnel.append([int(removed), int(unknown), int(remaining)])
    by_tier = {name: int(n) for name, n in tiers.items()}
    if untiered:
        by_tier["untiered"] = int(untiered)
    size_verdict = verdict(remaining, spec["target_size"])
    counts = [int(n) for n in counts]
    return {
        "universe": int(universe),
        "funnel": funnel,
        "targets": int(remaining),
        "by_tier": by_tier,
        "verdict": size_verdict,
        "suggestions": [] if size_verdict == "ok" else rank(edits, counts, remaining, spec["target_size"]),
        "candidates": {e["key"]: n for e, n in zip(edits, counts)},
    }


def write(path: str, payload: dict[str, Any]) -> None:
    """Write the result JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, sort_keys=True)


def reason_prefix(criterion: dict[str, Any]) -> str:
    """`+2 sweet-spot size: employees=`: what a target's reason says before the value that earned it."""
    return f"{int(criterion['points']):+d} {criterion['name']}: {criterion['field']}="


def write_command_outputs(out_dir: str, spec: dict[str, Any], payload: dict[str, Any]) -> None:
    """target_summary.json and rejected.csv as `outbound target` writes them (the targets are the engine's).

    The summary holds what the benchmark compares: rows, the funnel as steps, targets, by_tier, the
    verdict and the suggestions, each with its edit and target count; `candidates` keeps every
    candidate's count too. A canonical Parquet universe rejects nothing, so rejected.csv is its header.
    """
    import os

    os.makedirs(out_dir, exist_ok=True)
    steps = [{"removed": r, "unknown": u, "remaining": left} for r, u, left in payload["funnel"]]
    summary = {
        "icp": spec["name"],
        "version": spec["version"],
        "universe": payload["universe"],
        "funnel": steps,
        "targets": payload["targets"],
        "by_tier": payload["by_tier"],
        "verdict": payload["verdict"],
        "suggestions": [{"edit": json.loads(key), "targets": n} for key, n in payload["suggestions"]],
        "candidates": payload["candidates"],
    }
    with open(os.path.join(out_dir, "target_summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
    with open(os.path.join(out_dir, "rejected.csv"), "w", encoding="utf-8") as handle:
        handle.write("source_row,column,value,reason\n")
