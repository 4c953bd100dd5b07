"""Flows: the `outbound` command line, the commands' steps, their edges and the Prefect flows.

Orchestration and I/O only, in rooms that import one way (docs/architecture.md): `cli/` (the app,
its options and printers, the choice of in-process or flow run), `runs/` (the Prefect flows),
`commands/` (one module per command: request, inputs, steps), `edges/` (files, the store, the model
server, the one way in), `runner.py` (steps as plain calls or Prefect tasks).
"""

import os

FLOOR_STREAMING_MEMORY_MB = 3072


def _streaming_memory_mb() -> int:
    """A third of the machine's memory, at least FLOOR_STREAMING_MEMORY_MB."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):  # no sysconf names here: the floor
        return FLOOR_STREAMING_MEMORY_MB
    return max(FLOOR_STREAMING_MEMORY_MB, physical // 3)


STREAMING_MEMORY_MB = _streaming_memory_mb()
"""The memory Polars may hold before its streaming engine spills to disk, unless the user set one.

Polars reads `POLARS_OOC_MEMORY_BUDGET_MB` once, when it loads, so it is set here, before any
command imports it, and counts every allocation of the process against it. Its own default is a
share of the machine's memory large enough that a 100M-account universe sorted its 20M targets in
memory, at a 20.4 GB peak; a fixed 3 GB kept that sort at 3.7 GB but made a universe held in memory
spill as soon as it passed 3 GB: a 3M-account YC CSV (~5 GB held: ~700 bytes of descriptions a row)
took 343 CPU s instead of ~35 (docs/benchmarks.md, "Where the YC 3M time goes"). A third of the
machine's memory (8 GB of 24) holds that universe and still bounds the streamed sort (docs/scale.md);
a machine of 9 GB or less gets the 3 GB floor. A text file whose held size (twice its bytes) passes
the budget is streamed rather than held (`targeting.memory.holds_in_memory`), so a wide universe on a
small machine streams within the budget instead of spilling the whole held file.
"""

if not any(name in os.environ for name in ("POLARS_OOC_MEMORY_BUDGET_MB", "POLARS_OOC_MEMORY_BUDGET_FRACTION")):
    os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] = str(STREAMING_MEMORY_MB)
