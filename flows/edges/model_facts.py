"""`outbound facts --llm`: a model reads each account's own text for vocabulary keys, each with a quote.

The calls go through `messaging.drafting.model.ModelCaller` (the client's retries, the store's
cache, the budget, structured output); `targeting.facts.reading` asks the question and keeps only
facts whose quote is in the text. An account whose call fails, or that the budget leaves unread,
keeps its rule-based facts, counted as a fallback.
"""

from __future__ import annotations

import asyncio
from typing import Any

import polars as pl

from messaging.drafting.caller import CallFailed, ModelCaller, ModelSettings
from messaging.drafting.seam import ModelCache, Progress
from targeting.facts.derive import FACTS_SCHEMA
from targeting.facts.reading import FactsReply, read_messages, verified_facts
from targeting.facts.spec import FactsSpec

SOURCE = "description (model)"


class FactsReader(ModelCaller):
    """Reads accounts' descriptions with a model."""

    reply_type = FactsReply

    def __init__(self, settings: ModelSettings, spec: FactsSpec, cache: ModelCache | None = None) -> None:
        super().__init__(settings, cache)
        self.spec = spec
        self.counts = {"read": 0, "unquoted": 0, "unknown_key": 0, "fallback": 0}
        self.fallback_reasons: dict[str, int] = {}

    def read(self, accounts: pl.DataFrame, progress: Progress | None = None) -> tuple[pl.DataFrame, list[str]]:
        """(the verified facts of every account with text, the account ids left to the rules)."""
        rows = [r for r in accounts.select("account_id", "name", "description").iter_rows() if (r[2] or "").strip()]
        self._about = dict(
            accounts.select("account_id", pl.col("domain") if "domain" in accounts.columns else pl.lit("")).iter_rows()
        )
        self.stats.jobs = len(rows)
        return asyncio.run(self._read_all(rows, progress))

    async def _read_all(self, rows: list[tuple[str, str, str]], progress: Progress | None):
        messages = {account_id: read_messages(self.spec, name, text) for account_id, name, text in rows}
        await self.open_run([self.key(m) for m in messages.values()])
        facts: list[tuple[str, str, str, str, str]] = []
        unread: list[str] = []

        async def one(account_id: str, text: str) -> None:
            async with self.semaphore:
                try:
                    result, cached = await self.ask(
                        messages[account_id], about=f"{account_id} {self._about.get(account_id) or ''}"
                    )
                except CallFailed as exc:
                    result, cached = None, False
                    reason = f"api error: {str(exc).split(' ')[0]}"
            st = self.stats
            st.done += 1
            if result is not None and result.failure is None:
                checked = verified_facts(FactsReply.model_validate(result.data), text, self.spec)
                self.counts["read"] += 1
                self.counts["unquoted"] += checked.unquoted
                self.counts["unknown_key"] += checked.unknown_key
                facts.extend((account_id, kind, key, quote, SOURCE) for kind, key, quote in checked.facts)
                st.cache_hits += cached
                st.model += not cached
            else:
                if result is not None:
                    reason = "budget reached" if result.failure == "budget" else result.failure.split(":")[0]
                unread.append(account_id)
                st.fallbacks += 1
                self.fallback_reasons[reason] = self.fallback_reasons.get(reason, 0) + 1
            if progress is not None:
                progress(st)

        try:
            await asyncio.gather(*(one(account_id, text) for account_id, _, text in rows))
        finally:
            await self.close_run()
        frame = pl.DataFrame(facts, schema=FACTS_SCHEMA, orient="row")
        return frame, sorted(unread)

    def summary(self) -> dict[str, Any]:
        """The model run: accounts read, answers dropped (no verbatim quote, unknown key), fallbacks, tokens, cost."""
        return {
            "model": self.settings.model,
            "api": self.settings.api,
            "accounts_with_text": self.stats.jobs,
            "accounts_read": self.counts["read"],
            "dropped_unquoted": self.counts["unquoted"],
            "dropped_unknown_key": self.counts["unknown_key"],
            "fallback_to_rules": self.stats.fallbacks,
            "fallback_reasons": self.fallback_reasons,
            **self.call_totals(),
        }


def model_facts(
    accounts: pl.DataFrame,
    rule_facts: pl.DataFrame,
    reader: FactsReader,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """The long form with the model's facts from description, the rules' from the list columns, and the
    rules' whole answer for every account the model did not read."""
    read, unread = reader.read(accounts, progress)
    with_text = accounts.filter(pl.col("description").str.strip_chars().str.len_chars() > 0)["account_id"]
    modelled = with_text.filter(~with_text.is_in(unread))
    # Where the model read the text, the rules' description facts give way; their list-column facts stay.
    kept_rules = rule_facts.filter(
        ~(pl.col("account_id").is_in(modelled.implode()) & (pl.col("source") == "description"))
    )
    order = accounts.select("account_id").with_row_index("_order")
    both = pl.concat([read, kept_rules.select(*FACTS_SCHEMA)], how="vertical_relaxed")
    return (
        both.join(order, on="account_id", how="left")
        .sort("_order", maintain_order=True)
        .unique(["account_id", "kind", "key"], keep="first", maintain_order=True)
        .select(*FACTS_SCHEMA)
    )
