"""A local OpenAI-compatible server on 127.0.0.1 for tests and benchmarks: scripted replies and faults.

It speaks `GET /v1/models`, `POST /v1/chat/completions` and `POST /v1/responses` closely enough for
the official client to parse, and nothing else. Each request takes the next `Reply` from `script`,
else the `responder`'s (by default: the reference draft of the prompt's data block, which is
grounded by construction). A Reply can be a success, an HTTP error with headers (429 + Retry-After),
a delay (latency or a timeout), a refusal, a length cut-off, text that is not the JSON asked for, or a
raw body in place of the reply's JSON (a 200 that is no completion at all).

    with FakeOpenAI(latency=0.2) as server:
        client = AsyncOpenAI(base_url=server.url, api_key="test")
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DATA_OPEN, DATA_CLOSE = "<<<ACCOUNT_DATA", "ACCOUNT_DATA>>>"


@dataclass
class Reply:
    """One scripted answer."""

    content: str | dict[str, Any] | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    refusal: str | None = None
    finish: str = "stop"  # "length": cut off at the token limit
    raw: str | None = None  # sent as the whole body, as it is


def draft_reply(subject: str, body: str, facts_used: list[str] | None = None, **kw: Any) -> Reply:
    """A success whose content is the draft JSON the drafter asks for."""
    return Reply(content={"subject": subject, "body": body, "facts_used": facts_used or []}, **kw)


def prompt_data(request: dict[str, Any]) -> dict[str, Any]:
    """The data block of a chat or responses request (the first user message that carries one)."""
    messages = request.get("messages") or request.get("input") or []
    for message in messages:
        content = message.get("content") if isinstance(message, dict) and message.get("role") == "user" else None
        if isinstance(content, str) and DATA_OPEN in content:
            return json.loads(content.split(DATA_OPEN, 1)[1].split(DATA_CLOSE, 1)[0])
    return {}


def reference_reply(request: dict[str, Any], api: str) -> Reply:
    """The default model: it sends back the reference draft it was shown."""
    ref = prompt_data(request).get("reference_draft") or {"subject": "Hello", "body": "Hello"}
    facts = list(prompt_data(request).get("account", {}).get("facts", {}))
    return draft_reply(ref["subject"], ref["body"], facts)


def account_text(request: dict[str, Any]) -> str:
    """The account text of a facts request (between the ACCOUNT_TEXT markers), else ''."""
    for message in request.get("messages") or request.get("input") or []:
        content = message.get("content") if isinstance(message, dict) and message.get("role") == "user" else None
        if isinstance(content, str) and "<<<ACCOUNT_TEXT" in content:
            return content.split("<<<ACCOUNT_TEXT\n", 1)[1].rsplit("\nACCOUNT_TEXT>>>", 1)[0]
    return ""


def facts_reply(facts: list[tuple[str, str]], **kw: Any) -> Reply:
    """A success whose content is the facts JSON `facts --llm` asks for: (key, quote) pairs."""
    return Reply(content={"facts": [{"key": key, "quote": quote} for key, quote in facts]}, **kw)


def stand_in_reader(request: dict[str, Any], api: str) -> Reply:
    """A stand-in for a model reading facts, for the mechanics only: per account, one fact quoted
    verbatim (the text's first five words, keyed raised_funding), one paraphrased quote and one
    unknown key, so every answer the check must drop is there in known numbers."""
    words = account_text(request).split()
    return facts_reply(
        [("raised_funding", " ".join(words[:5])), ("customer_traction", "a paraphrase not in the text"), ("nope", "x")]
    )


def reply_text(request: dict[str, Any]) -> str:
    """The reply text of a `campaign report --llm` request (between the REPLY_TEXT markers), else ''."""
    for message in request.get("messages") or request.get("input") or []:
        content = message.get("content") if isinstance(message, dict) and message.get("role") == "user" else None
        if isinstance(content, str) and "<<<REPLY_TEXT" in content:
            return content.split("<<<REPLY_TEXT\n", 1)[1].rsplit("\nREPLY_TEXT>>>", 1)[0]
    return ""


def reason_reply(reason: str, quote: str, **kw: Any) -> Reply:
    """A success whose content is the reason JSON `campaign report --llm` asks for."""
    return Reply(content={"reason": reason, "quote": quote}, **kw)


class FakeOpenAI:
    """The server, in a thread; `url` is its base URL (ending in /v1)."""

    def __init__(
        self,
        *,
        models: tuple[str, ...] = ("gpt-4o-mini",),
        apis: tuple[str, ...] = ("chat", "responses"),
        latency: float = 0.0,
        responder: Callable[[dict[str, Any], str], Reply] = reference_reply,
        api_key: str | None = None,
        schema_support: bool = True,
        forms: tuple[str, ...] = ("json_schema", "json_object_schema", "json_object", "prompt"),
        refusal: tuple[int, str] = (400, "response_format json_schema is not supported"),
        refused_params: tuple[str, ...] = (),
    ) -> None:
        # Body keys answered with OpenAI's 400 for an unsupported parameter (its reasoning models: max_tokens).
        self.refused_params = refused_params
        # The structured outputs the server takes (`form_of`); any other is answered with `refusal`
        # (llama.cpp's server: 500 "Input should be 'text' or 'json_object'" for a JSON schema).
        self.forms = forms if schema_support else tuple(f for f in forms if f != "json_schema")
        self.refusal = refusal
        self.models, self.apis, self.latency, self.responder, self.api_key = models, apis, latency, responder, api_key
        self.script: deque[Reply] = deque()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.headers: list[dict[str, str]] = []  # each POST's headers, names in lower case
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    @property
    def calls(self) -> int:
        """Model calls received (chat and responses; a probe of a route, without messages, is no call)."""
        return sum(
            1 for path, body in self.requests if path != "/v1/models" and (body.get("messages") or body.get("input"))
        )

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self, body: dict[str, Any], api: str) -> Reply:
        with self._lock:
            if self.script:
                return self.script.popleft()
        return self.responder(body, api)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # http.server writes the headers and the body in two sends; with Nagle on, the body
            # waits for the client's delayed ACK of the headers (40 ms on Linux) on every reply.
            disable_nagle_algorithm = True

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def _send(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _authorized(self) -> bool:
                if fake.api_key and self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                    self._send(
                        401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}}
                    )
                    return False
                return True

            def do_GET(self) -> None:
                with fake._lock:
                    fake.requests.append((self.path, {}))
                if not self._authorized():
                    return
                if self.path.rstrip("/") == "/v1/models":
                    data = [{"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models]
                    self._send(200, {"object": "list", "data": data})
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {}
                with fake._lock:
                    fake.requests.append((self.path, body))
                    fake.headers.append({name.lower(): value for name, value in self.headers.items()})
                if not self._authorized():
                    return
                api = {"/v1/chat/completions": "chat", "/v1/responses": "responses"}.get(self.path)
                if api is None or api not in fake.apis:
                    self._send(404, {"error": {"message": f"Not Found: {self.path}"}})
                    return
                if not body.get("model") or not (body.get("messages") or body.get("input")):
                    self._send(
                        400, {"error": {"message": "model and messages are required", "type": "invalid_request_error"}}
                    )
                    return
                if body["model"] not in fake.models:
                    self._send(
                        404,
                        {
                            "error": {
                                "message": f"The model `{body['model']}` does not exist",
                                "code": "model_not_found",
                            }
                        },
                    )
                    return
                refused = [name for name in fake.refused_params if name in body]
                if refused:
                    message = f"Unsupported parameter: '{refused[0]}' is not supported with this model."
                    self._send(400, {"error": {"message": message, "type": "invalid_request_error"}})
                    return
                if form_of(body) not in fake.forms:
                    status, message = fake.refusal
                    self._send(status, {"error": {"message": message, "type": "invalid_request_error"}})
                    return
                reply = fake._next(body, api)
                time.sleep(fake.latency + reply.delay)
                if reply.status != 200:
                    self._send(reply.status, {"error": {"message": f"scripted {reply.status}"}}, reply.headers)
                    return
                if reply.raw is not None:
                    self._send(200, reply.raw, reply.headers)
                    return
                self._send(200, (_chat if api == "chat" else _responses)(body, reply), reply.headers)

        return Handler


def form_of(body: dict[str, Any]) -> str:
    """The structured output a request asks for: json_schema, json_object_schema, json_object or prompt."""
    asked = body.get("response_format") or (body.get("text") or {}).get("format")
    if not asked:
        return "prompt"
    if asked.get("type") == "json_object":
        return "json_object_schema" if asked.get("schema") else "json_object"
    return str(asked.get("type"))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver listens with a backlog of 5: a client opening 16 connections at once had some reset.
    request_queue_size = 128


def _text(reply: Reply) -> str:
    content = reply.content
    text = json.dumps(content) if isinstance(content, dict) else (content or "")
    return text[: len(text) // 2] if reply.finish == "length" else text


def _usage(body: dict[str, Any], text: str) -> tuple[int, int]:
    return len(json.dumps(body)) // 4, max(1, len(text) // 4)


def _chat(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    text = _text(reply)
    tokens_in, tokens_out = _usage(body, text)
    message = {"role": "assistant", "content": None if reply.refusal else text, "refusal": reply.refusal}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body["model"],
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish, "logprobs": None}],
        "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out, "total_tokens": tokens_in + tokens_out},
    }


def _responses(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    text = _text(reply)
    tokens_in, tokens_out = _usage(body, text)
    part = (
        {"type": "refusal", "refusal": reply.refusal}
        if reply.refusal
        else {"type": "output_text", "text": text, "annotations": []}
    )
    cut = reply.finish == "length"
    return {
        "id": "resp-fake",
        "object": "response",
        "created_at": int(time.time()),
        "model": body["model"],
        "status": "incomplete" if cut else "completed",
        "incomplete_details": {"reason": "max_output_tokens"} if cut else None,
        "output": [
            {"type": "message", "id": "msg-fake", "status": "completed", "role": "assistant", "content": [part]}
        ],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }


if __name__ == "__main__":  # `python tests/fake_openai.py --latency 0.2`: serve until killed, URL on stdout
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    with FakeOpenAI(latency=args.latency) as running:
        print(running.url, flush=True)
        threading.Event().wait()
