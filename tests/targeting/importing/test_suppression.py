"""Suppression files: domains and account ids suppress accounts, emails only their contact."""

from __future__ import annotations

import pytest

from targeting.errors import InputError
from targeting.importing.suppression import (
    read_suppression,
    suppressed_account_keys,
    suppressed_emails,
)


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_one_key_per_line(tmp_path):
    path = _file(tmp_path, "s.txt", "# do not contact\nhttps://www.Acme.com/about\nacc_42\n\nJane@Beta.io\n")
    frame = read_suppression(path)
    assert suppressed_account_keys(frame).to_list() == ["acme.com", "acc_42"]
    assert suppressed_emails(frame).to_list() == ["jane@beta.io"]
    assert frame["kind"].to_list() == ["domain", "account_id", "email"]


def test_an_email_never_suppresses_its_domain(tmp_path):
    frame = read_suppression(_file(tmp_path, "s.txt", "ceo@acme.com\n"))
    assert suppressed_account_keys(frame).to_list() == []
    assert suppressed_emails(frame).to_list() == ["ceo@acme.com"]


@pytest.mark.parametrize(
    ("header", "value", "level"),
    [
        ("Company Domain", "http://globex.com", "account"),
        ("domain", "globex.com", "account"),
        ("Website", "www.globex.com/", "account"),
        ("account_id", "globex.com", "account"),
        ("Email", "a@globex.com", "contact"),
        ("Email Address", "a@globex.com", "contact"),
    ],
)
def test_csv_columns(tmp_path, header, value, level):
    path = _file(tmp_path, "export.csv", f'Opportunity Name,"{header}",Stage\nDeal,"{value}",Open\nOther,,Open\n')
    frame = read_suppression(path)
    assert frame["level"].to_list() == [level]
    assert frame["key"].to_list() == [value.lower() if level == "contact" else "globex.com"]


def test_several_files_are_combined_and_deduplicated(tmp_path):
    first = _file(tmp_path, "a.txt", "acme.com\n")
    second = _file(tmp_path, "b.csv", "domain\nACME.com\ninitech.com\n")
    frame = read_suppression([first, second])
    assert frame["key"].to_list() == ["acme.com", "initech.com"]
    assert frame["source"].to_list() == [str(first), str(second)]


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("empty.txt", "", "suppression file is empty"),
        ("comments.txt", "# nothing here\n\n", "suppression file is empty"),
        ("crm.csv", "Opportunity,Stage\nDeal,Open\n", "no domain, email or account_id column"),
        ("blank.csv", "domain,stage\n,open\n", "no domain, email or account id"),
    ],
)
def test_unusable_files_are_input_errors(tmp_path, name, text, fragment):
    path = _file(tmp_path, name, text)
    with pytest.raises(InputError, match=fragment) as caught:
        read_suppression(path)
    assert str(path) in str(caught.value)


def test_missing_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="missing.txt"):
        read_suppression(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    "spelling", ["WWW.Acme.com", "https://acme.com/about?x=1", "ACME.COM", "acme.com.", "acme.com:8080"]
)
def test_every_spelling_of_a_listed_domain_is_one_key(tmp_path, spelling):
    frame = read_suppression(_file(tmp_path, "s.txt", f"{spelling}\n"))
    assert suppressed_account_keys(frame).to_list() == ["acme.com"]


def test_a_listed_idn_domain_is_kept_in_punycode(tmp_path):
    frame = read_suppression(
        _file(tmp_path, "s.txt", "müller.de\nAnn.Lee@Müller.de\n"),
    )
    assert suppressed_account_keys(frame).to_list() == ["xn--mller-kva.de"]
    assert suppressed_emails(frame).to_list() == ["ann.lee@xn--mller-kva.de"]
