"""What a command was asked to do: one pydantic model per command, built the same way everywhere.

A command's options and a Prefect flow's parameters carry the same names as its request's fields,
so both build it in one line (`TargetRequest.given(locals())`), and a flow run gets the request back
from `request.plain()`. Input files are checked as the request is built (`InputFile`): one check,
one message, before any flow starts. A field that does not validate is one `InputError` naming the
option and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from targeting.errors import InputError

_PATTERN = "*?["
# Fields whose option is not `--` + the field's name.
_OPTIONS = {"column_map": "--map", "contacts_map": "--contacts-map", "results": "RESULTS"}


def _exists(path: Path) -> Path:
    # A glob (parts/*.parquet) is the reader's to expand and check.
    if not path.exists() and not any(ch in str(path) for ch in _PATTERN):
        raise PydanticCustomError("not_found", "file not found")
    return path


def _is_dir(path: Path) -> Path:
    if not path.is_dir():
        raise PydanticCustomError("not_found", "folder not found")
    return path


def _day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.strptime(value, "%Y-%m-%d").date()
        except ValueError:
            raise PydanticCustomError("day", "expected a date as YYYY-MM-DD") from None
    return value


Day = Annotated[date, BeforeValidator(_day)]
"""A day given as YYYY-MM-DD (`--as-of`, `--split`)."""
InputFile = Annotated[Path, AfterValidator(_exists)]
"""A file (or a glob of Parquet parts) the command reads: it must be there."""
InputFolder = Annotated[Path, AfterValidator(_is_dir)]
"""A folder the command reads: it must be there."""


def option_name(field: str) -> str:
    """The command-line option of a request field: `column_map` -> `--map`, `as_of` -> `--as-of`."""
    return _OPTIONS.get(field, "--" + field.replace("_", "-"))


class Request(BaseModel):
    """The base of every command's request: plain fields, built from options or a flow's parameters."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def given(cls, options: Mapping[str, Any]) -> Self:
        """The request from a command's options or a flow's parameters.

        Names that are not fields (`json_out`, `prefect`) are left out, and so is None (the field's
        default holds), so a Typer command and a Prefect flow both pass their `locals()`.

        Raises:
            InputError: a missing input file, or a value that does not validate, naming the option.
        """
        fields = {name: value for name, value in options.items() if name in cls.model_fields and value is not None}
        try:
            return cls.model_validate(fields)
        except ValidationError as error:
            raise _input_error(error) from None

    def plain(self) -> dict[str, Any]:
        """The fields as a flow's parameters: JSON values only (paths as strings), as a deployment gives them."""
        return self.model_dump(mode="json")


def _input_error(error: ValidationError) -> InputError:
    first = error.errors()[0]
    option = option_name(str(first["loc"][0])) if first["loc"] else "input"
    value = first.get("input")
    if first["type"] == "not_found":
        return InputError(f"{option} {first['msg']}", path=value)
    return InputError(first["msg"], field=option, value=value)
