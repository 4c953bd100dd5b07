"""The ICP spec (`icp.yaml`): pydantic models with file/line errors, its conditions, dumping and edits.

`conditions` holds one condition (`{field: employees, between: [20, 1000]}`: exactly one operator,
typed values); `spec` the whole file: filters, disqualifiers, scoring, tiers and the size band.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "Condition": "targeting.icp.conditions",
        "Criterion": "targeting.icp.spec",
        "Disqualifier": "targeting.icp.spec",
        "Filter": "targeting.icp.spec",
        "IcpSpec": "targeting.icp.spec",
        "apply_edit": "targeting.icp.spec",
        "dump_icp": "targeting.icp.spec",
        "load_icp": "targeting.icp.spec",
        "parse_icp": "targeting.icp.spec",
    },
)
