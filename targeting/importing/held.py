"""A file that holds in memory: read once, and each normalizer evaluated once per distinct cell.

An export repeats its cells: a million Apollo rows carry a few hundred founding years, a few
thousand headcounts, a few dozen countries and stages. A normalizer that reads "51-200" or
"$1.2M" with a dozen string operations then costs a dozen operations per distinct value, not per
row; each result is joined back onto its rows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from targeting.importing.normalize import Parsed
from targeting.importing.reading import cannot_read
from targeting.memory import holds_in_memory

DISTINCT_SHARE = 4
"""A column is normalized per distinct cell when at most one row in this many is a new value."""


def held_file(frame: pl.LazyFrame, path: str | Path) -> pl.DataFrame | None:
    """The file read into memory when `holds_in_memory` says it fits (its row count is a cheap pass:
    Parquet metadata, a text file's line count), else None: it is streamed."""
    try:
        if not holds_in_memory(frame.select(pl.len()).collect().item()):
            return None
        return frame.collect(engine="streaming")
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None


class DistinctCells:
    """Normalized values of a held file's repetitive text columns, one evaluation per distinct cell.

    `frame` is the held file with a result column joined on for each column `normalized` took;
    the `Parsed` it returns reads those columns instead of evaluating the normalizer per row.
    """

    def __init__(self, held: pl.DataFrame) -> None:
        self.frame = held
        self._tables = 0

    def normalized(self, header: str, parsed: Parsed) -> Parsed:
        """`parsed` (over the source column `header` alone) as columns of `frame`, where that pays."""
        column = self.frame.get_column(header)
        if column.dtype != pl.String:
            return parsed
        # An estimate decides (HyperLogLog: a tenth of the exact count's time on a column of distinct URLs).
        distinct = self.frame.select(pl.col(header).approx_n_unique()).item()
        if distinct * DISTINCT_SHARE > max(len(column), 1):
            return self._read_once(parsed)
        self._tables += 1
        value, unreadable, reason = (f"__{part}{self._tables}" for part in ("value", "unreadable", "reason"))
        results = [parsed.value.alias(value)]
        if parsed.unreadable is not None:
            results.append(parsed.unreadable.alias(unreadable))
        if isinstance(parsed.reason, pl.Expr):
            results.append(parsed.reason.alias(reason))
        table = column.unique().to_frame().select(pl.col(header), *results)
        # Joined onto the column alone and set beside the file: a join onto the whole file would
        # copy every column of it once per table.
        joined = column.to_frame().join(table, on=header, how="left", nulls_equal=True, maintain_order="left")
        self.frame = self.frame.hstack(joined.drop(header).get_columns())
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
        self.frame = self.frame.with_columns(parsed.value.alias(value))
        return Parsed(pl.col(value), parsed.unreadable_of(pl.col(value)), parsed.reason)
