"""Account facts on the real YC directory: precision on 50 hand-labelled rows, share of accounts with a fact.

Run: `python bench/facts_yc.py [YC_CSV]` (default `../shared/data/yc-companies-2024-05-11.csv`).
Prints the figures docs/facts.md reports: precision of the shipped facts.yaml on
tests/data/yc_facts_labelled.csv, the share of all accounts with at least one fact, and the share of
target accounts with one for three ICPs: bench/facts_yc_icp.yaml (B2B software in North America),
bench/facts_yc_devtools_icp.yaml (developer tools in the US and Canada) and the default ICP's filters (its minimum score lowered to 0: on YC its criteria reach no one yet).
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from targeting.facts import account_facts, load_facts, with_account_facts
from targeting.icp.spec import load_icp
from targeting.importing.canonical import import_accounts
from targeting.selection.target_list import select_targets

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "data" / "yc_facts_labelled.csv"
KINDS = ("pain_points", "growth_signals", "prior_solutions")


def precision(spec) -> tuple[int, int, int]:
    """(right, said, labelled) over the facts derived for the 50 labelled rows."""
    imported = import_accounts(LABELLED, preset="yc")
    facts = account_facts(imported.accounts, spec, carried=imported.carried).collect()
    truth = pl.read_csv(LABELLED, infer_schema=False).select(
        pl.col("company_name").alias("name"),
        pl.concat_str([pl.col(f"labelled_{k}") for k in KINDS], separator=";", ignore_nulls=True)
        .str.split(";")
        .alias("truth"),
    )
    judged = facts.join(imported.accounts.select("account_id", "name").collect(), on="account_id").join(
        truth, on="name"
    )
    right = judged.filter(pl.col("truth").list.contains(pl.col("key"))).height
    labelled = truth.select(pl.col("truth").list.eval(pl.element().filter(pl.element() != "")).list.len().sum()).item()
    return right, judged.height, labelled


def with_fact(frame: pl.DataFrame) -> float:
    """Share of rows with at least one pain point, growth signal or prior solution."""
    has = pl.sum_horizontal(pl.col(k).list.len().fill_null(0) for k in KINDS) > 0
    return frame.select(has.mean()).item() if frame.height else 0.0


def main(path: Path) -> None:
    spec = load_facts()
    right, said, labelled = precision(spec)
    print(
        f"precision on {LABELLED.name}: {right}/{said} = {right / said:.2f}; recall {right}/{labelled} = {right / labelled:.2f}"
    )
    imported = import_accounts(path, preset="yc")
    accounts = with_account_facts(imported.accounts, spec, carried=imported.carried).collect()
    print(f"all accounts: {accounts.height:,}, with a fact {with_fact(accounts):.1%}")
    default = load_icp(ROOT / "targeting" / "defaults" / "icp.yaml")
    filters_only = default.model_copy(
        update={"scoring": default.scoring.model_copy(update={"min_score": 0, "tiers": {}})}
    )
    for label, icp in [
        ("bench/facts_yc_icp.yaml", load_icp(ROOT / "bench" / "facts_yc_icp.yaml")),
        ("bench/facts_yc_devtools_icp.yaml", load_icp(ROOT / "bench" / "facts_yc_devtools_icp.yaml")),
        ("default ICP, min score 0", filters_only),
    ]:
        targets = select_targets(accounts.lazy(), icp).targets
        targets = targets.collect() if isinstance(targets, pl.LazyFrame) else targets
        print(f"targets of {label}: {targets.height:,}, with a fact {with_fact(targets):.1%}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "yc-companies-2024-05-11.csv")
