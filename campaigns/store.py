"""The campaign store: the one module that talks to DuckDB.

One file holds the ICP versions, the campaigns and their planned contacts, the outcome events
taken back from the sending tools, the suppression ledger and the model cache. Rules it keeps:

- a connection per operation, closed when the operation ends, so a second command can use the
  file as soon as the first is done; DuckDB lets one process write a file at a time, and a second
  writer gets `StoreBusy` ("store is busy"), not a lock traceback;
- every write a command makes is one transaction: a process killed half way leaves the file as
  it was (tests/campaigns/test_store.py kills a real subprocess mid-ingest);
- the schema is versioned (`store_meta.schema_version`) and migrated forward on open; a store
  written by a newer outbound is refused with one line rather than half-read;
- a forgotten person or domain is kept only as a SHA-256 hash in the ledger, and the file is
  rewritten so no free page keeps their bytes;
- a connection never loads or installs a DuckDB extension.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from campaigns.ledger import sha256
from campaigns.results.outcomes import RANK
from targeting.errors import InputError
from targeting.identity import domain_key_expr, domain_suppressed_expr, email_key_expr, identity_key

APP = "outbound"
_SCHEMA_LOCK = threading.Lock()
_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# Each entry moves the schema one version forward; never edit a shipped entry, append one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE icp_versions (
            name VARCHAR NOT NULL, version INTEGER NOT NULL, text_hash VARCHAR NOT NULL,
            text VARCHAR NOT NULL, parent INTEGER, recorded_at TIMESTAMP NOT NULL,
            PRIMARY KEY (name, version))""",
        """CREATE TABLE campaigns (
            campaign_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, icp_name VARCHAR NOT NULL,
            icp_version INTEGER NOT NULL, seed BIGINT NOT NULL, design VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE campaign_contacts (
            campaign_id VARCHAR NOT NULL, contact_id VARCHAR NOT NULL, email VARCHAR NOT NULL,
            first_name VARCHAR, last_name VARCHAR, account_id VARCHAR, company VARCHAR, domain VARCHAR,
            persona VARCHAR, segment VARCHAR NOT NULL, variant VARCHAR, drafts VARCHAR NOT NULL,
            edited BOOLEAN NOT NULL, planned_at TIMESTAMP NOT NULL,
            PRIMARY KEY (campaign_id, contact_id))""",
        """CREATE TABLE outcome_events (
            campaign_id VARCHAR NOT NULL, contact_id VARCHAR NOT NULL, email VARCHAR NOT NULL,
            outcome VARCHAR NOT NULL, outcome_rank INTEGER NOT NULL, step INTEGER, reply_text VARCHAR,
            event_at VARCHAR, inbox VARCHAR, source_hash VARCHAR NOT NULL, source_row INTEGER NOT NULL,
            simulated BOOLEAN NOT NULL, recorded_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE ingested_files (
            campaign_id VARCHAR NOT NULL, source_hash VARCHAR NOT NULL, preset VARCHAR NOT NULL,
            rows INTEGER NOT NULL, recorded_at TIMESTAMP NOT NULL, PRIMARY KEY (campaign_id, source_hash))""",
        """CREATE TABLE ledger (
            kind VARCHAR NOT NULL, key VARCHAR NOT NULL, reason VARCHAR NOT NULL, since TIMESTAMP NOT NULL,
            PRIMARY KEY (kind, key))""",
    ),
    (
        """CREATE TABLE model_cache (
            key VARCHAR PRIMARY KEY, model VARCHAR NOT NULL, request VARCHAR NOT NULL,
            response VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)""",
    ),
    # The ICP criteria each planned contact's account met (a JSON list of labels), so a report can
    # read every criterion's contrast without the universe; null for contacts planned before.
    ("ALTER TABLE campaign_contacts ADD COLUMN criteria VARCHAR",),
    # The verifier's flag on each planned address (catch_all, unknown; null when verified), so an
    # export marks it for the sending tool; null for contacts planned before.
    ("ALTER TABLE campaign_contacts ADD COLUMN email_flag VARCHAR",),
    # The account's country (ISO 3166 alpha-2) of each planned contact, so an export gives a sending
    # tool that takes one the lead's time zone (lemlist `timezone`); null for contacts planned before.
    ("ALTER TABLE campaign_contacts ADD COLUMN country VARCHAR",),
)
SCHEMA_VERSION = len(MIGRATIONS)
LEDGER_KINDS = ("email", "domain", "email_sha256", "domain_sha256")

