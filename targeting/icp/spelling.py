"""ICP values spelled as the data is: each value read by the normalizer of the column it names.

A person writes `country: [USA]`, `funding_stage: [Series B]`, `tags: [Developer Tools]`; the import
turns the data's own "USA" into `US`, "Series B" into `series_b`, "Developer Tools" into
`developer_tools`. Reading the ICP's values through the very same expressions makes both sides meet,
so a spec written the way people talk gives the same list as one written in canonical values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from targeting.columns import ACCOUNT_SCHEMA
from targeting.icp.conditions import Condition, format_value
from targeting.icp.spec import IcpSpec
from targeting.importing.normalize import canonical_value

_VALUE_OPS = ("eq", "in", "not_in", "contains_any", "contains_all")
# Identifiers and free text are matched as written (case-insensitively); only value families respell.
_AS_WRITTEN = ("account_id", "name", "description", "source")
_SECTIONS = (("filters", "filter"), ("disqualifiers", "disqualifier"))


@dataclass(frozen=True)
class Respelling:
    """One value of the spec read differently from how it was written."""

    where: str  # "filter country in [USA]"
    written: Any
    read_as: Any

    def __str__(self) -> str:
        return f"{self.where}: {format_value(self.written)} reads as {format_value(self.read_as)}"


def spoken_like_the_data(spec: IcpSpec) -> tuple[IcpSpec, list[Respelling]]:
    """The spec with every filter, disqualifier and criterion value in the data's canonical spelling.

    Args:
        spec: a validated ICP.

    Returns:
        The respelled spec (the same object when nothing changes) and what was respelled. A value
        the normalizer cannot read stays as written: the universe warnings then name it.
    """
    data = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    conditions = [
        (f"{kind} {c.label}", c, data[section][i])
        for section, kind in _SECTIONS
        for i, c in enumerate(getattr(spec, section))
    ]
    conditions += [
        (f"criterion {c.label}", c, data["scoring"]["criteria"][i]) for i, c in enumerate(spec.scoring.criteria)
    ]
    respellings = []
    for where, condition, raw in conditions:
        if not _respelled(condition):
            continue
        values = condition.value if isinstance(condition.value, list) else [condition.value]
        read = _canonical(condition.field, values)
        if read == values:
            continue
        respellings += [Respelling(where, w, r) for w, r in zip(values, read) if w != r]
        raw[condition.operator] = _unique(read) if isinstance(condition.value, list) else read[0]
        # The rule keeps the label the user wrote: reasons, reports and refinements name it so.
        raw.setdefault("name", condition.label)
    if not respellings:
        return spec, []
    return IcpSpec.model_validate(data), respellings


def _respelled(condition: Condition) -> bool:
    return (
        condition.operator in _VALUE_OPS
        and condition.field in ACCOUNT_SCHEMA
        and condition.field not in _AS_WRITTEN
        and ACCOUNT_SCHEMA[condition.field] in (pl.String(), pl.List(pl.String()))
    )


def _canonical(field: str, values: list[Any]) -> list[Any]:
    """Each value through the column's own normalizer; one it cannot read stays as written."""
    texts = [str(v) for v in values]
    parsed = canonical_value(field, pl.col("value"), pl.String).value
    if ACCOUNT_SCHEMA[field] == pl.List(pl.String()):
        parsed = parsed.list.first()
    read = pl.DataFrame({"value": texts}, schema={"value": pl.String}).select(parsed.alias("read"))["read"]
    return [r if r is not None else v for v, r in zip(values, read.to_list())]


def _unique(values: list[Any]) -> list[Any]:
    # "USA" and "United States" both read as US: the list keeps one.
    return list(dict.fromkeys(values))
