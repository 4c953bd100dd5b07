"""One spelling per identity: every spelling of a domain or an email is one key, patterns are refused."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targeting.errors import InputError
from targeting.identity import (
    _email_by_library,
    domain_key,
    domain_tails,
    email_key,
    email_keys_series,
    identity_key,
    registrable_domain,
)


@pytest.mark.parametrize("text", ["%.io", "%.%", "co.uk", "io", "localhost", "a_b.io", "acme", "", None])
def test_text_naming_no_registrable_domain_has_no_key(text):
    assert domain_key(text) is None


@pytest.mark.parametrize(
    ("host", "base"), [("eu.clearpeak.ai", "clearpeak.ai"), ("a.acme.co.uk", "acme.co.uk"), ("acme.io", "acme.io")]
)
def test_the_registrable_domain_comes_from_the_bundled_suffix_list(host, base):
    assert registrable_domain(host) == base
    assert domain_tails(host)[-1] == base


@pytest.mark.parametrize("text", ["a..b@x.io", '"a b"@x.io', "a@b", "ann@x.test", "not an email", "@x.io"])
def test_what_email_validator_refuses_has_no_key(text):
    assert email_key(text) is None


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("https://www.rallyline.ai/", "domain", "rallyline.ai"),
        ("WWW.rallyline.ai", "domain", "rallyline.ai"),
        (" Ann@Acme.com ", "email", "ann@acme.com"),
    ],
)
def test_identity_key_takes_one_email_or_one_domain(text, kind, key):
    assert identity_key(text) == (kind, key)


@pytest.mark.parametrize("text", ["%.io", "%.%", "*.io", "acme_%", "co.uk", "a@b", "two words", ""])
def test_identity_key_refuses_patterns_in_one_line_naming_the_value(text):
    with pytest.raises(InputError, match="patterns are not accepted") as caught:
        identity_key(text)
    assert repr(text) in str(caught.value) and "\n" not in str(caught.value)


# The addresses are decided one by one inside a call: 20 calls of up to 30 addresses draw as many as 200
# calls of one did, at a tenth of the calls.
@settings(max_examples=20, deadline=None)
@given(st.lists(st.emails(), min_size=1, max_size=30))
def test_the_plain_path_gives_email_validators_answer(addresses):
    # The vectorized path decides plain addresses without the library: it must agree with it.
    fast = email_keys_series(pl.Series(addresses, dtype=pl.String)).to_list()
    assert fast == [_email_by_library(address.strip()) for address in addresses]