CONTACT_COLUMNS = (
    "contact_id",
    "email",
    "first_name",
    "last_name",
    "account_id",
    "company",
    "domain",
    "persona",
    "segment",
    "variant",
    "drafts",
    "edited",
    "email_flag",
    "country",
)
EVENT_COLUMNS = (
    "contact_id",
    "email",
    "outcome",
    "outcome_rank",
    "step",
    "reply_text",
    "event_at",
    "inbox",
    "source_row",
)


class StoreBusy(InputError):
    """Another process is writing the store right now."""


@dataclass(frozen=True)
class CampaignRecord:
    """One campaign as the store holds it."""

    campaign_id: str
    name: str
    icp_name: str
    icp_version: int
    seed: int
    design: dict[str, Any]
    created_at: datetime


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A campaign store file. Cheap to create: nothing is opened until an operation runs."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # -- connections -----------------------------------------------------------------------

    @contextmanager
    def _connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self.path.is_dir():
            raise InputError("the store is a folder, not a file", path=self.path)
        _refuse_foreign_file(self.path)
        try:
            # A store never loads or installs an extension: a file DuckDB would read through one
            # (SQLite, ...) must not make it reach the internet.
            con = duckdb.connect(str(self.path), config=_CONFIG)
        except duckdb.IOException as exc:
            raise _open_error(exc, self.path) from None
        except duckdb.Error as exc:
            raise InputError(f"not an outbound store ({_first_line(exc)})", path=self.path) from None
        try:
            # Two threads of one process (the model cache's writer and the command) opening a new
            # file would both create the schema: DuckDB's "write-write conflict". One at a time.
            with _SCHEMA_LOCK:
                self._check_schema(con)
            yield con
        except duckdb.IOException as exc:  # a read or a write of the file failed half way
            raise _open_error(exc, self.path) from None
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection and one transaction: committed when the block ends, rolled back on error."""
        with self._connection() as con:
            con.begin()
            try:
                yield con
            except BaseException:
                con.rollback()
                raise
            con.commit()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One connection for reads."""
        with self._connection() as con:
            yield con

    def exists(self) -> bool:
        """True when the file is there (it may still not be a store; opening says so)."""
        return self.path.is_file()

    def require(self) -> Store:
        """The store, or an error saying there is none yet (for commands that only read)."""
        if not self.exists():
            raise InputError("no campaign store here yet (`outbound campaign plan` creates one)", path=self.path)
        with self.reading():
            pass
        return self

    def _check_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "store_meta" not in tables:
            if tables:
                raise InputError("a DuckDB file but not an outbound store (no store_meta table)", path=self.path)
            version = 0
        else:
            meta = dict(con.execute("SELECT key, value FROM store_meta").fetchall())
            if meta.get("app") != APP:
                raise InputError("a DuckDB file but not an outbound store", path=self.path)
            version = int(meta.get("schema_version", "0"))
        if version > SCHEMA_VERSION:
            raise InputError(
                f"store schema {version} is newer than this outbound understands ({SCHEMA_VERSION}); upgrade outbound",
                path=self.path,
            )
        if version < SCHEMA_VERSION:
            migrate(con, version)

    # -- ICP versions ----------------------------------------------------------------------

    def record_icp_version(
        self, con: duckdb.DuckDBPyConnection, name: str, version: int, text: str, parent: int | None
    ) -> bool:
        """Record an ICP version inside a caller's transaction; False when it was already recorded.

        Raises:
            InputError: the name and version are recorded with other rules (a comment alone is no change).
        """
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        row = con.execute(
            "SELECT text_hash, text FROM icp_versions WHERE name = ? AND version = ?", [name, version]
        ).fetchone()
        if row is not None:
            if row[0] != digest and not same_rules(row[1], text):
                raise InputError(
                    f"ICP {name!r} version {version} is already recorded with other rules; "
                    "bump `version` in the file to record the change",
                    field="version",
                    value=version,
                )
            return False
        con.execute("INSERT INTO icp_versions VALUES (?, ?, ?, ?, ?, ?)", [name, version, digest, text, parent, _now()])
        return True

    def icp_differs(self, name: str, version: int, text: str) -> bool:
        """True when the version is recorded with other rules than `text` says (comments aside)."""
        recorded = self.icp_text(name, version)
        if recorded is None or recorded == text:
            return False
        return not same_rules(recorded, text)

    def icp_hash(self, name: str, version: int) -> str | None:
        """The recorded text hash of an ICP version, or None."""
        with self.reading() as con:
            row = con.execute(
                "SELECT text_hash FROM icp_versions WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
        return None if row is None else row[0]

    # -- campaigns ---------------------------------------------------------------------------

    def record_campaign(
        self,
        campaign: CampaignRecord,
        contacts: pl.DataFrame,
        *,
        icp_text: str,
        icp_parent: int | None,
    ) -> None:
        """Record an ICP version (if new), a campaign and its planned contacts in one transaction.

        Raises:
            InputError: the name is taken, or the ICP version is recorded with another text.
        """
        absent = [
            pl.lit(None, pl.String).alias(c) for c in ("criteria", "email_flag", "country") if c not in contacts.columns
        ]
        contacts = contacts.with_columns(absent)
        planned = contacts.select(
            *[pl.col(c).cast(pl.Boolean if c == "edited" else pl.String) for c in (*CONTACT_COLUMNS, "criteria")]
        )
        with self.transaction() as con:
            self.record_icp_version(con, campaign.icp_name, campaign.icp_version, icp_text, icp_parent)
            if con.execute("SELECT 1 FROM campaigns WHERE name = ?", [campaign.name]).fetchone():
                raise InputError(
                    "a campaign of this name already exists; choose another --name (`outbound campaign export "
                    "--campaign NAME` writes its file again)",
                    field="--name",
                    value=campaign.name,
                )
            con.execute(
                "INSERT INTO campaigns VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    campaign.campaign_id,
                    campaign.name,
                    campaign.icp_name,
                    campaign.icp_version,
                    campaign.seed,
                    json.dumps(campaign.design, sort_keys=True, default=str),
                    campaign.created_at,
                ],
            )
            con.register("planned_frame", planned.to_arrow())
            columns = ", ".join(CONTACT_COLUMNS)
            con.execute(
                f"INSERT INTO campaign_contacts (campaign_id, {columns}, planned_at, criteria) "
                f"SELECT ? AS campaign_id, {columns}, ? AS planned_at, criteria FROM planned_frame",
                [campaign.campaign_id, campaign.created_at],
            )
            con.unregister("planned_frame")

    def campaign_names(self) -> set[str]:
        """Every campaign name recorded."""
        with self.reading() as con:
            return {row[0] for row in con.execute("SELECT name FROM campaigns").fetchall()}

    def find_campaign(self, ref: str) -> CampaignRecord:
        """A campaign by id (`c-` and 8 hex digits) or name.

        Raises:
            InputError: no campaign has that id or name.
        """
        with self.reading() as con:
            row = con.execute(
                "SELECT campaign_id, name, icp_name, icp_version, seed, design, created_at FROM campaigns "
                "WHERE campaign_id = ? OR name = ? ORDER BY campaign_id = ? DESC LIMIT 1",
                [ref, ref, ref],
            ).fetchone()
            if row is None:
                known = [
                    r[0] for r in con.execute("SELECT name FROM campaigns ORDER BY created_at DESC LIMIT 5").fetchall()
                ]
        if row is None:
            hint = f" (known: {', '.join(known)})" if known else " (the store has no campaigns yet)"
            raise InputError(f"no campaign with this id or name{hint}", field="--campaign", value=ref)
        return CampaignRecord(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])

    def campaign_contacts(self, campaign_id: str) -> pl.DataFrame:
        """The planned contacts of one campaign, in planned order (segment, then contact_id)."""
        with self.reading() as con:
            return con.sql(
                f"SELECT {', '.join(CONTACT_COLUMNS)} FROM campaign_contacts WHERE campaign_id = ? "
                "ORDER BY segment, contact_id",
                params=[campaign_id],
            ).pl()

    def contact_outcomes(self, campaign_ids: list[str]) -> pl.DataFrame:
        """Every planned contact of the campaigns with its highest outcome rank (null: no event yet).

        Columns: campaign_id, contact_id, email, account_id, company, persona, segment, variant, drafts, criteria
        (JSON list or null), outcome_rank, simulated (any of its events simulated), reply_text (the text of its
        highest-ranked event that has one, or null).
        """
        with self.reading() as con:
            return con.sql(
                """
                WITH best AS (
                    SELECT campaign_id, contact_id, max(outcome_rank) AS outcome_rank, bool_or(simulated) AS simulated,
                           arg_max(reply_text, outcome_rank) FILTER (WHERE reply_text IS NOT NULL) AS reply_text
                    FROM outcome_events GROUP BY campaign_id, contact_id
                )
                SELECT cc.campaign_id, cc.contact_id, cc.email, cc.account_id, cc.company, cc.persona, cc.segment, cc.variant, cc.drafts,
                       cc.criteria, b.outcome_rank::INTEGER AS outcome_rank, coalesce(b.simulated, false) AS simulated,
                       b.reply_text
                FROM campaign_contacts cc LEFT JOIN best b USING (campaign_id, contact_id)
                WHERE list_contains(?, cc.campaign_id)
                ORDER BY cc.campaign_id, cc.segment, cc.contact_id
                """,
                params=[campaign_ids],
            ).pl()

    def icp_text(self, name: str, version: int) -> str | None:
        """The recorded text of an ICP version, or None."""
        with self.reading() as con:
            row = con.execute(
                "SELECT text FROM icp_versions WHERE name = ? AND version = ?", [name, version]
            ).fetchone()
        return None if row is None else row[0]

    def icp_versions(self, name: str) -> pl.DataFrame:
        """Every recorded version of one ICP lineage: version, parent, text, recorded_at (oldest first)."""
        with self.reading() as con:
            return con.sql(
                "SELECT version, parent, text, recorded_at FROM icp_versions WHERE name = ? ORDER BY version",
                params=[name],
            ).pl()

    def record_icp(self, name: str, version: int, text: str, parent: int | None) -> bool:
        """Record one ICP version in its own transaction; False when it was already recorded."""
        with self.transaction() as con:
            return self.record_icp_version(con, name, version, text, parent)

    def planned_since(self, since: datetime) -> pl.DataFrame:
        """Emails (email keys) and contact ids planned by any campaign on or after `since`."""
        with self.reading() as con:
            planned = con.sql(
                "SELECT DISTINCT email, contact_id FROM campaign_contacts WHERE planned_at >= ?", params=[since]
            ).pl()
        return planned.with_columns(pl.coalesce(email_key_expr(pl.col("email")), pl.col("email")).alias("email"))

    def cooldown(self, since: datetime) -> pl.DataFrame:
        """The accounts a new round must leave alone: `account_id`, `domain`, `answered`, `emails` (lower case).

        One row per account any campaign planned on or after `since`. `emails` are the people planned
        there (each is cooled down on its own); `answered` is true when anyone at the account
        answered (a reply of any kind, positive, a meeting, an unsubscribe): then the whole account
        is cooled down, as sending tools stop a company when one person replies. A bounce or an
        auto-reply is no answer, so a bounced person's colleagues stay eligible.
        """
        if not self.exists():
            return pl.DataFrame(
                schema={
                    "account_id": pl.String,
                    "domain": pl.String,
                    "answered": pl.Boolean,
                    "emails": pl.List(pl.String),
                }
            )
        with self.reading() as con:
            return con.sql(
                f"""
                WITH best AS (
                    SELECT campaign_id, contact_id, max(outcome_rank) AS outcome_rank
                    FROM outcome_events GROUP BY campaign_id, contact_id
                )
                SELECT coalesce(cc.account_id, lower(cc.domain), lower(split_part(cc.email, '@', 2))) AS account_id,
                       any_value(lower(cc.domain)) AS domain,
                       coalesce(bool_or(b.outcome_rank = {RANK["unsubscribed"]} OR b.outcome_rank >= {RANK["replied"]}), false)
                           AS answered,
                       list(DISTINCT lower(cc.email) ORDER BY lower(cc.email)) AS emails
                FROM campaign_contacts cc LEFT JOIN best b USING (campaign_id, contact_id)
                WHERE cc.planned_at >= ?
                GROUP BY 1 ORDER BY 1
                """,
                params=[since],
            ).pl()

    def campaign_summaries(self) -> pl.DataFrame:
        """Every campaign with its planned count and each contact's highest outcome, counted."""
        with self.reading() as con:
            return con.sql(
                """
                WITH best AS (
                    SELECT campaign_id, contact_id, max(outcome_rank) AS outcome_rank
                    FROM outcome_events GROUP BY campaign_id, contact_id
                ), per AS (
                    SELECT cc.campaign_id, coalesce(b.outcome_rank, -1) AS outcome_rank
                    FROM campaign_contacts cc LEFT JOIN best b USING (campaign_id, contact_id)
                )
                SELECT c.campaign_id, c.name, c.icp_name, c.icp_version, c.created_at,
                       count(per.campaign_id) AS planned,
                       list(per.outcome_rank) AS ranks
                FROM campaigns c LEFT JOIN per USING (campaign_id)
                GROUP BY ALL ORDER BY c.created_at, c.campaign_id
                """
            ).pl()

    def lineage_campaigns(self, icp_name: str, up_to_version: int) -> list[str]:
        """The campaigns of one ICP lineage, planned from `up_to_version` or older, with outcomes, oldest first."""
        with self.reading() as con:
            rows = con.sql(
                """
                SELECT c.campaign_id FROM campaigns c
                WHERE c.icp_name = ? AND c.icp_version <= ?
                  AND EXISTS (SELECT 1 FROM outcome_events o WHERE o.campaign_id = c.campaign_id)
                ORDER BY c.created_at, c.campaign_id
                """,
                params=[icp_name, up_to_version],
            ).fetchall()
        return [campaign_id for (campaign_id,) in rows]

    def lineage_outcomes(self, icp_name: str) -> pl.DataFrame:
        """Per segment over every campaign of one ICP lineage: contacts delivered and positive.

        Each contact counts once, at its highest outcome: delivered is sent minus bounced
        (no_reply and above, except bounced); positive is a positive reply or a meeting.
        """
        if not self.exists():
            return pl.DataFrame(schema={"segment": pl.String, "delivered": pl.Int64, "positive": pl.Int64})
        with self.reading() as con:
            return con.sql(
                f"""
                WITH best AS (
                    SELECT campaign_id, contact_id, max(outcome_rank) AS outcome_rank
                    FROM outcome_events GROUP BY campaign_id, contact_id
                )
                SELECT cc.segment,
                       count(*) FILTER (WHERE b.outcome_rank >= {RANK["no_reply"]} AND b.outcome_rank <> {RANK["bounced"]})::BIGINT
                           AS delivered,
                       count(*) FILTER (WHERE b.outcome_rank >= {RANK["positive"]})::BIGINT AS positive
                FROM campaign_contacts cc
                JOIN campaigns c USING (campaign_id)
                JOIN best b USING (campaign_id, contact_id)
                WHERE c.icp_name = ?
                GROUP BY cc.segment ORDER BY cc.segment
                """,
                params=[icp_name],
            ).pl()

    # -- outcomes ----------------------------------------------------------------------------

    def best_outcomes(self, campaign_id: str) -> dict[str, int]:
        """contact_id -> the highest outcome rank recorded for it."""
        with self.reading() as con:
            return dict(
                con.execute(
                    "SELECT contact_id, max(outcome_rank) FROM outcome_events WHERE campaign_id = ? GROUP BY contact_id",
                    [campaign_id],
                ).fetchall()
            )

    def record_outcomes(
        self,
        campaign_id: str,
        events: pl.DataFrame,
        *,
        source_hash: str,
        preset: str,
        rows: int,
        simulated: bool,
        ledger: pl.DataFrame,
    ) -> tuple[dict[str, int], dict[str, int], bool]:
        """Record one results file's events and its ledger entries in one transaction.

        A file already taken in for this campaign (same content hash) adds nothing, so ingesting
        the same file twice changes nothing.

        Args:
            campaign_id: the campaign the events belong to.
            events: matched events with EVENT_COLUMNS.
            source_hash: SHA-256 of the results file.
            preset: the layout the file was read with.
            rows: data rows in the file.
            simulated: results no person sent.
            ledger: rows (kind, key, reason) to add to the suppression ledger.

        Returns:
            (highest rank per contact before, after, whether the file was new).
        """
        with self.transaction() as con:
            before = dict(
                con.execute(
                    "SELECT contact_id, max(outcome_rank) FROM outcome_events WHERE campaign_id = ? GROUP BY contact_id",
                    [campaign_id],
                ).fetchall()
            )
            seen = con.execute(
                "SELECT 1 FROM ingested_files WHERE campaign_id = ? AND source_hash = ?", [campaign_id, source_hash]
            ).fetchone()
            if seen:
                return before, before, False
            now = _now()
            con.execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?)", [campaign_id, source_hash, preset, rows, now]
            )
            frame = events.select(
                pl.col("contact_id").cast(pl.String),
                pl.col("email").cast(pl.String),
                pl.col("outcome").cast(pl.String),
                pl.col("outcome_rank").cast(pl.Int32),
                pl.col("step").cast(pl.Int32),
                pl.col("reply_text").cast(pl.String),
                pl.col("event_at").cast(pl.String),
                pl.col("inbox").cast(pl.String),
                pl.col("source_row").cast(pl.Int32),
            )
            con.register("events_frame", frame.to_arrow())
            con.execute(
                f"INSERT INTO outcome_events SELECT ? AS campaign_id, {', '.join(EVENT_COLUMNS[:-1])}, ? AS source_hash, "
                "source_row, ? AS simulated, ? AS recorded_at FROM events_frame",
                [campaign_id, source_hash, simulated, now],
            )
            con.unregister("events_frame")
            self._add_ledger(con, ledger, now)
            after = dict(
                con.execute(
                    "SELECT contact_id, max(outcome_rank) FROM outcome_events WHERE campaign_id = ? GROUP BY contact_id",
                    [campaign_id],
                ).fetchall()
            )
        return before, after, True

    # -- the suppression ledger --------------------------------------------------------------

    def _add_ledger(self, con: duckdb.DuckDBPyConnection, entries: pl.DataFrame, now: datetime) -> None:
        if entries.is_empty():
            return
        frame = entries.select(
            pl.col("kind").cast(pl.String), pl.col("key").cast(pl.String), pl.col("reason").cast(pl.String)
        )
        con.register("ledger_frame", frame.unique(["kind", "key"], keep="first", maintain_order=True).to_arrow())
        con.execute("INSERT OR IGNORE INTO ledger SELECT kind, key, reason, ? AS since FROM ledger_frame", [now])
        con.unregister("ledger_frame")

    def add_to_ledger(self, entries: pl.DataFrame) -> None:
        """Add entries (kind, key, reason) to the suppression ledger; keys already there are kept as they were."""
        bad = set(entries["kind"].unique().to_list()) - set(LEDGER_KINDS)
        if bad:
            raise InputError(
                f"unknown ledger kind (expected one of {', '.join(LEDGER_KINDS)})", field="kind", value=sorted(bad)[0]
            )
        with self.transaction() as con:
            self._add_ledger(con, entries, _now())

    def ledger(self) -> pl.DataFrame:
        """Every ledger entry: kind (email, domain, email_sha256, domain_sha256), key, reason, since."""
        if not self.exists():
            return pl.DataFrame(schema={"kind": pl.String, "key": pl.String, "reason": pl.String, "since": pl.Datetime})
        with self.reading() as con:
            return con.sql("SELECT kind, key, reason, since FROM ledger ORDER BY kind, key").pl()

    def forget(self, target: str) -> dict[str, int]:
        """Erase a person (an email) or a domain's people (subdomains included) from campaigns,
        events, the ledger's plain entries and the model cache, then rewrite the file so no free
        page keeps their bytes.

        Only a hash of the key stays, in the ledger, so they are never contacted again. The target
        is matched as a key (`targeting.identity`), in Python: no part of it reaches SQL but as a
        parameter.

        Returns:
            Rows removed per table, and `ledger` (1 when the hashed entry is new).

        Raises:
            InputError: the target is not exactly one email or one domain.
        """
        kind, key = identity_key(target)
        with self.transaction() as con:
            removed = {}
            contacts = _rows(con, "SELECT DISTINCT contact_id, email, domain FROM campaign_contacts")
            hit = contacts.filter(_matches(kind, key, "email", "domain"))
            removed["campaign_contacts"] = _delete_in(con, "campaign_contacts", "email", hit["email"])
            removed["campaign_contacts"] += _delete_in(con, "campaign_contacts", "contact_id", hit["contact_id"])
            events = _rows(con, "SELECT DISTINCT email FROM outcome_events")
            emails = events.filter(_matches(kind, key, "email", None))["email"]
            removed["outcome_events"] = _delete_in(con, "outcome_events", "email", emails)
            removed["outcome_events"] += _delete_in(con, "outcome_events", "contact_id", hit["contact_id"])
            removed["model_cache"] = _count_delete(con, "model_cache", "contains(lower(request), ?)", [key])
            removed["review_decisions"] = _forget_review_decisions(con, kind, key, hit["contact_id"])
            plain = _rows(con, "SELECT DISTINCT key FROM ledger WHERE kind = ?", [kind])
            column = ("key", None) if kind == "email" else (None, "key")
            stale = plain.filter(_matches(kind, key, *column))["key"]
            _delete_in(con, "ledger", "key", stale, where="kind = ?", params=[kind])
            hashed = f"{kind}_sha256"
            before = con.execute(
                "SELECT count(*) FROM ledger WHERE kind = ? AND key = ?", [hashed, sha256(key)]
            ).fetchone()[0]
            con.execute(
                "INSERT OR IGNORE INTO ledger VALUES (?, ?, ?, ?)",
                [hashed, sha256(key), "forgotten on request", _now()],
            )
            removed["ledger"] = 1 - before
        self.rewrite()
        return removed

    def rewrite(self) -> None:
        """Copy every table into a fresh file beside the store and rename it into place, so the
        bytes of deleted rows (kept by DuckDB in free pages, CHECKPOINT and VACUUM or not) are gone."""
        fresh = self.path.with_name(f".{self.path.name}.rewrite")
        fresh.unlink(missing_ok=True)
        with self._connection() as con:
            name = con.execute("SELECT current_database()").fetchone()[0]
            con.execute("ATTACH ? AS fresh_store", [str(fresh)])
            try:
                con.execute(f'COPY FROM DATABASE "{name}" TO fresh_store')
            finally:
                con.execute("DETACH fresh_store")
        os.replace(fresh, self.path)
        Path(f"{self.path}.wal").unlink(missing_ok=True)

    # -- the model cache ---------------------------------------------------------------------

    def cached_response(self, key: str) -> str | None:
        """A cached model response, or None."""
        with self.reading() as con:
            row = con.execute("SELECT response FROM model_cache WHERE key = ?", [key]).fetchone()
        return None if row is None else row[0]

    def cache_response(self, key: str, model: str, request: str, response: str) -> None:
        """Keep a model response (the first one kept for a key wins)."""
        with self.transaction() as con:
            con.execute(
                "INSERT OR IGNORE INTO model_cache VALUES (?, ?, ?, ?, ?)", [key, model, request, response, _now()]
            )

    def cached_responses(self, keys: list[str] | tuple[str, ...]) -> dict[str, str]:
        """The cached responses of those keys that have one (one read for any number of keys)."""
        if not keys or not self.exists():
            return {}
        with self.reading() as con:
            rows = con.execute(
                "SELECT key, response FROM model_cache WHERE key IN (SELECT unnest(?::VARCHAR[]))", [list(keys)]
            ).fetchall()
        return dict(rows)

    def cache_responses(self, rows: list[tuple[str, str, str, str]] | tuple[tuple[str, str, str, str], ...]) -> None:
        """Keep (key, model, request, response) rows in one transaction (the first kept for a key wins).

        The model drafter calls this every few completed calls, so a run killed half way keeps what
        it had paid for and the next run resumes from there.
        """
        first = list({row[0]: row for row in reversed(rows)}.values())  # one row a key: the first given
        if not first:
            return
        # One set-based statement: executemany runs one INSERT a row (55 ms for 16 rows, this 7 ms).
        with self.transaction() as con:
            con.execute(
                "INSERT OR IGNORE INTO model_cache SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?::TIMESTAMP",
                [*(list(column) for column in zip(*first, strict=True)), _now()],
            )


