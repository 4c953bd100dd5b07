"""The Dask cluster of `outbound target --dask`: the address, the checks before a flow starts, the runner.

`--dask local[:N]` starts a LocalCluster of N worker processes (default: the machine's cores) for
the run; `--dask tcp://HOST:PORT` uses a running scheduler. Before any flow starts the command
checks that the scheduler answers (within `CONNECT_TIMEOUT` seconds), that it has workers, and
that every worker can import this package at this version (and the same Polars: partitions hash
account ids, and a hash is only comparable within one Polars version). Each failure is one line.
Distributed is imported here, on the `--dask` path only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from targeting.errors import InputError

CONNECT_TIMEOUT = 5
_LOCAL = re.compile(r"local(?::(\d+))?")
_TCP = re.compile(r"tcp://[^\s:/]+:\d{1,5}")


class ClusterError(RuntimeError):
    """The cluster failed during a run (a worker died too often, the scheduler went away): one line."""


@dataclass(frozen=True)
class DaskTarget:
    """Where the per-partition work runs: a LocalCluster of `workers` processes, or a scheduler address."""

    address: str | None = None
    workers: int | None = None

    @property
    def shown(self) -> str:
        return self.address or f"local:{self.workers}"


def parse_dask(value: str) -> DaskTarget:
    """`local`, `local:N` or `tcp://HOST:PORT`.

    Raises:
        InputError: anything else, or N below 1.
    """
    text = value.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        workers = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if workers < 1:
            raise InputError("a LocalCluster needs at least 1 worker", field="--dask", value=value)
        return DaskTarget(workers=workers)
    if _TCP.fullmatch(text):
        return DaskTarget(address=text)
    raise InputError("expected local, local:N or tcp://HOST:PORT", field="--dask", value=value)


def task_runner_options(target: DaskTarget) -> dict[str, Any]:
    """Keyword arguments of prefect-dask's `DaskTaskRunner` for this target."""
    if target.address is not None:
        return {"address": target.address}
    return {
        "cluster_class": "distributed.LocalCluster",
        "cluster_kwargs": {
            "n_workers": target.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            # Each worker's Polars gets its share of the cores, not all of them each (a user's own
            # POLARS_MAX_THREADS is kept).
            "env": {"POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS") or str(polars_threads(target.workers))},
        },
    }


def polars_threads(workers: int, cores: int | None = None) -> int:
    """Polars threads for each of `workers` worker processes on one machine of `cores` (default: this one's)."""
    return max(1, (cores or os.cpu_count() or 1) // workers)


def check_cluster(target: DaskTarget, *, timeout: float = CONNECT_TIMEOUT) -> int:
    """Check a running scheduler and its workers before the flow starts; a LocalCluster is started later.

    Returns:
        The number of workers (for `local:N`, N).

    Raises:
        InputError: no scheduler answers, it has no workers, or a worker lacks this package (or
            has another version of it or of Polars).
    """
    if target.address is None:
        return int(target.workers or 1)
    from distributed import Client

    try:
        client = Client(target.address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as error:
        reason = f"no Dask scheduler answers within {timeout:g} s ({type(error).__name__})"
        raise InputError(reason, field="--dask", value=target.address) from None
    try:
        versions = client.run(worker_versions, on_error="return")
    finally:
        client.close()
    if not versions:
        raise InputError("the Dask scheduler has no workers", field="--dask", value=target.address)
    here = worker_versions()
    for worker, seen in sorted(versions.items()):
        if isinstance(seen, BaseException) or "error" in seen:
            why = seen.get("error") if isinstance(seen, dict) else f"{type(seen).__name__}: {seen}"
            raise InputError(
                f"Dask worker {worker} cannot import outbound ({why}); install the same outbound on every worker",
                field="--dask",
                value=target.address,
            )
        for package in ("outbound", "polars"):
            if seen[package] != here[package]:
                raise InputError(
                    f"Dask worker {worker} has {package} {seen[package]}, this machine {here[package]}; "
                    "install the same versions on every worker",
                    field="--dask",
                    value=target.address,
                )
    return len(versions)


def _make_probe():
    # The probe runs on each worker. Defined inside a function, cloudpickle sends it by value
    # rather than as a reference to this module, so a worker without the package can still
    # answer that it lacks it.
    def probe() -> dict[str, str]:
        try:
            from importlib.metadata import version

            import polars

            import targeting.selection.partials  # noqa: F401  (the module the partition tasks need)

            return {"outbound": version("outbound"), "polars": polars.__version__}
        except Exception as error:  # noqa: BLE001  (any failure to import is the answer)
            return {"error": f"{type(error).__name__}: {error}"}

    return probe


worker_versions = _make_probe()


@contextmanager
def one_line_cluster_errors() -> Iterator[None]:
    """A cluster that fails mid-run is one line on stderr and exit code 1 (the inputs were fine)."""
    import typer

    try:
        yield
    except ClusterError as error:
        from flows.edges.terminal import err_console

        err_console.print(f"error: {error}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None


def check_dask_run(request: Any, inputs: Any) -> None:
    """Everything `--dask` needs before its flow starts: the address, the parts, the scheduler and workers.

    Args:
        request: the `TargetRequest` (its `dask` and `accounts`).
        inputs: the loaded `TargetInputs` (the column map decides whether the file is people-shaped).

    Raises:
        InputError: one line naming the address, the part and column, or the worker.
    """
    from flows.edges.partitions import check_partitioned

    # Distributed logs every connection at INFO; a run shows its errors only (set before it is imported,
    # and inherited by the workers of a LocalCluster).
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
    target = parse_dask(request.dask)
    check_partitioned(request.accounts, request.preset, inputs.accounts.column_map)
    check_cluster(target)
