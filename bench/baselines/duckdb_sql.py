"""Baseline: the targeting work as hand-written DuckDB SQL over the Parquet universe.

What a data engineer would write without the project: one statistics query (known counts, value
counts of the multi-value filters), one quartile query, then a single aggregate over the files with
one `count_if` per funnel step, tier and candidate edit. The SQL is generated from the ICP so it
stays in step with bench_icp.yaml; every predicate is plain DuckDB.

    python bench/baselines/duckdb_sql.py --universe 'bench/data/universe-1000000-seed7/*.parquet' \
        --icp bench/bench_icp.yaml --as-of 2026-01-01 --out result.json --targets targets.parquet
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
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
    YC_COLUMNS,
    YC_DESCRIPTIONS,
    YC_FUNDING,
    YC_URL,
    YC_WEBSITE,
    candidates,
    load_spec,
    lower,
    nearest_index,
    parse_args,
    preset_source,
    reason_prefix,
    result,
    write,
    write_command_outputs,
)


def literal(value: Any) -> str:
    """A SQL literal for a YAML scalar."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def values_sql(values: list[Any]) -> str:
    return "(" + ", ".join(literal(v) for v in lower(values)) + ")"


def any_element(field: str, values: list[Any]) -> str:
    # len(list_filter(...)) > 0 rather than list_bool_or: an empty list must be FALSE, a null list NULL.
    return f"(len(list_filter({field}, lambda x: lower(x) IN {values_sql(values)})) > 0)"


def predicate(cond: dict[str, Any], as_of) -> str:
    """The SQL Boolean for one condition: NULL where the account's field is unknown."""
    field, op, value = cond["field"], cond["op"], cond["value"]
    if op == "is_null":
        return f"({field} IS NULL)"
    if op == "not_null":
        return f"({field} IS NOT NULL)"
    if field in LIST_FIELDS:
        if op in ("eq", "in", "contains_any"):
            sql = any_element(field, value if isinstance(value, list) else [value])
        elif op == "not_in":
            sql = f"(NOT {any_element(field, value)})"
        elif op == "contains_all":
            sql = "(" + " AND ".join(any_element(field, [v]) for v in dict.fromkeys(lower(value))) + ")"
        elif op == "matches":
            sql = f"(len(list_filter({field}, lambda x: regexp_matches(x, {literal(value)}, 'i'))) > 0)"
        else:
            raise SystemExit(f"operator {op} does not apply to list field {field}")
    else:
        col = (
            f"lower({field})"
            if isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], str))
            else field
        )
        sql = {
            "eq": lambda: f"({col} = {literal(lower(value))})",
            "in": lambda: f"({col} IN {values_sql(value)})",
            "not_in": lambda: f"(NOT ({col} IN {values_sql(value)}))",
            "between": lambda: f"({field} BETWEEN {literal(value[0])} AND {literal(value[1])})",
            "gte": lambda: f"({field} >= {literal(value)})",
            "lte": lambda: f"({field} <= {literal(value)})",
            "matches": lambda: f"regexp_matches({field}, {literal(value)}, 'i')",
        }[op]()
    if cond.get("within_days"):
        since = as_of - timedelta(days=cond["within_days"])
        sql = f"({sql} AND signals_at >= DATE '{since.isoformat()}')"
    return sql


def shown_value(cond: dict[str, Any]) -> str:
    """The SQL text of the value that earned a criterion's points; for a list, the elements that matched."""
    field, op, value = cond["field"], cond["op"], cond["value"]
    if field in LIST_FIELDS:
        if op in ("eq", "in", "contains_any", "contains_all"):
            values = value if isinstance(value, list) else [value]
            kept = f"list_filter({field}, lambda x: lower(x) IN {values_sql(values)})"
        elif op == "matches":
            kept = f"list_filter({field}, lambda x: regexp_matches(x, {literal(value)}, 'i'))"
        else:
            return f"coalesce(array_to_string({field}, ','), 'null')"
        return f"array_to_string({kept}, ',')"
    if field == "revenue_usd":  # 5000000.0 reads as 5000000
        return f"CASE WHEN round({field}) = {field} THEN CAST(CAST({field} AS BIGINT) AS VARCHAR) ELSE CAST({field} AS VARCHAR) END"
    return f"coalesce(CAST({field} AS VARCHAR), 'null')"


