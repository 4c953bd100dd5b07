"""Generated account universes for the targeting benchmark: 1M or 10M canonical accounts as Parquet.

The universe is written in 1M-row parts under `bench/data/universe-<n>-seed<seed>/` (git-ignored) and
reused by later runs with the same size and seed. Columns and types are exactly
`targeting.columns.ACCOUNT_SCHEMA` (lists as List[String]); values come from the shared vocabulary
with skewed popularity and a few percent of nulls, so every filter and criterion has something to
count as `unknown`.

The generator is numpy over whole columns: per-row Python would take minutes at 10M rows.

    python bench/make_universe.py --size 10m [--seed 7] [--layout canonical|nofacts|apollo|yc]

Layouts (what a user's file looks like; each written once next to the universe and reused):
`nofacts`, the canonical Parquet without pain_points, growth_signals and prior_solutions (the facts
step derives them); `apollo`, an Apollo Companies CSV (`--apollo-csv`); `yc`, a YC directory CSV whose
descriptions are the real directory's (`YC_DIRECTORY`), one per account, so the facts step reads the
words real companies write.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from targeting.columns import ACCOUNT_SCHEMA, FUNDING_STAGES  # noqa: E402
from targeting.vocabulary import (  # noqa: E402
    GROWTH_SIGNALS,
    HIRING_ROLES,
    INDUSTRIES,
    PAIN_POINTS,
    PRIOR_SOLUTIONS,
    TECH_STACK,
)

DATA_DIR = ROOT / "bench" / "data"
PART_ROWS = 1_000_000
AS_OF = dt.date(2026, 1, 1)  # the fixed "today" of the generated signals; the ICP's within_days counts back from it
TAGS = ("b2b", "ai", "api", "enterprise", "smb", "open_source", "remote_first", "vertical_saas")
COUNTRIES = {
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
COUNTRY_WEIGHTS = (30, 5, 9, 7, 5, 3, 2, 2, 9, 3, 4, 3, 5, 3)
FUNDING_WEIGHTS = (18, 6, 16, 14, 10, 6, 5, 5, 4)
STATUSES = ("active", "active", "active", "acquired", "inactive")
SOURCES = ("bench",)
# What the company says it does: a few phrasings, a tenth unknown (real exports often lack one).
DESCRIPTIONS = (
    "Workflow software for finance teams.",
    "An API platform that developers use to ship faster.",
    "We help sales teams forecast pipeline with fewer spreadsheets.",
    "Open source observability for cloud infrastructure.",
    "A marketplace connecting clinics and patients.",
    "Security monitoring for mid-market companies.",
)


def parse_size(text: str) -> int:
    """'1m' -> 1_000_000, '100k' -> 100_000, '2500' -> 2500."""
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    digits = text[:-1] if scale != 1 else text
    try:
        value = int(float(digits) * scale)
    except ValueError:
        raise SystemExit(f"size {text!r} is not a number like 100k, 1m or 10m") from None
    if value <= 0:
        raise SystemExit(f"size {text!r} must be positive")
    return value


def universe_dir(n: int, seed: int) -> Path:
    """Where the universe of `n` accounts with `seed` lives (the cache key is size and seed)."""
    return DATA_DIR / f"universe-{n}-seed{seed}"


def ensure_universe(n: int, seed: int = 7, log: bool = True) -> Path:
    """Generate the universe unless a complete one is cached; return its directory.

    Args:
        n: number of accounts.
        seed: random seed; each part derives its own stream from (seed, part index).
        log: print progress to stderr.

    Returns:
        The directory holding `part-XXXXX.parquet` files (glob `*.parquet`).
    """
    out = universe_dir(n, seed)
    if (out / "_SUCCESS").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index, start in enumerate(range(0, n, PART_ROWS)):
        rows = min(PART_ROWS, n - start)
        rng = np.random.default_rng([seed, index])
        generate_part(rng, start, rows).write_parquet(out / f"part-{index:05d}.parquet", row_group_size=256_000)
        if log:
            print(
                f"  universe {n}: part {index} ({start + rows:,} rows) {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
    (out / "_SUCCESS").write_text(f"{n} {seed}\n")
    return out


def generate_part(rng: np.random.Generator, start: int, rows: int) -> pl.DataFrame:
    """One part of the universe: `rows` accounts numbered from `start`, in ACCOUNT_SCHEMA order."""
    ids = np.arange(start, start + rows)
    id_text = pl.Series(ids).cast(pl.String)
    domain = "acct" + id_text + ".example"
    employees = np.round(rng.lognormal(mean=4.2, sigma=1.4, size=rows)).astype(np.int64) + 1
    revenue = employees * rng.lognormal(mean=11.8, sigma=0.5, size=rows)
    country_idx = _weighted(rng, COUNTRY_WEIGHTS, rows)
    countries = np.array(list(COUNTRIES))
    regions = np.array(list(COUNTRIES.values()))
    signal_age = rng.integers(0, 400, size=rows)
    columns = {
        "account_id": domain,
        "name": "Account " + id_text,
        "domain": domain,
        "industry": _with_nulls(rng, np.array(INDUSTRIES)[_zipf_index(rng, len(INDUSTRIES), rows)], 0.04),
        "tags": _list_column(rng, TAGS, rows, mean_items=1.5),
        "employees": _with_nulls(rng, employees, 0.03),
        "revenue_usd": _with_nulls(rng, np.round(revenue, 0), 0.2),
        "country": _with_nulls(rng, countries[country_idx], 0.05),
        "region": regions[country_idx],
        "funding_stage": _with_nulls(rng, np.array(FUNDING_STAGES)[_weighted(rng, FUNDING_WEIGHTS, rows)], 0.08),
        "founded_year": _with_nulls(rng, rng.integers(1990, 2026, size=rows), 0.02),
        "tech_stack": _list_column(rng, TECH_STACK, rows, mean_items=4.0, null_share=0.06),
        "hiring_roles": _list_column(rng, HIRING_ROLES, rows, mean_items=1.2, null_share=0.1),
        "growth_signals": _list_column(rng, GROWTH_SIGNALS, rows, mean_items=1.0),
        "pain_points": _list_column(rng, PAIN_POINTS, rows, mean_items=2.0),
        "prior_solutions": _list_column(rng, PRIOR_SOLUTIONS, rows, mean_items=1.0),
        "signals_at": _with_nulls(rng, np.datetime64(AS_OF) - signal_age.astype("timedelta64[D]"), 0.15),
        "status": np.array(STATUSES)[rng.integers(0, len(STATUSES), size=rows)],
        "is_customer": rng.random(rows) < 0.01,
        "description": _with_nulls(rng, np.array(DESCRIPTIONS)[rng.integers(0, len(DESCRIPTIONS), size=rows)], 0.1),
        "source": np.full(rows, SOURCES[0]),
    }
    frame = pl.DataFrame({name: _series(name, value) for name, value in columns.items()})
    # Nulls in a country mean an unknown region too: region is derived from country.
    frame = frame.with_columns(
        pl.when(pl.col("country").is_null()).then(None).otherwise(pl.col("region")).alias("region")
    )
    return frame.cast(ACCOUNT_SCHEMA)


def _series(name: str, value: object) -> pl.Series:
    if isinstance(value, pl.Series):
        return value.alias(name)
    if isinstance(value, pa.Array):
        return pl.Series(name, pl.from_arrow(value))
    if isinstance(value, np.ma.MaskedArray):
        return _masked(name, value)
    return pl.Series(name, value)


def _masked(name: str, value: np.ma.MaskedArray) -> pl.Series:
    series = pl.Series(name, value.data)
    return pl.select(pl.when(pl.Series(value.mask)).then(None).otherwise(series).alias(name)).to_series()


def _with_nulls(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ma.MaskedArray:
    return np.ma.masked_array(values, mask=rng.random(len(values)) < share)


def _weighted(rng: np.random.Generator, weights: tuple[int, ...], rows: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=rows, p=p / p.sum())


def _zipf_index(rng: np.random.Generator, k: int, rows: int) -> np.ndarray:
    # Real universes are skewed: a few industries hold most accounts.
    p = 1.0 / np.arange(1, k + 1) ** 0.9
    return rng.choice(k, size=rows, p=p / p.sum())


def _list_column(
    rng: np.random.Generator, vocabulary: tuple[str, ...], rows: int, mean_items: float, null_share: float = 0.0
) -> pa.Array:
    """A List[String] column: each item kept independently with a skewed probability, order by vocabulary.

    An empty list is a known "none"; a null list (share `null_share`) is unknown, as in real exports.
    """
    popularity = 1.0 / np.arange(1, len(vocabulary) + 1) ** 0.7
    popularity = popularity / popularity.sum() * mean_items
    mask = rng.random((rows, len(vocabulary)), dtype=np.float32) < np.minimum(popularity, 0.95).astype(np.float32)
    _, item = np.nonzero(mask)
    offsets = np.zeros(rows + 1, dtype=np.int32)
    np.cumsum(mask.sum(axis=1), out=offsets[1:])
    values = pa.array(vocabulary, type=pa.large_string()).take(pa.array(item.astype(np.int32)))
    unknown = pa.array(rng.random(rows) < null_share) if null_share else None
    return pa.LargeListArray.from_arrays(pa.array(offsets.astype(np.int64)), values, mask=unknown)


# Apollo's words for the funding stages (its `Latest Funding` column), as its exports spell them.
APOLLO_FUNDING = {
    "bootstrapped": "Bootstrapped",
    "pre_seed": "Angel",
    "seed": "Seed",
    "series_a": "Series A",
    "series_b": "Series B",
    "series_c": "Series C",
    "series_d_plus": "Series D",
    "public": "IPO",
    "acquired": "Acquired",
}


def apollo_csv(universe: Path) -> Path:
    """The universe as an Apollo Companies export (docs/presets.md, `apollo`): its headers and words.

    `Website` is a URL, lists are comma-separated, the funding stage is Apollo's word, and columns
    the preset does not read (LinkedIn, phone) are there as in a real export. The canonical columns
    Apollo has no column for (hiring roles, growth signals, pain points, prior solutions, is_customer)
    are left out. Written once next to the universe and reused.
    """
    path = universe.parent / f"{universe.name}-apollo.csv"
    if path.exists():
        return path
    frame = pl.scan_parquet(universe / "*.parquet").select(
        pl.col("account_id").alias("Apollo Account Id"),
        pl.col("name").alias("Company"),
        pl.col("name").alias("Company Name for Emails"),
        ("http://www." + pl.col("domain")).alias("Website"),
        ("http://www.linkedin.com/company/" + pl.col("account_id")).alias("Company Linkedin Url"),
        pl.col("employees").alias("# Employees"),
        pl.col("industry").alias("Industry"),
        _comma_joined("tags").alias("Keywords"),
        _comma_joined("tech_stack").alias("Technologies"),
        pl.col("country").alias("Company Country"),
        pl.lit("+1 555 0100").alias("Company Phone"),
        pl.col("revenue_usd").alias("Annual Revenue"),
        pl.col("funding_stage").replace_strict(APOLLO_FUNDING, default=None).alias("Latest Funding"),
        pl.col("signals_at").alias("Latest Funding Date"),
        pl.col("founded_year").alias("Founded Year"),
        pl.col("status").alias("Account Stage"),
        pl.col("description").alias("Short Description"),
    )
    partial = path.with_suffix(".partial")
    frame.sink_csv(partial, engine="streaming")
    partial.rename(path)
    return path


def _comma_joined(column: str) -> pl.Expr:
    """A list as Apollo writes it: `a, b`; an empty cell for no values."""
    values = pl.col(column)
    return pl.when(values.list.len() > 0).then(values.list.join(", "))


# The real YC directory (/work/shared/data, SOURCES.md there); the repository's slice where it is absent.
YC_DIRECTORY = ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv"
YC_SLICE = ROOT / "tests" / "data" / "yc_companies_slice.csv"
FACT_COLUMNS = ("pain_points", "growth_signals", "prior_solutions")
LAYOUTS = ("canonical", "nofacts", "apollo", "yc")
# YC's words for an account's status; a public or acquired company says so instead of "Active".
YC_STATUS = {"active": "Active", "acquired": "Acquired", "inactive": "Inactive"}


def without_facts(universe: Path) -> Path:
    """The universe's parts without the three fact columns, as a canonical export that lacks them."""
    out = universe.parent / f"{universe.name}-nofacts"
    if (out / "_SUCCESS").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    for part in sorted(universe.glob("*.parquet")):
        pl.read_parquet(part).drop(FACT_COLUMNS).write_parquet(out / part.name, row_group_size=256_000)
    (out / "_SUCCESS").write_text("nofacts\n")
    return out


