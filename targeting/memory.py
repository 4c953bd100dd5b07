"""The one place that decides whether a universe is held in memory or streamed."""

from __future__ import annotations

IN_MEMORY_ROWS = 4_000_000
"""Universes up to this many rows are read into memory once (a 3M-account universe peaks near 2.3 GB).

Sizing reads the universe twice (the value statistics, then the main pass), and an export's import
normalizes every cell: below this size decoding and normalizing once and holding the result is
faster; above it every pass streams and the target list stays a lazy plan for the caller to sink, so
memory stays flat (`holds_in_memory` decides, nothing else).
"""


def holds_in_memory(rows: int) -> bool:
    """Whether a universe of `rows` source rows is read into memory once, or streamed (and its targets sunk)."""
    return rows <= IN_MEMORY_ROWS
