"""`outbound campaign report --llm`: a model sorts each reply's text into one reason, with a quote.

The calls go through `messaging.drafting.model.ModelCaller` (the client's retries, the store's cache,
the budget, structured output); `campaigns.results.reading` asks the question and keeps an answer
only when its reason is one of the fixed reasons and its quote is in the reply. Every other reply,
and every reply whose call fails or that the budget leaves unread, keeps the rules' reason, counted
by why.
"""

from __future__ import annotations

import asyncio
from typing import Any

import polars as pl

from campaigns.results.outcomes import RANK
from campaigns.results.reading import ReasonReply, checked_reason, read_messages
from messaging.drafting.caller import CallFailed, ModelCaller, ModelSettings
from messaging.drafting.seam import ModelCache

MODEL_REASON_SCHEMA = {"contact_id": pl.String, "model_reason": pl.String}


class ReasonReader(ModelCaller):
    """Reads replies' texts with a model."""

    reply_type = ReasonReply

    def __init__(self, settings: ModelSettings, cache: ModelCache | None = None) -> None:
        super().__init__(settings, cache)
        self.kept = 0
        self.fallback_reasons: dict[str, int] = {}

    def read(self, contacts: pl.DataFrame) -> pl.DataFrame:
        """`contact_id`, `model_reason` for every genuine reply with text whose answer was kept."""
        if "reply_text" not in contacts.columns:
            return pl.DataFrame(schema=MODEL_REASON_SCHEMA)
        rows = [
            r
            for r in contacts.filter(pl.col("outcome_rank") >= RANK["replied"])
            .select("contact_id", "email", "reply_text")
            .iter_rows()
            if (r[2] or "").strip()
        ]
        self.stats.jobs = len(rows)
        kept = asyncio.run(self._read_all(rows))
        return pl.DataFrame(kept, schema=MODEL_REASON_SCHEMA, orient="row")

    def _fall_back(self, why: str) -> None:
        self.stats.fallbacks += 1
        self.fallback_reasons[why] = self.fallback_reasons.get(why, 0) + 1

    async def _read_all(self, rows: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
        messages = {contact_id: read_messages(text) for contact_id, _, text in rows}
        await self.open_run([self.key(m) for m in messages.values()])
        kept: list[tuple[str, str]] = []

        async def one(contact_id: str, email: str, text: str) -> None:
            async with self.semaphore:
                try:
                    result, cached = await self.ask(messages[contact_id], about=email or "")
                except CallFailed as exc:
                    result, cached = None, False
                    failed = f"api error: {str(exc).split(' ')[0]}"
            st = self.stats
            st.done += 1
            if result is None or result.failure is not None:
                if result is not None:
                    failed = "budget reached" if result.failure == "budget" else result.failure.split(":")[0]
                self._fall_back(failed)
                return
            st.cache_hits += cached
            st.model += not cached
            reason, why = checked_reason(ReasonReply.model_validate(result.data), text)
            if reason is None:
                self._fall_back(why)
                return
            self.kept += 1
            kept.append((contact_id, reason))

        try:
            await asyncio.gather(*(one(*row) for row in rows))
        finally:
            await self.close_run()
        return sorted(kept)

    def summary(self) -> dict[str, Any]:
        """The model run: replies read, answers kept, fallbacks to the rules by why, tokens, cost."""
        return {
            "model": self.settings.model,
            "api": self.settings.api,
            "replies_with_text": self.stats.jobs,
            "kept": self.kept,
            "fallback_to_rules": self.stats.fallbacks,
            "fallback_reasons": dict(sorted(self.fallback_reasons.items())),
            **self.call_totals(),
        }


def with_model_reasons(contacts: pl.DataFrame, reader: ReasonReader) -> pl.DataFrame:
    """`contacts` with `model_reason`: the model's grounded reason, null where the rules' stands."""
    read = reader.read(contacts).with_columns(pl.col("contact_id").cast(contacts.schema["contact_id"]))
    return contacts.join(read, on="contact_id", how="left", maintain_order="left")
