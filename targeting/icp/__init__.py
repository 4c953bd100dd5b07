"""The ICP spec (`icp.yaml`): pydantic models with file/line errors, its conditions, dumping and edits.

`conditions` holds one condition (`{field: employees, between: [20, 1000]}`: exactly one operator,
typed values); `spec` the whole file: filters, disqualifiers, scoring, tiers and the size band.
Discovery from customer data: `prevalence` (how common each attribute is among the best, the worst
and the universe), `derive` with `derive_rules` and `evidence` (an ICP from their difference),
`derive_text` (it as commented YAML); `backtest` with `separation` (how well an ICP's score
separated the deals already won from those lost).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "Condition": "targeting.icp.conditions",
        "Criterion": "targeting.icp.spec",
        "Derivation": "targeting.icp.derive",
        "Disqualifier": "targeting.icp.spec",
        "Filter": "targeting.icp.spec",
        "IcpSpec": "targeting.icp.spec",
        "apply_edit": "targeting.icp.spec",
        "backtest_on_deals": "targeting.icp.backtest",
        "derive_from_labels": "targeting.icp.derive",
        "derived_icp_text": "targeting.icp.derive_text",
        "dump_icp": "targeting.icp.spec",
        "load_icp": "targeting.icp.spec",
        "parse_icp": "targeting.icp.spec",
        "prevalence_table": "targeting.icp.prevalence",
    },
)
