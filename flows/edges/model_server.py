"""The model path of `draft --llm` and `facts --llm`: its options, the checks before any call, the progress bar.

Every check here runs before a flow starts or a file is written, so a missing key, a server that
does not answer, a model it does not serve, an API it does not speak or a budget without a price
is one line and exit 2 - or, with `--llm-optional`, a stated fallback: the line is printed and the
command goes on without the model (templates draft, the rules read). The checks cost no tokens: they list the models and POST a body of the wrong type
to the API's endpoint (a server that has the route answers 400 or 422, one without it 404).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from targeting.errors import InputError

if TYPE_CHECKING:
    from messaging.drafting.caller import ModelSettings
    from messaging.drafting.seam import DraftingStats, Progress

DEFAULT_MODEL = "gpt-4o-mini"
_ENDPOINTS = {"chat": "/chat/completions", "responses": "/responses"}
# The API probe: a body every server refuses (its one required field of the wrong type), so the route is
# known without a token spent. Not `{}`: llama.cpp's server takes an empty body as a request with no
# messages and no output limit, and writes until its context is full.
_PROBES: dict[str, dict[str, object]] = {"chat": {"messages": 0}, "responses": {"input": 0}}


class ModelServerUnavailable(InputError):
    """The model server cannot be used as asked: no key, no answer, a model or an API it does not serve."""


class LlmRequest(BaseModel):
    """The LLM options of one command, as given."""

    model: str = DEFAULT_MODEL
    api: Literal["chat", "responses"] = "chat"
    concurrency: int = 8
    timeout: float = 60.0
    max_cost: float | None = None
    price_in: float | None = None
    price_out: float | None = None


def model_or_none(options: Mapping[str, Any], *, instead: str) -> tuple[LlmRequest | None, str | None]:
    """The LLM options of a command (`use_llm` for `--llm`, `llm_optional` and `LlmRequest`'s fields among `options`),
    checked against the server before anything runs.

    Returns:
        `(None, None)` without `--llm` / `--llm-optional`; `(request, None)` when the model can be used;
        with `--llm-optional` and a server that cannot be used, `(None, reason)`, the reason said on
        stderr with what the command does `instead`. A bad option (an unknown `--api`, a budget without
        a price) is refused either way.

    Raises:
        InputError: one line naming what is wrong and how to fix it.
    """
    optional = options.get("llm_optional", False)
    if not (options.get("use_llm") or optional):
        return None, None
    if options["api"] not in _ENDPOINTS:
        raise InputError("--api must be chat or responses", field="--api", value=options["api"])
    request = LlmRequest(**{name: options[name] for name in LlmRequest.model_fields if name in options})
    try:
        check_llm(request)
    except ModelServerUnavailable as exc:
        if not optional:
            raise
        from flows.edges.terminal import err_console

        err_console.print(f"--llm-optional: {exc}; {instead}", markup=False, highlight=False)
        return None, str(exc)
    return request, None


def check_llm(request: LlmRequest) -> ModelSettings:
    """Check the key, the server, the model, the API and the price, without spending a token.

    Raises:
        InputError: one line naming what is wrong and how to fix it.
    """
    from messaging.drafting.caller import ModelSettings
    from messaging.drafting.pricing import PRICES_PER_1M

    settings = ModelSettings(**request.model_dump())
    if request.max_cost is not None and settings.price() is None:
        raise InputError(
            f"--max-cost needs a price for model {request.model!r}: give --price-in and --price-out "
            f"(USD per 1M tokens; the shipped table knows {', '.join(PRICES_PER_1M)})",
            field="--max-cost",
            value=str(request.max_cost),
        )
    if not os.environ.get("OPENAI_API_KEY"):
        raise ModelServerUnavailable("--llm needs OPENAI_API_KEY (any value for a local server without keys)")
    import openai

    client = openai.OpenAI(max_retries=0, timeout=10.0)
    where = str(client.base_url).rstrip("/")
    try:
        models = [m.id for m in client.models.list()]
    except openai.APIConnectionError as exc:
        raise ModelServerUnavailable(
            f"the model server at {where} does not answer ({exc}); check OPENAI_BASE_URL"
        ) from None
    except openai.AuthenticationError:
        raise ModelServerUnavailable(f"the model server at {where} refused OPENAI_API_KEY (401)") from None
    except openai.APIStatusError:
        models = []  # a gateway without /models: the model is known once the first call answers
    if models and request.model not in models:
        shown = ", ".join(sorted(models)[:8]) + (" ..." if len(models) > 8 else "")
        raise ModelServerUnavailable(
            f"the model server at {where} does not serve model {request.model!r} (it serves: {shown})",
            field="--model",
            value=request.model,
        )
    import httpx

    try:
        client.post(_ENDPOINTS[request.api], body=_PROBES[request.api], cast_to=httpx.Response)
    except openai.NotFoundError:
        other = "responses" if request.api == "chat" else "chat"
        raise ModelServerUnavailable(
            f"the model server at {where} does not speak the {request.api} API "
            f"(POST {_ENDPOINTS[request.api]} is 404); try --api {other}",
            field="--api",
            value=request.api,
        ) from None
    except openai.APIStatusError:
        pass  # 400/422 for a body of the wrong type: the route exists
    except openai.APIConnectionError as exc:
        raise ModelServerUnavailable(
            f"the model server at {where} does not answer ({exc}); check OPENAI_BASE_URL"
        ) from None
    return settings


@contextmanager
def progress_bar(total: int, *, what: str, quiet: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr (drafts done, cache hits, fallbacks, tokens, cost); None when quiet."""
    from flows.edges.terminal import err_console

    if quiet or not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(what), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"))
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("", total=total or None)

        def update(stats: DraftingStats) -> None:
            bar.update(
                task,
                total=stats.jobs,
                completed=stats.done,
                description=f"cache {stats.cache_hits:,} · fallback {stats.fallbacks:,} · "
                f"tokens {stats.tokens_in + stats.tokens_out:,} · ${stats.cost_usd:.4f}",
            )

        yield update


def store_cache(store: Path | None):
    """The campaign store as the model cache (created where it is not there yet)."""
    from campaigns.store import Store
    from flows.edges.store import resolve_store_path

    return Store(resolve_store_path(store))
