"""A seeded, vectorized universe of accounts in the canonical ACCOUNT_SCHEMA.

Every column is drawn for all rows at once with numpy and assembled in Polars, so ten million
accounts are a matter of seconds per million and can be produced chunk by chunk
(`iter_account_chunks`). The correlations a growth team expects are built in: revenue follows
size, later funding stages follow size and age, Salesforce displaces HubSpot as companies grow,
pain points follow industry and stack. Identifiers are unique by construction: the row number
is mapped through a seeded permutation onto brand x domain-shape combinations.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import polars as pl

from targeting.columns import ACCOUNT_SCHEMA, FUNDING_STAGES
from targeting.sample.lists import bernoulli, gather, list_column, logit_table, pick, sigmoid
from targeting.sample.signals import draw_signals
from targeting.sample.words import (
    BRAND_PREFIXES,
    BRAND_ROOTS,
    COUNTRIES,
    COUNTRY_TLDS,
    DOMAIN_PATTERNS,
    NAME_DESCRIPTORS,
    TAGS,
)
from targeting.vocabulary import INDUSTRIES, TECH_STACK

# Industry skew (same order as vocabulary.INDUSTRIES) and how much bigger its companies run.
INDUSTRY_WEIGHTS = (20, 9, 7, 8, 4, 5, 4, 4, 5, 5, 4, 3, 3, 7, 5, 7)
INDUSTRY_SIZE = {"manufacturing": 2.5, "logistics": 1.6, "consulting": 1.2, "devtools": 0.7}
# Share of accounts whose export lacks the value: real data is incomplete.
NULL_SHARES = {
    "industry": 0.03,
    "country": 0.025,
    "employees": 0.02,
    "revenue_usd": 0.10,
    "founded_year": 0.03,
    "funding_stage": 0.04,
}
_MEDIAN_EMPLOYEES = 60
_COMBOS = len(BRAND_PREFIXES) * len(BRAND_ROOTS) * len(DOMAIN_PATTERNS)  # 2**15
_CRM = ("salesforce", "hubspot", "pipedrive")
# Non-CRM tools: (log-odds at 60 employees, slope per log-employee, {industry: boost}).
_TECH = {
    "zendesk": (-1.6, 0.3, {"ecommerce": 0.8, "saas": 0.3}),
    "intercom": (-1.6, 0.0, {"saas": 0.8, "devtools": 0.5}),
    "segment": (-2.2, 0.2, {"saas": 0.6, "ecommerce": 0.6, "martech": 0.8}),
    "snowflake": (-2.8, 0.7, {"fintech": 0.5, "saas": 0.4}),
    "bigquery": (-2.6, 0.4, {"martech": 0.5, "ecommerce": 0.5}),
    "dbt": (-2.8, 0.5, {"saas": 0.4, "fintech": 0.4}),
    "aws": (0.3, 0.2, {"devtools": 0.5, "saas": 0.4, "manufacturing": -1.0, "consulting": -1.0}),
    "gcp": (-1.8, 0.1, {}),
    "azure": (-1.6, 0.4, {"manufacturing": 1.0, "consulting": 0.8, "healthtech": 0.4}),
    "stripe": (-1.2, -0.1, {"saas": 1.0, "fintech": 0.8, "ecommerce": 1.2, "marketplace": 1.2}),
    "shopify": (-4.0, 0.0, {"ecommerce": 4.0}),
    "slack": (0.8, 0.1, {"manufacturing": -1.5, "consulting": -0.5}),
    "jira": (-0.2, 0.4, {"devtools": 1.2, "saas": 0.8, "cybersecurity": 0.8}),
    "github": (-0.4, 0.2, {"devtools": 2.0, "saas": 1.0, "manufacturing": -1.5}),
    "okta": (-3.0, 0.9, {"cybersecurity": 1.0, "fintech": 0.6}),
    "marketo": (-3.5, 0.9, {"martech": 0.5}),
    "outreach": (-3.0, 0.7, {"saas": 0.5}),
    "gong": (-3.2, 0.7, {"saas": 0.6}),
    "looker": (-2.6, 0.4, {}),
    "tableau": (-2.6, 0.6, {"manufacturing": 0.3}),
    "kubernetes": (-2.5, 0.5, {"devtools": 1.5, "cybersecurity": 0.8, "saas": 0.5}),
}
_TAG_ODDS = (1.0, -1.4, -1.1, -1.3, -2.0, -1.2, -1.8, -2.6, -2.2)


def generate_accounts(n: int, seed: int = 7, as_of: date | None = None, *, start: int = 0) -> pl.DataFrame:
    """`n` accounts with exactly ACCOUNT_SCHEMA, the same for the same arguments.

    Args:
        n: How many accounts.
        seed: The random seed; another seed gives other companies.
        as_of: The day signals are dated against (`signals_at` is on or before it); today if None.
        start: The global row number of the first account, so chunks of a big universe
            (see `iter_account_chunks`) keep unique ids and domains.

    Returns:
        The accounts; `is_customer` is False (the sample's customers are planted later).
    """
    if n < 0 or start < 0:
        raise ValueError(f"n and start must be >= 0, got n={n!r}, start={start!r}")
    as_of = as_of or date.today()
    rng = np.random.default_rng([seed, start])
    industry = pick(rng, INDUSTRY_WEIGHTS, n)
    size_factor = np.ones(len(INDUSTRIES) + 1)
    for key, factor in INDUSTRY_SIZE.items():
        size_factor[INDUSTRIES.index(key)] = factor
    # Mostly a log-normal around 60 people, plus a thin enterprise tail reaching past 50,000.
    log_emp = rng.normal(np.log(_MEDIAN_EMPLOYEES), 1.3, n)
    enterprise = rng.random(n) < 0.02
    log_emp[enterprise] = rng.normal(np.log(2500), 1.3, enterprise.sum())
    employees = np.clip(np.rint(np.exp(log_emp) * size_factor[industry]), 1, 400_000).astype(np.int64)
    size = np.log(employees) - np.log(_MEDIAN_EMPLOYEES)
    age = np.clip(np.rint(np.exp(rng.normal(0.8 + 0.3 * np.log(employees), 0.5))), 0, 120)
    country = pick(rng, [c[2] for c in COUNTRIES], n)
    stage = _funding_stage(rng, size, age, industry)
    tech = _tech_stack(rng, size, industry)
    signals = draw_signals(rng, size, industry, stage, tech, as_of)
    revenue = employees * np.exp(rng.normal(np.log(120_000), 0.45, n))
    tags = bernoulli(rng, np.broadcast_to(np.array(_TAG_ODDS), (n, len(TAGS))))
    ids = _permuted_ids(seed, start, n)
    brand = gather(BRAND_PREFIXES, (ids % len(BRAND_PREFIXES)).astype(np.uint32)) + gather(
        BRAND_ROOTS, (ids // len(BRAND_PREFIXES) % len(BRAND_ROOTS)).astype(np.uint32)
    )
    frame = pl.DataFrame(
        {
            "brand": brand,
            "pattern": ids // (len(BRAND_PREFIXES) * len(BRAND_ROOTS)) % len(DOMAIN_PATTERNS),
            "lap": np.arange(start, start + n) // _COMBOS,
            "descriptor": _descriptors(rng, industry),
            "industry": gather(INDUSTRIES, industry.astype(np.uint32)),
            "tags": list_column(tags, TAGS),
            "employees": employees,
            "revenue_usd": np.round(revenue, -3),
            "country": gather([c[0] for c in COUNTRIES], country.astype(np.uint32)),
            "region": gather([c[1] for c in COUNTRIES], country.astype(np.uint32)),
            "funding_stage": gather(FUNDING_STAGES, stage.astype(np.uint32)),
            "founded_year": as_of.year - age.astype(np.int64),
            "tech_stack": list_column(tech, TECH_STACK),
            **signals,
            "local_tld": rng.random(n) < 0.5,
        }
    )
    return _assemble(frame, rng).select([pl.col(name).cast(dtype) for name, dtype in ACCOUNT_SCHEMA.items()])


def iter_account_chunks(
    n: int, seed: int = 7, as_of: date | None = None, chunk_size: int = 1_000_000
) -> Iterator[pl.DataFrame]:
    """A universe of `n` accounts in frames of at most `chunk_size`, ids unique across chunks.

    Each chunk is `generate_accounts(size, seed, as_of, start=offset)`, so a benchmark can
    write 10M accounts to Parquet one chunk at a time without holding them all in memory.
    """
    if chunk_size <= 0:
        raise ValueError(f"chunk_size must be positive, got {chunk_size!r}")
    as_of = as_of or date.today()
    for offset in range(0, n, chunk_size):
        yield generate_accounts(min(chunk_size, n - offset), seed, as_of, start=offset)


def _permuted_ids(seed: int, start: int, n: int) -> np.ndarray:
    """Row numbers scrambled by a seeded affine bijection modulo 2**15 (odd multiplier)."""
    seeded = np.random.default_rng(seed)
    multiplier = int(seeded.integers(0, _COMBOS // 2)) * 2 + 1
    shift = int(seeded.integers(0, _COMBOS))
    rows = np.arange(start, start + n, dtype=np.int64)
    return (rows % _COMBOS * multiplier + shift) % _COMBOS


def _funding_stage(rng, size, age, industry) -> np.ndarray:
    """Stage index into FUNDING_STAGES: later with size and age; some bootstrapped or acquired."""
    latent = 0.9 * size + 0.03 * age + rng.normal(0.0, 0.7, size.shape[0])
    # Cut points on the latent scale for pre_seed | seed | a | b | c | d+ | public.
    ladder = np.searchsorted([-1.6, -0.6, 0.3, 1.0, 1.7, 3.2], latent)
    stage = np.array([1, 2, 3, 4, 5, 6, 7])[ladder]
    traditional = np.isin(industry, [INDUSTRIES.index(k) for k in ("manufacturing", "consulting", "media")])
    bootstrapped = rng.random(size.shape[0]) < np.where(traditional, 0.5, 0.16)
    stage = np.where(bootstrapped & (stage < 7), 0, stage)
    return np.where(rng.random(size.shape[0]) < 0.03, 8, stage)


def _tech_stack(rng, size, industry) -> np.ndarray:
    """A membership matrix over TECH_STACK: one CRM at most, Salesforce more likely when larger."""
    n = size.shape[0]
    mask = np.zeros((n, len(TECH_STACK)), dtype=bool)
    p_salesforce = 0.05 + 0.85 * sigmoid(1.3 * (size - np.log(5.0)))
    p_hubspot = (1 - p_salesforce) * 0.55
    p_pipedrive = (1 - p_salesforce) * 0.12
    roll = rng.random(n)
    edges = np.cumsum(np.stack([p_salesforce, p_hubspot, p_pipedrive]), axis=0)
    crm = (roll[None, :] >= edges).sum(axis=0)  # 0, 1, 2, or 3 = no CRM
    for j, name in enumerate(_CRM):
        mask[:, TECH_STACK.index(name)] = crm == j
    others = [t for t in TECH_STACK if t not in _CRM]
    base, slope, boost = logit_table(others, INDUSTRIES, _TECH)
    log_odds = base[None, :] + slope[None, :] * size[:, None] + boost[industry]
    mask[:, [TECH_STACK.index(t) for t in others]] = bernoulli(rng, log_odds)
    return mask


def _descriptors(rng, industry) -> pl.Series:
    """The word after the brand in a display name, typical of the industry ("Pay", "Health")."""
    width = len(next(iter(NAME_DESCRIPTORS.values())))
    flat = [word for key in INDUSTRIES for word in NAME_DESCRIPTORS[key]]
    return gather(flat, (industry * width + rng.integers(0, width, industry.shape[0])).astype(np.uint32))


def _assemble(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Names, unique domains (account_id = domain), status, and the nulls of a real export."""
    prefixes = pl.Series([p for p, _ in DOMAIN_PATTERNS])
    suffixes = pl.Series([s for _, s in DOMAIN_PATTERNS])
    lap = pl.when(pl.col("lap") > 0).then(pl.col("lap").cast(pl.String)).otherwise(pl.lit(""))
    # Only the plain ".com" shape turns local, so no two shapes can yield the same domain.
    tld = (
        pl.when((pl.col("pattern") == 0) & pl.col("local_tld"))
        .then(pl.col("country").replace_strict(COUNTRY_TLDS, default=".com"))
        .otherwise(pl.lit(suffixes).gather(pl.col("pattern")))
    )
    domain = pl.concat_str(pl.lit(prefixes).gather(pl.col("pattern")), pl.col("brand").str.to_lowercase(), lap, tld)
    name = pl.concat_str(pl.col("brand"), pl.col("descriptor"), separator=" ").str.strip_chars()
    n = frame.height
    masks = {col: rng.random(n) < share for col, share in NULL_SHARES.items()}
    nulls = [
        pl.when(pl.lit(pl.Series(mask))).then(None).otherwise(pl.col(col)).alias(col) for col, mask in masks.items()
    ]
    return frame.with_columns(domain.alias("domain"), name.alias("name")).with_columns(
        pl.col("domain").alias("account_id"),
        *nulls,
        pl.when(pl.lit(pl.Series(masks["country"]))).then(None).otherwise(pl.col("region")).alias("region"),
        pl.when(pl.col("funding_stage") == "acquired")
        .then(pl.lit("acquired"))
        .when(pl.lit(pl.Series(rng.random(n) < 0.02)))
        .then(pl.lit("inactive"))
        .otherwise(pl.lit("active"))
        .alias("status"),
        pl.lit(False).alias("is_customer"),
        # The sample's facts are drawn as lists already; it has no text to read them from.
        pl.lit(None, pl.String).alias("description"),
        pl.lit("sample").alias("source"),
    )
