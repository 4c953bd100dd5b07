"""Writing frames the way users open them: Parquet keeps lists, CSV joins them with `;`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl


def csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Join list columns with `;` and render nested values as JSON so the frame fits in a CSV."""
    fixes = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and dtype.inner == pl.String:
            fixes.append(pl.col(name).list.join(";"))
        elif isinstance(dtype, (pl.List, pl.Struct, pl.Array)):
            fixes.append(
                pl.col(name).map_elements(lambda v: json.dumps(v, default=str), return_dtype=pl.String)
            )
    return frame.with_columns(fixes) if fixes else frame


def write_csv(frame: pl.DataFrame, path: Path) -> Path:
    """Write `frame` as CSV with lists joined, creating the parent folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_ready(frame).write_csv(path)
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