def yc_descriptions() -> pl.DataFrame:
    """The YC directory's (short, long) descriptions, trimmed, blanks null, numbered from 0."""
    source = YC_DIRECTORY if YC_DIRECTORY.exists() else YC_SLICE
    texts = [
        pl.col(c).str.replace_all("\r", "", literal=True).str.strip_chars()
        for c in ("short_description", "long_description")
    ]
    return (
        pl.read_csv(source, infer_schema=False, columns=["short_description", "long_description"])
        .select([pl.when(t.str.len_bytes() > 0).then(t).alias(c) for t, c in zip(texts, ("short", "long"))])
        .with_row_index("pick")
    )


def yc_csv(universe: Path) -> Path:
    """The universe as a YC directory export (docs/presets.md, `yc`): its headers, list literals, decimals.

    `tags` is a Python list literal whose first item is the industry (kebab case, as YC writes
    tags), `team_size` and `year_founded` are decimals ("12.0"), `website` a URL, `status` YC's word
    (a public or acquired company's funding stage is its status), and each account's two descriptions
    are a real YC company's, picked by the account's number. Columns the preset does not read
    (batch, location, founders, links) are there as in the real file.
    """
    path = universe.parent / f"{universe.name}-yc.csv"
    if path.exists():
        return path
    texts = yc_descriptions()
    items = pl.concat_list(
        pl.col("industry").str.replace_all("_", "-", literal=True),
        pl.col("tags").list.eval(pl.element().str.replace_all("_", "-", literal=True)),
    ).list.drop_nulls()
    status = (
        pl.when(pl.col("funding_stage") == "public")
        .then(pl.lit("Public"))
        .when(pl.col("funding_stage") == "acquired")
        .then(pl.lit("Acquired"))
        .otherwise(pl.col("status").replace_strict(YC_STATUS, default=None))
    )
    frame = (
        pl.scan_parquet(universe / "*.parquet")
        .with_row_index("number")
        .with_columns(pick=(pl.col("number") * 7919 % texts.height).cast(pl.UInt32))
        .join(texts.lazy(), on="pick", how="left", maintain_order="left")
        .select(
            pl.col("number").cast(pl.String).alias("company_id"),
            pl.col("name").alias("company_name"),
            pl.col("short").alias("short_description"),
            pl.col("long").alias("long_description"),
            pl.lit("W24").alias("batch"),
            status.alias("status"),
            ("['" + items.list.join("', '") + "']").str.replace("['']", "[]", literal=True).alias("tags"),
            pl.lit("San Francisco").alias("location"),
            pl.col("country"),
            (pl.col("founded_year").cast(pl.String) + ".0").alias("year_founded"),
            pl.lit("2").alias("num_founders"),
            pl.lit("['Ada Lovelace', 'Alan Turing']").alias("founders_names"),
            (pl.col("employees").cast(pl.String) + ".0").alias("team_size"),
            ("https://" + pl.col("domain") + "/").alias("website"),
            pl.lit("").alias("cb_url"),
            ("https://www.linkedin.com/company/" + pl.col("account_id")).alias("linkedin_url"),
        )
    )
    partial = path.with_suffix(".partial")
    frame.sink_csv(partial, engine="streaming")
    partial.rename(path)
    return path


def layout_path(universe: Path, layout: str) -> Path:
    """The file (CSV) or directory of parts (Parquet) holding the universe in `layout`."""
    return {
        "canonical": lambda: universe,
        "nofacts": lambda: without_facts(universe),
        "apollo": lambda: apollo_csv(universe),
        "yc": lambda: yc_csv(universe),
    }[layout]()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", help="accounts: 100k, 1m, 10m, ...")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--apollo-csv", action="store_true", help="also write it as an Apollo export (CSV)")
    parser.add_argument("--layout", choices=LAYOUTS, default="canonical", help="the file a user would have")
    args = parser.parse_args(argv)
    universe = ensure_universe(parse_size(args.size), args.seed)
    print(layout_path(universe, "apollo" if args.apollo_csv else args.layout))


if __name__ == "__main__":
    main()
