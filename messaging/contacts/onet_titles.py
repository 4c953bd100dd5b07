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
