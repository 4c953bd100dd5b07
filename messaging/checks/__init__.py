"""Checks: every rendered draft linted at once (placeholders, length, links, opt-out, spam words)."""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "lint_drafts": "messaging.checks.lint",
        "spam_word_issues": "messaging.checks.spam_words",
    },
)
