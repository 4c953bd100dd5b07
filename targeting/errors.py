"""The one exception a file or spec that cannot be used raises; the CLI prints it as one line, exit 2."""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """A file or spec that cannot be used at all.

    The message names the file, the line or row, the field or column and the bad value,
    so a user can fix the input without reading a traceback.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        value: object = None,
        has_value: bool | None = None,
    ) -> None:
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        self.field = field
        self.value = value
        show_value = has_value if has_value is not None else value is not None
        parts = []
        if self.path:
            parts.append(self.path if line is None else f"{self.path}:{line}")
        elif line is not None:
            parts.append(f"line {line}")
        if field:
            parts.append(f"field {field!r}")
        if show_value:
            parts.append(f"value {_short(value)}")
        where = ", ".join(parts)
        super().__init__(f"{where}: {reason}" if where else reason)


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
