"""Checks: every rendered draft linted at once (placeholders, length, links, opt-out, spam words), and the gate."""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "draft_gated": "messaging.checks.gate",
        "lint_drafts": "messaging.checks.lint",
        "passing_drafts": "messaging.checks.gate",
        "review_rows": "messaging.checks.gate",
        "spam_word_issues": "messaging.checks.spam_words",
    },
)
