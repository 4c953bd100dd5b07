"""Who may be emailed: skips with reasons, flags for doubtful addresses, settings that allow more."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from messaging.contacts.sendability import FREE_MAIL_DOMAINS, ROLE_LOCAL_PARTS, check_sendability
from targeting.errors import InputError

CASES = [
    # email, email_status, sendable, skip_reason, email_flag
    ("ana@acme.io", "valid", True, None, None),
    ("Ana.Lopez@Acme.IO ", "valid", True, None, None),
    ("ana+news@acme.co.uk", "valid", True, None, None),
    ("ana@acme.io", "catch_all", True, None, "catch_all"),
    ("ana@acme.io", "unknown", True, None, "unknown"),
    ("ana@acme.io", None, True, None, "unknown"),
    ("ana@acme.io", "risky", True, None, "unknown"),
    ("ana@acme.io", "invalid", False, "email status invalid", None),
    (None, "valid", False, "missing email", None),
    ("", "valid", False, "missing email", None),
    ("   ", "valid", False, "missing email", None),
    ("ana.acme.io", "valid", False, "invalid email syntax", None),
    ("ana@", "valid", False, "invalid email syntax", None),
    ("ana@acme", "valid", False, "invalid email syntax", None),
    ("ana..lopez@acme.io", "valid", False, "invalid email syntax", None),
    ("ana@@acme.io", "valid", False, "invalid email syntax", None),
    ("ana lopez@acme.io", "valid", False, "invalid email syntax", None),
    ("ana@-acme.io", "valid", False, "invalid email syntax", None),
    ("info@acme.io", "valid", False, "role address (info@)", None),
    ("Sales@acme.io", "valid", False, "role address (sales@)", None),
    ("hello+eu@acme.io", "catch_all", False, "role address (hello@)", "catch_all"),
    ("ana@gmail.com", "valid", False, "free mail domain (gmail.com)", None),
    ("ana@GMX.de", "valid", False, "free mail domain (gmx.de)", None),
    ("info@gmail.com", "valid", False, "role address (info@)", None),
    ("ana@gmail.com", "invalid", False, "email status invalid", None),
]


@pytest.fixture(scope="module")
def checked() -> pl.DataFrame:
    contacts = pl.DataFrame(
        {"email": [c[0] for c in CASES], "email_status": [c[1] for c in CASES]},
        schema={"email": pl.String, "email_status": pl.String},
    )
    return check_sendability(contacts)


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[f"{c[0]}|{c[1]}" for c in CASES])
def test_sendability_cases(checked, index, case):
    _, _, sendable, reason, flag = case
    row = checked.row(index, named=True)
    assert (row["sendable"], row["skip_reason"], row["email_flag"]) == (sendable, reason, flag)


@pytest.mark.parametrize(
    ("allow_role", "allow_free_mail", "expected"),
    [
        (False, False, [False, False, False]),
        (True, False, [True, False, False]),
        (False, True, [False, True, False]),
        (True, True, [True, True, True]),
    ],
)
def test_settings_allow_role_and_free_mail(allow_role, allow_free_mail, expected):
    contacts = pl.DataFrame({"email": ["sales@acme.io", "ana@yahoo.com", "info@hotmail.com"]})
    result = check_sendability(contacts, allow_role=allow_role, allow_free_mail=allow_free_mail)
    assert result["sendable"].to_list() == expected


def test_custom_lists_replace_the_defaults():
    contacts = pl.DataFrame({"email": ["info@acme.io", "ana@corp-mail.example"]})
    result = check_sendability(
        contacts, role_local_parts=frozenset(), free_mail_domains=frozenset({"corp-mail.example"})
    )
    assert result["sendable"].to_list() == [True, False]


def test_frame_kind_columns_and_order_are_kept():
    contacts = pl.DataFrame({"contact_id": ["b", "a"], "email": ["x@acme.io", "info@acme.io"]})
    lazy = check_sendability(contacts.lazy())
    assert isinstance(lazy, pl.LazyFrame)
    eager = check_sendability(contacts)
    assert eager.equals(lazy.collect())
    assert eager.columns == ["contact_id", "email", "sendable", "skip_reason", "email_flag"]
    assert eager["contact_id"].to_list() == ["b", "a"]


def test_no_status_column_means_every_address_is_flagged_unknown():
    result = check_sendability(pl.DataFrame({"email": ["ana@acme.io"]}))
    assert result.row(0, named=True)["email_flag"] == "unknown"
    assert result.row(0, named=True)["sendable"] is True


def test_missing_email_column_is_an_input_error():
    with pytest.raises(InputError, match="email"):
        check_sendability(pl.DataFrame({"title": ["CEO"]}))


def test_default_lists_cover_the_common_cases():
    assert {"info", "sales", "hello", "support", "contact", "admin", "noreply"} <= ROLE_LOCAL_PARTS
    assert {
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "hotmail.com",
        "gmx.de",
        "web.de",
        "icloud.com",
    } <= FREE_MAIL_DOMAINS


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=40), st.emails().map(str)),
            st.sampled_from([None, "valid", "catch_all", "unknown", "invalid"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_sendable_exactly_when_no_skip_reason(rows):
    contacts = pl.DataFrame(rows, schema={"email": pl.String, "email_status": pl.String}, orient="row")
    result = check_sendability(contacts)
    assert result.height == len(rows)
    assert (result["sendable"] == result["skip_reason"].is_null()).all()
    invalid = result.filter(pl.col("email_status") == "invalid")
    assert not invalid["sendable"].any()
    free = result.filter(pl.col("email").str.to_lowercase().str.strip_chars().str.ends_with("@gmail.com"))
    assert not free["sendable"].any()
