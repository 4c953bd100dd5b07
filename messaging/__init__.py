"""Messaging: target accounts and their contacts -> persona-matched, grounded, checked drafts.

May read `targeting`'s models; never imports Prefect or `flows`. The rooms, in pipeline order:

- `messaging.contacts`: who each contact is (persona, seniority, function) and whether we may email them;
- `messaging.composing`: the specs copy comes from (messaging, sender, templates), facts -> copy
  blocks, sandboxed rendering;
- `messaging.checks`: draft lint and spam words;
- `messaging.drafts` ties those into one `DraftSet`; `messaging.exports` lays it out per sending tool.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "DraftSet": "messaging.drafts",
        "FORMATS": "messaging.exports",
        "build_drafts": "messaging.drafts",
        "check_sendability": "messaging.contacts",
        "classify_contacts": "messaging.contacts",
        "copy_blocks": "messaging.composing",
        "export_campaign": "messaging.exports",
        "lint_drafts": "messaging.checks",
        "load_messaging": "messaging.composing",
        "load_persona_rules": "messaging.contacts",
        "load_sender": "messaging.composing",
        "load_templates": "messaging.composing",
        "reachable_accounts": "messaging.contacts",
        "write_export_csv": "messaging.exports",
    },
)
