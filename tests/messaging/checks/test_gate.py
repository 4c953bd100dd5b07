"""The gate: exactly the error-level lint codes hold a draft back, and a held contact reaches no export."""

from __future__ import annotations

import polars as pl

from messaging.checks.gate import ERROR_CODES, passing_drafts, review_rows
from messaging.checks.lint import SEVERITY
from messaging.exports import FORMATS, export_campaign


def test_exactly_placeholders_opt_out_and_postal_address_are_errors():
    assert set(ERROR_CODES) == {"placeholder", "no_opt_out", "no_postal_address"}
    assert set(SEVERITY) - set(ERROR_CODES) == {code for code, level in SEVERITY.items() if level == "warning"}


def _drafts() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "contact_id": ["c1", "c1", "c2", "c2", "c3"],
            "email": ["a@x.com", "a@x.com", "b@y.com", "b@y.com", "c@z.com"],
            "step": [1, 2, 1, 2, 1],
            "subject": ["s"] * 5,
            "body": ["b"] * 5,
            "issues": [
                [],
                ["placeholder: unresolved placeholder in body: '[Company]'", "too_short: x"],
                ["too_short: x"],
                [],
                ["no_opt_out: the opt-out line is missing", "no_postal_address: the postal address is missing"],
            ],
            "email_flag": [None, None, "catch_all", "catch_all", None],
        }
    )


def test_a_contact_with_one_gated_draft_is_held_whole_and_listed_per_draft():
    assert passing_drafts(_drafts())["contact_id"].unique().to_list() == ["c2"]
    review = review_rows(_drafts())
    assert review.rows() == [
        ("c1", "a@x.com", 2, "placeholder: unresolved placeholder in body: '[Company]'"),
        (
            "c3",
            "c@z.com",
            1,
            "no_opt_out: the opt-out line is missing; no_postal_address: the postal address is missing",
        ),
    ]


def test_no_export_carries_a_gated_contact_and_each_carries_email_flag():
    for fmt in FORMATS:
        laid_out = export_campaign(_drafts(), fmt)
        assert laid_out.height == 1, fmt
        assert laid_out["email_flag"].to_list() == ["catch_all"], fmt
