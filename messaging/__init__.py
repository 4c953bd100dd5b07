"""Messaging: target accounts and their contacts -> persona-matched, grounded, checked drafts.

May read `targeting`'s models; never imports Prefect or `flows`. The public face:

- `load_persona_rules`, `classify_contacts` (messaging.personas): persona, seniority, function, rule;
- `check_sendability` (messaging.sendability): who may be emailed, and why not;
- `reachable_accounts` (messaging.reachability);
- `load_messaging`, `copy_blocks` (messaging.copy_blocks), `load_sender` (messaging.sender),
  `load_templates` (messaging.templates): the specs and sandboxed templates drafts come from;
- `build_drafts`, `DraftSet` (messaging.drafts): the whole draft, with every contact accounted for;
- `lint_drafts` (messaging.lint), `export_campaign`, `write_export_csv`, `FORMATS` (messaging.exports).
"""

from __future__ import annotations

from importlib import import_module

# Names resolve on first use (PEP 562): every command imports this package, few need all of it.
_EXPORTS = {
    "DraftSet": "messaging.drafts",
    "FORMATS": "messaging.exports",
    "build_drafts": "messaging.drafts",
    "check_sendability": "messaging.sendability",
    "classify_contacts": "messaging.personas",
    "copy_blocks": "messaging.copy_blocks",
    "export_campaign": "messaging.exports",
    "lint_drafts": "messaging.lint",
    "load_messaging": "messaging.copy_blocks",
    "load_persona_rules": "messaging.personas",
    "load_sender": "messaging.sender",
    "load_templates": "messaging.templates",
    "reachable_accounts": "messaging.reachability",
    "write_export_csv": "messaging.exports",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
