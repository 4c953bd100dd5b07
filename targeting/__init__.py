"""Targeting: a prospect universe -> a scored, sized target list.

Plain functions over Polars frames and pydantic specs; no Prefect, no other outbound package.
The rooms, in the order the pipeline runs them:

- `targeting.importing`: any export file -> canonical accounts or contacts (`targeting.columns`),
  every unusable row kept with its reason; presets, column maps and guesses, suppression lists,
  customer and deal outcomes;
- `targeting.facts`: each account's pain points, growth signals and prior solutions from what the
  export carries (description, tags, tech, hiring), through the vocabulary in `facts.yaml`;
- `targeting.icp`: the ICP spec, its conditions, spec edits, and ICP discovery (derive, backtest);
- `targeting.selection`: scoring, sizing, suggestions and the target list built from them;
- `targeting.sample`: the generated sample universe (demo and tests only, never the production path).

Beside them: `columns` (the canonical schema), `vocabulary` (the keys of account facts),
`spec_file` (any YAML spec -> its pydantic model, errors by file, line, field and value; messaging
reads its specs through it too) and `errors.InputError` (a file or spec that cannot be used).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "IcpSpec": "targeting.icp",
        "InputError": "targeting.errors",
        "TargetList": "targeting.selection",
        "TargetSummary": "targeting.selection",
        "account_facts": "targeting.facts",
        "apply_edit": "targeting.icp",
        "backtest_on_deals": "targeting.icp",
        "select_targets": "targeting.selection",
        "derive_from_labels": "targeting.icp",
        "dump_column_map": "targeting.importing",
        "dump_icp": "targeting.icp",
        "generate_sample": "targeting.sample",
        "guess_column_map": "targeting.importing",
        "import_accounts": "targeting.importing",
        "import_contacts": "targeting.importing",
        "load_column_map": "targeting.importing",
        "load_facts": "targeting.facts",
        "load_icp": "targeting.icp",
        "read_customers": "targeting.importing",
        "read_deals": "targeting.importing",
        "read_suppression": "targeting.importing",
        "read_table": "targeting.importing",
        "score_accounts": "targeting.selection",
        "with_account_facts": "targeting.facts",
        "write_sample": "targeting.sample",
    },
)
