"""Polars expressions that turn the shapes real exports use into canonical values.

Every normalizer takes a String expression (blank cells already null) and returns an expression
of the canonical dtype. A normalizer returns null for a value it cannot read; the importer tells
"empty" from "unreadable" by comparing with the raw cell, so these stay plain expressions.
Lookups (countries, funding words) are dicts built once and applied with `replace_strict`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl
import pycountry

from targeting.columns import (
    ACCOUNT_SCHEMA,
    CONTACT_SCHEMA,
    EMAIL_STATUSES,
    FUNDING_STAGES,
    LIST_COLUMNS,
    REGIONS,
)

# --- lookup tables, built once at import -------------------------------------------------------

NORTH_AMERICA = frozenset("US CA PR BM GL PM UM VI GU AS MP".split())
LATIN_AMERICA = frozenset(
    "MX GT BZ SV HN NI CR PA CU DO HT JM BS BB TT AG DM GD KN LC VC AI AW BQ CW SX MF BL GP MQ KY "
    "TC VG MS CO VE EC PE BO BR PY UY AR CL GY SR GF FK GS".split()
)
ASIA_PACIFIC = frozenset(
    "CN HK MO TW JP KR KP MN IN PK BD LK NP BT MV AF SG MY ID TH VN PH KH LA MM BN TL AU NZ PG FJ "
    "SB VU NC PF WS TO KI TV NR FM MH PW CK NU TK WF NF CX CC HM IO KZ KG TJ TM UZ AQ".split()
)


def _region(code: str) -> str:
    # Europe, the Middle East and Africa are everything else: a shorter list to get wrong.
    if code in NORTH_AMERICA:
        return "NA"
    if code in LATIN_AMERICA:
        return "LATAM"
    return "APAC" if code in ASIA_PACIFIC else "EMEA"


def _lookup_text(text: str) -> str:
    return re.sub(r"[.\s_\-]+", " ", text.lower()).strip()


def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for name in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            if value := getattr(country, name, None):
                keys[_lookup_text(value)] = country.alpha_2
    aliases = {
        "US": "usa|u s|u s a|america|united states of america|estados unidos|états unis|etats unis",
        "GB": "uk|u k|great britain|britain|england|scotland|wales|northern ireland",
        "DE": "deutschland|allemagne|alemania",
        "NL": "holland|the netherlands|nederland",
        "CH": "schweiz|suisse|svizzera",
        "AT": "österreich|osterreich",
        "ES": "españa|espana",
        "MX": "méxico",
        "BR": "brasil",
        "IT": "italia",
        "KR": "korea|republic of korea|south korea",
        "RU": "russia",
        "VN": "vietnam",
        "TW": "taiwan",
        "IR": "iran",
        "CZ": "czech republic",
        "AE": "uae|u a e|emirates",
        "CI": "ivory coast|cote d'ivoire",
        "TR": "turkey|turkiye",
        "XK": "xk|xkx|kosovo",
        "MK": "macedonia",
        "CD": "democratic republic of the congo|drc|dr congo",
        "PS": "palestine",
        "LA": "laos",
        "SY": "syria",
        "MD": "moldova",
        "TZ": "tanzania",
        "BO": "bolivia",
        "VE": "venezuela",
        "BN": "brunei",
        "CV": "cape verde",
        "SZ": "swaziland",
        "MM": "burma",
    }
    for code, words in aliases.items():
        keys.update({_lookup_text(word): code for word in words.split("|")})
    return keys


COUNTRY_KEYS = _country_keys()
REGION_OF_COUNTRY = {code: _region(code) for code in set(COUNTRY_KEYS.values())}
REGION_WORDS = {
    _lookup_text(word): region
    for region, words in {
        "NA": "na|north america|northern america|us and canada|amer",
        "EMEA": "emea|europe|middle east|africa|eu|middle east and africa|europe middle east and africa",
        "APAC": "apac|asia|asia pacific|pacific|oceania|anz|asia and pacific",
        "LATAM": "latam|latin america|south america|central america|caribbean|lat am",
    }.items()
    for word in words.split("|")
}

_FUNDING = {
    "bootstrapped": "bootstrapped|bootstrap|self funded|self-funded|no funding|unfunded",
    "pre_seed": "pre seed|preseed|pre-seed|angel|angel round|friends and family",
    "seed": "seed|seed round|seed+|accelerator|incubator",
    "series_a": "series a|a",
    "series_b": "series b|b",
    "series_c": "series c|c",
    "series_d_plus": "series d|series e|series f|series g|series h|series i|series j|series d+"
    "|series d plus|late stage|late stage venture|growth|growth equity",
    "public": "ipo|public|post ipo equity|post ipo debt|post ipo secondary|listed|publicly traded",
    "acquired": "acquired|acquisition|m&a|merger|merged",
}
FUNDING_WORDS = {_lookup_text(word): stage for stage, words in _FUNDING.items() for word in words.split("|")}
FUNDING_WORDS.update({_lookup_text(stage): stage for stage in FUNDING_STAGES})
# Real rounds that say nothing about the stage: null, not an unreadable value.
NOT_A_STAGE = sorted(
    {
        _lookup_text(word)
        for word in "venture (round not specified)|venture round|venture|other|debt financing|debt"
        "|grant|convertible note|undisclosed|corporate round|non equity assistance|private equity"
        "|equity crowdfunding|product crowdfunding|initial coin offering|secondary market"
        "|series unknown|unknown|active|inactive|funding round|n/a|none".split("|")
    }
)
EMAIL_STATUS_WORDS = {
    _lookup_text(word): status
    for status, words in {
        "valid": "valid|verified|deliverable|ok|safe|safe to send",
        "catch_all": "catch all|catch-all|catchall|accept all|accept_all|risky",
        "invalid": "invalid|bounced|undeliverable|bad|hard bounce|do not email|spam trap",
        "unknown": "unknown|guessed|extrapolated|unavailable|pending|likely to engage|unverified"
        "|new data available",
    }.items()
    for word in words.split("|")
}
# A shared host names a platform, not the company that links to it (subdomains included).
SHARED_HOSTS = (
    r"(?:^|\.)(?:"
    + "|".join(
        re.escape(host)
        for host in """github.com github.io gitlab.com bitbucket.org linkedin.com lnkd.in facebook.com
        fb.com fb.me m.me instagram.com twitter.com x.com t.co youtube.com youtu.be tiktok.com
        medium.com substack.com notion.site notion.so google.com goo.gl g.page forms.gle apple.com
        apps.apple.com itunes.apple.com producthunt.com angel.co wellfound.com crunchbase.com
        ycombinator.com linktr.ee bit.ly wixsite.com wix.com squarespace.com wordpress.com
        blogspot.com webflow.io carrd.co vercel.app netlify.app herokuapp.com typeform.com
        calendly.com discord.gg discord.com t.me telegram.me whatsapp.com wa.me reddit.com
        gmail.com googlemail.com yahoo.com ymail.com hotmail.com outlook.com live.com msn.com
        icloud.com me.com mac.com aol.com protonmail.com proton.me gmx.com gmx.de gmx.net web.de
        mail.ru yandex.ru yandex.com qq.com 163.com 126.com zoho.com hey.com fastmail.com""".split()
    )
    + r")$"
)

_MULTIPLIER = {"": 1.0, "k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9, "t": 1e12}
_NUMBER = r"(\d+(?:\.\d+)?)(k|mm|m|bn|b|t)?"
# A count or an amount: "120", "2023.0", "51-200", "10001+", "$1.2M", "$10M-$50M"; ranges keep
# their low end (PRODUCT.md), so only the first number is captured.
_AMOUNT = re.compile(
    rf"^(?:usd)?\$?{_NUMBER}(?:\+|(?:-|–|—|to)(?:usd)?\$?\d+(?:\.\d+)?(?:k|mm|m|bn|b|t)?)?"
    r"(?:usd|employees|people)?$"
).pattern


def blank_to_null(raw: pl.Expr) -> pl.Expr:
    """Trim a String expression and turn empty or whitespace-only cells into null."""
    text = raw.str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def amount(raw: pl.Expr) -> pl.Expr:
    """Read counts and money ("1,001-5,000", "10001+", "$1.2M", "2023.0") as Float64.

    Args:
        raw: String expression.

    Returns:
        Float64 expression; a range gives its low end, unreadable text gives null.
    """
    text = (
        raw.str.to_lowercase()
        .str.replace_all(r"[,\s]", "")
        .str.replace_all("million", "m")
        .str.replace_all("billion", "b")
        .str.replace_all("thousand", "k")
    )
    groups = text.str.extract_groups(_AMOUNT)
    number = groups.struct.field("1").cast(pl.Float64, strict=False)
    factor = groups.struct.field("2").fill_null("").replace_strict(_MULTIPLIER, default=None)
    return number * factor


def whole_number(raw: pl.Expr) -> pl.Expr:
    """Read a count ("51-200" -> 51, "10001+" -> 10001, "2023.0" -> 2023) as Int64; null if not whole."""
    value = amount(raw)
    return pl.when(value == value.floor()).then(value).otherwise(None).cast(pl.Int64, strict=False)


def founded_year(raw: pl.Expr) -> pl.Expr:
    """Read a year ("2023", "2023.0") as Int64; null when it is not a plausible founding year."""
    year = whole_number(raw)
    return pl.when(year.is_between(1600, 2100)).then(year).otherwise(None)


def snake_case(raw: pl.Expr) -> pl.Expr:
    """Lower snake case ("Information Technology & Services" -> "information_technology_and_services")."""
    text = (
        raw.str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"[^\p{L}\p{N}]+", "_")
        .str.strip_chars("_")
    )
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def list_items(raw: pl.Expr, separator: str = ";") -> pl.Expr:
    """Split a list cell into lower snake case items, in order, without repeats.

    Args:
        raw: String expression: a JSON or Python list literal ("['a', 'b']", '["a"]') or text
            separated by `separator`.
        separator: the separator of plain text cells (";" by default, "," for Apollo's Technologies).

    Returns:
        List(String) expression; "[]" gives an empty list, a null cell null.
    """
    text = raw.str.strip_chars()
    is_literal = text.str.starts_with("[") & text.str.ends_with("]")
    quoted = text.str.extract_all(r"'[^']*'|\"[^\"]*\"").list.eval(
        pl.element().str.slice(1, pl.element().str.len_chars() - 2)
    )
    # An unquoted literal such as "[a, b]" has no quoted items: split its inside on commas.
    bare = text.str.strip_chars("[]").str.split(",")
    items = (
        pl.when(is_literal & (quoted.list.len() > 0))
        .then(quoted)
        .when(is_literal)
        .then(bare)
        .otherwise(text.str.split(separator))
    )
    return clean_items(items)


def clean_items(items: pl.Expr) -> pl.Expr:
    """Snake-case the items of a List(String) expression and drop empty items and repeats.

    A list with no items stays an empty list (a known "none", as in YC's "[]"); null stays null.
    """
    return items.list.eval(snake_case(pl.element()).drop_nulls().unique(maintain_order=True))


def first_item(raw: pl.Expr, separator: str = ";") -> pl.Expr:
    """The first item of a list cell, or the cell itself when it is not a list, in snake case."""
    return list_items(raw, separator).list.first()


def _lookup_key(raw: pl.Expr) -> pl.Expr:
    # The same folding as `_lookup_text`, so "U.S.", "u s" and "US" meet one key.
    return raw.str.to_lowercase().str.replace_all(r"[.\s_\-]+", " ").str.strip_chars()


def country_code(raw: pl.Expr) -> pl.Expr:
    """ISO 3166 alpha-2 from a name, an alpha-2 or alpha-3 code ("United States", "USA", "U.S." -> "US")."""
    return _lookup_key(raw).replace_strict(COUNTRY_KEYS, default=None, return_dtype=pl.String)


def region_of(country: pl.Expr) -> pl.Expr:
    """NA, EMEA, APAC or LATAM for an ISO alpha-2 country expression."""
    return country.replace_strict(REGION_OF_COUNTRY, default=None, return_dtype=pl.String)


def region_name(raw: pl.Expr) -> pl.Expr:
    """A region given as text ("North America", "emea", "Asia Pacific") to NA/EMEA/APAC/LATAM."""
    return _lookup_key(raw).replace_strict(REGION_WORDS, default=None, return_dtype=pl.String)


def funding_stage(raw: pl.Expr) -> pl.Expr:
    """A funding word ("Series B", "Pre-Seed", "IPO", "Angel") to one of FUNDING_STAGES, else null."""
    return _lookup_key(raw).replace_strict(FUNDING_WORDS, default=None, return_dtype=pl.String)


def is_not_a_stage(raw: pl.Expr) -> pl.Expr:
    """True for funding words that are real but name no stage ("Debt Financing", "Other", "Grant")."""
    return _lookup_key(raw).is_in(NOT_A_STAGE)


def email_status(raw: pl.Expr) -> pl.Expr:
    """Apollo/Clay email statuses ("Verified", "Catch-all", "Guessed", "Bounced") to EMAIL_STATUSES.

    A status nobody documented means nobody verified the address, so it reads as "unknown".
    """
    return _lookup_key(raw).replace_strict(EMAIL_STATUS_WORDS, default="unknown", return_dtype=pl.String)


def email_address(raw: pl.Expr) -> pl.Expr:
    """A lower-cased email address ("mailto:" stripped), or null when the text is not one."""
    text = raw.str.strip_chars().str.to_lowercase().str.replace(r"^mailto:", "")
    return (
        pl.when(text.str.contains(r"^[^@\s]+@[^@\s]+\.[a-z0-9-]{2,}$") & ~is_email_placeholder(text))
        .then(text)
        .otherwise(None)
    )


def is_email_placeholder(raw: pl.Expr) -> pl.Expr:
    """True for the stand-ins exports write where an email is locked ("email_not_unlocked@domain.com")."""
    return raw.str.to_lowercase().str.contains(r"^email_not_unlocked@|^no_email@|@domain\.com$")


def domain(raw: pl.Expr) -> pl.Expr:
    """The company domain of a URL, host or email ("https://www.Acme.io/en?x=1" -> "acme.io").

    Shared hosts (github.com, linkedin.com, notion.site, sites.google.com, gmail.com, ...) say
    nothing about which company it is, so they give null, as does text that is no host name.
    """
    host = (
        raw.str.to_lowercase()
        .str.strip_chars()
        .str.replace(r"[\s,;|].*$", "")  # "a.com, b.com": the first one
        .str.replace(r"^[a-z][a-z0-9+.\-]*://", "")
        .str.replace(r"^mailto:", "")
        .str.replace(r"^[^/?#]*@", "")
        .str.replace(r"[/?#:].*$", "")
        .str.replace(r"^www\d*\.", "")
        .str.strip_chars(".")
    )
    is_host = host.str.contains(
        r"^[\p{L}\p{N}](?:[\p{L}\p{N}\-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}\-]+)*\.[\p{L}]{2,}$"
    )
    is_shared = host.str.contains(SHARED_HOSTS)
    return pl.when(is_host & ~is_shared).then(host).otherwise(None)


def email_domain(email: pl.Expr) -> pl.Expr:
    """The company domain of an email address; null for free mail (gmail.com, ...)."""
    return domain(email.str.extract(r"@([^@\s]+)$", 1))


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%b %d %Y", "%d %b %Y", "%B %d %Y", "%d %B %Y")


def date(raw: pl.Expr) -> pl.Expr:
    """A date from ISO ("2024-03-01", "2024-03-01T10:00:00Z"), US ("03/01/2024") or written text."""
    text = raw.str.strip_chars().str.replace_all(",", "")
    iso = text.str.extract(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", 1).str.to_date("%Y-%m-%d", strict=False)
    others = [text.str.to_date(fmt, strict=False) for fmt in _DATE_FORMATS[1:]]
    return pl.coalesce(iso, *others)


_TRUE = {"true", "t", "yes", "y", "1", "x", "customer", "current client", "client"}
# CRM lifecycle stages short of a customer (HubSpot's and Apollo's) read as "not a customer".
_FALSE = {
    "false",
    "f",
    "no",
    "n",
    "0",
    "prospect",
    "subscriber",
    "lead",
    "marketing qualified lead",
    "marketingqualifiedlead",
    "sales qualified lead",
    "salesqualifiedlead",
    "opportunity",
    "evangelist",
    "other",
    "cold",
    "approaching",
    "former customer",
    "churned",
}


def boolean(raw: pl.Expr) -> pl.Expr:
    """True/False from "true", "yes", "1", "x", or a CRM lifecycle stage ("Customer", "Lead"); else null."""
    words = {**{word: True for word in _TRUE}, **{word: False for word in _FALSE}}
    return _lookup_key(raw).replace_strict(words, default=None, return_dtype=pl.Boolean)


# --- one source column -> one canonical column ---------------------------------------------------

_NUMERIC_TARGETS = {"employees": pl.Int64, "founded_year": pl.Int64, "revenue_usd": pl.Float64}
_TEXT_TARGETS = ("account_id", "name", "first_name", "last_name", "title", "contact_id", "source")
_PARSERS = {
    "employees": (whole_number, "not a number of employees (e.g. 120, 51-200, 10001+)"),
    "founded_year": (founded_year, "not a founding year (e.g. 2019)"),
    "revenue_usd": (amount, "not an amount in USD (e.g. 1200000, $1.2M)"),
    "country": (country_code, "not a country name or ISO code"),
    "contact_country": (country_code, "not a country name or ISO code"),
    "region": (region_name, "not a region (NA, EMEA, APAC, LATAM)"),
    "signals_at": (date, "not a date (e.g. 2024-03-01)"),
    "is_customer": (boolean, "not true/false (nor a CRM lifecycle stage such as Customer or Lead)"),
    "email": (email_address, "not an email address"),
    "funding_stage": (funding_stage, "not a funding stage (e.g. Seed, Series B, IPO, Acquired)"),
}


@dataclass(frozen=True)
class Parsed:
    """A canonical value, and when it came from a non-empty cell it could not read (with why)."""

    value: pl.Expr
    unreadable: pl.Expr | None = None
    reason: str = ""


def canonical_value(
    target: str, column: pl.Expr, dtype: pl.DataType, separator: str = ";", *, trusted: bool = False
) -> Parsed:
    """Read one source column as one canonical column.

    Typed source columns (Parquet, NDJSON) are cast; text goes through the normalizer of
    the target. A `trusted` (canonical) source column that already has the canonical dtype is
    taken as it is, so a canonical Parquet universe costs a scan and cheap checks: enumerations
    (country, region, funding_stage, email_status) are still checked, and an empty list cell is
    an empty list, as the canonical CSV writes it.

    Args:
        target: a canonical column name (see `targeting.presets.CANONICAL_TARGETS`).
        column: the source column.
        dtype: the source column's dtype.
        separator: splits plain-text list cells.
        trusted: the source claims canonical values (the `canonical` preset).

    Returns:
        The value expression and, for typed targets, an `unreadable` flag and its reason.
    """
    if trusted:
        parsed = _trusted_value(target, column, dtype, separator)
        if parsed is not None:
            return parsed
    is_text = dtype == pl.String
    raw = blank_to_null(column) if is_text else column
    if target in LIST_COLUMNS or target == "industry":
        items = (
            clean_items(raw.cast(pl.List(pl.String)))
            if isinstance(dtype, pl.List)
            else list_items(raw.cast(pl.String), separator)
        )
        return Parsed(items.list.first() if target == "industry" else items)
    if target in _NUMERIC_TARGETS and dtype.is_numeric():
        return Parsed(raw.cast(_NUMERIC_TARGETS[target], strict=False))
    if target == "signals_at" and dtype in (pl.Date, pl.Datetime):
        return Parsed(raw.cast(pl.Date))
    if target == "is_customer" and (dtype == pl.Boolean or dtype.is_numeric()):
        return Parsed(raw.cast(pl.Boolean))
    text = raw if is_text else raw.cast(pl.String)
    if target in _PARSERS:
        parse, reason = _PARSERS[target]
        value = parse(text)
        unreadable = text.is_not_null() & value.is_null()
        if target == "funding_stage":
            unreadable = unreadable & ~is_not_a_stage(text)
        if target == "email":  # a locked email is no email, not an unreadable one
            unreadable = unreadable & ~is_email_placeholder(text)
        return Parsed(value, unreadable, reason)
    if target == "domain":
        return Parsed(domain(text))
    if target == "status":
        return Parsed(snake_case(text))
    if target == "email_status":
        return Parsed(email_status(text))
    if target in _TEXT_TARGETS:
        return Parsed(text)
    raise ValueError(f"no normalizer for canonical column {target!r}")


_CANONICAL_DTYPES = {**CONTACT_SCHEMA, **ACCOUNT_SCHEMA, "contact_country": pl.String()}
_ENUMERATIONS = {
    "country": frozenset(COUNTRY_KEYS.values()),
    "contact_country": frozenset(COUNTRY_KEYS.values()),
    "region": frozenset(REGIONS),
    "funding_stage": frozenset(FUNDING_STAGES),
    "email_status": frozenset(EMAIL_STATUSES),
}


def _trusted_value(target: str, column: pl.Expr, dtype: pl.DataType, separator: str) -> Parsed | None:
    """A canonical column taken as it is, or None when it needs the normalizer after all."""
    if target in LIST_COLUMNS and dtype == pl.String:
        items = list_items(column, separator)
        return Parsed(
            pl.when(blank_to_null(column).is_null()).then(pl.lit([], pl.List(pl.String))).otherwise(items)
        )
    if dtype != _CANONICAL_DTYPES[target]:
        return None
    if target not in _ENUMERATIONS:
        return Parsed(column)
    allowed = sorted(_ENUMERATIONS[target])
    shown = ", ".join(allowed) if len(allowed) < 20 else "ISO 3166 alpha-2"
    return Parsed(
        column, column.is_not_null() & ~column.is_in(allowed), f"not a canonical {target} ({shown})"
    )
