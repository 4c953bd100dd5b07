"""The store: schema and migrations, one transaction per command, busy and foreign files refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from campaigns.ledger import sha256
from campaigns.store import MIGRATIONS, SCHEMA_VERSION, CampaignRecord, Store, StoreBusy
from targeting.errors import InputError
from tests.campaigns.conftest import ingest, planned_contacts, record

ROOT = Path(__file__).resolve().parents[2]


def dump(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}
    finally:
        con.close()


def test_a_new_store_has_the_current_schema(store):
    tables = dump(store.path)
    assert {"icp_versions", "campaigns", "campaign_contacts", "outcome_events", "ledger", "model_cache"} <= set(tables)
    assert f"('schema_version', '{SCHEMA_VERSION}')" in tables["store_meta"]


def test_an_older_store_is_migrated_forward(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO store_meta VALUES ('app', 'outbound'), ('schema_version', '1')")
    for statement in MIGRATIONS[0]:
        con.execute(statement)
    con.close()
    store = Store(path)
    store.cache_response("k", "m", "req", "resp")
    assert store.cached_response("k") == "resp"
    assert f"('schema_version', '{SCHEMA_VERSION}')" in dump(path)["store_meta"]


def test_a_schema_3_store_gains_email_flag_and_keeps_its_planned_contacts(tmp_path):
    path = tmp_path / "v3.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO store_meta VALUES ('app', 'outbound'), ('schema_version', '3')")
    for statements in MIGRATIONS[:3]:
        for statement in statements:
            con.execute(statement)
    con.execute(
        "INSERT INTO campaign_contacts (campaign_id, contact_id, email, segment, drafts, edited, planned_at) "
        "VALUES ('c-00000001', 'k1', 'ann@acme.com', 'A', '[]', false, TIMESTAMP '2026-01-05 00:00:00')"
    )
    con.close()
    store = Store(path)
    old = store.campaign_contacts("c-00000001")
    assert old["contact_id"].to_list() == ["k1"] and old["email_flag"].to_list() == [None]
    assert f"('schema_version', '{SCHEMA_VERSION}')" in dump(path)["store_meta"]
    flagged = planned_contacts(["cy@beta.io", "di@gamma.dev"]).with_columns(
        pl.Series("email_flag", ["catch_all", None])
    )
    campaign = CampaignRecord("c-00000002", "flags", "mid-market-saas", 1, 7, {}, datetime(2026, 1, 6))
    store.record_campaign(campaign, flagged, icp_text="name: mid-market-saas\nversion: 1\n", icp_parent=None)
    assert store.campaign_contacts("c-00000002")["email_flag"].to_list() == ["catch_all", None]


def test_a_store_from_a_newer_outbound_is_refused_in_one_line(store):
    con = duckdb.connect(str(store.path))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(InputError, match="schema 99 is newer") as err:
        store.campaign_names()
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("content", [b"email,outcome\n", b""])
def test_a_file_that_is_no_store_is_refused(tmp_path, content):
    path = tmp_path / "notes.duckdb"
    path.write_bytes(content or b"\x00" * 10)
    with pytest.raises(InputError, match="not an outbound store"):
        Store(path).campaign_names()


def test_another_duckdb_file_is_not_taken_for_a_store(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (x INT)")
    con.close()
    with pytest.raises(InputError, match="not an outbound store"):
        Store(path).campaign_names()


def test_a_name_used_twice_and_a_changed_icp_are_refused_and_nothing_is_written(store):
    before = dump(store.path)
    with pytest.raises(InputError, match="already exists"):
        record(store, name="q1-test", campaign_id="c-0000ffff")
    from datetime import datetime

    from campaigns.store import CampaignRecord
    from tests.campaigns.conftest import planned_contacts

    campaign = CampaignRecord("c-00001111", "q2", "mid-market-saas", 1, 7, {}, datetime(2026, 2, 1))
    with pytest.raises(InputError, match="bump `version`"):
        store.record_campaign(
            campaign,
            planned_contacts(),
            icp_text="name: mid-market-saas\nversion: 1\npersonas: [champion]\n",
            icp_parent=None,
        )
    assert dump(store.path) == before


def test_unknown_campaign_names_the_value_and_the_known_ones(store):
    with pytest.raises(InputError, match="'q9'.*q1-test"):
        store.find_campaign("q9")
    assert store.find_campaign("c-0000abcd").name == "q1-test"


def test_forget_erases_a_person_and_keeps_only_a_hash(store, tmp_path):

    results = tmp_path / "r.csv"
    results.write_text("email,outcome\nann@acme.com,bounced\n")
    ingest(store, results)
    store.cache_response("k1", "gpt", "draft for Ann <ann@acme.com>", "Hi Ann")
    removed = store.forget(" Ann@Acme.com ")
    assert removed == {
        "campaign_contacts": 1,
        "outcome_events": 1,
        "model_cache": 1,
        "review_decisions": 0,
        "ledger": 1,
    }
    text = repr(dump(store.path))
    assert "ann@acme.com" not in text.lower()
    assert sha256("ann@acme.com") in text
    assert store.forget("beta.io")["campaign_contacts"] == 1
    assert "cy@beta.io" not in repr(dump(store.path))


def _writer_script(store_path: Path, body: str) -> list[str]:
    code = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from campaigns.store import Store
        store = Store({str(store_path)!r})
        """
    ) + textwrap.dedent(body)
    return [sys.executable, "-c", code]


