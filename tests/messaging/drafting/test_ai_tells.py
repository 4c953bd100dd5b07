"""AI tells: the same list warns on templates (lint) and retries model drafts."""

from __future__ import annotations

import polars as pl
import pytest

from messaging.checks.lint import lint_drafts
from messaging.drafting.ai_tells import ai_tells


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I hope this email finds you well.", "I hope this finds you well"),
        ("I came across your site.", "I came across"),
        ("Let's delve into pipeline.", "delve"),
        ("A seamless sync.", "seamless"),
        ("It's not just a tool, it's a partner.", "it's not just X, it's Y"),
        ("Reports — all of them — on time.", "em-dash run"),
    ],
)
def test_each_tell_is_found(text, label):
    assert label in ai_tells(text)


def test_plain_copy_has_no_tell():
    assert ai_tells("Hi Dana, lead routing at Northwind looks manual. Would a call next week help?") == []


def test_lint_warns_on_a_template_body_with_a_tell():
    drafts = pl.DataFrame(
        {"subject": ["Routing"], "body": ["I came across Northwind and wanted to delve in. PO Box 1. Reply no."]}
    ).with_columns(pl.lit(["pain_points"]).alias("facts_used"))
    issues = lint_drafts(drafts, postal_address="PO Box 1", opt_out_line="Reply no.")["issues"][0].to_list()
    tells = [i for i in issues if i.startswith("ai_tell")]
    assert tells == ["ai_tell: reads machine-written ('I came across', 'delve')"]
