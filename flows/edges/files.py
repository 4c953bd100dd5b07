"""Writing frames the way users open them (Parquet keeps lists, CSV joins them with `;`), and reading
back what the tool wrote, whichever of the two is given.

Every file is written to a temporary name in its own folder and renamed into place, so a killed run
leaves the previous file or the new one, never a torn one. A command's set of files (`file_set`) is
written whole under temporary names first and only then renamed into place, its summary last: a run
killed while it writes leaves the previous complete set, and a reader checks a list against the
summary beside it (`read_targets`, `read_drafts`), refusing a set whose counts differ. Every CSV is formula-safe: a text cell a
spreadsheet would evaluate (`=HYPERLINK(...)`, `+2 sweet-spot`) starts with a `'`, which
`formula_unsafe` takes off again when the tool reads its own CSV back.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

from targeting.errors import InputError

_TARGET_EXTRAS = ("score", "tier", "reasons")
TARGET_SUMMARY = "target_summary.json"
DRAFT_SUMMARY = "draft_summary.json"
FORMULA_START = r"^[=+\-@\t\r]"  # as `messaging.exports` escapes the sending tools' files


@contextmanager
def replaced(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` to write; renamed onto `path` when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = partial_name(path)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def partial_name(path: Path) -> Path:
    """The temporary name `path` is written under before it is renamed into place (never read as output)."""
    return path.with_name(f".{path.name}.{os.getpid()}.partial")


def sweep_partials(folder: Path) -> list[Path]:
    """Remove the temporary files a killed run left in `folder` (those of a process no longer alive)."""
    removed = []
    for path in folder.glob(".*.partial") if folder.is_dir() else ():
        pid = path.name.removesuffix(".partial").rpartition(".")[2]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextmanager
def file_set(folder: Path) -> Iterator[Callable[..., Path]]:
    """Write a command's files whole under temporary names, then rename them into place in the order staged.

    Yields `stage(path, temporary=None)`, which returns the temporary path to write for `path` (or
    adopts `temporary`, a file already written). Stage the summary last: it is renamed last, so a
    reader that finds a summary finds the set it counts. A failure (or a kill) before the renames
    leaves the previous set as it was; on failure every temporary file is removed, and the temporary
    files a killed run left are removed by the next set written to the folder.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sweep_partials(folder)
    staged: list[tuple[Path, Path]] = []

    def stage(path: Path, temporary: Path | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        staged.append((temporary or partial_name(path), path))
        return staged[-1][0]

    try:
        yield stage
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
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


def summary_count(summary_path: Path, key: str, list_path: Path) -> int | None:
    """The count `key` in the summary beside a list; None where there is no summary (a set written before
    summaries, or by hand: read as it is)."""
    if not summary_path.is_file():
        return None
    try:
        expected = json.loads(summary_path.read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        raise InputError(f"the summary beside this list ({summary_path.name}) cannot be read", path=list_path) from None
    return expected if isinstance(expected, int) else None


def check_against_summary(path: Path, rows: int) -> None:
    """Refuse a target list whose row count is not the one the summary beside it says (a torn set)."""
    expected = summary_count(path.with_name(TARGET_SUMMARY), "targets", path)
    if expected is not None and expected != rows:
        raise InputError(
            f"holds {rows:,} targets but {TARGET_SUMMARY} says {expected:,}: a run was cut short or the file was "
            "edited; run `outbound target` again",
            path=path,
        )


def check_drafts(folder: Path) -> None:
    """Raise now if `folder` holds no drafts.parquet, or a torn set: drafts.parquet or drafts.csv does not
    hold the number of drafts its draft_summary.json says (a run cut short, a file swapped or cut)."""
    parquet = folder / "drafts.parquet"
    if not parquet.is_file():
        raise InputError("no drafts.parquet in the drafts folder (written by `outbound draft`)", path=folder)
    expected = summary_count(folder / DRAFT_SUMMARY, "drafts", parquet)
    if expected is None:
        return
    counted = {parquet: _rows(parquet)}
    if (folder / "drafts.csv").is_file():
        counted[folder / "drafts.csv"] = _rows(folder / "drafts.csv")
    for path, rows in counted.items():
        if rows != expected:
            raise InputError(
                f"holds {rows:,} drafts but {DRAFT_SUMMARY} says {expected:,}: a run was cut short or the file was "
                "replaced; run `outbound draft` again",
                path=path,
            )


def _rows(path: Path) -> int:
    try:
        scan = pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path, infer_schema=False)
        return int(scan.select(pl.len()).collect().item())
    except (pl.exceptions.PolarsError, OSError) as error:
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise InputError(f"cannot read the drafts: {first}", path=path) from None


def read_drafts(folder: Path) -> pl.DataFrame:
    """drafts.parquet of a drafts folder, once its set is checked whole against its summary (`check_drafts`)."""
    check_drafts(folder)
    return pl.read_parquet(folder / "drafts.parquet")


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
