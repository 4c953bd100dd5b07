"""A partitioned universe for `outbound target --dask`: its parts, their checks, and the work on one part.

The parts are the Parquet files of a directory or glob (in the order the single-process import reads
them), or the row groups of one Parquet file. The command lists them and checks that every part has
the first part's schema from the files' footers before a flow starts; the functions below the line run
on the Dask workers, one partition each, and return only small results (`targeting.selection.partials`).
A worker imports its part under a temporary alias and puts the whole universe's name back in `source`,
so each row is what the single-process import of the whole universe makes of it, row numbers included.
"""

from __future__ import annotations

import glob
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.facts import FactsSpec, with_account_facts
from targeting.icp.spec import IcpSpec
from targeting.importing.canonical import AccountImport, import_accounts
from targeting.importing.column_plan import plan_columns
from targeting.importing.presets import PERSON_TARGETS, ColumnMap, resolve_column_map
from targeting.importing.reading import read_table
from targeting.selection.partials import PartitionStats, partition_aggregates, partition_stats
from targeting.selection.partition_keys import ids_with_hashes, key_hashes
from targeting.selection.sizing import UniverseStats
from targeting.selection.suggestions import Candidate


@dataclass(frozen=True)
class Partition:
    """One part: a file (or rows `start`.. of it), its rows, and the source row number before its first."""

    index: int
    path: str
    rows: int
    offset: int
    start: int | None = None  # a row-group split of one file: the part is rows [start, start + rows)


def list_partitions(accounts: str | Path) -> list[Partition]:
    """The parts of a universe, each checked against the first part's schema (footers only).

    Raises:
        InputError: no part, a part that is not Parquet or cannot be read, or a part whose columns
            or types differ from the first's (naming the file and the column).
    """
    text = str(accounts)
    path = Path(text)
    if any(char in text for char in "*?[") and not path.exists():
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise InputError("no file matches this pattern", path=text)
    elif path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InputError("directory holds no .parquet partitions", path=path)
    elif path.is_file() and path.suffix.lower() in (".parquet", ".pq"):
        return _row_groups(path)
    else:
        raise InputError(
            "--dask reads Parquet: a directory or glob of parts, or one file split by row group", path=path
        )
    first = _schema(files[0])
    parts = []
    offset = 0
    for index, file in enumerate(files):
        _same_schema(file, _schema(file), files[0], first)
        rows = _metadata(file).num_rows
        parts.append(Partition(index=index, path=str(file), rows=rows, offset=offset))
        offset += rows
    return parts


def check_partitioned(accounts: str | Path, preset: str, column_map: ColumnMap | None) -> list[Partition]:
    """The parts, once the universe is one an account-per-row import can split (not a people export).

    Raises:
        InputError: as `list_partitions`, or a people-shaped export (its person rows fold across parts).
    """
    parts = list_partitions(accounts)
    sources = plan_columns(resolve_column_map(preset, column_map), read_table(parts[0].path), accounts)[0]
    if any(target in sources for target in PERSON_TARGETS):
        raise InputError(
            "--dask splits an account file (one row per account); a people-shaped export folds person rows "
            "across parts: run it without --dask",
            path=accounts,
        )
    return parts


def _row_groups(path: Path) -> list[Partition]:
    meta = _metadata(path)
    parts = []
    offset = 0
    for index in range(meta.num_row_groups):
        rows = meta.row_group(index).num_rows
        parts.append(Partition(index=index, path=str(path), rows=rows, offset=offset, start=offset))
        offset += rows
    return parts


def _metadata(path: Path):
    import pyarrow.parquet as pq

    try:
        return pq.read_metadata(path)
    except (OSError, ValueError) as error:
        raise InputError(f"cannot read the Parquet footer: {str(error).splitlines()[0]}", path=path) from None


def _schema(path: Path) -> dict[str, pl.DataType]:
    try:
        return dict(pl.read_parquet_schema(path))
    except (pl.exceptions.PolarsError, OSError) as error:
        raise InputError(f"cannot read the Parquet schema: {str(error).splitlines()[0]}", path=path) from None


