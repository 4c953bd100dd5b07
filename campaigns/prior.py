"""The prior every campaign figure is read against: one definition for planning, allocation, the report and refine.

Two rates, never confused: the **reply rate** (replies per delivered email; the benchmark's 3.4%, what
`--prior` sets on `campaign plan` and `campaign report`) and the **positive-reply rate**
(`Prior.rate` = reply rate x positive share, 3.4% x 14% = 0.476%), which is what segments,
criteria and the Thompson allocation count. A design's power is about replies; posteriors,
verdicts, the allocation and refine are about positive replies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from targeting.errors import InputError

BENCHMARK_REPLY_RATE = 0.034
"""docs/campaigns.md: about 3.4% of cold emails get a reply (2026 benchmark)."""
BENCHMARK_POSITIVE_SHARE = 0.14
"""docs/campaigns.md: about 14% of replies are positive."""
PRIOR_WEIGHT = 40
"""The prior's weight in contacts (docs/campaigns.md: the equivalent of 30-60 contacts)."""


@dataclass(frozen=True)
class Prior:
    """A Beta prior on the positive-reply rate and on the reply rate, each with PRIOR_WEIGHT contacts' weight."""

    reply_rate: float = BENCHMARK_REPLY_RATE
    positive_share: float = BENCHMARK_POSITIVE_SHARE
    weight: float = PRIOR_WEIGHT
    source: str = "benchmark"

    @property
    def rate(self) -> float:
        """The prior positive-reply rate per delivered email."""
        return self.reply_rate * self.positive_share

    def as_json(self) -> dict[str, float | str]:
        return {
            "reply_rate": self.reply_rate,
            "positive_share": self.positive_share,
            "rate": round(self.rate, 6),
            "weight": self.weight,
            "source": self.source,
        }


def prior_from(reply_rate: float | None, *, source: str) -> Prior:
    """A prior from a reply rate (the benchmark when None); its positive share stays the benchmark's.

    Raises:
        InputError: the rate is not strictly between 0 and 1.
    """
    if reply_rate is None:
        return Prior()
    if isinstance(reply_rate, bool) or not isinstance(reply_rate, int | float) or not 0 < reply_rate < 1:
        raise InputError(
            "--prior is a reply rate strictly between 0 and 1 (e.g. 0.034)", field="--prior", value=reply_rate
        )
    return Prior(reply_rate=float(reply_rate), source=source)


def campaign_prior(override: float | None, designs: Iterable[dict[str, Any]]) -> Prior:
    """The prior a reading of campaigns uses: `--prior`, else the one they were planned with, else the benchmark.

    `campaign report` reads one campaign's design, `icp refine` every pooled campaign's; campaigns
    planned with different priors are refused unless `--prior` says which to use.

    Raises:
        InputError: the override is not a rate in (0, 1), or the campaigns' recorded priors differ.
    """
    if override is not None:
        return prior_from(override, source="--prior")
    recorded = sorted(
        {
            float(d["prior"])
            for d in designs
            if isinstance(d.get("prior"), int | float) and not isinstance(d.get("prior"), bool)
        }
    )
    if len(recorded) > 1:
        raise InputError(
            "the campaigns were planned with different priors; give --prior to say which reply rate to read them against",
            field="--prior",
            value=", ".join(f"{r:g}" for r in recorded),
        )
    if not recorded or recorded[0] == BENCHMARK_REPLY_RATE:
        return Prior()
    return prior_from(recorded[0], source="design")
