"""Hostile files and specs against the promises that every row is read as written and that a spec
cannot ask for unbounded work (docs/trust.md)."""

from __future__ import annotations

import time

import pytest

from messaging.composing.templates import load_templates
from targeting.errors import InputError
from targeting.importing import import_accounts, import_contacts
from tests.messaging.composing.test_templates import FOOTER, _workspace

ROWS = "contact_id,email,first_name,last_name,domain\r\nc1,jose@x.io,José,Núñez,x.io\r\nc2,ann@y.io,Ann,Lee,y.io\r\n"


@pytest.mark.parametrize(("encoding", "reported"), [("cp1252", "cp1252"), ("utf-16", "utf_16"), ("utf-8", "utf-8")])
def test_a_contacts_file_is_read_in_its_own_encoding_and_says_which(tmp_path, encoding, reported):
    path = tmp_path / "contacts.csv"
    path.write_bytes(ROWS.encode(encoding))
    result = import_contacts(path)
    people = result.contacts.collect()
    assert people["first_name"].to_list() == ["José", "Ann"] and people["last_name"].to_list() == ["Núñez", "Lee"]
    assert result.encoding == reported


@pytest.mark.parametrize("ending", ["\r", "\n", "\r\n"])
def test_every_line_ending_ends_a_row(tmp_path, ending):
    path = tmp_path / "contacts.csv"
    path.write_bytes(ROWS.replace("\r\n", ending).encode("utf-8"))
    result = import_contacts(path)
    assert result.rows_read == 2 and result.contacts.collect()["email"].to_list() == ["jose@x.io", "ann@y.io"]


def test_bytes_no_encoding_reads_are_refused_in_one_line(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"email,first_name\n" + bytes(range(128, 256)) * 40 + b"\x00\x01\n")
    with pytest.raises(InputError) as caught:
        import_contacts(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("9999-12-31", "in the future"),
        ("2099-01-01", "in the future"),
        ("1/2/24", "two-digit year"),
        ("02.01.24", "two-digit year"),
        ("1900-01-01", "before 1970"),
    ],
)
def test_sentinel_future_and_two_digit_year_dates_are_rejected_with_their_reason(tmp_path, written, reason):
    path = tmp_path / "accounts.csv"
    path.write_text(f"domain,signals_at\ngood.io,2024-03-01\nbad.io,{written}\n")
    result = import_accounts(path)
    assert result.accounts.collect()["account_id"].to_list() == ["good.io"]  # never scored
    rejected = result.rejected.row(0, named=True)
    assert rejected["value"] == written and reason in rejected["reason"] and rejected["column"] == "signals_at"


def test_a_typed_sentinel_date_in_a_canonical_parquet_is_rejected_too(tmp_path):
    import datetime as dt

    import polars as pl

    path = tmp_path / "accounts.parquet"
    pl.DataFrame(
        {
            "account_id": ["a", "b"],
            "domain": ["a.io", "b.io"],
            "signals_at": [dt.date(2024, 3, 1), dt.date(9999, 12, 31)],
        }
    ).write_parquet(path)
    result = import_accounts(path)
    assert result.accounts.collect()["account_id"].to_list() == ["a"]
    assert "in the future" in result.rejected["reason"][0]


ICP = """name: t
version: 1
filters:
  - {field: employees, between: [%s, 10]}
"""


@pytest.mark.parametrize("bound", [".nan", ".inf", "-.inf"])
def test_a_bound_that_is_no_number_is_refused_in_the_icp(tmp_path, bound):
    from targeting.icp import load_icp

    path = tmp_path / "icp.yaml"
    path.write_text(ICP % bound)
    with pytest.raises(InputError, match="between") as caught:
        load_icp(path)
    assert "icp.yaml:4" in str(caught.value)


def test_a_blank_opt_out_line_is_refused_in_sender_yaml(tmp_path):
    import yaml

    from messaging.composing.sender import load_sender

    fields = {k: v for k, v in load_sender().model_dump().items() if v is not None and k != "sample"}
    path = tmp_path / "sender.yaml"
    path.write_text(yaml.safe_dump({**fields, "opt_out_line": " "}))
    with pytest.raises(InputError, match="opt_out_line") as caught:
        load_sender(path)
    assert "must not be blank" in str(caught.value)


def test_an_alias_bomb_is_refused_at_once(tmp_path):
    from targeting.icp import load_icp

    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "icp.yaml"
    path.write_text("name: t\nversion: 1\nevidence:\n" + "\n".join("  " + line for line in lines) + "\n")
    started = time.process_time()
    with pytest.raises(InputError, match="aliases"):
        load_icp(path)
    assert time.process_time() - started < 5  # CPU seconds, not wall time: a loaded machine does not fail it


def test_a_huge_spec_and_too_many_criteria_are_refused_with_a_clear_message(tmp_path):
    from targeting.icp import load_icp

    path = tmp_path / "icp.yaml"
    path.write_text("name: t\nversion: 1\n#" + "x" * 1_000_000 + "\n")
    with pytest.raises(InputError, match="a spec is at most"):
        load_icp(path)
    criteria = "".join(f"    - {{label: c{i}, field: employees, gte: {i}, points: 1}}\n" for i in range(300))
    path.write_text(f"name: t\nversion: 1\nscoring:\n  criteria:\n{criteria}")
    with pytest.raises(InputError, match="at most 200"):
        load_icp(path)


def test_a_fifo_as_accounts_is_refused_in_one_line(tmp_path):
    import os

    fifo = tmp_path / "accounts.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        import_accounts(fifo)


def test_two_thousand_columns_beyond_the_map_are_not_held(tmp_path):
    columns = ["domain", "name"] + [f"extra_{i}" for i in range(2000)]
    rows = [",".join([f"a{r}.io", f"A{r}"] + [str(r * i % 97) for i in range(2000)]) for r in range(500)]
    path = tmp_path / "wide.csv"
    path.write_text(",".join(columns) + "\n" + "\n".join(rows) + "\n")
    started = time.process_time()
    result = import_accounts(path)
    assert result.accounts.collect().height == 500 and len(result.unmapped) == 2000
    # CPU seconds (not wall time, which a loaded machine stretches): held whole, this took over a minute.
    assert time.process_time() - started < 20


def test_a_template_saved_in_cp1252_is_one_line_naming_its_line(tmp_path):
    path = _workspace(tmp_path, "champion/step2_a.txt.j2", "x")
    path.write_bytes(("Subject: Hi\n\nCaf\u00e9 talk\n" + FOOTER).encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8") as caught:
        load_templates(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(path), 3)


@pytest.mark.parametrize("loop", ["{% for i in range(10**9) %}x{% endfor %}", "{{ range(10**9) | list | length }}"])
def test_a_template_that_asks_for_a_billion_steps_is_refused_at_once(tmp_path, loop):
    import time

    path = _workspace(tmp_path, "champion/step2_a.txt.j2", f"Subject: Hi\n\n{loop}\n" + FOOTER)
    started = time.process_time()
    with pytest.raises(InputError, match="at most 100") as caught:
        load_templates(tmp_path)
    assert caught.value.path == str(path) and time.process_time() - started < 5
