"""Countries and regions: names and codes to ISO 3166 alpha-2, countries and region words to regions.

Lookups are dicts built once at import and applied with `replace_strict`.
"""

from __future__ import annotations

import polars as pl
import pycountry

from targeting.importing.normalize.text import lookup_key, lookup_text

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


def _country_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for country in pycountry.countries:
        for name in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            if value := getattr(country, name, None):
                keys[lookup_text(value)] = country.alpha_2
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
        keys.update({lookup_text(word): code for word in words.split("|")})
    return keys


COUNTRY_KEYS = _country_keys()
REGION_OF_COUNTRY = {code: _region(code) for code in set(COUNTRY_KEYS.values())}
REGION_WORDS = {
    lookup_text(word): region
    for region, words in {
        "NA": "na|north america|northern america|us and canada|amer",
        "EMEA": "emea|europe|middle east|africa|eu|middle east and africa|europe middle east and africa",
        "APAC": "apac|asia|asia pacific|pacific|oceania|anz|asia and pacific",
        "LATAM": "latam|latin america|south america|central america|caribbean|lat am",
    }.items()
    for word in words.split("|")
}


def country_code(raw: pl.Expr) -> pl.Expr:
    """ISO 3166 alpha-2 from a name, an alpha-2 or alpha-3 code ("United States", "USA", "U.S." -> "US")."""
    return lookup_key(raw).replace_strict(COUNTRY_KEYS, default=None, return_dtype=pl.String)


def region_of(country: pl.Expr) -> pl.Expr:
    """NA, EMEA, APAC or LATAM for an ISO alpha-2 country expression."""
    return country.replace_strict(REGION_OF_COUNTRY, default=None, return_dtype=pl.String)


def region_name(raw: pl.Expr) -> pl.Expr:
    """A region given as text ("North America", "emea", "Asia Pacific") to NA/EMEA/APAC/LATAM."""
    return lookup_key(raw).replace_strict(REGION_WORDS, default=None, return_dtype=pl.String)
