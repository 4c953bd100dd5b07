"""Hiring, growth signals, pain points and prior solutions for sample accounts, all vectorized.

Draws follow the account's size, industry, funding stage and stack so the copy a draft builds
from them reads true: a Salesforce shop worries about forecasts, a fintech about compliance,
a company hiring salespeople shows `hiring_sales` as a growth signal.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from targeting.columns import FUNDING_STAGES
from targeting.sample.lists import bernoulli, list_column, logit_table, top_k_mask
from targeting.vocabulary import (
    GROWTH_SIGNALS,
    HIRING_ROLES,
    INDUSTRIES,
    PAIN_POINTS,
    PRIOR_SOLUTIONS,
    TECH_STACK,
)

# role -> (log-odds at 60 employees, slope per log-employee, {industry: boost}).
_HIRING = {
    "sales": (-1.6, 0.35, {"saas": 0.4, "fintech": 0.3}),
    "revops": (-3.2, 0.5, {"saas": 0.5, "fintech": 0.3}),
    "marketing": (-2.0, 0.3, {"martech": 0.5, "ecommerce": 0.4}),
    "engineering": (
        -1.2,
        0.35,
        {"devtools": 0.8, "saas": 0.5, "cybersecurity": 0.5, "manufacturing": -1.0, "consulting": -1.0},
    ),
    "data": (-2.6, 0.4, {"fintech": 0.4}),
    "security": (-3.2, 0.5, {"cybersecurity": 1.2, "fintech": 0.5}),
    "customer_success": (-2.4, 0.35, {"saas": 0.6}),
    "finance": (-2.8, 0.4, {}),
    "operations": (-2.4, 0.3, {"logistics": 0.8, "manufacturing": 0.8}),
    "product": (-2.6, 0.3, {"saas": 0.4, "devtools": 0.4}),
}
# pain -> (log-weight, slope per log-employee, {industry: boost}); stack boosts below.
_PAIN = {
    "manual_reporting": (0.3, -0.2, {"manufacturing": 0.5, "logistics": 0.5}),
    "pipeline_visibility": (0.0, 0.1, {"saas": 0.6, "fintech": 0.3}),
    "data_silos": (-0.3, 0.3, {"healthtech": 0.4, "insurtech": 0.4}),
    "slow_onboarding": (-0.6, 0.0, {"hr_tech": 0.8, "edtech": 0.5, "saas": 0.3}),
    "rising_cac": (-0.4, -0.1, {"ecommerce": 1.0, "martech": 0.8, "marketplace": 0.6}),
    "churn_risk": (-0.4, 0.0, {"saas": 0.6, "edtech": 0.4, "media": 0.4}),
    "compliance_burden": (-0.8, 0.2, {"fintech": 1.4, "insurtech": 1.2, "healthtech": 1.2}),
    "security_reviews": (-1.0, 0.3, {"cybersecurity": 1.0, "fintech": 0.6, "healthtech": 0.6}),
    "tool_sprawl": (-1.0, 0.4, {}),
    "forecast_accuracy": (-0.6, 0.3, {"saas": 0.3, "logistics": 0.4}),
    "lead_routing": (-0.8, 0.2, {"saas": 0.3, "martech": 0.4}),
    "scaling_support": (-0.8, 0.1, {"ecommerce": 0.6, "marketplace": 0.6}),
}
_PAIN_FROM_STACK = (
    ("salesforce", "pipeline_visibility", 0.5),
    ("salesforce", "forecast_accuracy", 0.9),
    ("salesforce", "lead_routing", 0.6),
    ("hubspot", "lead_routing", 0.5),
    ("hubspot", "rising_cac", 0.4),
    ("snowflake", "data_silos", 0.8),
    ("bigquery", "data_silos", 0.6),
    ("okta", "security_reviews", 0.8),
    ("zendesk", "scaling_support", 0.8),
    ("intercom", "scaling_support", 0.6),
)
_PAIN_COUNT = (0.18, 0.37, 0.30, 0.15)  # 0, 1, 2 or 3 pain points
# prior solution -> (log-odds at 60 employees, slope per log-employee, {industry: boost}).
_PRIOR = {
    "spreadsheets": (-0.6, -0.5, {"manufacturing": 0.5, "logistics": 0.5}),
    "in_house_scripts": (-1.8, 0.2, {"devtools": 1.0, "saas": 0.4}),
    "legacy_bi": (-2.6, 0.7, {"manufacturing": 0.6, "insurtech": 0.5}),
    "agency": (-2.2, 0.0, {"martech": 0.8, "ecommerce": 0.8}),
    "point_solution": (-1.8, 0.2, {}),
    "crm_reports": (-1.8, 0.3, {}),
    "consultants": (-2.6, 0.5, {"manufacturing": 0.8, "healthtech": 0.4}),
    "open_source_tool": (-2.4, 0.0, {"devtools": 1.2, "cybersecurity": 0.6}),
}
_FUNDED = [FUNDING_STAGES.index(s) for s in ("seed", "series_a", "series_b", "series_c", "series_d_plus")]
_GROWING = [FUNDING_STAGES.index(s) for s in ("series_a", "series_b", "series_c")]


def draw_signals(rng, size, industry, stage, tech, as_of: date) -> dict[str, pl.Series]:
    """hiring_roles, growth_signals, pain_points, prior_solutions and signals_at columns.

    Args:
        rng: The generator for this chunk.
        size: log(employees / 60) per row.
        industry: Index into INDUSTRIES per row (the true one, even where the export drops it).
        stage: Index into FUNDING_STAGES per row.
        tech: Membership matrix over TECH_STACK.
        as_of: `signals_at` falls within the year before this day.
    """
    n = size.shape[0]
    growing = np.isin(stage, _GROWING)
    mood = rng.normal(0.0, 0.8, n) + 0.6 * growing  # hiring comes in waves, funded firms hire
    base, slope, boost = logit_table(HIRING_ROLES, INDUSTRIES, _HIRING)
    hiring = bernoulli(rng, base[None, :] + slope[None, :] * size[:, None] + boost[industry] + mood[:, None])
    growth = np.zeros((n, len(GROWTH_SIGNALS)), dtype=bool)
    col = GROWTH_SIGNALS.index
    growth[:, col("raised_funding")] = np.isin(stage, _FUNDED) & (rng.random(n) < 0.22)
    growth[:, col("hiring_sales")] = hiring[:, HIRING_ROLES.index("sales")] & (rng.random(n) < 0.8)
    growth[:, col("hiring_engineering")] = hiring[:, HIRING_ROLES.index("engineering")] & (rng.random(n) < 0.8)
    growth[:, col("headcount_growth")] = rng.random(n) < np.where(hiring.sum(axis=1) >= 3, 0.6, 0.08)
    for key, p in (
        ("new_market_expansion", 0.07),
        ("new_product_launch", 0.08),
        ("new_executive", 0.06),
        ("new_office", 0.04),
        ("partnership_announced", 0.05),
    ):
        growth[:, col(key)] = rng.random(n) < p
    # The newest signal is recent more often than not; accounts without one have no date.
    days = np.minimum(rng.exponential(55.0, n).astype(np.int64), 364)
    dated = np.datetime64(as_of, "D") - days.astype("timedelta64[D]")
    has_signal = hiring.any(axis=1) | growth.any(axis=1)
    signals_at = pl.Series(dated).cast(pl.Date)
    signals_at = pl.select(pl.when(pl.lit(pl.Series(has_signal))).then(pl.lit(signals_at))).to_series()
    return {
        "hiring_roles": list_column(hiring, HIRING_ROLES),
        "growth_signals": list_column(growth, GROWTH_SIGNALS),
        "pain_points": list_column(_pain_points(rng, size, industry, tech), PAIN_POINTS),
        "prior_solutions": list_column(_prior_solutions(rng, size, industry, tech), PRIOR_SOLUTIONS),
        "signals_at": signals_at,
    }


def _pain_points(rng, size, industry, tech) -> np.ndarray:
    """0-3 pain points per account, weighted by industry, size and stack."""
    base, slope, boost = logit_table(PAIN_POINTS, INDUSTRIES, _PAIN)
    log_weight = base[None, :] + slope[None, :] * size[:, None] + boost[industry]
    for tool, pain, add in _PAIN_FROM_STACK:
        log_weight[:, PAIN_POINTS.index(pain)] += add * tech[:, TECH_STACK.index(tool)]
    log_weight[:, PAIN_POINTS.index("tool_sprawl")] += 0.25 * np.maximum(tech.sum(axis=1) - 6, 0)
    count = rng.choice(len(_PAIN_COUNT), size=size.shape[0], p=_PAIN_COUNT)
    return top_k_mask(rng, np.exp(log_weight), count)


def _prior_solutions(rng, size, industry, tech) -> np.ndarray:
    """What the account uses today instead; CRM reports only where there is a CRM."""
    base, slope, boost = logit_table(PRIOR_SOLUTIONS, INDUSTRIES, _PRIOR)
    mask = bernoulli(rng, base[None, :] + slope[None, :] * size[:, None] + boost[industry])
    has_crm = tech[:, [TECH_STACK.index(t) for t in ("salesforce", "hubspot", "pipedrive")]].any(axis=1)
    mask[:, PRIOR_SOLUTIONS.index("crm_reports")] &= has_crm
    return mask
