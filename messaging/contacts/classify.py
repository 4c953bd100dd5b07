"""Contacts -> persona, seniority, function and the rule that decided, from the job title alone.

Vectorized: each rule is one Polars string expression over the whole column (a when/then chain
per section), so tens of thousands of titles classify in a fraction of a second. Rules come from
`personas.yaml` (see `messaging.contacts.persona_rules`); the rubric behind them is in docs/personas.md.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TypeVar

import polars as pl

from messaging.contacts.persona_rules import UNCLASSIFIED, PersonaRules, load_persona_rules
from messaging.contacts.titles import normalized_title, with_title_text
from targeting.errors import InputError

__all__ = ["PersonaRules", "classified_titles", "classify_contacts", "load_persona_rules", "normalized_title"]

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

DEFAULT_MAX_TITLE_LENGTH = 200
_CATCH_ALL = {".", "^", ".*"}


def classify_contacts(contacts: Frame, rules: PersonaRules) -> Frame:
    """Add `persona`, `seniority`, `function` and `rule` to every contact, from its `title`.

    A title that is empty, longer than `max_title_length` (not guessed at: a pasted bio is not a
    title) or that names no function the rules know is `unclassified`; `rule` then says why.
    Otherwise `rule` names the persona rule and the words that set seniority and function.

    Args:
        contacts: Contacts with a `title` column (LazyFrame or DataFrame).
        rules: Loaded persona rules (`load_persona_rules`).

    Returns:
        The same kind of frame with the four columns added (replaced if present).

    Raises:
        InputError: The contacts have no `title` column.
    """
    names = contacts.collect_schema().names()
    if "title" not in names:
        raise InputError("contacts have no title column", field="title")
    added = ["persona", "seniority", "function", "rule"]
    # Contact lists repeat titles heavily ("Software Engineer", "CEO"): classify each distinct
    # title once and join the verdicts back, keeping the contacts' order.
    keyed = contacts.lazy().drop([c for c in added if c in names]).with_columns(_title=pl.col("title").cast(pl.String))
    keyed = keyed.cache()
    verdicts = classified_titles(keyed.select("_title").unique(), rules)
    joined = keyed.join(verdicts, on="_title", how="left", nulls_equal=True, maintain_order="left")
    result = joined.drop("_title")
    return result.collect() if isinstance(contacts, pl.DataFrame) else result


def classified_titles(titles: pl.LazyFrame, rules: PersonaRules) -> pl.LazyFrame:
    """Classify a column `_title` of job titles: adds seniority, function, persona and rule."""
    limit = rules.max_title_length or DEFAULT_MAX_TITLE_LENGTH
    raw, text = pl.col("_title"), pl.col("_title_text")
    usable = text.is_not_null() & (text != "")
    seniority_rules = [(r.pattern, r.level) for r in rules.seniority or []]
    function_rules = [(r.pattern, r.function) for r in rules.functions or []]
    with_rules = with_title_text(titles, rules, limit).with_columns(
        _seniority_rule=pl.when(usable).then(_first(text, seniority_rules)),
        _function_rule=pl.when(usable).then(_first(text, function_rules)),
    )
    # cache(): each slice in _with_hits reads the same upstream plan; computing it once per slice
    # would multiply the regex work.
    with_seniority_hits = _with_hits(with_rules.cache(), "_seniority_rule", seniority_rules)
    with_hits = _with_hits(with_seniority_hits.cache(), "_function_rule", function_rules)
    return (
        with_hits.with_columns(
            seniority=_rule_value("_seniority_rule", seniority_rules),
            function=_rule_value("_function_rule", function_rules),
        )
        .with_columns(_decision(rules, raw, limit))
        .select(
            "_title",
            pl.col("_decision").struct.field("persona"),
            "seniority",
            "function",
            pl.col("_decision").struct.field("rule"),
        )
    )


def _first(text: pl.Expr, rules: list[tuple[str, str]]) -> pl.Expr:
    """The index of the first rule whose pattern the text matches (null: none)."""
    chain = None
    for index, (pattern, _) in enumerate(rules):
        condition = text.str.contains(pattern)
        chain = pl.when(condition).then(index) if chain is None else chain.when(condition).then(index)
    return pl.lit(None, pl.Int32) if chain is None else chain.otherwise(None).cast(pl.Int32)


def _rule_value(index_column: str, rules: list[tuple[str, str]]) -> pl.Expr:
    values = pl.Series([value for _, value in rules], dtype=pl.String)
    return pl.col(index_column).replace_strict(list(range(len(rules))), values, default=None, return_dtype=pl.String)


def _with_hits(frame: pl.LazyFrame, index_column: str, rules: list[tuple[str, str]]) -> pl.LazyFrame:
    # The words that made the winning rule match, so `rule` can show them to a reviewer. Each title
    # is searched once, with its own winning pattern only: one slice of the frame per rule.
    hit = index_column.replace("_rule", "_hit")
    text = pl.col("_title_text")
    parts = [frame.filter(pl.col(index_column).is_null()).with_columns(pl.lit(None, pl.String).alias(hit))]
    for index, (pattern, _) in enumerate(rules):
        value = pl.lit(None, pl.String) if pattern in _CATCH_ALL else text.str.extract(pattern, 0)
        parts.append(frame.filter(pl.col(index_column) == index).with_columns(value.alias(hit)))
    return pl.concat(parts)


def _decision(rules: PersonaRules, raw: pl.Expr, limit: int) -> pl.Expr:
    seniority, function, text = pl.col("seniority"), pl.col("function"), pl.col("_title_text")
    evidence = pl.format(
        "{}; {}",
        _why(seniority, pl.col("_seniority_hit"), "seniority", "no seniority word, ic"),
        _why(function, pl.col("_function_hit"), "function", "no function"),
    )
    chain = (
        pl.when(raw.is_null() | (raw.str.strip_chars() == ""))
        .then(_verdict(UNCLASSIFIED, pl.lit("unclassified: empty title")))
        .when(raw.str.len_chars() > limit)
        .then(_verdict(UNCLASSIFIED, pl.lit(f"unclassified: title longer than {limit} characters")))
        .when(text == "")
        .then(_verdict(UNCLASSIFIED, pl.lit("unclassified: no words in title")))
    )
    for rule in rules.personas or []:
        condition = pl.lit(True)
        if rule.seniority is not None:
            condition &= seniority.is_in(rule.seniority)
        if rule.function is not None:
            condition &= function.is_in(rule.function)
        if rule.title is not None:
            condition &= text.str.contains(rule.title)
        prefix = f"unclassified: {rule.name}" if rule.persona == UNCLASSIFIED else rule.name
        chain = chain.when(condition.fill_null(False)).then(
            _verdict(rule.persona, pl.format(f"{_escape(prefix)} ({{}})", evidence))
        )
    fallback = (
        pl.when(function.is_null())
        .then(pl.format("unclassified: no function recognised ({})", evidence))
        .otherwise(pl.format("unclassified: no persona rule for {} in {}", seniority, function))
    )
    return chain.otherwise(_verdict(UNCLASSIFIED, fallback)).alias("_decision")


def _why(value: pl.Expr, hit: pl.Expr, label: str, missing: str) -> pl.Expr:
    return (
        pl.when(value.is_null())
        .then(pl.lit(missing))
        .when(hit.is_null())
        .then(pl.format(f"{label} {{}} by default", value))
        .otherwise(pl.format(f"{label} {{}} from '{{}}'", value, hit))
    )


def _verdict(persona: str, rule: pl.Expr) -> pl.Expr:
    return pl.struct(persona=pl.lit(persona), rule=rule)


def _escape(text: str) -> str:
    # Rule names are user text inside a pl.format template.
    return text.replace("{", "(").replace("}", ")")


def with_buying_functions(contacts: Frame, functions: list[str], rules: PersonaRules) -> Frame:
    """Contacts that arrive classified (a `persona` column) with the product's buying functions applied.

    `sender.yaml`'s `buying_functions` reads a title of those functions by seniority alone
    (`persona_rules.buying_rules`); a contact list classified before (by `outbound personas`, a CRM)
    gets the same reading: where its function is a buying one, its persona becomes the buyer,
    champion or user its seniority gives. Gatekeepers and unclassified contacts stay as they are.
    The `seniority` and `function` columns are used where the frame has both; otherwise they are
    read from `title` and added where absent (the given persona is kept for every other contact). A
    frame with neither is returned unchanged, and so is every frame when `functions` is empty.

    Args:
        contacts: Contacts with `persona`.
        functions: The functions that buy the product (validated by `buying_rules`).
        rules: The persona rules that read seniority and function from a title.
    """
    from messaging.contacts.persona_rules import BUYER_BY_SENIORITY

    names = contacts.collect_schema().names()
    if not functions or "persona" not in names:
        return contacts
    frame = contacts.lazy()
    kept = list(names)
    if {"seniority", "function"} <= set(names):
        read = frame.with_columns(_seniority=pl.col("seniority"), _function=pl.col("function"))
    elif "title" in names:
        # Read from the title: the list gains them, so that drafting can tell who is of a buying function.
        kept += [c for c in ("seniority", "function") if c not in names]
        verdicts = classified_titles(frame.select(pl.col("title").cast(pl.String).alias("_title")).unique(), rules)
        read = frame.with_columns(_title=pl.col("title").cast(pl.String)).join(
            verdicts.select("_title", pl.col("seniority").alias("_seniority"), pl.col("function").alias("_function")),
            on="_title",
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
    else:
        return contacts
    buyer = pl.col("_seniority").replace_strict(BUYER_BY_SENIORITY, default=None, return_dtype=pl.String)
    applies = (
        pl.col("_function").is_in(list(functions))
        & ~pl.col("persona").is_in([UNCLASSIFIED, "gatekeeper"])
        & buyer.is_not_null()
    ).fill_null(False)
    updated = [pl.when(applies).then(buyer).otherwise(pl.col("persona")).alias("persona")]
    if "rule" in names:
        said = pl.format(
            "{} of a function that buys the product (seniority {}; function {}, in sender.yaml buying_functions)",
            buyer.str.replace_all("_", " "),
            pl.col("_seniority"),
            pl.col("_function"),
        )
        updated.append(pl.when(applies).then(said).otherwise(pl.col("rule")).alias("rule"))
    if len(kept) > len(names):
        updated += [pl.col(f"_{c}").alias(c) for c in kept[len(names) :]]
    result = read.with_columns(updated).select(kept)
    return result.collect() if isinstance(contacts, pl.DataFrame) else result


def buying_rank(columns: Collection[str], functions: Collection[str]) -> pl.Expr:
    """0 for a contact of a function that buys the product (sender.yaml `buying_functions`), 1 for the
    others: within an account and persona, its contacts are drafted and planned in this order first.
    All 1 where the contacts have no `function` column or the sender names none."""
    if "function" not in columns:
        return pl.lit(1, pl.Int32)
    return (~pl.col("function").is_in(list(functions))).fill_null(True).cast(pl.Int32)
