"""The OpenAI drafter: one model call per (contact, step), checked, retried once, else the template draft.

The calls are `ModelCaller`'s (`messaging.drafting.caller`: client, retries, structured output,
cache, budget). Every job runs under its one asyncio semaphore inside one call of `draft`, so a run
is one task however many drafts it makes. A reply is checked (`check_reply`: grounding, AI tells);
a reply that fails, or is not the JSON asked for, is asked for once more with the failures named;
then the template draft ships with `fallback_reason`. A refusal, a cut-off, an API error after the
client's retries or a spent budget gives the template draft at once, with the reason.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence

from messaging.composing.copy_blocks import FACT_FIELDS
from messaging.composing.sender import Sender
from messaging.drafting.ai_tells import ai_tells
from messaging.drafting.caller import CACHE_BATCH, CallFailed, ModelCaller, ModelResult, ModelSettings, count_posts
from messaging.drafting.grounding import grounding_failures
from messaging.drafting.prompt import DraftReply, finished_body, known_texts, prompt_messages, retry_messages
from messaging.drafting.seam import DraftingStats, DraftJob, DraftOutcome, ModelCache, Progress, fallback

__all__ = ["CACHE_BATCH", "CallFailed", "ModelCaller", "ModelResult", "ModelSettings", "OpenAIDrafter", "check_reply"]


def check_reply(job: DraftJob, reply: DraftReply, sender: Sender) -> list[str]:
    """Why a model draft cannot be sent (empty: it can): grounding, AI tells, empty parts."""
    problems = []
    if not reply.subject.strip() or not reply.body.strip():
        problems.append("empty subject or body")
    known, addresses = known_texts(job, sender)  # the sender's part is built once per sender
    problems += grounding_failures(f"{reply.subject}\n{reply.body}", known=known, addresses=addresses)
    problems += [f"AI tell {label!r}" for label in ai_tells(f"{reply.subject}\n{reply.body}")]
    return problems


class OpenAIDrafter(ModelCaller):
    """Drafts with a model through an OpenAI-compatible API, falling back to templates per job."""

    name = "model"
    reply_type = DraftReply

    def __init__(self, settings: ModelSettings, sender: Sender, cache: ModelCache | None = None) -> None:
        super().__init__(settings, cache)
        self.sender = sender

    def draft(self, jobs: Sequence[DraftJob], progress: Progress | None = None) -> list[DraftOutcome]:
        """One outcome per job, in job order (a model draft, or the template draft with its reason)."""
        self.stats = DraftingStats(jobs=len(jobs))
        return asyncio.run(self._draft_all(list(jobs), progress))

    async def _draft_all(self, jobs: list[DraftJob], progress: Progress | None) -> list[DraftOutcome]:
        self._progress = progress
        first = {id(job): prompt_messages(job, self.sender) for job in jobs}
        await self.open_run([self.key(first[id(job)]) for job in jobs])

        async def one(job: DraftJob) -> DraftOutcome:
            async with self.semaphore:
                outcome = await self._draft_one(job, first[id(job)])
            self._count(outcome)
            return outcome

        try:
            return list(await asyncio.gather(*(one(job) for job in jobs)))
        finally:
            await self.close_run()

    def _count(self, outcome: DraftOutcome) -> None:
        st = self.stats
        st.done += 1
        if outcome.fallback_reason:
            st.fallbacks += 1
            reason = outcome.fallback_reason.split(":")[0]
            st.fallback_reasons[reason] = st.fallback_reasons.get(reason, 0) + 1
        elif outcome.cached:
            st.cache_hits += 1
        else:
            st.model += 1
        if self._progress is not None:
            self._progress(st)

    async def _draft_one(self, job: DraftJob, messages: list[dict[str, str]]) -> DraftOutcome:
        """The job's outcome, with the HTTP requests it took (the client's retries included)."""
        posts = count_posts()
        outcome = await self._outcome(job, messages)
        return dataclasses.replace(outcome, calls=posts[0])

    async def _outcome(self, job: DraftJob, messages: list[dict[str, str]]) -> DraftOutcome:
        usage = {"tokens_in": 0, "tokens_out": 0, "cost_usd": 0.0}
        all_cached = True
        problems: list[str] = []
        for attempt in (1, 2):
            try:
                result, cached = await self.ask(messages, about=job.email)
            except CallFailed as exc:
                return fallback(job, f"api error: {exc}", **usage)
            usage["tokens_in"] += result.tokens_in
            usage["tokens_out"] += result.tokens_out
            usage["cost_usd"] += self.cost(result)
            all_cached &= cached
            if result.failure is not None:
                if result.failure == "budget":
                    return fallback(job, f"budget reached: --max-cost {self.settings.max_cost:g} spent", **usage)
                if result.retryable and attempt == 1:
                    self.stats.retries += 1
                    messages = retry_messages(messages, result.text, [result.failure])
                    continue
                return fallback(job, result.failure, **usage)
            reply = DraftReply.model_validate(result.data)
            problems = check_reply(job, reply, self.sender)
            if not problems:
                return DraftOutcome(
                    subject=reply.subject.strip(),
                    body=finished_body(reply, self.sender),
                    facts_used=_fields_used(job, reply.facts_used),
                    source="model",
                    cached=all_cached,
                    **usage,
                )
            if attempt == 1:
                self.stats.retries += 1
                messages = retry_messages(messages, result.text or reply.model_dump_json(), problems)
        return fallback(job, "failed checks after a retry: " + "; ".join(problems), **usage)


def _fields_used(job: DraftJob, keys: list[str]) -> tuple[str, ...]:
    """The account fields (as `facts_used` names them) holding the fact keys the model says it used."""
    named = set(keys)
    return tuple(name for name in FACT_FIELDS if name in named or named & _values(job.account.get(name)))


def _values(value: object) -> set[str]:
    """A field's values as strings: a list's items, a scalar (industry, employees, founded_year) as one."""
    if value is None:
        return set()
    return {str(v) for v in value} if isinstance(value, list | tuple) else {str(value)}
