"""The command line's printers: what a summary says in one line."""

from __future__ import annotations

from flows.cli.printers import fallback_lines


def test_the_draft_summary_names_each_line_that_fell_back_in_one_line():
    summary = {
        "line_fallbacks": [
            {
                "file": "ws/messaging.yaml",
                "line": 94,
                "key": "pain_points.compliance_burden.opener.economic_buyer",
                "placeholder": "{industry}",
                "accounts": 1200,
            }
        ]
    }
    assert fallback_lines(summary) == [
        "ws/messaging.yaml:94: pain_points.compliance_burden.opener.economic_buyer uses {industry}, "
        "which 1,200 drafted accounts lack: they got another line"
    ]
    assert fallback_lines({}) == []
