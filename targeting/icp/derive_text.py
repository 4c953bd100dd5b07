"""A derived ICP as YAML a person reads: every filter, disqualifier and criterion with its evidence.

The text is `dump_icp`'s (so it loads back to the same spec) with a header saying where the ICP
came from and how sure it is, and an end-of-line comment beside each rule and the size band.
"""

from __future__ import annotations

import io

from targeting.icp.derive import Derivation
from targeting.icp.spec import dump_icp


def derived_icp_text(derivation: Derivation) -> str:
    """The derived spec as commented YAML; `parse_icp` of it equals `derivation.spec`."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    doc = yaml.load(dump_icp(derivation.spec))
    best, worst = derivation.group_names
    header = [
        (
            f"Derived by `outbound icp derive` from {derivation.n_best} {best} and {derivation.n_worst} {worst} "
            f"accounts against a universe of {derivation.n_universe:,}."
        ),
        derivation.how + ".",
        "Each rule's comment: its share of the best (95% interval), of the worst, of the universe, and",
        "its lift over the universe (shrunk toward 1 for small samples). The `evidence` list holds the same.",
        *(f"warning: {w}" for w in derivation.warnings),
    ]
    doc.yaml_set_start_comment("\n".join(header))
    names = (best, worst)
    sections = {
        "filters": doc.get("filters"),
        "disqualifiers": doc.get("disqualifiers"),
        "scoring.criteria": doc["scoring"].get("criteria"),
    }
    for item in derivation.evidence:
        section, _, index = item.rule.rpartition("[")
        seq = sections.get(section)
        if seq is not None:
            seq.yaml_add_eol_comment(f"# {item.comment(names)}", int(index.rstrip("]")))
    tiers = ", ".join(f"{t}: {n:,}" for t, n in derivation.by_tier.items())
    doc.yaml_add_eol_comment(
        f"# the derived list: {derivation.list_size:,} of {derivation.n_universe:,} accounts ({tiers})", "target_size"
    )
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
