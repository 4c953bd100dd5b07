"""How an account's values read in a sentence: company names, labels, sizes, places, and a stable pick.

A reader notices "Riverkey Dev", "Acme Inc." and "arc.dev" where a person would write Riverkey,
Acme and Arc, and "developer_tools" or "US" where a person writes developer tools and the US.
Everything here is a Polars expression over the whole column; `stable_hash` is the one Python step
(CRC-32 of the account id), so the wording an account gets is the same on every run and machine.
"""

from __future__ import annotations

import zlib

import polars as pl

# Legal forms, dropped from the end of a name ("Veryfi, Inc." -> "Veryfi"), repeatedly.
_LEGAL = (
    r"inc\.?|incorporated|llc|l\.l\.c\.|ltd\.?|limited|gmbh|ag|s\.?a\.?s?|b\.?v\.?|n\.?v\.?|corp\.?|corporation"
    r"|co\.|plc|pty\.? ltd\.?|pty|oy|ab|& co\.?|and co\.?|s\.?r\.?l\.?|sp\. z o\.o\."
)
# Words a name carries to say what kind of company it is, not what people call it ("Riverkey Dev").
_DESCRIPTORS = r"dev|labs|software|systems|group|code|hq|app|technologies|industries"
# A top-level domain at the end of a name that is a domain ("Recall.ai", "highlight.io").
_TLD = r"com|io|ai|dev|co|app|so|xyz|net|org|tech|sh|gg|me|us|ca|cloud|build|run|inc"

# Value -> how a sentence says it (industry, tech and role values are lower snake case).
DISPLAY = {
    "saas": "SaaS",
    "b2b": "B2B",
    "api": "API",
    "ai": "AI",
    "artificial_intelligence": "AI",
    "generative_ai": "generative AI",
    "crypto_web3": "crypto",
    "aiops": "AIOps",
    "devops": "DevOps",
    "mlops": "MLOps",
    "devsecops": "DevSecOps",
    "iot": "IoT",
    "nlp": "NLP",
    "llm": "LLM",
    "ecommerce": "e-commerce",
    "open_source": "open-source",
    "hr_tech": "HR tech",
    "devtools": "developer tools",
    "hubspot": "HubSpot",
    "bigquery": "BigQuery",
    "dbt": "dbt",
    "aws": "AWS",
    "gcp": "GCP",
    "github": "GitHub",
    "zoho_crm": "Zoho CRM",
    "business_objects": "BusinessObjects",
    "qlikview": "QlikView",
    "microstrategy": "MicroStrategy",
    "customer_success": "customer success",
    "revops": "RevOps",
}
# Products whose name is not each word capitalised (a tech-stack slug -> how its maker writes it).
PRODUCTS = {
    "mysql": "MySQL",
    "postgresql": "PostgreSQL",
    "postgres": "Postgres",
    "mongodb": "MongoDB",
    "netsuite": "NetSuite",
    "quickbooks": "QuickBooks",
    "linkedin": "LinkedIn",
    "wordpress": "WordPress",
    "gitlab": "GitLab",
    "servicenow": "ServiceNow",
    "pagerduty": "PagerDuty",
    "power_bi": "Power BI",
    "sap": "SAP",
    "javascript": "JavaScript",
    "typescript": "TypeScript",
    "graphql": "GraphQL",
    "openai": "OpenAI",
    "chatgpt": "ChatGPT",
    "clickup": "ClickUp",
    "youtube": "YouTube",
    "woocommerce": "WooCommerce",
    "sendgrid": "SendGrid",
    "mailchimp": "Mailchimp",
    "activecampaign": "ActiveCampaign",
    "zoominfo": "ZoomInfo",
    "outreach_io": "Outreach",
    "salesloft": "Salesloft",
}
# ISO codes and names -> how a sentence says the country ("in the US").
COUNTRIES = {
    "US": "the US",
    "USA": "the US",
    "United States": "the US",
    "United States of America": "the US",
    "GB": "the UK",
    "UK": "the UK",
    "United Kingdom": "the UK",
    "CA": "Canada",
    "DE": "Germany",
    "FR": "France",
    "NL": "the Netherlands",
    "Netherlands": "the Netherlands",
    "IN": "India",
    "AU": "Australia",
    "ES": "Spain",
    "IT": "Italy",
    "SE": "Sweden",
    "IE": "Ireland",
    "SG": "Singapore",
    "IL": "Israel",
    "BR": "Brazil",
    "MX": "Mexico",
    "JP": "Japan",
    "CH": "Switzerland",
    "AE": "the UAE",
    "United Arab Emirates": "the UAE",
    "Philippines": "the Philippines",
    "PH": "the Philippines",
}