def same_rules(recorded: str, text: str) -> bool:
    """Two ICP texts that say the same rules: equal, or equal once parsed (a comment, such as the one
    `icp refine` writes on a version it leaves unchanged, changes no rule)."""
    if recorded == text:
        return True
    from targeting.icp.spec import parse_icp

    try:
        return parse_icp(recorded) == parse_icp(text)
    except Exception:  # noqa: BLE001 - a text that does not parse says no rule the other says
        return False


def migrate(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Bring a store from `version` to SCHEMA_VERSION in one transaction."""
    con.begin()
    try:
        if version == 0:
            con.execute("CREATE TABLE store_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
            con.execute("INSERT INTO store_meta VALUES ('app', ?), ('schema_version', '0')", [APP])
        for statements in MIGRATIONS[version:]:
            for statement in statements:
                con.execute(statement)
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pl.DataFrame:
    """A query's rows as a frame of strings (the columns as the query names them)."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return pl.DataFrame(cursor.fetchall(), schema={n: pl.String for n in names}, orient="row")


def _matches(kind: str, key: str, email: str | None, domain: str | None) -> pl.Expr:
    """True where a row's email (or domain) is the forgotten key, in any spelling; a domain takes its subdomains."""
    hits = []
    if email is not None:
        address = email_key_expr(pl.col(email))
        if kind == "email":
            hits.append(address == key)
        else:
            hits.append(domain_suppressed_expr(address.str.extract(r"@([^@]+)$", 1), [key]))
    if domain is not None and kind == "domain":
        hits.append(domain_suppressed_expr(domain_key_expr(pl.col(domain)), [key]))
    return pl.any_horizontal(hits).fill_null(False)


def _forget_review_decisions(con: duckdb.DuckDBPyConnection, kind: str, key: str, contact_ids: pl.Series) -> int:
    """A forgotten person's review decisions (their edited drafts hold their name): by planned contact id, or by
    a contact id that is their email. The table is the review's own, made on first use (campaigns.review)."""
    tables = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'review_decisions'")
    if not tables.fetchone()[0]:
        return 0
    decided = _rows(con, "SELECT DISTINCT contact_id FROM review_decisions")
    emailed = decided.filter(_matches(kind, key, "contact_id", None).fill_null(False))["contact_id"]
    return _delete_in(con, "review_decisions", "contact_id", pl.concat([emailed, contact_ids.cast(pl.String)]))


def _delete_in(
    con: duckdb.DuckDBPyConnection,
    table: str,
    column: str,
    values: pl.Series,
    *,
    where: str = "true",
    params: list[Any] | None = None,
) -> int:
    """Delete the rows whose `column` is one of `values` (exact, as stored), passed as a parameter."""
    values = values.drop_nulls().unique().to_list()
    if not values:
        return 0
    return _count_delete(
        con, table, f"{where} AND {column} IN (SELECT unnest(?::VARCHAR[]))", [*(params or []), values]
    )


def _count_delete(con: duckdb.DuckDBPyConnection, table: str, where: str, params: list[Any]) -> int:
    n = con.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]
    if n:
        con.execute(f"DELETE FROM {table} WHERE {where}", params).fetchall()
    return int(n)


def _refuse_foreign_file(path: Path) -> None:
    """A file that is some other database is named as such, before DuckDB tries to read it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot read the store ({exc.strerror or exc})", path=path) from None
    if head.startswith(b"SQLite format 3"):
        raise InputError("this is a SQLite file, not an outbound store (a DuckDB file)", path=path)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _open_error(exc: BaseException, path: Path) -> InputError:
    text = str(exc)
    lowered = text.lower()
    if "lock" in lowered:
        return StoreBusy("store is busy: another outbound command is writing it; try again when it finishes", path=path)
    if "could not read enough bytes" in lowered or "corrupt" in lowered or "checksum" in lowered:
        return InputError(
            f"the store file is damaged (cut short or corrupt: {_first_line(exc)}); restore it from a copy", path=path
        )
    if "no space left" in lowered:
        return InputError("the disk is full: the store cannot be written; nothing was recorded", path=path)
    if "permission denied" in lowered or "read-only" in lowered:
        return InputError(f"the store cannot be written here ({_first_line(exc)})", path=path)
    return InputError(f"not an outbound store ({_first_line(exc)})", path=path)
