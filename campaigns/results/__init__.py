"""Results: a sending tool's export (or the canonical RESULTS.csv) -> outcome events per planned contact.

`layouts` (each tool's columns and status words, with their sources), `outcomes` (the ranking),
`auto_reply` (out-of-office detection), `ingest` (read, match, count), `reasons` (why people said no, by
rules), `reading` (the same read by a model, kept only when grounded).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "LAYOUTS": "campaigns.results.layouts",
        "OUTCOMES": "campaigns.results.outcomes",
        "ParsedResults": "campaigns.results.ingest",
        "ReasonReply": "campaigns.results.reading",
        "checked_reason": "campaigns.results.reading",
        "ingest_summary": "campaigns.results.ingest",
        "is_auto_reply": "campaigns.results.auto_reply",
        "ledger_entries": "campaigns.results.ingest",
        "match_results": "campaigns.results.ingest",
        "read_results": "campaigns.results.ingest",
    },
)
