"""`outbound icp check`: an ICP read against a universe without building a list.

Says how each value is read (the data's spelling), how many accounts hold it, and every warning the
target list would carry (values that never occur, with "did you mean", values held in another field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from targeting.icp.spec import IcpSpec
from targeting.icp.spelling import Respelling, spoken_like_the_data
from targeting.selection.sizing import VALUE_OPS, spec_conditions, universe_stats, universe_warnings


@dataclass(frozen=True)
class ValueSeen:
    """One value a condition names, and how the universe holds it."""

    where: str
    field: str
    value: Any
    accounts: int
    spelled: list[str]  # the spellings the data holds (text fields), e.g. ["SaaS", "saas"]


@dataclass
class IcpCheck:
    """What `outbound icp check` reports."""

    spec: IcpSpec  # as read: values in the data's spelling
    respelled: list[Respelling]
    values: list[ValueSeen] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    universe: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The `--json` summary."""
        return {
            "icp": self.spec.name,
            "version": self.spec.version,
            "valid": True,
            "universe": self.universe,
            "respelled": [{"where": r.where, "written": r.written, "read_as": r.read_as} for r in self.respelled],
            "values": [vars(v) for v in self.values],
            "warnings": self.warnings,
        }


def check_icp(spec: IcpSpec, accounts: pl.LazyFrame | None = None) -> IcpCheck:
    """Read a validated ICP as the data spells it and, given a universe, against it.

    Args:
        spec: the ICP as loaded.
        accounts: canonical accounts (optional).

    Returns:
        The respellings and, with a universe, every named value's count and the warnings.
    """
    respelled, notes = spoken_like_the_data(spec)
    check = IcpCheck(spec=respelled, respelled=notes)
    if accounts is None:
        return check
    stats = universe_stats(accounts, respelled)
    check.universe = stats.rows
    check.warnings = universe_warnings(respelled, stats)
    for kind, c in spec_conditions(respelled):
        if c.operator not in VALUE_OPS:
            continue
        counts = stats.value_counts.get(c.field, {})
        spellings = stats.spellings.get(c.field, {})
        for value in c.value if isinstance(c.value, list) else [c.value]:
            key = value.lower() if isinstance(value, str) else value
            check.values.append(
                ValueSeen(
                    where=f"{kind} {c.label}",
                    field=c.field,
                    value=value,
                    accounts=counts.get(key, 0),
                    spelled=sorted(spellings.get(key, [])) if isinstance(key, str) else [],
                )
            )
    return check
