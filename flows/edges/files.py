"""Writing frames the way users open them (Parquet keeps lists, CSV joins them with `;`), and reading
back what the tool wrote, whichever of the two is given.

Every file is written to a temporary name in its own folder and renamed into place, so a killed run
leaves the previous file or the new one, never a torn one; a command writes its summary last, and a
reader checks a list against the summary beside it. Every CSV is formula-safe: a text cell a
spreadsheet would evaluate (`=HYPERLINK(...)`, `+2 sweet-spot`) starts with a `'`, which
`formula_unsafe` takes off again when the tool reads its own CSV back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from targeting.errors import InputError

_TARGET_EXTRAS = ("score", "tier", "reasons")
TARGET_SUMMARY = "target_summary.json"
FORMULA_START = r"^[=+\-@\t\r]"  # as `messaging.exports` escapes the sending tools' files


@contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write; renamed onto `path` when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def formula_safe(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Prefix `'` to every text cell a spreadsheet would evaluate as a formula (OWASP CSV injection)."""
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    text = [name for name, dtype in schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def formula_unsafe(frame: pl.DataFrame) -> pl.DataFrame:
    """A CSV `formula_safe` wrote, read back as the values were (the `'` before `=`, `+`, ... taken off)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(pl.col(text).str.replace(r"^'([=+\-@\t\r])", "$1")) if text else frame


def csv_ready(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Join list columns with `;` and render nested values as JSON so the frame fits in a CSV."""
    fixes = []
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    for name, dtype in schema.items():
        if isinstance(dtype, pl.List) and dtype.inner == pl.String:
            fixes.append(pl.col(name).list.join(";"))
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            fixes.append(pl.col(name).map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.String))
    return frame.with_columns(fixes) if fixes else frame


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as a formula-safe CSV with lists joined, in place at once, creating the parent folder."""
    with replaced(path) as temporary:
        formula_safe(csv_ready(frame)).write_csv(temporary)
    return path


def sink_csv(frame: pl.LazyFrame, path: Path) -> Path:
    """Stream `frame` into a CSV with lists joined (the same file `write_csv` writes), never holding it whole."""
    with replaced(path) as temporary:
        formula_safe(csv_ready(frame)).sink_csv(temporary, engine="streaming")
    return path


def write_parquet(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as Parquet, in place at once."""
    with replaced(path) as temporary:
        frame.write_parquet(temporary)
    return path


def write_table(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as Parquet or CSV, chosen by the file's extension."""
    if path.suffix.lower() == ".parquet":
        return write_parquet(frame, path)
    return write_csv(frame, path)


def write_json(data: Any, path: Path) -> Path:
    """Write `data` as indented JSON, in place at once, creating the parent folder."""
    with replaced(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def check_against_summary(path: Path, rows: int) -> None:
    """Refuse a target list whose row count is not the one the summary beside it says (a torn set)."""
    summary_path = path.with_name(TARGET_SUMMARY)
    if not summary_path.is_file():
        return
    try:
        expected = json.loads(summary_path.read_text(encoding="utf-8")).get("targets")
    except (OSError, ValueError):
        raise InputError("the summary beside this target list cannot be read", path=summary_path) from None
    if isinstance(expected, int) and expected != rows:
        raise InputError(
            f"holds {rows:,} targets but {TARGET_SUMMARY} says {expected:,}: a run was cut short or the file was "
            "edited; run `outbound target` again",
            path=path,
        )


def check_targets(path: Path) -> None:
    """Raise now if `path` is not a target list `outbound target` wrote (Parquet or CSV)."""
    try:
        if path.suffix.lower() == ".parquet":
            names = pl.read_parquet_schema(path).keys()
        else:
            names = pl.read_csv(path, n_rows=0, infer_schema=False).columns
    except (pl.exceptions.PolarsError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(f"cannot read the target list: {first}", path=path) from None
    missing = [name for name in ("account_id", *_TARGET_EXTRAS) if name not in names]
    if missing:
        raise InputError(f"not a target list written by `outbound target` (no {', '.join(missing)})", path=path)


def read_targets(path: Path) -> pl.DataFrame:
    """A target list from the Parquet or the CSV `outbound target` wrote: the same frame from either."""
    check_targets(path)
    if path.suffix.lower() == ".parquet":
        targets = pl.read_parquet(path)
        check_against_summary(path, targets.height)
        return targets
    from targeting.importing import import_accounts

    imported = import_accounts(path)
    if imported.rejected.height:
        row = imported.rejected.row(0, named=True)
        raise InputError(
            f"not a target list as written: {row['reason']}",
            path=path,
            line=row["source_row"] + 1,
            field=row["column"],
            value=row["value"],
        )
    raw = formula_unsafe(pl.read_csv(path, columns=["account_id", *_TARGET_EXTRAS], infer_schema=False))
    check_against_summary(path, raw.height)
    scores = raw.select(
        "account_id",
        pl.col("score").cast(pl.Int64),
        "tier",
        pl.col("reasons").str.split(";").fill_null([]),
    )
    return imported.accounts.collect().join(scores, on="account_id", how="left", maintain_order="left")
