"""Flows: the `outbound` command line, the commands' steps, their edges and the Prefect flows.

Orchestration and I/O only, in rooms that import one way (docs/architecture.md): `cli/` (the app,
its options and printers, the choice of in-process or flow run), `runs/` (the Prefect flows),
`commands/` (one module per command: request, inputs, steps), `edges/` (files, the store, the model
server, the one way in), `runner.py` (steps as plain calls or Prefect tasks).
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
