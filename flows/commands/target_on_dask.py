"""`outbound target --dask`: the per-partition work as Prefect tasks mapped over the parts, on Dask.

Runs inside the `build_target_list` flow, whose task runner is prefect-dask's `DaskTaskRunner`
(`flows.runs.pipeline.build_target_list_on_dask`), so each `.map` fans the parts out to the cluster:

1. `read-partition`: import each part; back come its row accounting, its rejected rows, the hashes of
   its account ids and its share of the statistics.
2. Only if two parts share a hash: `partition-ids` (the ids behind those hashes) decides which later
   part drops a repeated account, and `partition-stats` counts those parts again without them.
3. `score-partition`: the funnel, coverage and candidate sums and the targets of each part.

Contacts and suppression lists are read here, on the machine that runs the command; the summary and
outputs are combined and written here too (`targeting.selection.partials.summarize`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from flows.commands.target import (
    TargetInputs,
    TargetRequest,
    contacts_summary,
    find_reachable_accounts,
    publish_targeting_artifacts,
    write_target_outputs,
)
from flows.edges.cluster import ClusterError
from flows.edges.partitions import (
    Partition,
    PartitionSetup,
    check_partitioned,
    partition_ids,
    partition_stats_without,
    read_partition,
    score_partition,
)
from flows.runner import IN_FLOW_RUN
from targeting.errors import InputError
from targeting.icp.spelling import spoken_like_the_data
from targeting.importing.canonical import REJECTED_SCHEMA
from targeting.importing.suppression import suppressed_account_keys
from targeting.selection.partials import combine_aggregates, merge_stats, summarize
from targeting.selection.partition_keys import later_repeats, shared_hashes
from targeting.selection.suggestions import candidate_edits

RETRIES = 3
RETRY_DELAYS = [2, 5, 15]


def run_target_on_dask(request: TargetRequest, inputs: TargetInputs) -> dict[str, Any]:
    """Score and size a partitioned universe on the flow's Dask cluster and write the outputs.

    Returns:
        The target summary, exactly as the single-process run writes it.

    Raises:
        InputError: a part that cannot be used (named).
        ClusterError: the cluster failed (a worker died more often than Dask retries it).
    """
    from prefect import unmapped

    parts = check_partitioned(request.accounts, request.preset, inputs.accounts.column_map)
    spec, _ = spoken_like_the_data(inputs.spec)
    setup = PartitionSetup(
        universe_name=request.accounts.name,
        preset=request.preset,
        column_map=inputs.accounts.column_map,
        facts=inputs.facts,
        spec=spec,
    )
    as_of = request.as_of or date.today()
    first = _gather(_task(read_partition).map(parts, unmapped(setup)), parts)
    drops: list[list[str]] = [[] for _ in parts]
    stats_parts = [f.stats for f in first]
    shared = shared_hashes([f.hashes for f in first])
    if not shared.is_empty():
        ids = _gather(_task(partition_ids).map(parts, unmapped(setup), unmapped(shared)), parts)
        drops = later_repeats(ids)
        changed = [part for part in parts if drops[part.index]]
        again = _task(partition_stats_without).map(changed, unmapped(setup), [drops[p.index] for p in changed])
        for part, stats in zip(changed, _gather(again, changed), strict=True):
            stats_parts[part.index] = stats
    stats = merge_stats(stats_parts)
    candidates = candidate_edits(spec, stats)
    keys = None if inputs.suppression is None else suppressed_account_keys(inputs.suppression)
    scored = _task(score_partition).map(
        parts, unmapped(setup), drops, unmapped(stats), unmapped(candidates), unmapped(as_of), unmapped(keys)
    )
    results = [r for r in _gather(scored, parts) if r is not None]
    reachable, people = find_reachable_accounts(request, inputs) if request.contacts is not None else (None, None)
    result = summarize(
        spec,
        stats,
        candidates,
        combine_aggregates(row for row, _ in results),
        [targets for _, targets in results],
        reachable_account_ids=reachable,
        rows_read=sum(f.rows_read for f in first),
        rejected=sum(f.rejected.height for f in first),
        duplicates=sum(f.duplicates for f in first) + sum(len(d) for d in drops),
    )
    rejected = pl.concat([f.rejected for f in first if f.rows_read]).cast(REJECTED_SCHEMA)
    unmapped_columns = next(f.unmapped for f in first if f.rows_read)
    extra = contacts_summary(result, request, inputs, people)
    summary = write_target_outputs(result, rejected, unmapped_columns, request.icp, request.out, extra)
    publish_targeting_artifacts(summary, IN_FLOW_RUN)
    return summary


def _task(fn):
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    # Reading a part is I/O worth retrying; a part that cannot be used fails the same way every time.
    return task(
        fn,
        name=fn.__name__.replace("_", "-"),
        cache_policy=NO_CACHE,
        retries=RETRIES,
        retry_delay_seconds=RETRY_DELAYS,
        retry_condition_fn=lambda _task, _run, state: not _is_input_error(state),
    )


def _is_input_error(state) -> bool:
    try:
        state.result()
    except InputError:
        return True
    except Exception:  # noqa: BLE001  (any other failure may pass on a retry)
        return False
    return False


def _gather(futures, parts: list[Partition]) -> list[Any]:
    """Every future's result in part order; a dead worker or a lost scheduler is a `ClusterError`."""
    from distributed import KilledWorker
    from distributed.comm.core import CommClosedError

    out = []
    for future, part in zip(futures, parts, strict=True):
        try:
            out.append(future.result())
        except KilledWorker:
            raise ClusterError(
                f"Dask workers died running part {part.index} ({part.path}) more often than Dask retries a task; "
                "nothing was written: check the workers' memory and logs, then run again"
            ) from None
        except (CommClosedError, OSError) as error:
            raise ClusterError(f"lost the Dask scheduler while running part {part.index}: {error}") from None
    return out
