"""A text file's encoding and line endings, so every text file is read as UTF-8 rows.

Most exports are UTF-8 with `\\n` or `\\r\\n`: one streaming pass proves it and the file is read as
it is. Anything else (UTF-16 with its byte-order mark, cp1252 from an old spreadsheet, lone `\\r`
line endings from a classic Mac export) is detected by `charset-normalizer` (not guessed here) and
transcoded once into a UTF-8 copy with `\\n` endings in the temporary folder; text whose encoding
cannot be told is refused with one line. The import reports the encoding it read.
"""

from __future__ import annotations

import atexit
import codecs
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from targeting.errors import InputError

_CHUNK = 1 << 22
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf_32"),
    (codecs.BOM_UTF32_BE, "utf_32"),
    (codecs.BOM_UTF16_LE, "utf_16"),
    (codecs.BOM_UTF16_BE, "utf_16"),
)
_copies: dict[tuple[str, int, int], UTF8Text] = {}
_folder: list[Path] = []


@dataclass(frozen=True)
class UTF8Text:
    """A text file as UTF-8 with `\\n` rows: the path to read and the encoding the original was in."""

    path: Path
    encoding: str


def _plain_utf8(path: Path, chunk_size: int = _CHUNK) -> tuple[bool, bool]:
    """(the file is UTF-8, it ends rows with a lone `\r`), in one streaming pass: each chunk's bytes are
    checked by Polars' UTF-8 validation (a cast of the chunk to text), not decoded into Python text (2.1
    against 0.3 CPU s over the 695 MB YC benchmark file); the line endings are the first chunk's (an
    export writes one kind throughout)."""
    with path.open("rb") as handle:
        first = chunk = handle.read(chunk_size)
        carried = b""
        while chunk:
            body, carried = _complete_characters(carried + chunk)
            if not (body.isascii() or _valid_utf8(body)):
                return False, _lone_cr(first)
            chunk = handle.read(chunk_size)
    return not carried, _lone_cr(first)


def _complete_characters(data: bytes) -> tuple[bytes, bytes]:
    """`data` cut before a multi-byte character its last bytes only begin (the rest comes with the next chunk)."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:  # ASCII: nothing open
            return data, b""
        if byte >= 0xC0:  # a lead byte: its character is whole when `back` bytes complete it
            length = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return (data, b"") if back >= length else (data[:-back], data[-back:])
    return data, b""  # four continuation bytes in a row: invalid, and the check says so


def _valid_utf8(data: bytes) -> bool:
    try:
        pl.Series([data], dtype=pl.Binary).cast(pl.String)
    except pl.exceptions.ComputeError:
        return False
    return True


def _lone_cr(head: bytes) -> bool:
    """True when `head` has a `\r` not followed by `\n` (a `\r` at its very end is not judged)."""
    body = head[:-1] if head.endswith(b"\r") and len(head) == _CHUNK else head
    return body.count(b"\r") > body.count(b"\r\n")


def _detected(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(4)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    from charset_normalizer import from_path

    results = from_path(path)
    best = results.best()
    if best is None:
        raise InputError("cannot tell this text file's encoding; save it as UTF-8", path=path)
    # Short text fits several code pages equally well; among the library's equally clean readings,
    # Windows' Western one (what spreadsheets save as "CSV") is taken: "Nuñez", not "Nuńez".
    if any("cp1252" in match.could_be_from_charset for match in results if match.chaos <= best.chaos):
        return "cp1252"
    return best.encoding


def _copy_folder() -> Path:
    if not _folder:
        folder = Path(tempfile.mkdtemp(prefix="outbound-utf8-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _folder.append(folder)
    return _folder[0]


def utf8_text(path: str | Path) -> UTF8Text:
    """The file itself when it is UTF-8 with `\\n`/`\\r\\n` rows, else a UTF-8 copy with `\\n` rows.

    Raises:
        InputError: the encoding cannot be told, or the bytes are not text in the encoding found.
    """
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key in _copies:
        return _copies[key]
    is_utf8, lone_cr = _plain_utf8(path)
    encoding = "utf-8" if is_utf8 else _detected(path)
    if is_utf8 and not lone_cr:
        found = UTF8Text(path, "utf-8")
    else:
        copy = _copy_folder() / f"{len(_copies)}-{path.stem}{path.suffix}"
        try:
            with path.open(encoding=encoding, newline="") as source, copy.open("w", encoding="utf-8") as out:
                # Universal newlines by hand: `\r\n` and lone `\r` both end a row (quoted cells too).
                pending_cr, first = False, True
                while chunk := source.read(_CHUNK):
                    if pending_cr and chunk.startswith("\n"):
                        chunk = chunk[1:]
                    pending_cr = chunk.endswith("\r")
                    chunk = chunk.replace("\r\n", "\n").replace("\r", "\n")
                    out.write(chunk.lstrip("\ufeff") if first else chunk)
                    first = False
        except (UnicodeDecodeError, LookupError) as exc:
            copy.unlink(missing_ok=True)
            raise InputError(
                f"not readable as {encoding} text ({exc.__class__.__name__}); save it as UTF-8", path=path
            ) from None
        os.utime(copy, ns=(stat.st_mtime_ns, stat.st_mtime_ns))
        found = UTF8Text(copy, encoding)
    _copies[key] = found
    return found


def text_encoding(path: str | Path) -> str | None:
    """The encoding a text source was read in (None: not one text file, e.g. Parquet or a glob)."""
    path = Path(path)
    if not path.is_file() or path.suffix.lower() not in (".csv", ".tsv", ".tab", ".txt"):
        return None
    return utf8_text(path).encoding
