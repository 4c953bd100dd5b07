"""Calls to an OpenAI-compatible server for one run: structured replies, cached, within budget, concurrent.

`ModelCaller` is shared by the model drafter (`messaging.drafting.model`) and `outbound facts --llm`
(flows/facts_llm.py). It uses the official client (`AsyncOpenAI`, through its `post`: see `_call`),
over chat completions or responses, with structured output. What a server accepts is learned from its
answers, once per run: the run's first call asks for the strongest form (`STRUCTURED_OUTPUTS`: the
reply model's JSON schema, as the client's parse helpers build it; then a JSON object with that schema,
as llama.cpp's server takes it; then any JSON object; then the prompt alone), every other call waits
for it, and each refusal ("Input should be 'text' or 'json_object'", a 400 naming `response_format`)
steps down one form; the run keeps the first form the server answers. The client's own retries
handle 429 (honouring Retry-After), 5xx, timeouts and dropped connections, except a refused form,
which it is not asked to send again; nothing retries on top of it. Every HTTP request the client
sends is counted (`calls`, its retries included; `http_retries` the retries alone). Replies are cached by a hash of the
model, the prompt and the settings, and written to the cache as they complete, off the event loop, in
batches of at least `CACHE_BATCH` and at most one write every `CACHE_EVERY` seconds (a store write opens
the file: ~70 ms of CPU, so a fast server's replies go in fewer, larger batches), so an interrupted
run resumes from what it had. `max_cost` reserves each call's worst case (prompt estimate plus `max_output_tokens`) before it starts: once the budget
is spoken for, no call is made and the caller says "budget".
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import time
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from messaging.drafting.pricing import cost_usd, known_price
from messaging.drafting.prompt import DraftReply, cache_key
from messaging.drafting.seam import DraftingStats, ModelCache

CACHE_BATCH = 16
CACHE_EVERY = 1.0

# What a server may be asked for structured output, strongest first: a JSON schema (OpenAI, vLLM,
# Ollama), a JSON object constrained by the schema (llama.cpp's server), any JSON object, the prompt alone.
STRUCTURED_OUTPUTS = ("json_schema", "json_object_schema", "json_object", "prompt")
# A refusal of the form names it: llama.cpp answers 500 "Input should be 'text' or 'json_object'",
# others 400 or 422 naming response_format or the schema.
_FORMAT_WORDS = ("response_format", "json_schema", "json_object", "schema", "text.format")
_FORMAT_STATUSES = (400, 422, 500)
# The HTTP requests of the current draft or account (each asyncio task counts its own).
_POSTS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("posts", default=None)


class ModelSettings(BaseModel):
    """How the model drafter calls its server."""

    model_config = ConfigDict(frozen=True)

    model: str = "gpt-4o-mini"
    api: Literal["chat", "responses"] = "chat"
    concurrency: int = 8
    max_cost: float | None = None
    price_in: float | None = None
    price_out: float | None = None
    max_retries: int = 3
    timeout: float = 60.0
    max_output_tokens: int = 600
    temperature: float = 0.4
    json_mode: bool = False
    base_url: str | None = None
    api_key: str | None = None

    def price(self) -> tuple[float, float] | None:
        """The price per 1M (input, output) tokens, or None when unknown."""
        return known_price(self.model, self.price_in, self.price_out)

    def reply_settings(self) -> dict[str, object]:
        """The settings that change a reply (part of the cache key)."""
        return {
            "temperature": self.temperature,
            "max_output_tokens": self.max_output_tokens,
            "json_mode": self.json_mode,
        }


class ModelResult(BaseModel):
    """One call's result as cached: the parsed reply or the failure, and the tokens it took."""

    data: dict[str, Any] | None = None  # the reply, validated against the caller's reply type
    text: str = ""
    failure: str | None = None
    retryable: bool = False
    tokens_in: int = 0
    tokens_out: int = 0


class CallFailed(Exception):
    """A call that ended without a reply (after the client's retries): not cached."""


