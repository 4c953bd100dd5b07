"""Guess a column map for an unknown export (`outbound columns`), and write it as YAML for `--map`.

A header is placed by its name first (normalized, against the preset names and common synonyms),
then by its values (emails, URLs, ISO countries, employee ranges, funding words, years, prose). Each
canonical column is placed at most once, except `description`, which every text column may feed;
what cannot be placed is listed, never dropped silently.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import polars as pl

from targeting.importing import normalize as nz
from targeting.importing.presets import PRESETS, ColumnMap, ColumnRule
from targeting.importing.reading import extra_fields, read_table

_SYNONYMS = {
    "account_id": "account id|outbound account id",
    "name": "company|company name|organization|organization name|account name|business name|name",
    "domain": "domain|website|company website|url|homepage|web|site|company url|website url|company domain",
    "industry": "industry|sector|vertical|category|primary industry|industries",
    "tags": "tags|keywords|categories|labels|segments",
    "employees": "employees|employee count|headcount|company size|size|number of employees|staff"
    "|team size|num employees|staff count|employee range",
    "revenue_usd": "revenue|annual revenue|arr|estimated revenue|revenue usd",
    "country": "country|company country|hq country|headquarters country|country code|country region|location country",
    "region": "region|geo|territory",
    # Not a bare "stage": Apollo's and CRMs' "Stage" is a sales stage ("Cold", "Approaching").
    "funding_stage": "funding stage|last funding type|latest funding|funding round|last round|funding",
    "founded_year": "founded|founded year|year founded|founding year|year of founding|inception",
    "tech_stack": "technologies|tech stack|tech|technology|tools|software used|installed technologies",
    "hiring_roles": "hiring roles|hiring|open roles|job openings|hiring departments",
    "growth_signals": "growth signals|signals|intent|intent signals",
    "pain_points": "pain points|pains|challenges",
    "prior_solutions": "prior solutions|current solution|incumbent|competitor used",
    "signals_at": "signals at|last signal|last raised at|latest funding date|last funding date|signal date",
    "status": "status|account status|lifecycle stage|stage status",
    "is_customer": "is customer|current customer",
    "contact_id": "contact id|person id|lead id",
    "first_name": "first name|firstname|given name|first",
    "last_name": "last name|lastname|surname|family name|last",
    "email": "email|email address|work email|business email|e mail|mail",
    "email_status": "email status|email verification|verification status|email validity",
    "title": "title|job title|position|role|job role|headline",
    "contact_country": "person country|contact country|lead country",
    "description": "description|short description|long description|company description|about|about us"
    "|summary|company summary|overview|company overview|website copy|website content|website text|one liner"
    "|tagline|what they do|company bio|bio",
}
_SECOND_CHOICE = {"country": "contact_country"}
# Every text a company writes about itself is worth reading: several columns may feed `description`.
_REPEATABLE = {"description"}
_LIST_TARGETS = {"tags", "tech_stack", "hiring_roles", "growth_signals", "pain_points", "prior_solutions"}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", header.lower()).strip()


def _name_index() -> dict[str, tuple[str, int]]:
    """Normalized header -> (target, tier): common synonyms (tier 0) outrank preset names (tier 1)."""
    index = {_key(word): (target, 0) for target, words in _SYNONYMS.items() for word in words.split("|")}
    for preset in PRESETS.values():
        for source, rule in preset.columns.items():
            if rule is not None and len(rule.to) == 1:
                index.setdefault(_key(source), (rule.to[0], 1))
    return index


_NAMES = _name_index()


def _priority(header: str) -> tuple[int, bool]:
    # "Company Country" before "Country": in a people export the bare name is the person's.
    tier = _NAMES.get(_key(header), ("", 2))[1]
    return tier, not _key(header).startswith(("company ", "account ", "organization "))


# Value sniffing: (target, share of a sample's non-empty cells that must look like it), in order.
_SNIFFERS: list[tuple[str, float]] = [
    ("email", 0.8),
    ("domain", 0.7),
    ("country", 0.9),
    ("employees", 0.8),
    ("funding_stage", 0.8),
    ("founded_year", 0.9),
    ("tags", 0.8),
    ("description", 0.6),
]


def _sniffed(target: str, text: pl.Expr) -> pl.Expr:
    if target == "email":
        return nz.email_address(text).is_not_null()
    if target == "domain":
        return text.str.contains(r"^(https?://|www\.)|^[a-z0-9-]+\.[a-z]{2,}(/|$)") & nz.domain(text).is_not_null()
    if target == "country":
        return nz.country_code(text).is_not_null()
    if target == "employees":
        return text.str.contains(r"^\d[\d,]*\s*(-|–|to)\s*\d[\d,]*$|^\d[\d,]*\+$")
    if target == "funding_stage":
        return nz.funding_stage(text).is_not_null() & text.str.contains(r"[a-zA-Z]{3,}")
    if target == "founded_year":
        return nz.founded_year(text).is_between(1800, 2030) & text.str.contains(r"^\d{4}(\.0)?$")
    if target == "description":  # prose: a sentence or more, not a name, title or address
        return text.str.count_matches(r"\S+") >= 8
    return text.str.contains(r"^\[.*\]$")


def guess_rules(sample: pl.DataFrame, headers: list[str], taken: set[str] = frozenset()) -> dict[str, ColumnRule]:
    """Place `headers` of a sample frame onto canonical columns not in `taken`.

    Args:
        sample: the first rows of the source, as read.
        headers: the headers to place.
        taken: canonical columns already placed, which are not placed again.

    Returns:
        header -> rule for the headers that could be placed.
    """
    placed: dict[str, ColumnRule] = {}
    used = set(taken)
    pending = []
    for header in sorted(headers, key=_priority):
        target = _NAMES.get(_key(header), (None, 2))[0]
        if target in used and target not in _REPEATABLE:
            target = _SECOND_CHOICE.get(target)
        if target is not None and (target not in used or target in _REPEATABLE):
            placed[header], used = _rule(sample, header, target), used | {target}
        else:
            pending.append(header)
    placed = {header: placed[header] for header in headers if header in placed}
    for header in pending:
        if header not in sample.columns or sample.schema[header] != pl.String:
            continue
        text = sample.select(nz.blank_to_null(pl.col(header)).drop_nulls()).to_series()
        if text.len() == 0:
            continue
        for target, share in _SNIFFERS:
            if target in used:
                continue
            hits = text.to_frame().select(_sniffed(target, pl.col(header)).mean()).item()
            if hits is not None and hits >= share:
                placed[header], used = _rule(sample, header, target), used | {target}
                break
    return placed


def _rule(sample: pl.DataFrame, header: str, target: str) -> ColumnRule:
    if target not in _LIST_TARGETS or header not in sample.columns or sample.schema[header] != pl.String:
        return ColumnRule(to=[target])
    cells = sample.get_column(header).drop_nulls()
    # A plain-text list separated by commas and never by semicolons is a comma list (Apollo style).
    commas = cells.str.contains(",", literal=True).any() and not cells.str.contains(";", literal=True).any()
    literal = cells.str.starts_with("[").all() if cells.len() else False
    return ColumnRule(to=[target], separator="," if commas and not literal else ";")


def guess_column_map(path: str | Path) -> tuple[ColumnMap, list[str], dict[str, str]]:
    """Guess a column map for an unknown export from its headers and first 500 rows.

    Args:
        path: any file `targeting.importing.reading.read_table` reads.

    Returns:
        The map, the headers it could not place (in file order), and what each placement rests on.

    Raises:
        InputError: the file cannot be read.
    """
    frame = read_table(path)
    sample = frame.head(500).collect()
    sample = sample.drop(extra_fields(sample.schema))
    placed = guess_rules(sample, sample.columns)
    unplaced = [header for header in sample.columns if header not in placed]
    return ColumnMap(columns=dict(placed)), unplaced, placement_reasons(sample, placed)


def placement_reasons(sample: pl.DataFrame, placed: dict[str, ColumnRule]) -> dict[str, str]:
    """What each placement rests on: the header's name, or the share of sampled cells that look right."""
    reasons = {}
    for header, rule in placed.items():
        target = rule.to[0]
        named = _NAMES.get(_key(header), (None, 2))[0]
        if named == target or _SECOND_CHOICE.get(named) == target:
            why = f"the header names {target}"
        else:
            text = sample.select(nz.blank_to_null(pl.col(header)).drop_nulls()).to_series()
            share = text.to_frame().select(_sniffed(target, pl.col(header)).mean()).item() or 0.0
            why = f"{share:.0%} of {text.len()} sampled cells read as {target}"
        if rule.separator != ";":
            why += f"; cells split on {rule.separator!r} (they hold it and never ';')"
        reasons[header] = why
    return reasons


