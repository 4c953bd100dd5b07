"""Account facts -> copy blocks: opener, problem, angle, bridge and topic per contact row.

`messaging.yaml` maps each pain point to an opener and a problem statement, each growth signal to
a personalization angle and each prior solution to a bridge sentence, phrased per persona. The
blocks are computed for all rows at once by joining the account's first known key against a
line frame built from the spec; an account without one gets the generic line, which states no
fact about the account, and so does a line whose fact variable the account lacks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
from pydantic import AfterValidator, BaseModel, ConfigDict

from messaging.composing.sender import default_spec_text
from targeting.columns import ACCOUNT_SCHEMA, PERSONAS
from targeting.spec_file import load_spec
from targeting.vocabulary import GROWTH_SIGNALS, PAIN_POINTS, PRIOR_SOLUTIONS, TEXT_GROWTH_SIGNALS

# Line variable -> (the column holding its value, the account field it reveals).
LINE_VARIABLES = {
    "company": ("company", None),
    "industry": ("industry_label", "industry"),
    "hiring_role": ("hiring_role", "hiring_roles"),
    "tech": ("tech", "tech_stack"),
}
BLOCKS = ("opener", "problem", "angle", "bridge", "topic")
# The account fields a draft can rest on, in canonical column order, one bit each.
FACT_FIELDS = tuple(
    f
    for f in ACCOUNT_SCHEMA
    if f in {"industry", "tech_stack", "hiring_roles", "pain_points", "growth_signals", "prior_solutions"}
)
FACT_BITS = {field: 1 << i for i, field in enumerate(FACT_FIELDS)}
# Which account list feeds which blocks.
BLOCK_SOURCES = {
    "pain_points": ("topic", "opener", "problem"),
    "growth_signals": ("angle",),
    "prior_solutions": ("bridge",),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_DISPLAY = {
    "saas": "SaaS",
    "hr_tech": "HR tech",
    "devtools": "developer tools",
    "hubspot": "HubSpot",
    "bigquery": "BigQuery",
    "dbt": "dbt",
    "aws": "AWS",
    "gcp": "GCP",
    "github": "GitHub",
    "customer_success": "customer success",
    "revops": "RevOps",
}


def _placeholders_known(line: str, allowed: tuple[str, ...]) -> str:
    for name in _PLACEHOLDER.findall(line):
        if name not in allowed:
            raise ValueError(f"unknown variable {{{name}}}; lines may use {', '.join('{' + a + '}' for a in allowed)}")
    return line


FactLine = Annotated[str, AfterValidator(lambda s: _placeholders_known(s, tuple(LINE_VARIABLES)))]
GenericLine = Annotated[str, AfterValidator(lambda s: _placeholders_known(s, ("company",)))]
PersonaKey = Literal[PERSONAS + ("default",)]


def _every_persona(lines: dict[str, str]) -> dict[str, str]:
    missing = [p for p in PERSONAS if p not in lines and "default" not in lines]
    if missing:
        raise ValueError(f"no line for persona {missing[0]!r} and no default")
    return lines


PersonaLines = Annotated[dict[PersonaKey, FactLine], AfterValidator(_every_persona)]
GenericLines = Annotated[dict[PersonaKey, GenericLine], AfterValidator(_every_persona)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PainPointCopy(_Strict):
    topic: Annotated[str, AfterValidator(lambda s: _placeholders_known(s, ()))]
    opener: PersonaLines
    problem: PersonaLines


class SignalCopy(_Strict):
    angle: PersonaLines


class PriorSolutionCopy(_Strict):
    bridge: PersonaLines


class GenericCopy(_Strict):
    topic: Annotated[str, AfterValidator(lambda s: _placeholders_known(s, ()))]
    opener: GenericLines
    problem: GenericLines
    angle: GenericLines
    bridge: GenericLines


class MessagingSpec(_Strict):
    """`messaging.yaml`: copy lines per vocabulary key and persona, plus the generic lines."""

    pain_points: dict[Literal[PAIN_POINTS], PainPointCopy] = {}
    growth_signals: dict[Literal[GROWTH_SIGNALS + TEXT_GROWTH_SIGNALS], SignalCopy] = {}
    prior_solutions: dict[Literal[PRIOR_SOLUTIONS], PriorSolutionCopy] = {}
    generic: GenericCopy


def load_messaging(path: Path | None = None) -> MessagingSpec:
    """Load and validate `messaging.yaml`.

    Args:
        path: A workspace messaging.yaml (it replaces the shipped one); None loads the default.

    Returns:
        The validated MessagingSpec.

    Raises:
        InputError: Unknown keys, personas or line variables, or a missing generic line, named by
            file, line, field and value.
    """
    if path is None:
        text = default_spec_text("messaging.yaml")
        return load_spec(MessagingSpec, "messaging/defaults/messaging.yaml", text=text, what="a messaging file")
    return load_spec(MessagingSpec, path, what="a messaging file")


def copy_lines(spec: MessagingSpec) -> pl.DataFrame:
    """One row per (source, key, persona) with the block lines, `default` expanded to personas."""
    rows = []
    for source, blocks in BLOCK_SOURCES.items():
        for key, entry in getattr(spec, source).items():
            for persona in PERSONAS:
                row = {"source": source, "key": key, "persona": persona}
                for block in blocks:
                    lines = getattr(entry, block)
                    row[block] = lines if isinstance(lines, str) else lines.get(persona, lines.get("default"))
                rows.append(row)
    schema = {"source": pl.String, "key": pl.String, "persona": pl.String} | {b: pl.String for b in BLOCKS}
    return pl.DataFrame(rows, schema=schema, orient="row" if not rows else None)


def generic_lines(spec: MessagingSpec) -> pl.DataFrame:
    """One row per persona with the generic line of every block (`generic_<block>` columns)."""
    g = spec.generic
    return pl.DataFrame(
        {
            "persona": list(PERSONAS),
            **{
                f"generic_{b}": [getattr(g, b).get(p, getattr(g, b).get("default")) for p in PERSONAS]
                for b in BLOCKS[:4]
            },
            "generic_topic": [g.topic] * len(PERSONAS),
        }
    )


def fact_variables(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Add the line variables: company, industry_label, tech and hiring_role (null when unknown)."""
    names = rows.collect_schema().names()
    company_sources = [pl.col(c).cast(pl.String) for c in ("company", "name", "domain") if c in names]
    # Inline or all-empty frames infer List(Null)/Null; the canonical types keep string ops valid.
    rows = rows.with_columns(
        pl.col("industry").cast(pl.String),
        *(pl.col(c).cast(pl.List(pl.String)) for c in ("tech_stack", "hiring_roles", *BLOCK_SOURCES)),
    )
    return rows.with_columns(
        pl.coalesce(*company_sources, pl.lit("your company")).alias("company"),
        _display(pl.col("industry")).alias("industry_label"),
        _display(pl.col("tech_stack").list.first()).alias("tech"),
        _display(pl.col("hiring_roles").list.first()).alias("hiring_role"),
    )


