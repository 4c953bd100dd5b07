"""Draw facts at random from what the shipped facts.yaml derives on the whole YC directory, to label by hand.

Run: `python bench/facts_draw.py SEED DRAW_NAME [N] [YC_CSV] > draw.csv`
(default N 100, YC_CSV `../shared/data/yc-companies-2024-05-11.csv`). The facts step runs as
`outbound facts --preset yc` runs it; facts already in tests/data/yc_facts_drawn_labelled.csv (same
account and key) and in tests/data/yc_facts_read_while_tuning.csv (read while the rules were
tuned) are left out of the draw, so a new draw is fresh. Prints the rows in the layout of
that file with `label` and `note` empty, to be filled by reading each account's text.
Also prints (to stderr) how many accounts have a fact: the recall side of the precision figure.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import polars as pl

from targeting.facts import account_facts, load_facts
from targeting.importing.canonical import import_accounts

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "yc_facts_drawn_labelled.csv"
# Facts read while the vocabulary was tuned (issue 21's second round): not drawn again.
READ = ROOT / "tests" / "data" / "yc_facts_read_while_tuning.csv"
AS_OF = date(2026, 12, 1)  # the day tests/targeting/facts/test_fact_claims.py counts "recent" from


def main(seed: int, draw: str, n: int, path: Path) -> None:
    imported = import_accounts(path, preset="yc")
    accounts = imported.accounts.collect()
    facts = account_facts(accounts.lazy(), load_facts(), carried=imported.carried, as_of=AS_OF).collect()
    print(
        f"accounts {accounts.height}, with a fact {facts['account_id'].n_unique()}, facts {facts.height}",
        file=sys.stderr,
    )
    seen = pl.concat([pl.read_csv(LABELLED, columns=["account_id", "key"]), pl.read_csv(READ)]).unique()
    fresh = facts.join(seen, on=["account_id", "key"], how="anti")
    drawn = fresh.sample(n, seed=seed, shuffle=True)
    out = drawn.join(
        accounts.select(
            "account_id",
            pl.col("name").alias("company_name"),
            "description",
            "tags",
        ),
        on="account_id",
        how="left",
        maintain_order="left",
    ).select(
        "account_id",
        "company_name",
        "description",
        pl.col("tags").map_elements(lambda t: json.dumps(list(t)), return_dtype=pl.String),
        "kind",
        "key",
        "source",
        "evidence",
        pl.lit(draw).alias("draw"),
        pl.lit(None, pl.Int64).alias("label"),
        pl.lit(None, pl.String).alias("note"),
    )
    sys.stdout.write(out.write_csv())


if __name__ == "__main__":
    args = sys.argv[1:]
    main(
        int(args[0]),
        args[1],
        int(args[2]) if len(args) > 2 else 100,
        Path(args[3]) if len(args) > 3 else ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv",
    )
