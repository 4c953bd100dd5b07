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
import polars.selectors as cs
from pydantic import AfterValidator, BaseModel, ConfigDict

from messaging.composing.sender import default_spec_text
from messaging.composing.wording import company_name, display_country, display_product, display_value, stable_hash
from targeting.columns import ACCOUNT_SCHEMA, PERSONAS
from targeting.facts.evidence import description_evidence
from targeting.facts.spec import FactsSpec, load_facts
from targeting.spec_file import load_spec
from targeting.vocabulary import GROWTH_SIGNALS, PAIN_POINTS, PRIOR_SOLUTIONS, TEXT_GROWTH_SIGNALS

# Line variable -> (the column holding its value, the account field it reveals).
LINE_VARIABLES = {
    "company": ("company", None),
    "industry": ("industry_label", "industry"),
    "hiring_role": ("hiring_role", "hiring_roles"),
    "tech": ("tech", "tech_stack"),
    "team_size": ("team_size", "employees"),
    "country": ("country_label", "country"),
    "founded_year": ("founded_label", "founded_year"),
    # The account's own words: the description's words that evidence the pain point a line is about.
    "evidence": ("evidence", "description"),
    # The tool in the account's stack that evidences the prior solution a bridge is about.
    "tool": ("tool", "tech_stack"),
}
# Variables only a line about a known key can fill (they name that key's evidence).
KEY_VARIABLES = ("evidence", "tool")
# Variables that state something about the account (a line using one rests on a fact).
FACT_VARIABLES = tuple(v for v, (_, field) in LINE_VARIABLES.items() if field is not None)
BLOCKS = ("opener", "problem", "angle", "bridge", "topic", "followup")
# A generic line's most accounts in one run (under the batch check's 10% of first touches); runs
# small enough that a line reaches MIN_CAPPED accounts only there are left to the hash.
GENERIC_SHARE = 0.08
MIN_CAPPED = 10
# The blocks of a first touch's sentences (the topic names the subject; a follow-up is a later step).
FIRST_TOUCH_BLOCKS = ("opener", "problem", "angle", "bridge")
# The account fields a draft can rest on, in canonical column order, one bit each.
FACT_FIELDS = tuple(
    f
    for f in ACCOUNT_SCHEMA
    if f
    in {
        "industry",
        "employees",
        "country",
        "founded_year",
        "tech_stack",
        "hiring_roles",
        "pain_points",
        "growth_signals",
        "prior_solutions",
        "description",
    }
)
FACT_BITS = {field: 1 << i for i, field in enumerate(FACT_FIELDS)}
# Which account list feeds which blocks.
BLOCK_SOURCES = {
    "pain_points": ("topic", "opener", "problem"),
    "growth_signals": ("angle",),
    "prior_solutions": ("bridge",),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# The blocks a solved pain lends an account that has none of the sender's pains: what the email is
# about and the problem in general terms, never the opener that would say the account has it.
_STAND_IN_BLOCKS = ("topic", "problem")
_UNUSABLE = 99  # the tier of a line the account lacks a fact for
_GENERIC_FACT_TIER = 3  # the tier of a generic line naming a fact (key lines come first)


def _placeholders_known(line: str, allowed: tuple[str, ...]) -> str:
    for name in _PLACEHOLDER.findall(line):
        if name not in allowed:
            raise ValueError(f"unknown variable {{{name}}}; lines may use {', '.join('{' + a + '}' for a in allowed)}")
    return line


def _lines_known(lines: str | list[str], allowed: tuple[str, ...]) -> list[str]:
    """One line or several (wording varied across accounts), each checked; always a list."""
    items = [lines] if isinstance(lines, str) else list(lines)
    if not items:
        raise ValueError("an empty list of lines; give at least one")
    return [_placeholders_known(line, allowed) for line in items]


_GENERIC_VARIABLES = tuple(v for v in LINE_VARIABLES if v not in KEY_VARIABLES)
FactLine = Annotated[str | list[str], AfterValidator(lambda s: _lines_known(s, tuple(LINE_VARIABLES)))]
GenericLine = Annotated[str | list[str], AfterValidator(lambda s: _lines_known(s, _GENERIC_VARIABLES))]
PersonaKey = Literal[PERSONAS + ("default",)]


def _every_persona(lines: dict[str, list[str]]) -> dict[str, list[str]]:
    missing = [p for p in PERSONAS if p not in lines and "default" not in lines]
    if missing:
        raise ValueError(f"no line for persona {missing[0]!r} and no default")
    return lines


def _a_line_for_anyone(lines: dict[str, list[str]]) -> dict[str, list[str]]:
    # The last resort when an account has no fact a line needs: one line must need none but {company}.
    for persona, items in lines.items():
        if not any(set(_PLACEHOLDER.findall(line)) <= {"company"} for line in items):
            raise ValueError(f"persona {persona!r} has no line that needs only {{company}} (the fallback)")
    return lines


PersonaLines = Annotated[dict[PersonaKey, FactLine], AfterValidator(_every_persona)]
GenericLines = Annotated[
    dict[PersonaKey, GenericLine], AfterValidator(_every_persona), AfterValidator(_a_line_for_anyone)
]


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
    # A follow-up's line about the account (steps 2 and 3); a file written before it renders none.
    followup: GenericLines | None = None


class MessagingSpec(_Strict):
    """`messaging.yaml`: copy lines per vocabulary key and persona, plus the generic lines."""

    pain_points: dict[Literal[PAIN_POINTS], PainPointCopy] = {}
    growth_signals: dict[Literal[GROWTH_SIGNALS + TEXT_GROWTH_SIGNALS], SignalCopy] = {}
    prior_solutions: dict[Literal[PRIOR_SOLUTIONS], PriorSolutionCopy] = {}
    generic: GenericCopy
    # True on the copy `init` writes for the sample's product: drafting refuses it under the user's
    # own sender (`messaging.composing.sample_copy.refuse_sample_copy`).
    sample: bool = False


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


def _for(lines: dict[str, list[str]] | None, persona: str) -> list[str]:
    if lines is None:
        return [""]
    return lines.get(persona, lines.get("default"))


# Blocks whose lines state the pain in general terms: every persona's lines are candidates for each
# reader (the persona's own first), so a run's first touches do not all carry the same sentence.
POOLED_BLOCKS = ("problem",)


def copy_lines(spec: MessagingSpec) -> pl.DataFrame:
    """One row per (source, key, persona): each block's lines (List[String]), `default` expanded to personas.

    A pooled block (`POOLED_BLOCKS`) lists the persona's own lines, then the other personas' lines.
    """
    rows = []
    for source, blocks in BLOCK_SOURCES.items():
        for key, entry in getattr(spec, source).items():
            for persona in PERSONAS:
                row = {"source": source, "key": key, "persona": persona}
                for block in blocks:
                    lines = getattr(entry, block)
                    row[block] = [lines] if isinstance(lines, str) else _for(lines, persona)
                    if block in POOLED_BLOCKS and isinstance(lines, dict):
                        row[block] = list(dict.fromkeys([*row[block], *(x for ls in lines.values() for x in ls)]))
                rows.append(row)
    schema = {"source": pl.String, "key": pl.String, "persona": pl.String} | {b: pl.List(pl.String) for b in BLOCKS}
    return pl.DataFrame(rows, schema=schema, orient="row" if not rows else None)


def generic_lines(spec: MessagingSpec) -> pl.DataFrame:
    """One row per persona with the generic lines of every block (`generic_<block>`, List[String])."""
    g = spec.generic
    return pl.DataFrame(
        {
            "persona": list(PERSONAS),
            **{f"generic_{b}": [_for(getattr(g, b), p) for p in PERSONAS] for b in BLOCKS if b != "topic"},
            "generic_topic": [[g.topic]] * len(PERSONAS),
        },
        schema={"persona": pl.String}
        | {f"generic_{b}": pl.List(pl.String) for b in BLOCKS if b != "topic"}
        | {"generic_topic": pl.List(pl.String)},
    )


def _widths(spec: MessagingSpec) -> dict[str, tuple[int, int]]:
    """Per block, the most lines any key gives it and the most generic lines: the candidate columns."""
    lines, generic = copy_lines(spec), generic_lines(spec)
    out = {}
    for block in BLOCKS:
        specific = int(lines[block].list.len().max() or 0) if lines.height and block in lines.columns else 0
        shared = int(generic[f"generic_{block}"].list.len().max() or 1)
        # A pain the sender solves may stand in for the generic topic and problem (`copy_blocks`).
        out[block] = (specific, max(shared, specific) if block in _STAND_IN_BLOCKS else shared)
    return out


_FACT_COLUMNS = {
    "industry": pl.String,
    "employees": pl.Int64,
    "country": pl.String,
    "founded_year": pl.Int64,
    "description": pl.String,
}


def fact_variables(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Add the line variables: company (as a person writes it), industry_label, tech, hiring_role,
    team_size, country_label and founded_label (null when unknown)."""
    names = rows.collect_schema().names()
    missing = [pl.lit(None, dtype=t).alias(c) for c, t in _FACT_COLUMNS.items() if c not in names]
    missing += [pl.lit(None, dtype=pl.String).alias(c) for c in ("company", "name", "domain") if c not in names]
    missing += [
        pl.lit(None, dtype=pl.List(pl.String)).alias(c)
        for c in ("tech_stack", "hiring_roles", *BLOCK_SOURCES)
        if c not in names
    ]
    # Inline or all-empty frames infer List(Null)/Null; the canonical types keep string ops valid.
    rows = rows.with_columns(missing).with_columns(
        *(pl.col(c).cast(t) for c, t in _FACT_COLUMNS.items()),
        *(pl.col(c).cast(pl.List(pl.String)) for c in ("tech_stack", "hiring_roles", *BLOCK_SOURCES)),
    )
    size = pl.col("employees")
    year = pl.col("founded_year")
    return rows.with_columns(
        company_name(pl.coalesce(pl.col("company").cast(pl.String), pl.col("name").cast(pl.String)), pl.col("domain"))
        .fill_null("your company")
        .alias("company"),
        display_value(pl.col("industry")).alias("industry_label"),
        display_product(pl.col("tech_stack").list.first()).alias("tech"),
        display_value(pl.col("hiring_roles").list.first()).alias("hiring_role"),
        # A size of 1 or none reads oddly in "a team of 1"; a founding year in the future is an error.
        pl.when(size >= 2).then(size.cast(pl.String)).alias("team_size"),
        display_country(pl.col("country")).alias("country_label"),
        pl.when((year >= 1800) & (year <= 2100)).then(year.cast(pl.String)).alias("founded_label"),
    )


def copy_blocks(
    rows: pl.LazyFrame,
    spec: MessagingSpec,
    *,
    solves: Sequence[str] | None = None,
    facts: FactsSpec | None = None,
) -> pl.LazyFrame:
    """Add the copy blocks and the account fields each one used.

    Where a block has several lines, an account's own words come first (a line with `{evidence}` or
    `{tool}` that it can fill), then any other line it can fill; among equals, the account id's
    hash picks, so wording varies across accounts and is the same on every run. A block without a
    line about a known key takes a generic one, those naming a firmographic fact first.

    Args:
        rows: One row per contact with `persona` and the account columns (name or company, domain,
            industry, employees, country, founded_year, description, tech_stack, hiring_roles,
            pain_points, growth_signals, prior_solutions); absent columns count as unknown.
        spec: The messaging spec.
        solves: The sender's `solves`: only these pain points become openers (and the problem and
            topic they carry); an account with none of them gets the generic lines. None: any pain.
        facts: The facts vocabulary whose evidence `{evidence}` and `{tool}` quote (default: shipped).

    Returns:
        The rows with the blocks (variables filled), `fact_bits_<block>` (Int64 mask of the
        account fields the block rests on; `fact_names` decodes it) and `weak_claim` (why the
        pain the draft opens on rests on weak evidence, else null). Masks, not lists: a render
        ORs them per template for 100,000 drafts.
    """
    facts = facts if facts is not None else load_facts()
    # The line frames are tiny and built eagerly: a lazy filter inside the join's plan makes
    # Polars 2.1's streaming join an order of magnitude slower.
    lines = copy_lines(spec)
    widths = _widths(spec)
    out = fact_variables(rows)
    names = out.collect_schema().names()
    key = pl.coalesce(*(pl.col(c).cast(pl.String) for c in ("account_id", "domain", "company") if c in names))
    out = out.with_columns(
        stable_hash(key).alias("_hash"),
        pl.lit(None, pl.String).alias("evidence"),
        pl.lit(None, pl.String).alias("tool"),
    )
    out = out.join(
        _spread(generic_lines(spec), widths, generic=True).lazy(), on="persona", how="left", maintain_order="left"
    )
    for source, blocks in BLOCK_SOURCES.items():
        known = sorted(getattr(spec, source))
        if source == "pain_points" and solves is not None:
            # Opening on a pain the product does not address sets up a pitch for something else.
            known = [k for k in known if k in set(solves)]
        key_col = f"_{source}_key"
        table = lines.filter(pl.col("source") == source).select(pl.col("key").alias(key_col), "persona", *blocks)
        out = (
            out.with_columns(
                pl.col(source).list.eval(pl.element().filter(pl.element().is_in(known))).list.first().alias(key_col)
            )
            .join(_spread(table, widths).lazy(), on=[key_col, "persona"], how="left", maintain_order="left")
            .with_columns(_key_evidence(source, pl.col(key_col), facts, names))
        )
        if source == "pain_points" and solves is not None:
            out = _stand_in_pain(out, lines, [k for k in solves if k in known], key_col, widths)
        for block in blocks:
            out = _choose_line(out, block, source, widths[block])
    out = _choose_line(out, "followup", None, widths["followup"])
    # A pain stated to the account on a list value alone (a tag) while its own words say nothing of it.
    pain = pl.col("_pain_points_key")
    weak = pain.is_not_null() & pl.col("description").is_not_null() & pl.col("evidence").is_null()
    out = out.with_columns(
        pl.when(weak)
        .then(pl.format("the {} opener rests on a list value (a tag), not on the account's own words", pain))
        .alias("weak_claim")
    )
    spread = [f"{b}__{i}" for b in BLOCKS for i in range(widths[b][0])]
    spread += [f"generic_{b}__{i}" for b in BLOCKS for i in range(widths[b][1])]
    return out.drop([f"_{s}_key" for s in BLOCK_SOURCES] + spread + ["_hash", "evidence", "tool"])


def _stand_in_pain(
    frame: pl.LazyFrame, lines: pl.DataFrame, solved: list[str], key_col: str, widths: dict[str, tuple[int, int]]
) -> pl.LazyFrame:
    """Where an account has none of the sender's pains, one of them (the hash picks) gives topic and problem.

    The generic candidates of those blocks are replaced, so the draft talks about what the product
    does in general terms ("Overlapping tools make simple questions harder to answer.") and the
    opener stays generic: no line claims the account has the pain, and no line comes from another
    product's copy. A problem line quoting the account's evidence cannot stand in.
    """
    if not solved:
        return frame
    turn = (pl.col("_hash") // (7 ** len(BLOCKS))) % len(solved)
    stand_in = pl.when(pl.col(key_col).is_null()).then(
        turn.replace_strict(list(range(len(solved))), solved, return_dtype=pl.String)
    )
    general = pl.element().filter(~pl.element().str.contains(r"\{(?:" + "|".join(KEY_VARIABLES) + r")\}"))
    table = lines.filter(pl.col("source") == "pain_points", pl.col("key").is_in(solved)).select(
        pl.col("key").alias("_stand_in"),
        "persona",
        *[
            pl.col(block).list.eval(general).list.get(i, null_on_oob=True).alias(f"_stand_in_{block}__{i}")
            for block in _STAND_IN_BLOCKS
            for i in range(widths[block][1])
        ],
    )
    frame = frame.with_columns(stand_in.alias("_stand_in")).join(
        table.lazy(), on=["_stand_in", "persona"], how="left", maintain_order="left"
    )
    usable = pl.col("_stand_in_problem__0").is_not_null()
    return frame.with_columns(
        pl.when(usable)
        .then(pl.col(f"_stand_in_{block}__{i}"))
        .otherwise(pl.col(f"generic_{block}__{i}"))
        .alias(f"generic_{block}__{i}")
        for block in _STAND_IN_BLOCKS
        for i in range(widths[block][1])
    ).drop(cs.starts_with("_stand_in"))


def _spread(table: pl.DataFrame, widths: dict[str, tuple[int, int]], *, generic: bool = False) -> pl.DataFrame:
    """List columns -> one column per candidate line (`<block>__<i>`, null past a key's own lines)."""
    spread = []
    for block in BLOCKS:
        column = f"generic_{block}" if generic else block
        if column not in table.columns:
            continue
        width = widths[block][1 if generic else 0]
        spread += [pl.col(column).list.get(i, null_on_oob=True).alias(f"{column}__{i}") for i in range(width)]
        table = table.with_columns(spread).drop(column)
        spread = []
    return table


def _key_evidence(source: str, key: pl.Expr, facts: FactsSpec, names: list[str]) -> list[pl.Expr]:
    """`evidence` (pain points: the description's words) or `tool` (prior solutions: the stack's tool)."""
    if source == "pain_points":
        found = [
            pl.when(key == k).then(description_evidence(rule))
            for k, rule in facts.pain_points.items()
            if rule.phrases and "description" in names
        ]
        words = pl.coalesce(found) if found else pl.lit(None, pl.String)
        # "Enterprise" opening a sentence reads as "enterprise" mid-sentence; "HIPAA" and "SOC 2" stay.
        lowered = pl.when(words.str.slice(1) == words.str.slice(1).str.to_lowercase()).then(words.str.to_lowercase())
        return [lowered.otherwise(words).alias("evidence")]
    if source == "prior_solutions":
        found = [
            pl.when(key == k).then(
                pl.col("tech_stack").list.eval(pl.element().filter(pl.element().is_in(rule.tech_stack))).list.first()
            )
            for k, rule in facts.prior_solutions.items()
            if rule.tech_stack
        ]
        tool = pl.coalesce(found) if found else pl.lit(None, pl.String)
        return [display_product(tool).alias("tool")]
    return []


def _usable(line: pl.Expr) -> pl.Expr:
    """The line exists and the account has every fact it names."""
    lacks = pl.any_horizontal(
        line.str.contains("{" + name + "}", literal=True) & pl.col(column).is_null()
        for name, (column, _) in LINE_VARIABLES.items()
    )
    return line.is_not_null() & ~lacks.fill_null(True)


def _names_any(line: pl.Expr, variables: tuple[str, ...]) -> pl.Expr:
    return pl.any_horizontal(line.str.contains("{" + v + "}", literal=True) for v in variables).fill_null(False)


def _choose_line(frame: pl.LazyFrame, block: str, source: str | None, width: tuple[int, int]) -> pl.LazyFrame:
    """Pick each row's line for one block and fill its variables; record the fact fields it rests on."""
    salt = BLOCKS.index(block)
    # A different slice of the hash per block, so an account's opener and angle vary independently.
    turn = (pl.col("_hash") // (7**salt)) % 1_000_003
    candidates, tiers = [], []
    for group, prefix, count in ((0, block, width[0]), (1, f"generic_{block}", width[1])):
        for i in range(count):
            line = pl.col(f"{prefix}__{i}")
            # Tier: own words (key lines naming evidence), key lines naming a fact, other key lines,
            # generic lines naming a fact, the rest.
            names_fact = _names_any(line, FACT_VARIABLES)
            tier = (
                pl.when(_names_any(line, KEY_VARIABLES)).then(0).when(names_fact).then(1).otherwise(2)
                if group == 0
                else pl.when(names_fact).then(_GENERIC_FACT_TIER).otherwise(_GENERIC_FACT_TIER + 1)
            )
            tiers.append(pl.when(_usable(line)).then(tier).otherwise(_UNUSABLE).alias(f"_tier__{len(tiers)}"))
            candidates.append(line)
    if not candidates:
        return frame.with_columns(pl.lit("").alias(block), pl.lit(0, pl.Int64).alias(f"fact_bits_{block}"))
    # The hash picks the k-th of the usable lines of the best tier, so each of them gets an equal
    # share of the accounts (a line after an unusable one does not inherit its turn).
    names = [f"_tier__{i}" for i in range(len(tiers))]
    frame = frame.with_columns(tiers)
    top = pl.min_horizontal(names)
    in_top = [(pl.col(n) == top) & (top < _UNUSABLE) for n in names]
    k = turn % pl.max_horizontal(pl.sum_horizontal(in_top), pl.lit(1))
    frame = frame.with_columns(_kth(in_top, k).alias("_best"))
    if block in FIRST_TOUCH_BLOCKS and width[1]:
        frame = frame.with_columns(_spread_repeats(candidates, names, width[0]))
    best = pl.col("_best")
    chosen = pl.concat_list(candidates).list.get(best, null_on_oob=True)
    from_key = best < width[0]
    frame = frame.with_columns(chosen.fill_null("").alias(block), from_key.alias("_specific")).drop("_best")
    filled = _filled(pl.col(block))
    bits = pl.lit(0, pl.Int64)
    if source is not None:
        bits = pl.when(pl.col("_specific")).then(FACT_BITS[source]).otherwise(0)
    for name, (_, field) in LINE_VARIABLES.items():
        if field is not None:
            bits = bits | pl.when(pl.col(block).str.contains("{" + name + "}", literal=True)).then(
                FACT_BITS[field]
            ).otherwise(0)
    return frame.with_columns(filled.alias(block), bits.cast(pl.Int64).alias(f"fact_bits_{block}")).drop(
        "_specific", *names
    )


def _spread_repeats(candidates: list[pl.Expr], tiers: list[str], specific: int) -> pl.Expr:
    """`_best` again, with a generic line's accounts past its share of the run moved to other lines.

    A generic line reads the same for every account that shares its values ({industry} on a list of
    one industry): the hash alone would give it a third or half of a run. Past `GENERIC_SHARE` of the
    run's contacts (and `MIN_CAPPED` of them), the rest of its accounts take the block's other usable
    generic lines naming a fact, in turn by hash; where there are none, a line naming no fact passes
    them to any other usable line, and a line naming the account's only fact here keeps them (a fact
    outweighs variety). Lines written for a key (the sender's own pains) never move. The sentence is
    counted as the batch check reads it, with the company's name left as `{company}`.
    """
    best = pl.col("_best")
    line = pl.concat_list(candidates).list.get(best, null_on_oob=True)
    rank = (pl.col("_hash").rank("ordinal").over(_filled(line, but="company")) - 1).cast(pl.Int64)
    limit = pl.max_horizontal((pl.len() * GENERIC_SHARE).floor().cast(pl.Int64), pl.lit(MIN_CAPPED))
    over = (best >= specific) & (rank >= limit)
    usable = [(pl.col(t) < _UNUSABLE) & (best != i) & pl.lit(i >= specific) for i, t in enumerate(tiers)]
    facts = [u & (pl.col(t) == _GENERIC_FACT_TIER) for u, t in zip(usable, tiers, strict=True)]
    n_usable, n_facts = pl.sum_horizontal(usable), pl.sum_horizontal(facts)
    return (
        pl.when(over & (n_facts > 0))
        .then(_kth(facts, rank % pl.max_horizontal(n_facts, pl.lit(1))))
        .when(over & (n_usable > 0) & ~_names_any(line, FACT_VARIABLES))
        .then(_kth(usable, rank % pl.max_horizontal(n_usable, pl.lit(1))))
        .otherwise(best)
        .alias("_best")
    )


def _kth(mask: list[pl.Expr], k: pl.Expr) -> pl.Expr:
    """The index of the k-th true of `mask` (counting from 0; the first index where none is)."""
    picks = [
        pl.when(mask[i] & (pl.sum_horizontal(mask[: i + 1]) - 1 == k)).then(0).otherwise(i + 1)
        for i in range(len(mask))
    ]
    return pl.concat_list(picks).list.arg_min()


def _filled(line: pl.Expr, *, but: str | None = None) -> pl.Expr:
    """The line with the account's values in its variables (all but `but`)."""
    for name, (column, _) in LINE_VARIABLES.items():
        if name != but:
            line = line.str.replace_all("{" + name + "}", pl.col(column).fill_null(""), literal=True)
    return line


def fact_names(bits: pl.Expr) -> pl.Expr:
    """Decode a `fact_bits_*` mask into the account field names it stands for (canonical order)."""
    masks = range(1 << len(FACT_FIELDS))
    names = [[f for f in FACT_FIELDS if mask & FACT_BITS[f]] for mask in masks]
    return bits.replace_strict(list(masks), names, return_dtype=pl.List(pl.String))


# The firmographic variables an account may lack ({company} always has a value; {evidence} and {tool}
# depend on the key's evidence and are checked where the line is chosen).
OPTIONAL_VARIABLES = tuple(v for v in LINE_VARIABLES if v != "company" and v not in KEY_VARIABLES)


def line_fallbacks(
    rows: pl.LazyFrame | pl.DataFrame,
    spec: MessagingSpec,
    *,
    path: str | Path | None = None,
    solves: Sequence[str] | None = None,
) -> list[dict[str, object]]:
    """The key lines of messaging.yaml that use a placeholder some of these accounts lack, and how many.

    `copy_blocks` never fills such a line for an account without the value: it takes another line of
    the same block, else the generic one (which always has a line needing only `{company}`). This
    says which of a pain point's, growth signal's or prior solution's lines that happened to, so a writer knows a line is not reaching everyone: each entry
    names the file, its line, the line's key (`pain_points.data_silos.problem.technical_evaluator`),
    the placeholder and the accounts drafted that lack it.

    Args:
        rows: The rows drafted (one per contact: persona and the account columns, as `copy_blocks` takes).
        spec: The messaging spec.
        path: The workspace messaging.yaml it was read from (None: the shipped file).
        solves: The sender's `solves` (only those pain points open a draft).

    Returns:
        `{"file", "line", "key", "placeholder", "accounts"}` per line and placeholder, accounts > 0,
        in file order.
    """
    from targeting.spec_file import line_of, read_spec

    shipped = "messaging/defaults/messaging.yaml"
    doc = read_spec(path) if path is not None else read_spec(shipped, text=default_spec_text("messaging.yaml"))
    frame = fact_variables(rows.lazy())
    names = frame.collect_schema().names()
    columns = {v: LINE_VARIABLES[v][0] for v in OPTIONAL_VARIABLES}
    picks: list[tuple[str, int | None, str, str, pl.Expr]] = []

    def add(where: list[str | int], node: object, persona_key: str, lines: object, applies: pl.Expr) -> None:
        personas = [persona_key] if persona_key != "default" else [p for p in PERSONAS if p not in (lines or {})]
        items = node if isinstance(node, list) else [node]
        for i, line in enumerate(items):
            for variable in dict.fromkeys(_PLACEHOLDER.findall(str(line))):
                if variable not in columns:
                    continue
                parent = _node(doc, where)
                at = line_of(parent, i) if isinstance(node, list) else None
                at = at or line_of(_node(doc, where[:-1]), where[-1])
                lacks = applies & pl.col("persona").is_in(personas) & pl.col(columns[variable]).is_null()
                picks.append((".".join(str(w) for w in where), at, "{" + variable + "}", f"{len(picks)}", lacks))

    for source, blocks in BLOCK_SOURCES.items():
        listed = pl.col(source) if source in names else pl.lit(None, pl.List(pl.String))
        for key, entry in getattr(spec, source).items():
            if source == "pain_points" and solves is not None and key not in set(solves):
                continue
            applies = listed.list.contains(key).fill_null(False)
            for block in blocks:
                lines = getattr(entry, block)
                for persona_key, node in lines.items() if isinstance(lines, dict) else []:
                    add([source, key, block, persona_key], node, persona_key, lines, applies)
    # The generic lines are the fallback themselves: their variants are meant to vary with the facts.
    if not picks:
        return []
    counts = frame.select(
        [(lacks & pl.col("account_id").is_not_null()).sum().alias(n) for *_, n, lacks in picks]
        if "account_id" in names
        else [lacks.sum().alias(n) for *_, n, lacks in picks]
    ).collect()
    file = str(path) if path is not None else shipped
    return [
        {"file": file, "line": at, "key": key, "placeholder": placeholder, "accounts": int(counts[n][0])}
        for key, at, placeholder, n, _ in picks
        if counts[n][0]
    ]


def _node(doc: object, where: list[str | int]) -> object:
    for step in where:
        doc = doc.get(step) if isinstance(doc, dict) else None
    return doc
