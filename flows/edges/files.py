"""Writing frames the way users open them (Parquet keeps lists, CSV joins them with `;`), and reading
back what the tool wrote, whichever of the two is given."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from targeting.errors import InputError

_TARGET_EXTRAS = ("score", "tier", "reasons")


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
    """Write `frame` as CSV with lists joined, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_ready(frame).write_csv(path)
    return path


def sink_csv(frame: pl.LazyFrame, path: Path) -> Path:
    """Stream `frame` into a CSV with lists joined (the same file `write_csv` writes), never holding it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_ready(frame).sink_csv(path, engine="streaming")
    return path


def write_table(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as Parquet or CSV, chosen by the file's extension."""
    if path.suffix.lower() == ".parquet":
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(path)
        return path
    return write_csv(frame, path)


def write_json(data: Any, path: Path) -> Path:
    """Write `data` as indented JSON, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


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
        return pl.read_parquet(path)
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
    scores = pl.read_csv(path, columns=["account_id", *_TARGET_EXTRAS], infer_schema=False).select(
        "account_id",
        pl.col("score").cast(pl.Int64),
        "tier",
        pl.col("reasons").str.split(";").fill_null([]),
    )
    return imported.accounts.collect().join(scores, on="account_id", how="left", maintain_order="left")
