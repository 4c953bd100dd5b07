"""Copy blocks -> rendered drafts: one row per contact and step, with subject, body and facts_used.

Everything around the template call is vectorized: steps and variants are assigned, facts are
collected and subjects split off in Polars. The per-row work is only `template.render(ctx)`
with a small dict, against templates compiled and bound to the sender once.
"""

from __future__ import annotations

import polars as pl

from messaging.composing.copy_blocks import FACT_BITS, fact_names
from messaging.composing.sender import Sender
from messaging.composing.templates import CONTEXT_VARIABLES, TemplateSet, template_globals

# Context variable -> the column it is read from (the rest are read from a same-named column).
_CONTEXT_COLUMNS = {"industry": "industry_label", "country": "country_label", "founded_year": "founded_label"}
# Context variable -> the account field it reveals when used directly by a template.
_DIRECT_FACTS = {
    "industry": "industry",
    "tech": "tech_stack",
    "hiring_role": "hiring_roles",
    "team_size": "employees",
    "country": "country",
    "founded_year": "founded_year",
}
_BLOCKS = ("opener", "problem", "angle", "bridge", "topic", "followup")


def assign_steps(rows: pl.LazyFrame, templates: TemplateSet, *, steps: int = 3) -> pl.LazyFrame:
    """One row per contact and step, with the variant each contact gets.

    Variants alternate over contacts sorted by contact_id within each persona and step, so an A/B
    split is balanced and the same input always gets the same variants.
    """
    choices = pl.DataFrame(
        [
            {"persona": p, "step": s, "_variants": templates.variants(p, s)}
            for p, s in sorted({(p, s) for p, s, _ in templates.code})
        ],
        schema={"persona": pl.String, "step": pl.Int64, "_variants": pl.List(pl.String)},
    )
    position = pl.col("contact_id").rank("ordinal").over("persona", "step") - 1
    return (
        rows.with_columns(pl.int_ranges(1, steps + 1, dtype=pl.Int64).alias("step"))
        .explode("step")
        .join(choices.lazy(), on=["persona", "step"], how="left", maintain_order="left")
        .with_columns(
            pl.col("_variants").list.get((position % pl.col("_variants").list.len()).cast(pl.Int64)).alias("variant")
        )
        .drop("_variants")
    )


def facts_used(templates: TemplateSet) -> tuple[pl.LazyFrame, pl.Expr]:
    """What each template uses (a frame to join on persona, step, variant) and the facts expression."""
    uses = pl.DataFrame(
        [
            {"persona": p, "step": s, "variant": v}
            | {f"_uses_{n}": n in templates.variables[(p, s, v)] for n in CONTEXT_VARIABLES}
            for p, s, v in templates.code
        ],
        schema={"persona": pl.String, "step": pl.Int64, "variant": pl.String}
        | {f"_uses_{n}": pl.Boolean for n in CONTEXT_VARIABLES},
    )
    bits = pl.lit(0, dtype=pl.Int64)
    for block in _BLOCKS:
        bits = bits | pl.when(pl.col(f"_uses_{block}")).then(pl.col(f"fact_bits_{block}")).otherwise(0)
    for name, field in _DIRECT_FACTS.items():
        known = pl.col(f"_uses_{name}") & pl.col(_CONTEXT_COLUMNS.get(name, name)).is_not_null()
        bits = bits | pl.when(known).then(FACT_BITS[field]).otherwise(0)
    return uses.lazy(), fact_names(bits)


def render_drafts(
    rows: pl.LazyFrame | pl.DataFrame, templates: TemplateSet, sender: Sender, *, steps: int = 3
) -> pl.DataFrame:
    """Render every contact's steps.

    Args:
        rows: One row per contact with contact_id, persona, first_name and the copy blocks
            (the output of `copy_blocks`).
        templates: The loaded templates (checked with `check_templates` beforehand).
        sender: The sender bound into the templates.
        steps: The number of steps per contact.

    Returns:
        The input columns plus step (Int64), variant, subject, body and facts_used, one row
        per contact and step, grouped by template (persona, step, variant).
    """
    uses, facts = facts_used(templates)
    keys = ["persona", "step", "variant"]
    # Rendering is the edge: materialize the blocks first. It also sidesteps a Polars 2.1 streaming
    # panic when a reversed lazy input meets the explode + join below.
    blocks = (rows.collect() if isinstance(rows, pl.LazyFrame) else rows).with_row_index("_blk")
    # Only what rendering reads goes through explode, join and sort; the rest is gathered at the end.
    needed = {"_blk", "contact_id", "persona", *(_CONTEXT_COLUMNS.get(n, n) for n in CONTEXT_VARIABLES)}
    needed |= {f"fact_bits_{b}" for b in _BLOCKS}
    planned = (
        assign_steps(blocks.lazy().select(c for c in blocks.columns if c in needed), templates, steps=steps)
        .join(uses, on=keys, how="left", maintain_order="left")
        .with_columns(facts.alias("facts_used"))
        .collect()
    )
    context = [pl.col(_CONTEXT_COLUMNS.get(n, n)).cast(pl.String).fill_null("").alias(n) for n in CONTEXT_VARIABLES]
    bound = templates.bind(template_globals(sender, planned["persona"].unique().to_list()))
    parts = []
    # One partition per template (no sort of the whole frame): each renders with its own template.
    for key, part in (planned.partition_by(keys, as_dict=True) if planned.height else {}).items():
        render = bound[key].render
        # A contact with a first name is greeted by it; "there" only where none is known (blank or padded).
        name = pl.col("first_name").str.strip_chars()
        rows = part.select(context).with_columns(name.replace("", "there").alias("first_name")).iter_rows()
        texts = [render(dict(zip(CONTEXT_VARIABLES, row))) for row in rows]
        parts.append(part.select("_blk", "step", "variant", "facts_used", pl.Series("_text", texts, dtype=pl.String)))
    empty = planned.select("_blk", "step", "variant", "facts_used", pl.lit(None, pl.String).alias("_text")).clear()
    rendered = pl.concat(parts) if parts else empty
    inputs = blocks[rendered["_blk"]].drop("_blk")
    return inputs.hstack(_split_subject(rendered.drop("_blk")))


def _split_subject(frame: pl.DataFrame) -> pl.DataFrame:
    text = pl.col("_text")
    newline = text.str.find("\n", literal=True)
    # Literal replaces, not regexes: a regex pass over 100,000 bodies costs more than the split.
    body = (
        text.str.slice(newline + 1)
        .fill_null("")
        .str.replace_all(" \n", "\n", literal=True)
        .str.replace_all(r"\n{3,}", "\n\n")
        .str.strip_chars()
    )
    subject = text.str.slice(0, newline).fill_null(text).str.strip_prefix("Subject:").str.strip_chars()
    return frame.with_columns(subject.alias("subject"), body.alias("body")).drop("_text")
