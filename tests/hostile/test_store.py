"""Hostile inputs against the campaign store: forget, foreign and damaged files, concurrent opens (docs/trust.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from campaigns.store import Store
from targeting.errors import InputError
from tests.campaigns.conftest import ingest, record


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "outbound.duckdb")
    record(store)
    return store


def dump(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    finally:
        con.close()


@pytest.mark.parametrize("pattern", ["%.io", "%.%", "%", "*.com"])
def test_forget_refuses_a_pattern_in_one_line_and_erases_nothing(store, pattern):
    before = dump(store.path)
    with pytest.raises(InputError, match="patterns are not accepted") as caught:
        store.forget(pattern)
    assert "\n" not in str(caught.value)
    assert dump(store.path) == before


@pytest.mark.parametrize("spelling", ["https://www.beta.io/", "WWW.beta.io", "BETA.IO.", "beta.io:443"])
def test_forget_takes_any_spelling_of_a_domain_and_its_subdomains(tmp_path, spelling):
    store = Store(tmp_path / "s.duckdb")
    record(store, emails=["ann@acme.com", "cy@beta.io", "eve@eu.beta.io", "zed@alphabeta.io"])
    assert store.forget(spelling)["campaign_contacts"] == 2
    left = repr(dump(store.path))
    assert "cy@beta.io" not in left and "eve@eu.beta.io" not in left
    assert "zed@alphabeta.io" in left and "ann@acme.com" in left


def test_forget_leaves_no_byte_of_the_person_in_the_file(store, tmp_path):
    results = tmp_path / "r.csv"
    results.write_text('email,outcome,reply_text\nann@acme.com,replied,"Thanks James Moore here, call me"\n')
    ingest(store, results)
    with store.transaction() as con:
        con.execute("CHECKPOINT")
    assert b"James Moore" in store.path.read_bytes()  # the reply text is there in plain bytes before
    store.forget("ANN@acme.com")
    raw = store.path.read_bytes()
    assert b"ann@acme.com" not in raw and b"James Moore" not in raw
    assert Store(store.path).campaign_contacts("c-0000abcd").height == 5  # the others are intact


def test_a_sqlite_file_as_store_is_one_line_and_no_extension_is_loaded(tmp_path):
    import sqlite3

    path = tmp_path / "crm.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(InputError, match="SQLite file, not an outbound store") as caught:
        Store(path).require()
    assert "\n" not in str(caught.value)


def test_a_store_connection_never_autoloads_or_installs_an_extension(store):
    with store.reading() as con:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions')"
            ).fetchall()
        )
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}


def test_a_store_cut_short_is_named_damaged_in_one_line(store, tmp_path):
    cut = tmp_path / "cut.duckdb"
    data = store.path.read_bytes()
    for size in (5000, len(data) // 3):
        cut.write_bytes(data[:size])
        with pytest.raises(InputError, match="damaged") as caught:
            Store(cut).campaign_contacts("c-0000abcd")
        assert "\n" not in str(caught.value) and "not an outbound store" not in str(caught.value)


def test_threads_of_one_process_opening_a_new_store_do_not_conflict(tmp_path):
    import threading

    failures = []

    def cache(path, i):
        try:
            Store(path).cache_responses([(f"k{i}", "m", "request", "response")])
        except Exception as exc:  # noqa: BLE001 - any failure of any thread fails the test
            failures.append(exc)

    for n in range(5):  # without the schema lock, 4 threads on a new file conflicted 28 times in 40
        threads = [threading.Thread(target=cache, args=(tmp_path / f"s{n}.duckdb", i)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert Store(tmp_path / f"s{n}.duckdb").cached_responses([f"k{i}" for i in range(4)]).keys() == {
            f"k{i}" for i in range(4)
        }
    assert failures == []


def test_forget_erases_the_person_s_review_decisions_too(store, tmp_path):
    from campaigns.review.decisions import Decision, ReviewLog

    log = ReviewLog(store.path, tmp_path / "drafts")
    # Ann's decisions under a contact id that is her email, and under her planned contact id (k0).
    for contact in ("ann@acme.com", "k0"):
        log.record(Decision(contact, 1, "a", "h", "edited", "Hi", "Hi Ann, James Moore edited this"))
    log.record(Decision("cy@beta.io", 1, "a", "h", "approved"))
    assert store.forget("ann@acme.com")["review_decisions"] == 2
    left = repr(dump(store.path)["review_decisions"])
    assert "ann@acme.com" not in left and "James Moore" not in left and "cy@beta.io" in left
    assert b"James Moore" not in store.path.read_bytes()