def reasons_sql(criteria: list[dict[str, Any]], as_of) -> str:
    """A list of "+2 sweet-spot size: employees=120" strings, one per criterion the account earned."""
    if not criteria:
        return "CAST([] AS VARCHAR[])"
    parts = [
        f"CASE WHEN coalesce({predicate(c, as_of)}, FALSE) THEN {literal(reason_prefix(c))} || {shown_value(c)} END"
        for c in criteria
    ]
    return f"list_filter([{', '.join(parts)}], lambda x: x IS NOT NULL)"


def universe_stats(con: duckdb.DuckDBPyConnection, source: str, spec: dict[str, Any]) -> tuple[dict, dict]:
    """Quartiles of the numeric filters' fields and value counts of the multi-value filters' fields."""
    filters = spec.get("filters", [])
    numeric = sorted({f["field"] for f in filters if f["op"] in NUMERIC_OPS})
    counted = sorted({f["field"] for f in filters if f["op"] in MULTI_VALUE_OPS and len(f["value"]) > 1})
    quartiles: dict[str, dict[str, float]] = {}
    if numeric:
        known = con.execute("SELECT " + ", ".join(f"count({f})" for f in numeric) + f" FROM {source}").fetchone()
        parts, names = [], []
        for field, n in zip(numeric, known):
            for name, q in QUARTILES:
                if n:
                    # quantile_disc picks index ceil(n * f) - 1; aim it at the "nearest" index.
                    parts.append(f"quantile_disc({field}, {(nearest_index(n, q) + 0.5) / n!r})")
                    names.append((field, name))
        if parts:
            row = con.execute("SELECT " + ", ".join(parts) + f" FROM {source}").fetchone()
            for (field, name), value in zip(names, row):
                quartiles.setdefault(field, {})[name] = value
    counts: dict[str, dict[Any, int]] = {}
    for field in counted:
        wanted = sorted(
            {v for f in filters if f["field"] == field and isinstance(f["value"], list) for v in lower(f["value"])}
        )
        element = f"lower(unnest({field}))" if field in LIST_FIELDS else f"lower({field})"
        rows = con.execute(
            f"SELECT v, count(*) FROM (SELECT {element} AS v FROM {source}) WHERE v IN {values_sql(wanted)} GROUP BY v"
        ).fetchall()
        counts[field] = dict(rows)
    return quartiles, counts


def load_apollo_csv(con: duckdb.DuckDBPyConnection, path: str) -> str:
    """The Apollo export read once into a table of the canonical columns (common.APOLLO_COLUMNS)."""

    def col(name: str) -> str:
        return '"' + APOLLO_COLUMNS[name] + '"'

    def mapped(column: str, mapping: dict[str, str]) -> str:
        return (
            "CASE " + " ".join(f"WHEN {column} = {literal(k)} THEN {literal(v)}" for k, v in mapping.items()) + " END"
        )

    domain = f"lower(regexp_replace(\"{APOLLO_WEBSITE}\", {literal(APOLLO_URL_PREFIX)}, ''))"
    columns = {
        "account_id": domain,
        "name": col("name"),
        "domain": domain,
        "industry": col("industry"),
        "tags": f"string_split({col('tags')}, {literal(APOLLO_LIST_SEPARATOR)})",
        "employees": f"CAST({col('employees')} AS BIGINT)",
        "revenue_usd": f"CAST({col('revenue_usd')} AS DOUBLE)",
        "country": col("country"),
        "region": mapped(col("country"), REGIONS),
        "funding_stage": mapped(col("funding_stage"), APOLLO_FUNDING),
        "founded_year": f"CAST({col('founded_year')} AS BIGINT)",
        "tech_stack": f"string_split({col('tech_stack')}, {literal(APOLLO_LIST_SEPARATOR)})",
        **{
            name: "CAST(NULL AS VARCHAR[])"
            for name in ("hiring_roles", "growth_signals", "pain_points", "prior_solutions")
        },
        "signals_at": f"CAST({col('signals_at')} AS DATE)",
        "status": col("status"),
        "is_customer": "CAST(NULL AS BOOLEAN)",
        "description": col("description"),
        "source": literal(preset_source("apollo", path)),
    }
    select = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    con.execute(f"CREATE TEMP TABLE accounts AS SELECT {select} FROM read_csv({literal(path)}, all_varchar = true)")
    return "accounts"


