"""Targeting: a prospect universe -> a scored, sized target list.

Plain functions over Polars frames and pydantic specs; no Prefect, no other outbound package.
The public face:

- `import_accounts`, `import_contacts`, `read_table` (targeting.importing): any export into the
  canonical columns of `targeting.columns`, with every unusable row kept and explained;
- `guess_column_map`, `dump_column_map` (targeting.column_guess), `load_column_map` (targeting.presets);
- `load_icp`, `apply_edit`, `dump_icp`, `IcpSpec` (targeting.icp): the ICP spec;
- `score_accounts` (targeting.scoring), `read_suppression` (targeting.suppression);
- `build_target_list`, `TargetList`, `TargetSummary` (targeting.target_list): score + size in one pass;
- `generate_sample`, `write_sample` (targeting.sample_universe): the bundled sample universe;
- `InputError` (targeting.errors): a file or spec that cannot be used.
"""

from __future__ import annotations

from importlib import import_module

# Names resolve on first use (PEP 562): every command imports this package, few need all of it.
_EXPORTS = {
    "IcpSpec": "targeting.icp",
    "InputError": "targeting.errors",
    "TargetList": "targeting.target_list",
    "TargetSummary": "targeting.target_list",
    "apply_edit": "targeting.icp",
    "build_target_list": "targeting.target_list",
    "dump_column_map": "targeting.column_guess",
    "dump_icp": "targeting.icp",
    "generate_sample": "targeting.sample_universe",
    "guess_column_map": "targeting.column_guess",
    "import_accounts": "targeting.importing",
    "import_contacts": "targeting.importing",
    "load_column_map": "targeting.presets",
    "load_icp": "targeting.icp",
    "read_suppression": "targeting.suppression",
    "read_table": "targeting.importing",
    "score_accounts": "targeting.scoring",
    "write_sample": "targeting.sample_universe",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
