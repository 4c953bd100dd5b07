"""A file that holds in memory: read once, and each normalizer evaluated once per distinct cell.

An export repeats its cells: a million Apollo rows carry a few hundred founding years, a few
thousand headcounts, a few dozen countries and stages. A normalizer that reads "51-200" or
"$1.2M" with a dozen string operations then costs a dozen operations per distinct value, not per
row; each result is joined back onto its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from targeting.importing.normalize import Parsed
from targeting.importing.reading import cannot_read, text_file_bytes
from targeting.memory import holds_in_memory, streaming_budget_mb

DISTINCT_SHARE = 4
"""A column is normalized per distinct cell when at most one row in this many is a new value."""


def held_file(frame: pl.LazyFrame, path: str | Path) -> pl.DataFrame | None:
    """The file read into memory when `holds_in_memory` says it fits (its row count is a cheap pass:
    Parquet metadata, a text file's line count; a text file's bytes weighed against the streaming
    budget), else None: it is streamed."""
    try:
        rows = frame.select(pl.len()).collect().item()
        if not holds_in_memory(rows, text_bytes=text_file_bytes(path), budget_mb=streaming_budget_mb()):
            return None
        return frame.collect(engine="streaming")
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None


class DistinctCells:
    """Normalized values of a held file's repetitive text columns, one evaluation per distinct cell.

    `normalized` returns a `Parsed` that reads result columns by name; `frame` is the held file with
    those columns set beside it, computed on first use. The columns are independent of each other,
    so they are computed side by side in threads (Polars releases the GIL; its eager operations run
    each column's table mostly on one core, and a 1M-row Apollo file has a dozen of them).
    """

    def __init__(self, held: pl.DataFrame) -> None:
        self._held = held
        self._frame: pl.DataFrame | None = None
        self._pending: list[Callable[[], list[pl.Series]]] = []
        self._tables = 0

    @property
    def frame(self) -> pl.DataFrame:
        """The held file with every result column `normalized` promised."""
        if self._frame is None:
            with ThreadPoolExecutor(max_workers=max(1, min(pl.thread_pool_size(), len(self._pending)))) as pool:
                results = list(pool.map(lambda compute: compute(), self._pending))
            self._frame = self._held.hstack([column for columns in results for column in columns])
            self._pending = []
        return self._frame

    def normalized(self, header: str, parsed: Parsed) -> Parsed:
        """`parsed` (over the source column `header` alone) as columns of `frame`, where that pays."""
        if self._frame is not None:
            raise RuntimeError("normalized after the frame was read: its columns would be missing")
        column = self._held.get_column(header)
        if column.dtype != pl.String:
            return parsed
        # An estimate decides (HyperLogLog: a tenth of the exact count's time on a column of distinct URLs).
        distinct = self._held.select(pl.col(header).approx_n_unique()).item()
        if distinct * DISTINCT_SHARE > max(len(column), 1):
            return self._read_once(parsed)
        self._tables += 1
        value, unreadable, reason = (f"__{part}{self._tables}" for part in ("value", "unreadable", "reason"))
        results = [parsed.value.alias(value)]
        if parsed.unreadable is not None:
            results.append(parsed.unreadable.alias(unreadable))
        if isinstance(parsed.reason, pl.Expr):
            results.append(parsed.reason.alias(reason))

        def table() -> list[pl.Series]:
            distinct_cells = column.unique().to_frame().select(pl.col(header), *results)
            # Joined onto the column alone: a join onto the whole file would copy every column of it.
            joined = column.to_frame().join(
                distinct_cells, on=header, how="left", nulls_equal=True, maintain_order="left"
            )
            return joined.drop(header).get_columns()

        self._pending.append(table)
        return Parsed(
            pl.col(value),
            None if parsed.unreadable is None else pl.col(unreadable),
            pl.col(reason) if isinstance(parsed.reason, pl.Expr) else parsed.reason,
        )

    def _read_once(self, parsed: Parsed) -> Parsed:
        """A column read per row: its value as a column of `frame`, flagged from that column (the
        engine would otherwise read each cell twice, for the value and for its flag: 2.7 against
        1.2 CPU s over 1M Apollo revenues)."""
        if parsed.unreadable_of is None:
            return parsed
        self._tables += 1
        value = f"__value{self._tables}"
        self._pending.append(lambda: self._held.select(parsed.value.alias(value)).get_columns())
        return Parsed(pl.col(value), parsed.unreadable_of(pl.col(value)), parsed.reason)
