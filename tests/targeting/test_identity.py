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
    domain_suppressed_expr,
    domain_tails,
    email_key,
    email_keys_series,
    identity_key,
    registrable_domain,
)


@pytest.mark.parametrize(
    "spelling",
    ["acme.io", "www.Acme.io", "https://acme.io/", "ACME.IO", "acme.io.", "http://WWW.acme.io:8080/x?y=1", " acme.io "],
)
def test_every_spelling_of_a_domain_is_one_key(spelling):
    assert domain_key(spelling) == "acme.io"


def test_an_idn_domain_is_its_punycode_in_either_spelling():
    assert domain_key("müller.de") == domain_key("xn--mller-kva.de") == "xn--mller-kva.de"
    assert email_key("Jo@Müller.de") == "jo@xn--mller-kva.de"


@pytest.mark.parametrize("text", ["%.io", "%.%", "co.uk", "io", "localhost", "a_b.io", "acme", "", None])
def test_text_naming_no_registrable_domain_has_no_key(text):
    assert domain_key(text) is None


@pytest.mark.parametrize(
    ("host", "base"), [("eu.clearpeak.ai", "clearpeak.ai"), ("a.acme.co.uk", "acme.co.uk"), ("acme.io", "acme.io")]
)
def test_the_registrable_domain_comes_from_the_bundled_suffix_list(host, base):
    assert registrable_domain(host) == base
    assert domain_tails(host)[-1] == base


def test_case_of_an_address_is_one_person():
    assert email_key("Ann.Lee@x.io") == email_key("ANN.LEE@X.IO") == email_key(" mailto:ann.lee@x.io") == "ann.lee@x.io"


@pytest.mark.parametrize("text", ["a..b@x.io", '"a b"@x.io', "a@b", "ann@x.test", "not an email", "@x.io"])
def test_what_email_validator_refuses_has_no_key(text):
    assert email_key(text) is None


def test_a_suppressed_domain_takes_its_subdomains_never_its_parent_or_a_lookalike():
    hosts = pl.DataFrame({"d": ["eu.clearpeak.ai", "clearpeak.ai", "arpeak.ai", "xclearpeak.ai", "ai", None]})
    got = hosts.select(domain_suppressed_expr(pl.col("d"), ["clearpeak.ai"]))["d"].to_list()
    assert got == [True, True, False, False, False, False]
    assert not pl.select(domain_suppressed_expr(pl.lit("clearpeak.ai"), ["eu.clearpeak.ai"])).item()


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