def test_a_second_writer_is_told_the_store_is_busy(store):
    holder = subprocess.Popen(
        _writer_script(
            store.path,
            """
            with store.transaction() as con:
                print("holding", flush=True)
                time.sleep(600)  # held until the test kills it: a loaded machine never sees it let go
        """,
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreBusy, match="store is busy"):
            store.campaign_names()
    finally:
        holder.kill()
        holder.wait()
    assert store.campaign_names() == {"q1-test"}


def test_a_process_killed_mid_ingest_leaves_the_store_as_it_was(store, tmp_path):
    results = tmp_path / "instantly.csv"
    rows = "\n".join(f"{e},Bounced,,0" for e in ["ann@acme.com", "bob@acme.com", "cy@beta.io"])
    results.write_text("Email,Lead Status,Interest Status,Reply Count\n" + rows + "\n")
    before = dump(store.path)
    # The real ingest runs in a subprocess; it is killed after its events are written and before
    # the transaction commits (the ledger write, the last step, pauses there).
    victim = subprocess.Popen(
        _writer_script(
            store.path,
            f"""
            from tests.campaigns.conftest import ingest
            original = Store._add_ledger
            def paused(self, con, entries, now):
                original(self, con, entries, now)
                n = con.execute("SELECT count(*) FROM outcome_events").fetchone()[0]
                print("written", n, flush=True)
                time.sleep(600)  # killed here by the test, before the commit, however slow the machine
            Store._add_ledger = paused
            ingest(store, Path({str(results)!r}), preset="instantly")
        """,
        ),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert victim.stdout.readline().split() == ["written", "3"]
        os.kill(victim.pid, signal.SIGKILL)
    finally:
        victim.wait()
    assert victim.returncode == -signal.SIGKILL
    assert dump(store.path) == before
    assert store.best_outcomes("c-0000abcd") == {}


def test_model_cache_batches_are_kept_in_one_write_and_read_back_by_key(tmp_path):
    store = Store(tmp_path / "s.duckdb")
    assert store.cached_responses(["a"]) == {}  # no file yet: nothing cached, nothing created
    assert not store.exists()
    store.cache_responses([("a", "m", "req a", "resp a"), ("b", "m", "req b", "resp b")])
    store.cache_responses([("a", "m", "req a", "a later reply")])  # the first kept for a key wins
    store.cache_responses([("d", "m", "req d", "first d"), ("d", "m", "req d", "second d")])  # within a batch too
    assert store.cached_responses(["a", "b", "c", "d"]) == {"a": "resp a", "b": "resp b", "d": "first d"}
    assert store.cached_response("b") == "resp b"


def test_a_comment_is_no_change_to_a_recorded_icp_but_a_rule_is(tmp_path):
    from targeting.errors import InputError

    store = Store(tmp_path / "s.duckdb")
    text = "name: t\nversion: 1\nscoring:\n  criteria:\n    - {name: big, field: employees, gte: 100, points: 1}\n"
    assert store.record_icp("t", 1, text, None) is True
    marked = "# UNCHANGED by `outbound icp refine` from v1\n" + text.replace("points: 1}", "points: 1}  # stays")
    assert store.icp_differs("t", 1, marked) is False
    assert store.record_icp("t", 1, marked, None) is False  # the same rules: already recorded
    other = text.replace("points: 1", "points: 2")
    assert store.icp_differs("t", 1, other) is True
    with pytest.raises(InputError, match="other rules"):
        store.record_icp("t", 1, other, None)