def display_value(value: pl.Expr) -> pl.Expr:
    """A vocabulary value as prose: the display table, else underscores as spaces."""
    return value.replace(DISPLAY).str.replace_all("_", " ")


def display_product(value: pl.Expr) -> pl.Expr:
    """A tool or product as prose: the tables, else each word of a lower-case slug capitalised.

    "salesforce" -> "Salesforce", "google_analytics" -> "Google Analytics", "hubspot" -> "HubSpot",
    "netsuite" -> "NetSuite"; a name that already has capitals ("Looker Studio") is kept as written.
    """
    known = value.replace_strict({**DISPLAY, **PRODUCTS}, default=None, return_dtype=pl.String)
    spaced = value.str.replace_all("_", " ")
    named = pl.when(spaced == spaced.str.to_lowercase()).then(spaced.str.to_titlecase()).otherwise(spaced)
    return pl.coalesce(known, named)


def display_country(value: pl.Expr) -> pl.Expr:
    """A country as prose: "US" -> "the US"; a name not in the table as it is; 2-letter codes unknown -> null."""
    text = value.cast(pl.String).str.strip_chars()
    shown = text.replace(COUNTRIES)
    return pl.when(shown.str.contains(r"^[A-Z]{2,3}$")).then(None).otherwise(shown)


def company_name(name: pl.Expr, domain: pl.Expr) -> pl.Expr:
    """What a person calls the company: no legal form, descriptor word, parenthesis or domain ending.

    "Riverkey Dev" -> "Riverkey", "Veryfi, Inc." -> "Veryfi", "Squire.ai (fka EchoLayer)" -> "Squire",
    "arc.dev" (a name or, where there is none, the domain) -> "Arc". A name that would be left empty
    keeps its words.
    """
    raw = name.cast(pl.String).str.strip_chars()
    text = raw.str.replace_all(r"\s*\([^)]*\)", "").str.strip_chars()
    for _ in range(2):
        text = text.str.replace(rf"(?i)[,\s]+(?:{_LEGAL})$", "").str.strip_chars()
    kept = text
    text = text.str.replace(rf"(?i)\s+(?:{_DESCRIPTORS})$", "").str.strip_chars()
    text = pl.when(text.str.len_chars() > 0).then(text).otherwise(kept)
    site = domain.cast(pl.String).str.strip_chars().str.to_lowercase().str.replace(r"^(?:https?://)?(?:www\.)?", "")
    from_site = site.str.extract(r"^([a-z0-9-]+)\.", 1)
    text = pl.when(text.is_null() | (text == "")).then(from_site).otherwise(text)
    domain_like = text.str.contains(rf"(?i)^[a-z0-9-]+\.(?:{_TLD})$")
    text = pl.when(domain_like).then(text.str.extract(r"^([^.]+)\.", 1)).otherwise(text)
    capital = text.str.head(1).str.to_uppercase() + text.str.slice(1)
    # A brand written in lower case ("authzed") stays so; one taken from a domain reads as a name.
    from_domain = domain_like | raw.is_null() | (raw == "")
    return pl.when(from_domain).then(capital).otherwise(text)


def stable_hash(key: pl.Expr) -> pl.Expr:
    """CRC-32 of a string column (0 for null): the same number for the same value on every run."""

    def crc(values: pl.Series) -> pl.Series:
        return pl.Series([zlib.crc32(v.encode()) if v is not None else 0 for v in values.to_list()], dtype=pl.Int64)

    return key.cast(pl.String).map_batches(crc, return_dtype=pl.Int64, is_elementwise=True)
