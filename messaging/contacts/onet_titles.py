"""O*NET's alternate job titles as a test set for the persona rules: read, split, label.

The file (`onet-alternate-titles-public.tsv`, see the shared data's SOURCES.md) has one row per
title and occupation code. Only the major groups a B2B buying committee is drawn from are used
(`COMMITTEE_GROUPS`). Each title goes to the development part or the HELD-OUT part by a hash of its
lower-cased, space-collapsed text, so the split is fixed, needs no seed and puts a title that two
occupations share on one side only. Rules are written from the development part; the held-out part
is only scored. The persona each occupation should get is in `onet_personas.csv` beside this module's
tests data (see docs/personas.md for the mapping and why).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from targeting.errors import InputError

COMMITTEE_GROUPS = ("11", "13", "15", "23", "41", "43")
HELD_OUT_BUCKETS = 5  # one title in five is held out
PARTS = ("development", "held_out")


def title_part(title: str) -> str:
    """`held_out` for one title in five (by a SHA-256 of its lower-cased text), else `development`."""
    key = " ".join(title.lower().split()).encode("utf-8")
    return "held_out" if int(hashlib.sha256(key).hexdigest(), 16) % HELD_OUT_BUCKETS == 0 else "development"


def read_onet_titles(path: Path | str, groups: tuple[str, ...] = COMMITTEE_GROUPS) -> pl.DataFrame:
    """Read the O*NET alternate titles of `groups`: code, occupation (6-digit SOC), major, title, part.

    Raises:
        InputError: The file cannot be read or lacks the code or title column.
    """
    try:
        frame = pl.read_csv(path, separator="\t", infer_schema=False, quote_char=None)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"cannot read O*NET titles ({exc})", path=path) from None
    for column in ("O*NET-SOC Code", "Alternate Title"):
        if column not in frame.columns:
            raise InputError("O*NET titles lack a column", path=path, field=column)
    titles = frame.select(
        code=pl.col("O*NET-SOC Code"),
        occupation=pl.col("O*NET-SOC Code").str.slice(0, 7),
        major=pl.col("O*NET-SOC Code").str.slice(0, 2),
        title=pl.col("Alternate Title").str.strip_chars(),
    ).filter(pl.col("major").is_in(list(groups)) & (pl.col("title") != ""))
    return titles.with_columns(part=pl.col("title").map_elements(title_part, return_dtype=pl.String))


def read_occupation_personas(path: Path | str) -> list[tuple[str, list[str]]]:
    """The occupation mapping: (code prefix, acceptable personas, first = the main one), longest prefix first."""
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise InputError(f"cannot read occupation personas ({exc})", path=path) from None
    rows = [(prefix, personas.split(";")) for prefix, personas in frame.select("prefix", "personas").iter_rows()]
    return sorted(rows, key=lambda row: -len(row[0]))


def with_expected_personas(titles: pl.DataFrame, mapping: list[tuple[str, list[str]]]) -> pl.DataFrame:
    """Add `expected` (the main persona) and `acceptable` (list) from the longest matching code prefix."""
    expected, acceptable = pl.lit(None, pl.String), pl.lit(None, pl.List(pl.String))
    for prefix, personas in reversed(mapping):  # shortest first, so longer prefixes override
        hit = pl.col("code").str.starts_with(prefix)
        expected = pl.when(hit).then(pl.lit(personas[0])).otherwise(expected)
        acceptable = pl.when(hit).then(pl.lit(personas, pl.List(pl.String))).otherwise(acceptable)
    return titles.with_columns(expected=expected, acceptable=acceptable)


def onet_scores(titles: pl.DataFrame, mapping: list[tuple[str, list[str]]], rules: object) -> pl.DataFrame:
    """Classify the titles; add expected, acceptable, persona, rule and `correct` (persona is acceptable)."""
    from messaging.contacts.classify import classify_contacts

    labelled = with_expected_personas(titles, mapping)
    scored = classify_contacts(labelled, rules)  # type: ignore[arg-type]
    return scored.with_columns(correct=pl.col("acceptable").list.contains(pl.col("persona")).fill_null(False))


def onet_accuracy(scored: pl.DataFrame) -> pl.DataFrame:
    """Per expected persona: n, accuracy (predicted persona acceptable), unclassified share; plus `all`."""

    def row(name: str, part: pl.DataFrame) -> tuple[str, int, float, float]:
        n = part.height
        return (
            name,
            n,
            round(part["correct"].sum() / n, 3) if n else 0.0,
            round((part["persona"] == "unclassified").sum() / n, 3) if n else 0.0,
        )

    personas = scored["expected"].drop_nulls().unique().sort().to_list()
    rows = [row(p, scored.filter(pl.col("expected") == p)) for p in personas] + [row("all", scored)]
    return pl.DataFrame(rows, schema=["expected", "n", "accuracy", "unclassified"], orient="row")
