"""The profiles planted in the sample's customers: one that buys, retains and expands, one that churns.

`targeting.sample.deals` plants customers and won deals in `PLANTED_PROFILE`;
`targeting.sample.customer_health` makes `CHURN_PROFILE` customers leave. A derivation should
recover both; their `expr()` is the exact membership test the tests compare against.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class PlantedProfile:
    """The account profile the sample's customers were planted in (see the module docstring)."""

    industries: tuple[str, ...] = ("fintech", "saas")
    employees: tuple[int, int] = (50, 500)
    tech: str = "salesforce"
    regions: tuple[str, ...] = ("NA", "EMEA")
    funding_stages: tuple[str, ...] = ("series_a", "series_b", "series_c")

    def conditions(self) -> dict[str, pl.Expr]:
        """One boolean expression per condition, keyed by field; null rows yield False."""
        low, high = self.employees
        return {
            "industry": pl.col("industry").is_in(self.industries).fill_null(False),
            "employees": pl.col("employees").is_between(low, high).fill_null(False),
            "tech_stack": pl.col("tech_stack").list.contains(self.tech).fill_null(False),
            "region": pl.col("region").is_in(self.regions).fill_null(False),
            "funding_stage": pl.col("funding_stage").is_in(self.funding_stages).fill_null(False),
        }

    def matches(self) -> pl.Expr:
        """How many of the five conditions an account meets (0-5)."""
        return pl.sum_horizontal([c.cast(pl.Int8) for c in self.conditions().values()])

    def expr(self) -> pl.Expr:
        """True for accounts inside the planted profile."""
        return pl.all_horizontal(list(self.conditions().values()))

    def as_filters(self) -> list[dict]:
        """The profile as ICP-file filters (docs/icp.md format), e.g. for a derive test."""
        return [
            {"field": "industry", "in": list(self.industries)},
            {"field": "employees", "between": list(self.employees)},
            {"field": "tech_stack", "contains_any": [self.tech]},
            {"field": "region", "in": list(self.regions)},
            {"field": "funding_stage", "in": list(self.funding_stages)},
        ]


PLANTED_PROFILE = PlantedProfile()


@dataclass(frozen=True)
class ChurnProfile:
    """The customers that churn: a `b2c` tag (see the module docstring)."""

    tag: str = "b2c"

    def expr(self) -> pl.Expr:
        """True for accounts in the churn profile; null tags yield False."""
        return pl.col("tags").list.contains(self.tag).fill_null(False)

    def as_disqualifier(self) -> dict:
        """The profile as an ICP-file disqualifier, e.g. for a derive test."""
        return {"field": "tags", "contains_any": [self.tag]}


CHURN_PROFILE = ChurnProfile()