def dump_column_map(column_map: ColumnMap, unplaced: list[str] = (), reasons: dict[str, str] | None = None) -> str:
    """The map as YAML that `--map` loads; unplaced columns are listed as comments to fill in.

    Args:
        column_map: the map to write.
        unplaced: source headers to list as commented-out entries.
        reasons: what a guessed placement rests on, written as a comment beside its line.

    Returns:
        YAML text.
    """
    # Imported here: reading an export never needs the round-trip YAML writer.
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    columns = CommentedMap()
    for source, rule in column_map.columns.items():
        columns[source] = None if rule is None else _rule_yaml(rule)
        if reasons and source in reasons:
            columns.yaml_add_eol_comment(reasons[source], source)
    data = CommentedMap(columns=columns)
    if column_map.id_fallback is not None:
        data["id_fallback"] = column_map.id_fallback.model_dump()
    for flag in ("guess_unmapped", "trusted"):
        if getattr(column_map, flag):
            data[flag] = True
    buffer = io.StringIO()
    buffer.write("# outbound column map: source column -> canonical column (load with --map)\n")
    YAML().dump(data, buffer)
    if unplaced:
        buffer.write("# Not placed; map any that matter, e.g.  Column Name: tags\n")
        buffer.writelines(f"#   {header!r}:\n" for header in unplaced)
    return buffer.getvalue()


def _rule_yaml(rule: ColumnRule) -> object:
    """The shortest YAML form of a rule: a name, a flow list of names, or a flow mapping."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    target: object = rule.to[0]
    if len(rule.to) > 1:
        target = CommentedSeq(rule.to)
        target.fa.set_flow_style()
    if rule.separator == ";":
        return target
    options = CommentedMap(to=target, separator=rule.separator)
    options.fa.set_flow_style()
    return options
