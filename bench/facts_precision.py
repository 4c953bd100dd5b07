"""Per-key precision of a facts vocabulary on the hand-labelled YC facts (the development set).

Run: `PYTHONPATH=. python bench/facts_precision.py [FACTS_YAML] [--draws a,b] [--wrong] [--unlabelled]`
(default: the shipped vocabulary, every draw of tests/data/yc_facts_drawn_labelled.csv). Derives the
facts of every labelled account as `outbound facts` does, keeps those whose (account, key, evidence)
was labelled, and prints per key and source: facts kept, right, precision; then the facts labelled
right that the vocabulary no longer gives. `--wrong` lists the wrong facts kept, `--unlabelled` the
facts whose evidence no label covers (read them before trusting a figure).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import polars as pl

from targeting.facts import account_facts, load_facts

ROOT = Path(__file__).resolve().parents[1]
DRAWN = ROOT / "tests" / "data" / "yc_facts_drawn_labelled.csv"
AS_OF = date(2026, 12, 1)  # the day the labels count "recent" from (tests/targeting/facts/test_fact_claims.py)


def judged(spec_path: str | None, draws: list[str] | None) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(facts kept with their label, facts labelled right now gone, facts kept with no label)."""
    labelled = pl.read_csv(DRAWN, schema_overrides={"label": pl.Int64})
    if draws:
        labelled = labelled.filter(pl.col("draw").is_in(draws))
    accounts = (
        labelled.unique("account_id", keep="first", maintain_order=True)
        .select("account_id", "description", pl.col("tags").str.json_decode(pl.List(pl.String)))
        .lazy()
    )
    now = account_facts(accounts, load_facts(spec_path), as_of=AS_OF).collect()
    drawn = labelled.select("account_id", "key").unique()
    now = now.join(drawn, on=["account_id", "key"], how="semi")
    labels = labelled.select("account_id", "key", "evidence", "label", "note").unique(["account_id", "key", "evidence"])
    kept = now.join(labels, on=["account_id", "key", "evidence"], how="left")
    gone = labelled.filter(pl.col("label") == 1).join(now, on=["account_id", "key"], how="anti")
    return kept.filter(pl.col("label").is_not_null()), gone, kept.filter(pl.col("label").is_null())


def main(args: list[str]) -> None:
    spec = next((a for a in args if not a.startswith("--")), None)
    draws = next((a.split("=", 1)[1].split(",") for a in args if a.startswith("--draws=")), None)
    kept, gone, unlabelled = judged(spec, draws)
    pl.Config.set_tbl_rows(200)
    pl.Config.set_fmt_str_lengths(90)
    table = (
        kept.group_by("key", "source")
        .agg(kept=pl.len(), right=pl.col("label").sum())
        .with_columns(precision=(pl.col("right") / pl.col("kept")).round(3))
        .sort("kept", descending=True)
    )
    print(table)
    print(
        f"all: {kept['label'].sum()}/{kept.height} = {kept['label'].mean():.3f}; "
        f"labelled right and gone: {gone.height}; kept without a label: {unlabelled.height}"
    )
    if "--wrong" in args:
        print(kept.filter(pl.col("label") == 0).select("account_id", "key", "evidence", "note"))
    if "--gone" in args:
        print(gone.select("account_id", "key", "evidence", "note"))
    if "--unlabelled" in args:
        print(unlabelled.select("account_id", "key", "source", "evidence"))


if __name__ == "__main__":
    main(sys.argv[1:])
