"""What a derived rule rests on: its counts among the best, the worst and the universe, as words and data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from targeting.icp.prevalence import shrunk, wilson


@dataclass
class RuleEvidence:
    """What one derived rule rests on: its counts among best, worst and universe."""

    rule: str
    label: str
    best: int
    n_best: int
    worst: int
    n_worst: int
    universe: int
    n_universe: int
    note: str | None = None

    @property
    def lift(self) -> float:
        """Share of the best over share of the universe."""
        p_u = self.universe / max(self.n_universe, 1)
        return (self.best / max(self.n_best, 1)) / p_u if p_u else math.inf

    @property
    def shrunk_lift(self) -> float:
        """The lift with the best's share shrunk toward the universe's (`prevalence.shrunk`)."""
        p_u = self.universe / max(self.n_universe, 1)
        return float(shrunk(self.best, self.n_best, p_u)) / p_u if p_u else math.inf

    def interval(self) -> tuple[float, float]:
        """95% Wilson interval of the share of the best."""
        low, high = wilson([self.best], [self.n_best])
        return float(low[0]), float(high[0])

    def comment(self, names: tuple[str, str]) -> str:
        """`44/46 best (96%, 95% CI 85-99%), 3/54 worst (6%), 1.6% of 20,000; lift 61x (shrunk 41x)`."""
        if self.note:
            return self.note
        low, high = self.interval()
        best, worst = names
        return (
            f"{self.best}/{self.n_best} {best} ({_pct(self.best, self.n_best)}, 95% CI {low:.0%}-{high:.0%}), "
            f"{self.worst}/{self.n_worst} {worst} ({_pct(self.worst, self.n_worst)}), "
            f"{_pct(self.universe, self.n_universe, 1)} of {self.n_universe:,} accounts; "
            f"lift {_times(self.lift)} (shrunk {_times(self.shrunk_lift)})"
        )

    def as_dict(self) -> dict[str, Any]:
        """The structured form kept in the spec's `evidence` list and the JSON summary."""
        low, high = self.interval()
        if self.note:  # not derived from the comparison: counts only
            return {
                "rule": self.rule,
                "label": self.label,
                "note": self.note,
                "best": f"{self.best}/{self.n_best}",
                "worst": f"{self.worst}/{self.n_worst}",
                "universe": f"{self.universe}/{self.n_universe}",
                "lift": None,
                "shrunk_lift": None,
                "best_ci": None,
            }
        return {
            "rule": self.rule,
            "label": self.label,
            "best": f"{self.best}/{self.n_best}",
            "worst": f"{self.worst}/{self.n_worst}",
            "universe": f"{self.universe}/{self.n_universe}",
            "lift": _round(self.lift),
            "shrunk_lift": _round(self.shrunk_lift),
            "best_ci": [round(low, 3), round(high, 3)],
        }


def _pct(k: int, n: int, digits: int = 0) -> str:
    return f"{k / n:.{digits}%}" if n else "-"


def _times(x: float) -> str:
    if math.isinf(x):
        return "inf"
    return f"{x:.1f}x" if x < 10 else f"{x:.0f}x"


def _round(x: float) -> float | None:
    return None if math.isinf(x) else round(x, 2)
