"""How a command's steps run: plain calls in-process, or Prefect tasks inside a flow run.

A command's steps take a `Runner` and never ask which one it is: `runner.step(fn)` is `fn` itself
in-process and a Prefect task inside a flow run; `runner.publish_*` attaches a keyed artifact to
the flow run and does nothing in-process. Prefect is imported only by `FlowRunner`, so the
in-process path of a command never loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class Runner:
    """Steps as plain calls, in this process; artifacts are not kept (there is no flow run to hold them)."""

    in_flow_run = False

    def step(self, fn: F) -> F:
        """`fn` as one step of the command (here: `fn` itself)."""
        return fn

    def publish_table(self, key: str, rows: list[dict[str, Any]], description: str) -> None:
        """Attach a keyed table artifact to the flow run (here: nothing)."""

    def publish_markdown(self, key: str, markdown: str, description: str) -> None:
        """Attach a keyed markdown artifact to the flow run (here: nothing)."""


class FlowRunner(Runner):
    """Steps as Prefect tasks of the current flow run, with its keyed artifacts.

    Tasks carry no cache policy: their inputs are lazy frames and their outputs files, and the
    caches that must outlive a run live in the campaign store, not in Prefect results.
    """

    in_flow_run = True

    def step(self, fn: F) -> F:
        from prefect import task
        from prefect.cache_policies import NO_CACHE

        return task(fn, name=fn.__name__.replace("_", "-"), cache_policy=NO_CACHE)  # type: ignore[return-value]

    def publish_table(self, key: str, rows: list[dict[str, Any]], description: str) -> None:
        from prefect.artifacts import create_table_artifact

        create_table_artifact(key=key, table=rows, description=description)

    def publish_markdown(self, key: str, markdown: str, description: str) -> None:
        from prefect.artifacts import create_markdown_artifact

        create_markdown_artifact(key=key, markdown=markdown, description=description)


IN_PROCESS = Runner()
IN_FLOW_RUN = FlowRunner()
