"""Facts: an account's pain points, growth signals and prior solutions, read from what an export carries.

Real exports carry no `pain_points`, `growth_signals` or `prior_solutions`; they carry what a company
says it does (`description`), tags, tech and hiring. `spec` loads the vocabulary (`facts.yaml`: each
key with the phrases and column values that evidence it), `evidence` turns one key's rules into
Polars expressions, `derive` runs them over the whole universe: `account_facts` gives the long form
(account_id, kind, key, evidence, source), `with_account_facts` fills the three list columns where
the export lacks them (a column the export carries is used as it is). It runs after the import and
before scoring, so ICP criteria on pains work on real files; `target` derives there only the
columns its ICP reads, and the rest over the targets alone (`with_account_facts(only=...)`).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "FACT_KINDS": "targeting.facts.spec",
        "FactsReply": "targeting.facts.reading",
        "FactsSpec": "targeting.facts.spec",
        "KeyEvidence": "targeting.facts.spec",
        "account_facts": "targeting.facts.derive",
        "facts_summary": "targeting.facts.derive",
        "load_facts": "targeting.facts.spec",
        "parse_facts": "targeting.facts.spec",
        "quote_in_text": "targeting.facts.reading",
        "read_messages": "targeting.facts.reading",
        "verified_facts": "targeting.facts.reading",
        "with_account_facts": "targeting.facts.derive",
    },
)
