"""The facts step: every account's facts from its text and list columns, lazily over the whole frame.

Each (kind, key, source) is one expression: the evidence, or null. The long form unpivots them; the
list columns collect the keys with evidence, in vocabulary order. A fact column the export carries
is taken as it is (its values are the facts, the column their source), never overwritten.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import polars as pl

from targeting.facts.evidence import key_evidence, key_found, phrase_pattern
from targeting.facts.spec import EVIDENCE_COLUMNS, FACT_KINDS, FactsSpec, KeyEvidence

FACTS_SCHEMA = {
    "account_id": pl.String,
    "kind": pl.String,
    "key": pl.String,
    "evidence": pl.String,
    "source": pl.String,
}
_SEP = "\x1f"  # joins kind, key and source in a wide column's name; no key or column contains it


def _evidence_columns(
    spec: FactsSpec, columns: set[str], carried: Collection[str], as_of: date | None = None
) -> dict[str, pl.Expr]:
    """One evidence expression per (kind, key, source) the frame can show, keyed kind<SEP>key<SEP>source."""
    out = {}
    for kind, column in FACT_KINDS.items():
        if column in carried:
            continue
        for key, rule in spec.vocabulary(column).items():
            for source, expr in key_evidence(rule, columns, as_of=as_of):
                out[_SEP.join((kind, key, source))] = expr
    return out


def account_facts(
    accounts: pl.LazyFrame, spec: FactsSpec, *, carried: Collection[str] = (), as_of: date | None = None
) -> pl.LazyFrame:
    """The long form: one row per account and fact (account_id, kind, key, evidence, source).

    Args:
        accounts: canonical accounts (`targeting.columns.ACCOUNT_SCHEMA`).
        spec: the facts vocabulary.
        carried: the fact columns (pain_points, growth_signals, prior_solutions) the export itself
            carries: their values are the facts, with the column as source and the value as evidence.
        as_of: the day a key's `recent_years` counts back from (default: today).

    Returns:
        FACTS_SCHEMA rows in account order, kinds in docs/commands.md's order (`outbound facts`), keys in vocabulary order; a key
        evidenced by several sources keeps the first (description, then tags, tech_stack, hiring_roles).
    """
    names = set(accounts.collect_schema().names())
    wide = _evidence_columns(spec, names, carried, as_of)
    parts = []
    if wide:
        parts.append(
            accounts.select("account_id", *[expr.alias(name) for name, expr in wide.items()])
            .unpivot(index="account_id", variable_name="fact", value_name="evidence")
            .drop_nulls("evidence")
            .with_columns(pl.col("fact").str.split(_SEP).list.to_struct(fields=["kind", "key", "source"]))
            .unnest("fact")
        )
    for kind, column in FACT_KINDS.items():
        if column in carried and column in names:
            parts.append(
                accounts.select("account_id", pl.col(column).alias("key"))
                .explode("key")
                .drop_nulls("key")
                .with_columns(kind=pl.lit(kind), evidence=pl.col("key"), source=pl.lit(column))
            )
    if not parts:
        return pl.LazyFrame(schema=FACTS_SCHEMA)
    order = accounts.select("account_id").with_row_index("__account")
    kind_rank = pl.col("kind").replace_strict(list(FACT_KINDS), list(range(len(FACT_KINDS))), return_dtype=pl.Int64)
    # Within a kind, the rules in vocabulary and source order (a carried column's rows keep theirs).
    rule_rank = pl.concat_str("kind", "key", "source", separator=_SEP).replace_strict(
        list(wide), list(range(1, len(wide) + 1)), default=0, return_dtype=pl.Int64
    )
    return (
        pl.concat([p.select(*FACTS_SCHEMA) for p in parts], how="vertical_relaxed")
        .join(order, on="account_id", how="left")
        .sort("__account", kind_rank, rule_rank, maintain_order=True)
        .unique(["account_id", "kind", "key"], keep="first", maintain_order=True)
        .select(*FACTS_SCHEMA)
    )


def with_account_facts(
    accounts: pl.LazyFrame,
    spec: FactsSpec,
    *,
    carried: Collection[str] = (),
    as_of: date | None = None,
    only: Collection[str] | None = None,
) -> pl.LazyFrame:
    """The accounts with `pain_points`, `growth_signals`, `prior_solutions` filled from their evidence.

    A column in `carried` is left as the export gave it, and so is one outside `only` (when given):
    a caller derives over the whole universe only the columns something reads there, and the rest
    later over the rows that need them. A derived column lists the keys with
    evidence in vocabulary order; it is null where the account has neither description nor list
    values to read (nothing known), an empty list where they were read and evidence nothing.

    Args:
        accounts: canonical accounts.
        spec: the facts vocabulary.
        carried: the fact columns the export itself carries.
        as_of: the day a key's `recent_years` counts back from (default: today).
        only: the fact columns to derive (default: every one not carried).
    """
    names = set(accounts.collect_schema().names())
    readable = [c for c in ("description", *EVIDENCE_COLUMNS) if c in names]
    anything = (
        pl.any_horizontal(
            [pl.col(c).is_not_null() if c == "description" else pl.col(c).list.len() > 0 for c in readable]
        ).fill_null(False)
        if readable
        else pl.lit(False)
    )
    filled = []
    for column in FACT_KINDS.values():
        if column in carried or (only is not None and column not in only):
            continue
        found = _kind_keys(spec.vocabulary(column), names, as_of)
        filled.append(pl.when(anything).then(found).otherwise(pl.lit(None, pl.List(pl.String))).alias(column))
    return accounts.with_columns(filled) if filled else accounts


def _kind_keys(vocabulary: dict[str, KeyEvidence], names: set[str], as_of: date | None) -> pl.Expr:
    """The keys of one kind each account evidences, in vocabulary order (an empty list for none).

    One pass over the text and list columns finds the accounts where any key of the kind could
    have evidence (any of its phrases in the description, any of its values in a list); each key's
    own rules, with their sentence contexts, then run on those accounts alone. An account the pass
    leaves out has no evidence for any key, so the lists are the ones every key run on every
    account gives.
    """
    keys = [
        pl.when(found).then(pl.lit(key))
        for key, rule in vocabulary.items()
        if (found := key_found(rule, names, as_of=as_of)) is not None
    ]
    if not keys:
        return pl.lit([], pl.List(pl.String))
    found = pl.concat_list(keys).list.drop_nulls()
    gate = _kind_gate(vocabulary, names)
    needed = sorted(c for c in ("description", *EVIDENCE_COLUMNS) if c in names)

    def on_candidates(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        hit = frame.select(gate.fill_null(False)).to_series()
        none = pl.select(pl.lit([], pl.List(pl.String)).alias("found")).to_series().new_from_index(0, len(frame))
        if not hit.any():
            return none
        # Lazily: the keys' rules share their sentence reads (common subexpressions) only in a query.
        keyed = frame.lazy().filter(hit).select(found.alias("found")).collect().to_series()
        at = (hit.cast(pl.Int64).cum_sum() - 1).clip(0)
        return pl.select(pl.when(hit).then(keyed.gather(at)).otherwise(none)).to_series()

    return pl.struct(needed).map_batches(on_candidates, return_dtype=pl.List(pl.String), is_elementwise=True)


def _kind_gate(vocabulary: dict[str, KeyEvidence], names: set[str]) -> pl.Expr:
    """True where any key of the kind could have evidence: one regex of all its phrases, one lookup per list."""
    tests = []
    phrases = [phrase for rule in vocabulary.values() for phrase in rule.phrases]
    if phrases and "description" in names:
        tests.append(pl.col("description").str.contains(phrase_pattern(phrases)))
    for column in EVIDENCE_COLUMNS:
        values = sorted({value for rule in vocabulary.values() for value in getattr(rule, column)})
        if values and column in names:
            tests.append(pl.col(column).list.eval(pl.element().is_in(values)).list.any())
    return pl.any_horizontal(tests) if tests else pl.lit(False)


def facts_summary(facts: pl.DataFrame, accounts: int, dropped: int) -> dict[str, Any]:
    """`{"accounts", "with_fact", "facts": {kind: n}, "dropped"}` for `outbound facts --json`.

    Args:
        facts: the long form (`account_facts`, collected).
        accounts: accounts read.
        dropped: source rows that gave no account (rejected, duplicate or folded rows).
    """
    counts = dict(facts.group_by("kind").len().iter_rows())
    return {
        "accounts": accounts,
        "with_fact": facts["account_id"].n_unique(),
        "facts": {kind: counts.get(kind, 0) for kind in FACT_KINDS},
        "dropped": dropped,
    }
