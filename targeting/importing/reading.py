"""Reading a source table: file-kind detection, content checks, and a lazy scan of its columns.

A CSV row with more fields than its header (an unquoted separator inside a value) must not stop the
whole file nor lose a field silently: text files are scanned with a few spare columns after the
header's, so such a row shows as a value in `EXTRA_FIELDS[0]` and the importer rejects that row alone.
"""

from __future__ import annotations

import glob
from pathlib import Path

import polars as pl

from targeting.errors import InputError
from targeting.importing.text_encoding import text_encoding, utf8_text

EXTRA_FIELDS = tuple(f"__extra_field_{i}" for i in range(1, 9))
_READERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
    ".json": "json",
}


def read_table(path: str | Path) -> pl.LazyFrame:
    """Scan a CSV/TSV (all cells as text; quoted cells may span lines), Parquet or NDJSON source.

    Args:
        path: a file, a directory of Parquet partitions, or a glob such as `parts/*.parquet`.

    Returns:
        The source columns as they are, lazily.

    Raises:
        InputError: missing or empty file, unknown extension, or content that is not what the
            extension says.
    """
    text = str(path)
    if any(char in text for char in "*?[") and not Path(text).exists():
        files = sorted(Path(p) for p in glob.glob(text, recursive=True))
        if not files:
            raise InputError("no file matches this pattern", path=text)
        kind = _kind(files[0])
        heads = [_check_content(file, kind) for file in files]
        return _scan(text, kind, files[0], heads[0])
    path = Path(path)
    if path.is_dir():
        files = sorted(path.rglob("*.parquet"))
        if not files:
            raise InputError("directory holds no .parquet partitions", path=path)
        heads = [_check_content(file, "parquet") for file in files]
        return _scan(str(path / "**" / "*.parquet"), "parquet", path, heads[0])
    if not path.exists():
        raise InputError("file not found", path=path)
    if not path.is_file():
        raise InputError("not a regular file (a pipe or a device?): give a file", path=path)
    kind = _kind(path)
    if kind in ("csv", "tsv"):
        source = utf8_text(path)
        return _scan(str(source.path), kind, path, _check_content(source.path, kind, shown=path), utf8_checked=True)
    return _scan(str(path), kind, path, _check_content(path, kind))


def cannot_read(error: Exception, path: str | Path) -> InputError:
    """The InputError for a source Polars (or the OS) failed to read, with the error's first line."""
    text = str(error)
    first_line = (text.strip().splitlines() or [type(error).__name__])[0]
    if ("malformed" in text or "not properly escaped" in text) and Path(path).is_file():
        line = _unclosed_quote_line(Path(path))
        if line is not None:
            return InputError("a quote opened on this line is never closed", path=path, line=line)
    return InputError(f"cannot read: {first_line}", path=path)


def _unclosed_quote_line(path: Path) -> int | None:
    """The line where the record with an unclosed quote starts (the error path only: a Python pass)."""
    import csv

    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        separator = csv_separator(
            "tsv" if path.suffix.lower() in (".tsv", ".tab") else "csv", handle.read(4096).encode()
        )
        handle.seek(0)
        reader = csv.reader(handle, delimiter=separator, strict=True)
        start = 1
        try:
            for _ in reader:
                start = reader.line_num + 1
        except csv.Error:
            return start
    return None


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise InputError(
            f"unknown file type; expected one of {', '.join(sorted(_READERS))}",
            path=path,
            field="extension",
            value=suffix or "(none)",
        )
    return _READERS[suffix]


def _check_content(path: Path, kind: str, *, shown: Path | None = None) -> bytes:
    """The file's first bytes, once they show it is what its extension says (errors name `shown`)."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    path = shown or path
    if not head.strip():
        raise InputError("file is empty", path=path)
    if kind not in ("csv", "tsv") and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("UTF-16 text; save it as UTF-8", path=path)
    is_parquet = head.startswith(b"PAR1")
    if kind == "parquet" and not is_parquet:
        raise InputError("not a Parquet file (no PAR1 header; is it text?)", path=path)
    if kind in ("csv", "tsv") and (is_parquet or b"\x00" in head):
        raise InputError(f"not {kind.upper()} text (it looks binary{', Parquet' if is_parquet else ''})", path=path)
    first = head.lstrip()[:1]
    if kind == "ndjson" and first != b"{":
        raise InputError(
            "not NDJSON (each line should be a JSON object)",
            path=path,
            value=head.lstrip()[:20].decode(errors="replace"),
        )
    if kind == "json" and first not in (b"{", b"["):
        raise InputError("not JSON", path=path, value=head.lstrip()[:20].decode(errors="replace"))
    return head


def csv_separator(kind: str, head: bytes) -> str:
    """`,`, `;` or a tab: spreadsheets in many European locales save CSV with ";", and the header line tells."""
    header = head.splitlines()[0] if head else b""
    if kind == "tsv":
        return "\t"
    return ";" if header.count(b";") > header.count(b",") else ","


def _scan(source: str, kind: str, shown: Path, head: bytes, *, utf8_checked: bool = False) -> pl.LazyFrame:
    try:
        if kind in ("csv", "tsv"):
            separator = csv_separator(kind, head)
            header = pl.read_csv(
                source if Path(source).is_file() else shown,
                n_rows=0,
                infer_schema=False,
                separator=separator,
                encoding="utf8-lossy",
            ).columns
            frame = pl.scan_csv(
                source,
                has_header=False,
                skip_rows=1,
                schema={name: pl.String for name in [*header, *EXTRA_FIELDS]},
                missing_columns="insert",
                truncate_ragged_lines=True,
                separator=separator,
                # A file `utf8_text` checked is UTF-8: read as it is, not through the lossy decoder.
                encoding="utf8" if utf8_checked else "utf8-lossy",
                # A quoted empty cell ("") is as empty as a bare one, also for the canonical fast
                # path: null as the reader parses it (a pass replacing "" afterwards copied every
                # text cell: 3M YC rows peaked at 4.9 GB against 3.6).
                null_values=[""],
            )
            return frame
        if kind == "parquet":
            return pl.scan_parquet(source)
        if kind == "json" and Path(source).read_bytes().lstrip()[:1] == b"[":
            return pl.read_json(source).lazy()
        return pl.scan_ndjson(source, infer_schema_length=1000)
    except (pl.exceptions.PolarsError, OSError, ValueError) as error:
        raise cannot_read(error, shown) from None


__all__ = ["EXTRA_FIELDS", "cannot_read", "extra_fields", "read_table", "text_encoding", "text_file_bytes"]


def text_file_bytes(path: str | Path) -> int | None:
    """The size of a source that is one text file (CSV, TSV, NDJSON, JSON); None for Parquet, a
    directory or a glob, whose bytes say little of what they hold in memory (compressed columns)."""
    path = Path(path)
    if not path.is_file() or _READERS.get(path.suffix.lower()) == "parquet":
        return None
    return path.stat().st_size


def extra_fields(schema: pl.Schema) -> list[str]:
    """The spare columns of a text scan (empty for Parquet and JSON)."""
    return [name for name in EXTRA_FIELDS if name in schema]
