"""Row accounting: the rejected rows, the rows kept and their distinct keys; people rows folded.

A people file's person rows fold into one account per account_id: each company column takes its
first non-empty value over the company's person rows and list columns take the union of their
items, in order.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from targeting.columns import LIST_COLUMNS
from targeting.errors import InputError
from targeting.importing.canonical_rows import PROBLEM_COLUMN, ROW_COLUMN
from targeting.importing.reading import cannot_read

REJECTED_SCHEMA = {
    "source_row": pl.Int64(),
    "column": pl.String(),
    "value": pl.String(),
    "reason": pl.String(),
}


def accounted_rows(
    parsed: pl.LazyFrame, key: str, path: str | Path, *, held: bool, plain: pl.LazyFrame | None = None
) -> tuple[pl.DataFrame, pl.LazyFrame, int, int]:
    """The rejected rows (materialized), the rows kept and their distinct keys, in one pass.

    Args:
        parsed: `parsed_rows` of the file: every canonical value and each row's first problem.
        key: the column whose distinct values are counted (`account_id`, `contact_id`).
        path: the file, for the error.
        held: the file is held in memory (`targeting.importing.held`): the parsed rows are too.
        plain: the valid rows as a plain projection of the scan (no row numbers, no problems), for
            a streamed file in which no row is rejected: every later pass then evaluates less.

    Returns:
        The rejected rows, the valid rows, their count and their distinct keys. The valid rows of a
        held file are in memory: the normalizers ran once, in this pass, and later passes read the
        result. A streamed file's valid rows stay a lazy plan over its scan.
    """
    try:
        if held:
            parsed = parsed.collect(engine="streaming").lazy()
        problem = pl.col(PROBLEM_COLUMN).struct
        rejected_rows = parsed.filter(pl.col(PROBLEM_COLUMN).is_not_null()).select(
            pl.col(ROW_COLUMN).alias("source_row"),
            problem.field("column").alias("column"),
            problem.field("value").alias("value"),
            problem.field("reason").alias("reason"),
        )
        valid = parsed.filter(pl.col(PROBLEM_COLUMN).is_null()).drop(ROW_COLUMN, PROBLEM_COLUMN)
        # Distinct 64-bit hashes are distinct keys, and hashing is 3x cheaper than comparing strings at
        # 10M rows; only when hashes repeat are the keys themselves counted.
        counts = valid.select(pl.len().alias("kept"), pl.col(key).hash().n_unique().alias("distinct"))
        rejected, totals = pl.collect_all([rejected_rows, counts])
        kept, distinct = totals.row(0)
        if distinct < kept:
            distinct = valid.select(pl.col(key).n_unique()).collect().item()
    except pl.exceptions.PolarsError as error:
        raise cannot_read(error, path) from None
    if kept + rejected.height == 0:
        raise InputError("no data rows (a header only?)", path=path)
    if plain is not None and not held and rejected.is_empty():
        valid = plain
    return rejected.cast(REJECTED_SCHEMA), valid, kept, distinct


def fold_people(valid: pl.LazyFrame) -> pl.LazyFrame:
    """One account per account_id: first non-empty company value, list columns unioned in order."""
    columns = [name for name in valid.collect_schema().names() if name != "account_id"]
    # A company whose person rows all lack a list keeps it unknown (null), not an empty list.
    return valid.group_by("account_id", maintain_order=True).agg(
        pl.when(pl.col(name).is_not_null().any()).then(pl.col(name).explode().drop_nulls().unique(maintain_order=True))
        if name in LIST_COLUMNS
        else pl.col(name).drop_nulls().first()
        for name in columns
    )
