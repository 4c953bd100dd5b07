"""Contacts: who each person is to the sale, and whether we may email them.

`persona_rules` loads `personas.yaml`, `titles` rewrites a job title into the text those rules read,
`classify` gives every contact a persona, seniority, function and the rule that decided,
`sendability` says who may be emailed and why not, `reachability` counts the accounts with at
least one sendable contact in an ICP persona. `persona_report` scores the rules on labelled titles.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "PersonaRules": "messaging.contacts.persona_rules",
        "check_sendability": "messaging.contacts.sendability",
        "classify_contacts": "messaging.contacts.classify",
        "load_persona_rules": "messaging.contacts.persona_rules",
        "reachable_accounts": "messaging.contacts.reachability",
    },
)
