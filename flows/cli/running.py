"""The one place that decides how a command runs: in-process, or as a Prefect flow run.

One rule, for every pipeline command (`wants_flow_run`): `--prefect` / `--no-prefect` as given, else a
flow run only where a Prefect API is configured. Deciding it reads the environment and Prefect's
profile file, never `import prefect` (that import alone costs seconds), so the in-process path of a
command never loads Prefect.

Prefect reads its settings when it is first imported, so `quiet_prefect` must run before any
`import prefect`: the CLI keeps Prefect's own logs at WARNING and its analytics off.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from flows.runner import IN_PROCESS, Runner

Inputs = TypeVar("Inputs")

PrefectFlag = Annotated[
    bool | None,
    typer.Option(
        "--prefect/--no-prefect",
        help="Run as a Prefect flow run (ephemeral API if none is configured) or in-process "
        "(default: a flow run only where a Prefect API is configured).",
    ),
]
UI_HINT = (
    "ran in-process; to see runs and artifacts in the Prefect UI, run `prefect server start` and "
    "`export PREFECT_API_URL=http://127.0.0.1:4200/api` (or pass --prefect)"
)

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


def wants_flow_run(prefect: bool | None) -> bool:
    """`--prefect` / `--no-prefect` as given; otherwise a flow run only where a Prefect API is configured."""
    return configured_api_url() is not None if prefect is None else prefect


def configured_api_url() -> str | None:
    """The Prefect API URL where Prefect itself would find it, in its order, without importing Prefect.

    The environment's `PREFECT_API_URL`; a `.env` file in the working folder; `prefect.toml` there
    (`[api] url`); `pyproject.toml` there (`[tool.prefect.api] url`); the active profile
    (`PREFECT_PROFILE`, else the file's `active` one) in `PREFECT_PROFILES_PATH`, default
    `$PREFECT_HOME/profiles.toml` (`~/.prefect`), where `prefect profile use` and
    `prefect config set PREFECT_API_URL=...` write.
    """
    for source in (_from_environment, _from_dotenv, _from_prefect_toml, _from_pyproject, _from_profile):
        if url := source():
            return str(url)
    return None


def _from_environment() -> str | None:
    return os.environ.get("PREFECT_API_URL") or None


def _from_dotenv() -> str | None:
    if not Path(".env").is_file():
        return None
    import dotenv  # Prefect's own reader of .env files (python-dotenv), a light import

    return dotenv.dotenv_values(".env").get("PREFECT_API_URL") or None


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def _nested(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _from_prefect_toml() -> str | None:
    return _nested(_toml(Path("prefect.toml")), "api", "url")


def _from_pyproject() -> str | None:
    return _nested(_toml(Path("pyproject.toml")), "tool", "prefect", "api", "url")


def _from_profile() -> str | None:
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    profiles = _toml(path)
    name = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    return _nested(profiles, "profiles", name, "PREFECT_API_URL")


@dataclass(frozen=True)
class Ran:
    """A command's summary, and whether it ran as a flow run."""

    summary: dict[str, Any]
    flow_run: bool


def run_command(
    request: Any,
    inputs: Inputs,
    steps: Callable[[Any, Inputs, Runner], dict[str, Any]],
    flow: Callable[[], Callable[..., dict[str, Any]]],
    *,
    prefect: bool | None,
) -> Ran:
    """Run a command's steps in-process on the inputs its validation built, or start its flow.

    Args:
        request: the command's request (its `plain()` fields are the flow's parameters).
        inputs: what `load_*_inputs` built from it (a flow run loads them again inside).
        steps: the command's `run_*(request, inputs, runner)`.
        flow: returns the Prefect flow (importing Prefect only when called).
        prefect: `--prefect` / `--no-prefect`, or None (a flow run where an API is configured).

    An input that turns out unusable only inside the run (a quote never closed on line 19,999 of a
    CSV read by a task) fails the run, with its reason as the run's state message, and reaches the
    user as the command's one line: Prefect's own log of it, traceback and all, is not printed.
    """
    if not wants_flow_run(prefect):
        return Ran(steps(request, inputs, IN_PROCESS), False)
    import logging

    for logger in ("prefect.task_runs", "prefect.flow_runs"):
        if not any(isinstance(f, _SaidOnce) for f in logging.getLogger(logger).filters):
            logging.getLogger(logger).addFilter(_SaidOnce())
    return Ran(flow()(**request.plain()), True)


def pipeline() -> Any:
    """The module of the pipeline's Prefect flows (importing it imports Prefect)."""
    from flows.runs import pipeline as flows

    return flows


class _SaidOnce:
    """A logging filter that drops Prefect's records of a run failed by what the CLI says in one line.

    That is an `InputError`, or a fault of the machine `os_error_line` names (a full disk, a denied
    permission, a file where the output folder goes): the flow run re-raises it to the command,
    which prints its one line; Prefect's own records of it (a traceback, the failed state) would
    print it again, traceback and all. A record carries the exception (`exc_info`) or only its
    repr in the message ("Task run failed with exception: OSError(28, ...)").
    """

    def filter(self, record: Any) -> bool:
        from flows.cli.printers import said_in_one_line

        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            return not said_in_one_line(exc)
        message = record.getMessage()
        if "InputError" in message:
            return False
        return not any(said_in_one_line(OSError(int(code), "")) for code in _ERRNO.findall(message))


_ERRNO = re.compile(r"(?:\[Errno |Error\()(\d+)")


def say_how_to_see_runs(flow_run: bool, *, json_out: bool) -> None:
    """After an in-process run, say once on stderr how to get the Prefect UI (not with --json)."""
    if flow_run or json_out:
        return
    from flows.cli.printers import err_console

    err_console.print(UI_HINT, style="dim", markup=False, highlight=False)
