"""The one place that decides whether a universe is held in memory or streamed."""

from __future__ import annotations

import os

IN_MEMORY_ROWS = 4_000_000
"""Universes up to this many rows are read into memory once (a 3M-account universe peaks near 2.3 GB).

Sizing reads the universe twice (the value statistics, then the main pass), and an export's import
normalizes every cell: below this size decoding and normalizing once and holding the result is
faster; above it every pass streams and the target list stays a lazy plan for the caller to sink, so
memory stays flat (`holds_in_memory` decides, nothing else).
"""

HELD_BYTES_PER_TEXT_BYTE = 2
"""What a held text file (CSV, NDJSON) costs per byte of the file, at its peak: the parsed columns
and the reader's buffers. A 3M-row YC directory CSV (2.1 GB of long descriptions) peaked at 3.8 GB
held; a 3M-row Apollo CSV (0.87 GB) at 3.1 GB, its rows (`IN_MEMORY_ROWS`) weighing more than its bytes."""


def holds_in_memory(rows: int, *, text_bytes: int | None = None, budget_mb: int | None = None) -> bool:
    """Whether a universe of `rows` source rows is read into memory once, or streamed (and its targets sunk).

    Args:
        rows: the universe's source rows.
        text_bytes: the size of the text file it is read from (None: not a text file, or not known).
        budget_mb: the memory the streaming engine may hold before it spills (`streaming_budget_mb`);
            None: no budget is set.

    Returns:
        True when the rows are at most IN_MEMORY_ROWS and, for a text file under a budget, the file
        held (HELD_BYTES_PER_TEXT_BYTE per byte) fits the budget: a wide universe on a small machine
        streams within its memory instead of spilling the whole held file to disk.
    """
    if rows > IN_MEMORY_ROWS:
        return False
    if text_bytes is None or budget_mb is None:
        return True
    return text_bytes * HELD_BYTES_PER_TEXT_BYTE <= budget_mb * 2**20


def streaming_budget_mb() -> int | None:
    """The streaming engine's memory budget in MB, as the process set it: `POLARS_OOC_MEMORY_BUDGET_MB`
    (which the commands set: flows.STREAMING_MEMORY_MB), else `POLARS_OOC_MEMORY_BUDGET_FRACTION` of the
    machine's memory; None when neither is set as a number."""
    value = os.environ.get("POLARS_OOC_MEMORY_BUDGET_MB", "").strip()
    if value.isdigit():
        return int(value)
    try:
        fraction = float(os.environ.get("POLARS_OOC_MEMORY_BUDGET_FRACTION", ""))
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return int(fraction * physical) // 2**20
