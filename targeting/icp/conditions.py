"""One ICP condition (`{field: employees, between: [20, 1000]}`): exactly one operator, typed values."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from targeting.columns import ACCOUNT_SCHEMA, LIST_COLUMNS, NUMERIC_COLUMNS

OPERATORS = (
    "eq",
    "in",
    "not_in",
    "between",
    "gte",
    "lte",
    "contains_any",
    "contains_all",
    "matches",
    "is_null",
    "not_null",
)
_ATTRS = {op: ("in_" if op == "in" else op) for op in OPERATORS}
_BOOL_COLUMNS = tuple(name for name, dtype in ACCOUNT_SCHEMA.items() if dtype == pl.Boolean())


def field_kind(field: str) -> str:
    """What values a column holds: list, number, bool, date or text."""
    if field in LIST_COLUMNS:
        return "list"
    if field in NUMERIC_COLUMNS:
        return "number"
    if field in _BOOL_COLUMNS:
        return "bool"
    if ACCOUNT_SCHEMA.get(field) == pl.Date():
        return "date"
    return "text"


def format_value(value: Any) -> str:
    """`[saas, fintech]` rather than `['saas', 'fintech']`: how labels and warnings show values."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_number(value: Any) -> bool:
    # .nan and .inf are floats YAML reads, but no bound: every comparison with NaN is false.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_scalar(value: Any, kind: str) -> Any:
    if kind == "number" and not _is_number(value):
        raise ValueError("expected a number for a numeric field")
    if kind == "bool" and not isinstance(value, bool):
        raise ValueError("expected true or false")
    if kind in ("text", "list") and not isinstance(value, str):
        raise ValueError("expected text")
    if kind == "date":
        raise ValueError("a date field only takes is_null or not_null")
    return value


class Condition(BaseModel):
    """A test on one canonical account column with exactly one operator.

    A null value never satisfies it (except `is_null`); text comparisons ignore case; on a list
    column `eq`/`in` mean "contains". `within_days` keeps only signals dated within N days.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    name: str | None = None
    field: str
    eq: Any = None
    in_: Any = Field(default=None, alias="in")
    not_in: Any = None
    between: Any = None
    gte: Any = None
    lte: Any = None
    contains_any: Any = None
    contains_all: Any = None
    matches: Any = None
    is_null: Any = None
    not_null: Any = None
    within_days: Any = None

    @field_validator("field")
    @classmethod
    def _known_field(cls, field: str) -> str:
        if field not in ACCOUNT_SCHEMA:
            raise ValueError(f"unknown account column (known: {', '.join(ACCOUNT_SCHEMA)})")
        return field

    @field_validator("eq")
    @classmethod
    def _eq(cls, value: Any, info: ValidationInfo) -> Any:
        kind = _kind(info)
        return value if value is None or kind is None else _check_scalar(value, kind)

    @field_validator("in_", "not_in")
    @classmethod
    def _in(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, list) or not value:
            raise ValueError("expected a non-empty list of values")
        kind = _kind(info)
        return value if kind is None else [_check_scalar(v, kind) for v in value]

    @field_validator("between")
    @classmethod
    def _between(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, list) or len(value) != 2 or not all(map(_is_number, value)):
            raise ValueError("expected [low, high] numbers")
        _need_kind(info, "number", "between")
        if value[0] > value[1]:
            raise ValueError("lower bound is above upper bound")
        return value

    @field_validator("gte", "lte")
    @classmethod
    def _bound(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not _is_number(value):
            raise ValueError("expected a number")
        _need_kind(info, "number", info.field_name)
        return value

    @field_validator("contains_any", "contains_all")
    @classmethod
    def _contains(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise ValueError("expected a non-empty list of text values")
        _need_kind(info, "list", info.field_name)
        return value

    @field_validator("matches")
    @classmethod
    def _matches(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, str):
            raise ValueError("expected a regular expression")
        if _kind(info) not in (None, "text", "list"):
            raise ValueError(f"matches needs a text or list field, not {info.data['field']!r}")
        try:  # the regex engine that will run it decides what is valid
            pl.Series([""]).str.contains(value)
        except Exception as exc:  # noqa: BLE001 - polars raises ComputeError with the reason
            detail = " ".join(str(exc).split())[:120]
            raise ValueError(f"not a valid regular expression ({detail})") from None
        return value

    @field_validator("is_null", "not_null")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        if value is not None and value is not True:
            raise ValueError("write `true` (or use the other null operator)")
        return value

    @field_validator("within_days")
    @classmethod
    def _within_days(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None:
            return value
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError("expected a positive whole number of days")
        _need_kind(info, "list", "within_days")
        return value

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        used = [op for op in OPERATORS if getattr(self, _ATTRS[op]) is not None]
        if len(used) != 1:
            found = ", ".join(used) if used else "none"
            raise ValueError(f"needs exactly one operator of {', '.join(OPERATORS)}; found {found}")
        return self

    @property
    def operator(self) -> str:
        """The one operator this condition uses."""
        return next(op for op in OPERATORS if getattr(self, _ATTRS[op]) is not None)

    @property
    def value(self) -> Any:
        """The operator's value (`True` for is_null/not_null)."""
        return getattr(self, _ATTRS[self.operator])

    @property
    def label(self) -> str:
        """The name if given, else a readable one: `employees between [20, 1000]`."""
        if self.name:
            return self.name
        op = self.operator
        text = (
            f"{self.field} {op}" if op in ("is_null", "not_null") else (f"{self.field} {op} {format_value(self.value)}")
        )
        return text + (f" within {self.within_days} days" if self.within_days else "")


def _kind(info: ValidationInfo) -> str | None:
    field = info.data.get("field")
    return field_kind(field) if field else None


def _need_kind(info: ValidationInfo, kind: str, op: str) -> None:
    actual = _kind(info)
    if actual is not None and actual != kind:
        what = {"number": "numeric", "list": "list"}[kind]
        raise ValueError(f"{op} needs a {what} field, not {info.data['field']!r} ({actual})")
