"""Flows: the `outbound` command line and the Prefect flows that wire the core packages together.

Orchestration and I/O only: each command (`cli.py`, `icp_cli.py`, `campaign_cli.py`) validates its
inputs, then runs its pipeline (`target.py`, `draft.py`, `personas.py`, `icp.py`, `campaign.py`) as a
flow run or in-process (`runtime.py`); `console.py` prints, `frames_io.py` writes and reads back
files, `campaign_store.py` hands the store to the commands that need it.
"""

import os

STREAMING_MEMORY_MB = 3072
"""The memory Polars' streaming engine may hold before it spills to disk, unless the user set one.

Polars reads `POLARS_OOC_MEMORY_BUDGET_MB` once, when it loads, so it is set here, before any
command imports it. Its own default is a share of the machine's memory: a 100M-account universe
then sorted its 20M targets in memory, at a 20.4 GB peak. With this budget the sort of a streamed
universe's targets spills instead (docs/benchmarks.md, "100M accounts, streamed"); a universe held in
memory (`holds_in_memory`: a 3M-row one peaks near 2.5 GB) mostly stays under it.
"""

if not any(name in os.environ for name in ("POLARS_OOC_MEMORY_BUDGET_MB", "POLARS_OOC_MEMORY_BUDGET_FRACTION")):
    os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] = str(STREAMING_MEMORY_MB)
