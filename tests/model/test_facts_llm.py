"""`outbound facts --llm` on 30 YC accounts against llama.cpp serving SmolLM2-135M: only quoted facts are kept."""

from __future__ import annotations

import json
import re

import polars as pl

from flows.edges.model_facts import SOURCE
from targeting.importing.canonical import import_accounts
from tests.flows.conftest import invoke
from tests.model.conftest import llm_args, say
from tests.model.yc_inputs import YC_SLICE


def _squashed(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def test_facts_llm_on_30_yc_accounts_keeps_only_facts_quoted_from_the_text(served, tmp_path):
    accounts = tmp_path / "yc30.csv"
    pl.read_csv(YC_SLICE, infer_schema=False).head(30).write_csv(accounts)
    before = served.posts()
    args = ["facts", "--accounts", accounts, "--preset", "yc", "--out", tmp_path / "facts.csv"]
    result = invoke(*args, "--store", tmp_path / "s.duckdb", "--no-prefect", *llm_args("--json"))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    llm = summary["llm"]
    assert summary["accounts"] == 30
    # Every account with text was read or left to the rules, with its reason.
    assert llm["accounts_read"] + llm["fallback_to_rules"] == llm["accounts_with_text"] > 0
    assert sum(llm["fallback_reasons"].values()) == llm["fallback_to_rules"]
    assert llm["structured_output"] == "json_object_schema" and llm["server_refused"]["json_schema"].startswith("500")
    assert llm["calls"] == served.posts() - before - 1  # less the API check's probe (a 422): no model call
    # Nothing invented is kept: each model fact's quote is in its account's own text.
    facts = pl.read_csv(tmp_path / "facts.csv")
    texts = dict(
        import_accounts(accounts, preset="yc").accounts.select("account_id", "description").collect().iter_rows()
    )
    model = facts.filter(pl.col("source") == SOURCE)
    unquoted = [
        (row["account_id"], row["evidence"])
        for row in model.iter_rows(named=True)
        if _squashed(row["evidence"]) not in _squashed(texts[str(row["account_id"])])
    ]
    assert unquoted == []
    say(
        "facts --llm, 30 YC accounts",
        {
            "with_a_model_fact": model["account_id"].n_unique(),
            "model_facts": model.height,
            "dropped_unquoted": llm["dropped_unquoted"],
            "dropped_unknown_key": llm["dropped_unknown_key"],
            "left_to_rules": llm["fallback_reasons"],
            "calls": llm["calls"],
        },
    )