class ModelCaller:
    """One run's calls to an OpenAI-compatible server: structured replies of `reply_type`, cached,
    within budget, concurrent under one semaphore (`_open` ... `_close` inside one event loop)."""

    reply_type: type[BaseModel] = DraftReply

    def __init__(self, settings: ModelSettings, cache: ModelCache | None = None) -> None:
        self.settings = settings
        self.cache = cache
        self.stats = DraftingStats()
        self._price = settings.price()

    async def open_run(self, first_keys: Sequence[str]) -> None:
        import openai

        s = self.settings
        http = openai.DefaultAsyncHttpxClient(event_hooks={"request": [self._sent]})
        self._client = _client_class()(
            api_key=s.api_key, base_url=s.base_url, max_retries=s.max_retries, timeout=s.timeout, http_client=http
        )
        # Built once per run, not per call: the schema conversion costs more CPU than the request.
        self._level = STRUCTURED_OUTPUTS.index("json_object" if s.json_mode else "json_schema")
        self._formats = response_formats(STRUCTURED_OUTPUTS[self._level], self.reply_type)
        self._settled = asyncio.Event()
        self._max_tokens = True
        self._negotiating = asyncio.Lock()
        self._pending: list[tuple[str, str, str, str]] = []
        self._writing = asyncio.Lock()
        self._written_at = time.monotonic()
        self._spent = 0.0
        self._reserved = 0.0
        self._known = dict(self.cache.cached_responses(sorted(set(first_keys)))) if self.cache else {}
        self.semaphore = asyncio.Semaphore(max(1, s.concurrency))

    async def close_run(self) -> None:
        await self._flush(force=True)
        await self._client.close()

    def call_totals(self) -> dict[str, object]:
        """What the run's calls cost, as every model run's summary reports it."""
        st = self.stats.as_dict()
        kept = ("cache_hits", "calls", "http_retries", "tokens_in", "tokens_out", "cost_usd", "json_mode")
        return {k: st[k] for k in (*kept, "structured_output", "server_refused")}

    def key(self, messages: list[dict[str, str]]) -> str:
        """The cache key of one call."""
        s = self.settings
        return cache_key(s.model, s.api, messages, s.reply_settings())

    def cost(self, result: ModelResult) -> float:
        """What a result's tokens cost (0.0 without a known price)."""
        return cost_usd(self._price, result.tokens_in, result.tokens_out)

    async def ask(self, messages: list[dict[str, str]], about: str = "") -> tuple[ModelResult, bool]:
        """One call's result and whether it came from the cache; raises CallFailed after the client's retries.

        `about` (the contact's email, the account's domain) is kept with the cached request, so
        `outbound forget` finds and deletes every call about that person or company.
        """
        s = self.settings
        key = self.key(messages)
        hit = self._known.get(key)
        if hit is None and self.cache is not None and len(messages) > 2:
            # A retry's key: looked up when needed, off the event loop like every store call.
            hit = (await asyncio.to_thread(self.cache.cached_responses, [key])).get(key)
        if hit is not None:
            return ModelResult.model_validate_json(hit), True
        estimate = self._estimate(messages)
        if s.max_cost is not None and self._spent + self._reserved + estimate > s.max_cost:
            return ModelResult(failure="budget"), True
        self._reserved += estimate
        try:
            result = await self._call(messages)
        finally:
            self._reserved -= estimate
        cost = self.cost(result)
        self._spent += cost
        st = self.stats
        st.tokens_in += result.tokens_in
        st.tokens_out += result.tokens_out
        st.cost_usd += cost
        request = json.dumps({"about": about, "messages": messages})
        self._pending.append((key, s.model, request, result.model_dump_json()))
        await self._flush()
        return result, False

    def _estimate(self, messages: list[dict[str, str]]) -> float:
        # About 4 characters a token in English; counted at 3 so the reservation errs high.
        chars = sum(len(m["content"]) for m in messages)
        return cost_usd(self._price, chars // 3 + 16, self.settings.max_output_tokens)

    async def _flush(self, *, force: bool = False) -> None:
        if self.cache is None or not self._pending:
            return
        if not force and (len(self._pending) < CACHE_BATCH or time.monotonic() - self._written_at < CACHE_EVERY):
            return
        batch, self._pending, self._written_at = self._pending, [], time.monotonic()
        # One writer at a time, in a thread: the calls in flight go on while a batch commits.
        async with self._writing:
            await asyncio.to_thread(self.cache.cache_responses, batch)

    async def _sent(self, request: Any) -> None:
        """Count one HTTP request the client sends (httpx's request hook: each retry is one more)."""
        if request.method != "POST":
            return
        self.stats.calls += 1
        self.stats.http_retries += request.headers.get("x-stainless-retry-count", "0") != "0"
        posts = _POSTS.get()
        if posts is not None:
            posts[0] += 1

    def _limit_refused(self, exc: Exception) -> bool:
        """The server refused `max_tokens` beside `max_completion_tokens` (OpenAI's reasoning models do):
        send the limit under its new name alone from now on (True), or it was something else."""
        if not self._max_tokens or getattr(exc, "status_code", None) != 400 or "'max_tokens'" not in str(exc):
            return False
        self._max_tokens = False
        self.stats.server_refused["max_tokens"] = _api_error(exc)
        return True

    def _step_down(self, exc: Exception) -> bool:
        """The server refused the structured output asked for: take the next form (True), or there is none."""
        if not format_refused(getattr(exc, "status_code", None), str(exc)) or self._level + 1 >= len(
            STRUCTURED_OUTPUTS
        ):
            return False
        self.stats.server_refused[STRUCTURED_OUTPUTS[self._level]] = _api_error(exc)
        self._level += 1
        self._formats = response_formats(STRUCTURED_OUTPUTS[self._level], self.reply_type)
        return True

    def _body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The request body of one call, as the client's `create` would send it (the same keys)."""
        s = self.settings
        if s.api == "chat":
            body = {
                "model": s.model,
                "messages": messages,
                "temperature": s.temperature,
                "max_completion_tokens": s.max_output_tokens,
            }
            if self._max_tokens:  # the older name, the one llama.cpp and Ollama read (see `_limit_refused`)
                body["max_tokens"] = s.max_output_tokens
            return body | ({"response_format": self._formats["chat"]} if self._formats else {})
        body = {
            "model": s.model,
            "instructions": messages[0]["content"],
            "input": messages[1:],
            "temperature": s.temperature,
            "max_output_tokens": s.max_output_tokens,
        }
        return body | ({"text": {"format": self._formats["responses"]}} if self._formats else {})

    @property
    def structured_output(self) -> str:
        """The form of structured output the run asks for (settled by its first answered call)."""
        return STRUCTURED_OUTPUTS[self._level]

    async def _call(self, messages: list[dict[str, str]]) -> ModelResult:
        """One call; the run's first settles the structured output while the others wait for it."""
        if not self._settled.is_set():
            async with self._negotiating:
                if not self._settled.is_set():
                    try:
                        return await self._post(messages, negotiating=True)
                    finally:
                        self._settled.set()
                        self.stats.structured_output = self.structured_output
        return await self._post(messages)

    async def _post(self, messages: list[dict[str, str]], *, negotiating: bool = False) -> ModelResult:
        """One call through the client's `post`: its headers, auth and retries (429 with Retry-After,
        5xx, timeouts), without `create`'s walk of the body against the API's types (3 ms of CPU a
        call) or its reply models (the envelope is read by the small models below)."""
        import openai

        api = self.settings.api
        while True:
            try:
                raw = await self._client.post(PATHS[api], body=self._body(messages), cast_to=bytes, options=_AUTH)
            except openai.APIStatusError as exc:
                if negotiating and (self._limit_refused(exc) or self._step_down(exc)):
                    continue
                raise CallFailed(_api_error(exc)) from None
            except openai.APIError as exc:
                raise CallFailed(_api_error(exc)) from None
            return (_chat_result if api == "chat" else _responses_result)(raw, self.reply_type)


def count_posts() -> list[int]:
    """A counter of the HTTP requests the current asyncio task sends from now on (`[n]`)."""
    posts = [0]
    _POSTS.set(posts)
    return posts


def format_refused(status: int | None, text: str) -> bool:
    """Whether an error answer refuses the structured output asked for (not a fault worth retrying)."""
    lowered = text.lower()
    return status in _FORMAT_STATUSES and any(word in lowered for word in _FORMAT_WORDS)


@functools.cache
def _client_class() -> type:
    """Built on first use: the openai import is lazy."""
    from openai import AsyncOpenAI

    class Client(AsyncOpenAI):
        """The official client, except that a refused structured output is not sent again: the caller
        steps down to the next form instead (llama.cpp refuses a JSON schema with a 500)."""

        def _should_retry(self, response: Any) -> bool:
            try:
                text = response.text
            except Exception:  # a streamed body not read: not ours
                text = ""
            return not format_refused(response.status_code, text) and super()._should_retry(response)

    return Client


# What `create` passes the client besides the body: the API key as a bearer token.
_AUTH: Any = {"security": {"bearer_auth": True}}
PATHS = {"chat": "/chat/completions", "responses": "/responses"}


class _Envelope(BaseModel):
    """The parts of a reply's envelope the caller reads (others are ignored, missing ones default)."""


class _ChatMessage(_Envelope):
    content: str | None = None
    refusal: str | None = None


class _ChatChoice(_Envelope):
    message: _ChatMessage = _ChatMessage()
    finish_reason: str | None = None


class _ChatUsage(_Envelope):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class _ChatCompletion(_Envelope):
    choices: list[_ChatChoice] = []
    usage: _ChatUsage | None = None


class _OutputPart(_Envelope):
    type: str = ""
    text: str | None = None
    refusal: str | None = None


class _OutputItem(_Envelope):
    type: str = ""
    content: list[_OutputPart] | None = None


class _ResponsesUsage(_Envelope):
    input_tokens: int | None = None
    output_tokens: int | None = None


class _Incomplete(_Envelope):
    reason: str | None = None


class _Response(_Envelope):
    status: str | None = None
    incomplete_details: _Incomplete | None = None
    output: list[_OutputItem] | None = None
    usage: _ResponsesUsage | None = None


def _envelope(raw: bytes, kind: type[_Envelope]) -> _Envelope | ModelResult:
    """The reply's envelope, or a retryable failure when the server's answer is not one."""
    try:
        return kind.model_validate_json(raw)
    except ValidationError as exc:
        return ModelResult(failure=f"malformed reply ({_first_line(exc)})", retryable=True)


def _chat_result(raw: bytes, reply_type: type[BaseModel]) -> ModelResult:
    completion = _envelope(raw, _ChatCompletion)
    if isinstance(completion, ModelResult):
        return completion
    assert isinstance(completion, _ChatCompletion)
    u = completion.usage
    usage = {"tokens_in": (u and u.prompt_tokens) or 0, "tokens_out": (u and u.completion_tokens) or 0}
    if not completion.choices:
        return ModelResult(failure="malformed reply (no choices)", retryable=True, **usage)
    choice = completion.choices[0]
    message = choice.message
    if message.refusal:
        return ModelResult(failure=f"model refused: {_clip(message.refusal)}", **usage)
    if choice.finish_reason == "length":
        return ModelResult(failure="cut off at the output token limit", **usage)
    if choice.finish_reason == "content_filter":
        return ModelResult(failure="refused by the content filter", **usage)
    return _parsed(message.content or "", usage, reply_type)


def _responses_result(raw: bytes, reply_type: type[BaseModel]) -> ModelResult:
    response = _envelope(raw, _Response)
    if isinstance(response, ModelResult):
        return response
    assert isinstance(response, _Response)
    u = response.usage
    usage = {"tokens_in": (u and u.input_tokens) or 0, "tokens_out": (u and u.output_tokens) or 0}
    parts = [part for item in response.output or [] if item.type == "message" for part in item.content or []]
    refusals = [part.refusal or "" for part in parts if part.type == "refusal"]
    if refusals:
        return ModelResult(failure=f"model refused: {_clip(refusals[0])}", **usage)
    if response.status == "incomplete":
        details = response.incomplete_details
        reason = (details and details.reason) or "unknown"
        what = "cut off at the output token limit" if reason == "max_output_tokens" else f"incomplete ({reason})"
        return ModelResult(failure=what, **usage)
    # As the client's `output_text`: the text parts of the message items, joined.
    text = "".join(part.text for part in parts if part.type == "output_text" and part.text is not None)
    return _parsed(text, usage, reply_type)


def response_formats(form: str, reply_type: type[BaseModel] = DraftReply) -> dict[str, Any] | None:
    """The structured-output request per API for one of `STRUCTURED_OUTPUTS` (None: the prompt alone):
    the reply type's schema as the client's parse helpers write it, that schema on a JSON object, or a
    JSON object."""
    from openai.lib._parsing._completions import type_to_response_format_param
    from openai.lib._parsing._responses import type_to_text_format_param

    if form == "prompt":
        return None
    if form == "json_object":
        return {"chat": {"type": "json_object"}, "responses": {"type": "json_object"}}
    chat = type_to_response_format_param(reply_type)
    if form == "json_object_schema":
        schema = chat["json_schema"]["schema"]  # type: ignore[index]
        return {
            "chat": {"type": "json_object", "schema": schema},
            "responses": {"type": "json_object", "schema": schema},
        }
    return {"chat": chat, "responses": type_to_text_format_param(reply_type)}


def _parsed(text: str, usage: dict[str, int], reply_type: type[BaseModel]) -> ModelResult:
    try:
        data = reply_type.model_validate_json(_json_part(text)).model_dump()
        return ModelResult(data=data, text=text, **usage)
    except ValidationError as exc:
        return ModelResult(failure=f"malformed reply ({_first_line(exc)})", text=text, retryable=True, **usage)


def _json_part(text: str) -> str:
    # Servers in JSON mode sometimes wrap the object in a code fence; the object is what counts.
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def _api_error(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    return f"{status} {_first_line(exc)}" if status else _first_line(exc)


def _first_line(exc: BaseException) -> str:
    return _clip(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


def _clip(text: str | None, n: int = 120) -> str:
    text = (text or "").strip()
    return text if len(text) <= n else text[: n - 1] + "…"