def _same_schema(path: Path, schema: dict, first_path: Path, first: dict) -> None:
    for name, dtype in first.items():
        if name not in schema:
            raise InputError(f"this part lacks a column the first part {first_path} has", path=path, field=name)
        if schema[name] != dtype:
            raise InputError(
                f"this part's column is {schema[name]}, the first part {first_path}'s is {dtype}",
                path=path,
                field=name,
            )
    for name in schema:
        if name not in first:
            raise InputError(f"this part has a column the first part {first_path} lacks", path=path, field=name)


# ---- on the workers: one partition each --------------------------------------------------------


@dataclass(frozen=True)
class PartitionSetup:
    """What every partition task needs besides its part: the import options, the vocabulary, the ICP."""

    universe_name: str  # the name the single-process import puts in `source` (`<preset>:<name>`)
    preset: str
    column_map: ColumnMap | None
    facts: FactsSpec
    spec: IcpSpec  # respelled as the data spells it


@dataclass
class FirstPass:
    """A part's row accounting, its account-id hashes and its share of the statistics."""

    rows_read: int
    rejected: pl.DataFrame
    duplicates: int
    unmapped: list[str]
    hashes: pl.Series
    stats: PartitionStats = field(default_factory=PartitionStats)


@contextmanager
def opened(
    part: Partition, setup: PartitionSetup, drop: list[str] = ()
) -> Iterator[tuple[AccountImport, pl.LazyFrame]]:
    """The part's import and its accounts (facts filled, `drop` ids removed), valid inside the block."""
    with tempfile.TemporaryDirectory(prefix="outbound-part-") as tmp:
        alias = Path(tmp) / f"outbound-part-{uuid.uuid4().hex}.parquet"
        if part.start is None:
            alias.symlink_to(Path(part.path).resolve())
        else:
            pl.scan_parquet(part.path).slice(part.start, part.rows).sink_parquet(alias)
        try:
            universe = import_accounts(alias, preset=setup.preset, column_map=setup.column_map)
        except InputError as error:
            raise InputError(
                error.reason, path=part.path, line=error.line, field=error.field, value=error.value
            ) from None
        accounts = with_account_facts(universe.accounts, setup.facts, carried=universe.carried)
        accounts = accounts.with_columns(
            pl.col("source").replace(f"{setup.preset}:{alias.name}", f"{setup.preset}:{setup.universe_name}")
        )
        if drop:
            accounts = accounts.filter(~pl.col("account_id").is_in(pl.Series(list(drop), dtype=pl.String).implode()))
        yield universe, accounts


def read_partition(part: Partition, setup: PartitionSetup) -> FirstPass:
    """Import a part: its rows read, rejected rows (numbered in the whole universe), hashes and statistics."""
    if part.rows == 0:
        return FirstPass(0, pl.DataFrame(), 0, [], pl.Series("account_id", [], dtype=pl.UInt64))
    with opened(part, setup) as (universe, accounts):
        accounts = accounts.collect(engine="streaming").lazy()  # read once for the two small passes
        rejected = universe.rejected.with_columns(pl.col("source_row") + part.offset)
        return FirstPass(
            rows_read=universe.rows_read,
            rejected=rejected,
            duplicates=universe.duplicates,
            unmapped=universe.unmapped,
            hashes=key_hashes(accounts),
            stats=partition_stats(accounts, setup.spec),
        )


def partition_ids(part: Partition, setup: PartitionSetup, hashes: pl.Series) -> list[str]:
    """The part's account ids whose hash another part shares."""
    if part.rows == 0:
        return []
    with opened(part, setup) as (_, accounts):
        return ids_with_hashes(accounts, hashes)


def partition_stats_without(part: Partition, setup: PartitionSetup, drop: list[str]) -> PartitionStats:
    """The part's statistics once the accounts an earlier part holds are dropped."""
    with opened(part, setup, drop) as (_, accounts):
        return partition_stats(accounts, setup.spec)


def score_partition(
    part: Partition,
    setup: PartitionSetup,
    drop: list[str],
    stats: UniverseStats,
    candidates: list[Candidate],
    as_of: date,
    suppressed_keys: pl.Series | None,
) -> tuple[dict[str, int], pl.DataFrame] | None:
    """The part's funnel, coverage and candidate sums and its targets (None for an empty part)."""
    if part.rows == 0:
        return None
    with opened(part, setup, drop) as (_, accounts):
        return partition_aggregates(accounts, setup.spec, stats, candidates, as_of, suppressed_keys)