def _display(value: pl.Expr) -> pl.Expr:
    return value.replace(_DISPLAY).str.replace_all("_", " ")


def copy_blocks(rows: pl.LazyFrame, spec: MessagingSpec, *, solves: Sequence[str] | None = None) -> pl.LazyFrame:
    """Add the copy blocks and the account fields each one used.

    Args:
        rows: One row per contact with `persona` and the account columns (name or company,
            industry, tech_stack, hiring_roles, pain_points, growth_signals, prior_solutions).
        spec: The messaging spec.
        solves: The sender's `solves`: only these pain points become openers (and the problem and
            topic they carry); an account with none of them gets the generic lines. None: any pain.

    Returns:
        The rows with `opener`, `problem`, `angle`, `bridge`, `topic` (variables filled) and
        `fact_bits_<block>` (Int64 mask of the account fields the block rests on; `fact_names`
        decodes it). Masks, not lists: a render ORs them per template for 100,000 drafts.
    """
    # The line frames are tiny and built eagerly: a lazy filter inside the join's plan makes
    # Polars 2.1's streaming join an order of magnitude slower.
    lines = copy_lines(spec)
    out = fact_variables(rows).join(generic_lines(spec).lazy(), on="persona", how="left", maintain_order="left")
    for source, blocks in BLOCK_SOURCES.items():
        known = sorted(getattr(spec, source))
        if source == "pain_points" and solves is not None:
            # Opening on a pain the product does not address sets up a pitch for something else.
            known = [k for k in known if k in set(solves)]
        key = f"_{source}_key"
        out = out.with_columns(
            pl.col(source).list.eval(pl.element().filter(pl.element().is_in(known))).list.first().alias(key)
        ).join(
            lines.filter(pl.col("source") == source).select(pl.col("key").alias(key), "persona", *blocks).lazy(),
            on=[key, "persona"],
            how="left",
            maintain_order="left",
        )
        for block in blocks:
            out = _choose_line(out, block, source)
    return out.drop([f"_{s}_key" for s in BLOCK_SOURCES] + [f"generic_{b}" for b in BLOCKS])


def _choose_line(frame: pl.LazyFrame, block: str, source: str) -> pl.LazyFrame:
    specific = pl.col(block)
    lacks_fact = pl.any_horizontal(
        specific.str.contains("{" + name + "}", literal=True) & pl.col(column).is_null()
        for name, (column, _) in LINE_VARIABLES.items()
    )
    use_specific = specific.is_not_null() & ~lacks_fact.fill_null(False)
    raw = pl.when(use_specific).then(specific).otherwise(pl.col(f"generic_{block}"))
    frame = frame.with_columns(raw.alias(block), use_specific.alias("_specific"))
    filled = pl.col(block)
    for name, (column, _) in LINE_VARIABLES.items():
        filled = filled.str.replace_all("{" + name + "}", pl.col(column).fill_null(""), literal=True)
    bits = pl.when(pl.col("_specific")).then(FACT_BITS[source]).otherwise(0)
    for name, (_, field) in LINE_VARIABLES.items():
        if field is not None:
            bits = bits | pl.when(pl.col(block).str.contains("{" + name + "}", literal=True)).then(
                FACT_BITS[field]
            ).otherwise(0)
    return frame.with_columns(filled.alias(block), bits.alias(f"fact_bits_{block}")).drop("_specific")


def fact_names(bits: pl.Expr) -> pl.Expr:
    """Decode a `fact_bits_*` mask into the account field names it stands for (canonical order)."""
    masks = range(1 << len(FACT_FIELDS))
    names = [[f for f in FACT_FIELDS if mask & FACT_BITS[f]] for mask in masks]
    return bits.replace_strict(list(masks), names, return_dtype=pl.List(pl.String))