def load_yc_csv(con: duckdb.DuckDBPyConnection, path: str) -> str:
    """The YC directory export read once into a table of the canonical columns (common.YC_COLUMNS)."""

    def col(name: str) -> str:
        return '"' + YC_COLUMNS[name] + '"'

    def kebab_items(cell: str) -> str:  # "['dev-tools', 'b2b']" -> [dev_tools, b2b]; "[]" -> []
        inside = f"regexp_replace({cell}, '^\\[|\\]$|''', '', 'g')"
        split = f"string_split(replace({inside}, '-', '_'), ', ')"
        return f"list_filter({split}, lambda x: x <> '')"

    domain = f"lower(regexp_replace(\"{YC_WEBSITE}\", {literal(YC_URL)}, '\\2'))"
    tags = kebab_items(col("tags"))
    texts = ", ".join(f"nullif(trim(\"{c}\"), '')" for c in YC_DESCRIPTIONS)
    columns = {
        "account_id": domain,
        "name": col("name"),
        "domain": domain,
        "industry": f"{tags}[1]",
        "tags": tags,
        "employees": f"CAST(CAST({col('employees')} AS DOUBLE) AS BIGINT)",
        "revenue_usd": "CAST(NULL AS DOUBLE)",
        "country": col("country"),
        "region": case_of(col("country"), REGIONS),
        "funding_stage": case_of(col("status"), YC_FUNDING),
        "founded_year": f"CAST(CAST({col('founded_year')} AS DOUBLE) AS BIGINT)",
        **{
            name: "CAST(NULL AS VARCHAR[])"
            for name in ("tech_stack", "hiring_roles", "growth_signals", "pain_points", "prior_solutions")
        },
        "signals_at": "CAST(NULL AS DATE)",
        "status": f"lower({col('status')})",
        "is_customer": "CAST(NULL AS BOOLEAN)",
        "description": f"nullif(concat_ws(chr(10), {texts}), '')",
        "source": literal(preset_source("yc", path)),
    }
    select = ", ".join(f"{sql} AS {name}" for name, sql in columns.items())
    # The YC directory's long descriptions span lines inside quotes: DuckDB's parallel reader refuses them.
    con.execute(
        f"CREATE TEMP TABLE accounts AS SELECT {select} FROM read_csv({literal(path)}, all_varchar = true, parallel = false)"
    )
    return "accounts"


def case_of(column: str, mapping: dict[str, str]) -> str:
    """A CASE mapping a column's values (NULL for any other)."""
    return "CASE " + " ".join(f"WHEN {column} = {literal(k)} THEN {literal(v)}" for k, v in mapping.items()) + " END"


LOADERS = {"apollo": load_apollo_csv, "yc": load_yc_csv}
FORMULA_START = r"^[=+\-@\t\r]"  # flows/edges/files.py: a cell a spreadsheet would evaluate


