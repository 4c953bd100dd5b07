"""How commands run their steps: as Prefect tasks inside a flow, or as plain calls (`--no-prefect`).

Prefect reads its settings when it is first imported, so `quiet_prefect` must run before any
`import prefect`: the CLI keeps Prefect's own logs at WARNING and its analytics off.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_QUIET = {
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    # The ephemeral API server needs more than Prefect's 20 s default on a busy 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}


def quiet_prefect() -> None:
    """Default Prefect to quiet logs and no analytics, leaving a user's own settings alone."""
    for name, value in _QUIET.items():
        os.environ.setdefault(name, value)


def as_step(use_prefect: bool) -> Callable[[F], F]:
    """Return a decorator that makes a function a Prefect task, or leaves it a plain function.

    Tasks carry no cache policy: their inputs are lazy frames and their outputs files, and the
    caches that must outlive a run live in the campaign store, not in Prefect results.
    """
    if not use_prefect:
        return lambda fn: fn
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    def wrap(fn: F) -> F:
        return task(fn, name=fn.__name__.replace("_", "-"), cache_policy=NO_CACHE)  # type: ignore[return-value]

    return wrap


def publish_table(key: str, rows: list[dict[str, Any]], description: str) -> None:
    """Attach a keyed table artifact to the current flow run (inside a Prefect flow only)."""
    from prefect.artifacts import create_table_artifact

    create_table_artifact(key=key, table=rows, description=description)


def publish_markdown(key: str, markdown: str, description: str) -> None:
    """Attach a keyed markdown artifact to the current flow run (inside a Prefect flow only)."""
    from prefect.artifacts import create_markdown_artifact

    create_markdown_artifact(key=key, markdown=markdown, description=description)
