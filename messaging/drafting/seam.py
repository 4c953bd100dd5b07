"""The drafter seam: one job per contact and step in, one draft per job out.

`build_drafts` plans who gets which step and variant, composes the copy blocks and the template
draft, then hands every (contact, step) to a `Drafter`. The template drafter returns the template
draft; the model drafter (`messaging.drafting.model`) asks a model and falls back to the template
draft, with the reason, whenever the model fails or invents. Either way each job ends with a draft.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# `source` in drafts.parquet: who wrote the draft that ships (a cached model draft is a model draft).
SOURCES = ("template", "model")


@dataclass(frozen=True)
class DraftJob:
    """What one draft is written from: the contact, its account, the step and its template draft."""

    contact_id: str
    step: int
    variant: str
    persona: str
    first_name: str
    last_name: str
    email: str
    account: dict[str, object]
    subject: str
    body: str
    facts_used: tuple[str, ...]


@dataclass(frozen=True)
class DraftOutcome:
    """One job's draft: its text, where it came from and, for a fallback, why."""

    subject: str
    body: str
    facts_used: tuple[str, ...]
    source: str = "template"
    fallback_reason: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    calls: int = 0
    # Every call this draft took came from the cache (nothing was asked this run).
    cached: bool = False


@dataclass
class DraftingStats:
    """Running totals of a drafting run, as the progress bar and the summary show them."""

    jobs: int = 0
    done: int = 0
    model: int = 0
    cache_hits: int = 0
    fallbacks: int = 0
    retries: int = 0
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    fallback_reasons: dict[str, int] = field(default_factory=dict)
    # The HTTP requests the client sent again (429, 5xx, timeouts, dropped connections); `calls` counts them too.
    http_retries: int = 0
    # The structured output the run used (`caller.STRUCTURED_OUTPUTS`; None: no call was made), and what
    # the server refused on the way (each refused form, `max_tokens`), with its answer.
    structured_output: str | None = None
    server_refused: dict[str, str] = field(default_factory=dict)

    @property
    def json_mode(self) -> bool:
        """True when the server's answers moved the run off JSON schemas."""
        return self.structured_output not in (None, "json_schema")

    def as_dict(self) -> dict[str, object]:
        """The totals as the summary reports them."""
        return {
            "jobs": self.jobs,
            "model_drafts": self.model,
            "cache_hits": self.cache_hits,
            "fallbacks": self.fallbacks,
            "fallback_reasons": dict(sorted(self.fallback_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
            "retries": self.retries,
            "calls": self.calls,
            "http_retries": self.http_retries,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": round(self.cost_usd, 6),
            "json_mode": self.json_mode,
            "structured_output": self.structured_output,
            "server_refused": dict(self.server_refused),
        }


Progress = Callable[[DraftingStats], None]


class Drafter(Protocol):
    """Writes one draft per job, in job order; never drops a job."""

    name: str

    def draft(self, jobs: Sequence[DraftJob], progress: Progress | None = None) -> list[DraftOutcome]:
        """One outcome per job, in the same order."""
        ...


class ModelCache(Protocol):
    """Model responses that outlive a run (the campaign store implements it)."""

    def cached_responses(self, keys: Sequence[str]) -> dict[str, str]:
        """The responses kept for those keys that have one."""
        ...

    def cache_responses(self, rows: Sequence[tuple[str, str, str, str]]) -> None:
        """Keep (key, model, request, response) rows, in one transaction."""
        ...


class TemplateDrafter:
    """The default drafter: every job's draft is its template draft."""

    name = "template"

    def draft(self, jobs: Sequence[DraftJob], progress: Progress | None = None) -> list[DraftOutcome]:
        """The template drafts as they are."""
        return [DraftOutcome(job.subject, job.body, job.facts_used) for job in jobs]


def fallback(job: DraftJob, reason: str, **usage: float) -> DraftOutcome:
    """The template draft of `job`, marked with why the model's was not used."""
    return DraftOutcome(job.subject, job.body, job.facts_used, source="template", fallback_reason=reason, **usage)