def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    spec = load_spec(args.icp)
    con = duckdb.connect()
    source = LOADERS[args.csv_preset](con, args.universe) if args.csv_preset else f"read_parquet('{args.universe}')"
    quartiles, counts = universe_stats(con, source, spec)
    edits = candidates(spec, quartiles, counts)

    filters, disqualifiers = spec.get("filters", []), spec.get("disqualifiers", [])
    criteria, min_score = spec["scoring"].get("criteria", []), spec["scoring"].get("min_score", 0)
    tiers = spec["scoring"].get("tiers", {})
    columns = [f"{predicate(f, args.as_of)} AS f{i}" for i, f in enumerate(filters)]
    columns += [f"coalesce({predicate(d, args.as_of)}, FALSE) AS d{j}" for j, d in enumerate(disqualifiers)]
    score = (
        " + ".join(f"(CASE WHEN {predicate(c, args.as_of)} THEN {int(c['points'])} ELSE 0 END)" for c in criteria)
        or "0"
    )
    columns.append(f"({score}) AS score")
    columns += [
        f"coalesce({predicate(e['filter'], args.as_of)}, FALSE) AS r{n}" for n, e in enumerate(edits) if e.get("filter")
    ]

    passes = [f"coalesce(f{i}, FALSE)" for i in range(len(filters))]
    kept = " AND ".join([*passes, *(f"NOT d{j}" for j in range(len(disqualifiers)))]) or "TRUE"
    target = f"{kept} AND score >= {min_score}"
    aggregates = ["count(*)"]
    for i in range(len(filters)):
        reached = " AND ".join(["TRUE", *passes[:i]])
        aggregates += [f"count_if({reached} AND NOT {passes[i]})", f"count_if({reached} AND f{i} IS NULL)"]
    for j in range(len(disqualifiers)):
        reached = " AND ".join(["TRUE", *passes, *(f"NOT d{k}" for k in range(j))])
        aggregates += [f"count_if({reached} AND d{j})", "0"]
    aggregates += [f"count_if({kept} AND score < {min_score})", "0"]
    upper = None
    for threshold in tiers.values():
        aggregates.append(
            f"count_if({target} AND score >= {threshold}" + (f" AND score < {upper})" if upper is not None else ")")
        )
        upper = threshold
    aggregates.append(f"count_if({target} AND score < {min(tiers.values())})" if tiers else f"count_if({target})")
    for n, e in enumerate(edits):
        if "min_score" in e:
            aggregates.append(f"count_if({kept} AND score >= {e['min_score']})")
        else:
            others = [p for i, p in enumerate(passes) if i != e["index"]] + ([f"r{n}"] if e["filter"] else [])
            rest = " AND ".join([*others, *(f"NOT d{j}" for j in range(len(disqualifiers)))]) or "TRUE"
            aggregates.append(f"count_if({rest} AND score >= {min_score})")
    row = con.execute(
        f"WITH flags AS MATERIALIZED (SELECT {', '.join(columns)} FROM {source}) SELECT {', '.join(aggregates)} FROM flags"
    ).fetchone()

    universe, rest = row[0], list(row[1:])
    n_steps = len(filters) + len(disqualifiers) + 1
    steps = [(rest[2 * k], rest[2 * k + 1]) for k in range(n_steps)]
    rest = rest[2 * n_steps :]
    tier_counts = dict(zip(tiers, rest[: len(tiers)]))
    untiered = rest[len(tiers)]
    payload = result(spec, universe, steps, tier_counts, untiered, edits, rest[len(tiers) + 1 :])
    write(args.out, payload)

    # The target list itself: a second scan that keeps only the targets, best first.
    tier = (
        "CASE " + " ".join(f"WHEN score >= {t} THEN {literal(name)}" for name, t in tiers.items()) + " END"
        if tiers
        else "NULL"
    )
    keep = (
        " AND ".join(
            [
                *(f"coalesce({predicate(f, args.as_of)}, FALSE)" for f in filters),
                *(f"NOT coalesce({predicate(d, args.as_of)}, FALSE)" for d in disqualifiers),
            ]
        )
        or "TRUE"
    )
    if not args.out_dir:
        con.execute(
            f"COPY (SELECT *, {tier} AS tier FROM (SELECT *, ({score}) AS score FROM {source} WHERE {keep}) "
            f"WHERE score >= {min_score} ORDER BY score DESC, account_id) TO {literal(args.targets)} (FORMAT parquet)"
        )
        return
    # What `outbound target` writes: the list with every target's reasons, as Parquet and as CSV.
    reasons = reasons_sql(criteria, args.as_of)
    con.execute(
        f"CREATE TEMP TABLE targets AS SELECT *, {tier} AS tier, {reasons} AS reasons FROM "
        f"(SELECT *, ({score}) AS score FROM {source} WHERE {keep}) WHERE score >= {min_score} "
        "ORDER BY score DESC, account_id"
    )
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con.execute(f"COPY targets TO {literal(str(out / 'targets.parquet'))} (FORMAT parquet)")
    # Lists joined by `;`, and formula-safe as the command writes it: a text cell a spreadsheet would
    # evaluate ("+2 sweet-spot ...", "=HYPERLINK(...)") starts with a `'`.
    described = con.execute("DESCRIBE targets").fetchall()
    text = {name: f"array_to_string({name}, ';')" for name, dtype, *_ in described if dtype.endswith("[]")}
    text |= {name: name for name, dtype, *_ in described if dtype == "VARCHAR"}
    quote = literal("'")
    safe = ", ".join(
        f"CASE WHEN regexp_matches({sql}, {literal(FORMULA_START)}) THEN {quote} || {sql} ELSE {sql} END AS {name}"
        for name, sql in text.items()
    )
    select = f"SELECT * REPLACE ({safe}) FROM targets" if text else "SELECT * FROM targets"
    con.execute(f"COPY ({select}) TO {literal(str(out / 'targets.csv'))} (FORMAT csv, HEADER)")
    write_command_outputs(args.out_dir, spec, payload)


if __name__ == "__main__":
    main()
