"""The shared vocabulary of account facts.

The sample universe draws pain points, growth signals and prior solutions from these keys,
`facts.yaml` says what evidences each in a real export, and `messaging.yaml` maps the same keys to copy lines, so a generated account always has copy that
fits it. Real exports may carry other values: they are kept as they are (normalized to
lower snake case) and fall back to honest generic lines in messaging.
"""

from __future__ import annotations

INDUSTRIES = (
    "saas",
    "fintech",
    "healthtech",
    "ecommerce",
    "marketplace",
    "devtools",
    "cybersecurity",
    "edtech",
    "logistics",
    "martech",
    "hr_tech",
    "insurtech",
    "proptech",
    "manufacturing",
    "media",
    "consulting",
)

TECH_STACK = (
    "salesforce",
    "hubspot",
    "pipedrive",
    "zendesk",
    "intercom",
    "segment",
    "snowflake",
    "bigquery",
    "dbt",
    "aws",
    "gcp",
    "azure",
    "stripe",
    "shopify",
    "slack",
    "jira",
    "github",
    "okta",
    "marketo",
    "outreach",
    "gong",
    "looker",
    "tableau",
    "kubernetes",
)

HIRING_ROLES = (
    "sales",
    "revops",
    "marketing",
    "engineering",
    "data",
    "security",
    "customer_success",
    "finance",
    "operations",
    "product",
)

PAIN_POINTS = (
    "manual_reporting",
    "pipeline_visibility",
    "data_silos",
    "slow_onboarding",
    "rising_cac",
    "churn_risk",
    "compliance_burden",
    "security_reviews",
    "tool_sprawl",
    "forecast_accuracy",
    "lead_routing",
    "scaling_support",
)

GROWTH_SIGNALS = (
    "raised_funding",
    "hiring_sales",
    "hiring_engineering",
    "new_market_expansion",
    "new_product_launch",
    "new_executive",
    "headcount_growth",
    "new_office",
    "partnership_announced",
)

# Growth signals read from real exports' own text (`targeting.facts`) and never drawn for the sample
# universe, so the sample stays exactly what its seed made it; messaging.yaml has their lines too.
TEXT_GROWTH_SIGNALS = ("customer_traction",)

PRIOR_SOLUTIONS = (
    "spreadsheets",
    "in_house_scripts",
    "legacy_bi",
    "agency",
    "point_solution",
    "crm_reports",
    "consultants",
    "open_source_tool",
)
