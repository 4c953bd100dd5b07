"""The generated sample universe: accounts, contacts, customers and deals from one seed.

Demo data, not part of the production path: `outbound init` and `outbound demo` write it, tests and
benchmarks generate it in memory. Nothing outside this room imports it except those.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "SampleUniverse": "targeting.sample.universe",
        "generate_sample": "targeting.sample.universe",
        "write_sample": "targeting.sample.universe",
    },
)
