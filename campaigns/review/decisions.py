"""The reviewer's decisions, kept in the campaign store file as they are made.

Their own table (`review_decisions`), created where it is missing, beside the store's numbered
schema rather than in it; one connection per operation through `Store.transaction` (so a busy
store is `StoreBusy`, one line). Rows are only appended: a draft's decision is its latest row.
A draft is known by its drafts folder, contact, step and variant and by a hash of its text as
drafted, so a folder drafted again does not inherit the decisions on its old text.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from campaigns.store import Store
from targeting.errors import InputError

DECISIONS = ("approved", "edited", "rejected")
_DDL = (
    "CREATE SEQUENCE IF NOT EXISTS review_decision_seq",
    "CREATE TABLE IF NOT EXISTS review_decisions (seq BIGINT PRIMARY KEY DEFAULT nextval('review_decision_seq'), "
    "batch VARCHAR NOT NULL, contact_id VARCHAR NOT NULL, step BIGINT NOT NULL, variant VARCHAR NOT NULL, "
    "drafted VARCHAR NOT NULL, decision VARCHAR NOT NULL, subject VARCHAR, body VARCHAR, reason VARCHAR, "
    "issues VARCHAR, decided_at TIMESTAMP NOT NULL)",
)
LATEST_SCHEMA = {
    "contact_id": pl.String,
    "step": pl.Int64,
    "variant": pl.String,
    "drafted": pl.String,
    "decision": pl.String,
    "decided_subject": pl.String,
    "decided_body": pl.String,
    "reason": pl.String,
    "decided_issues": pl.String,
    "decided_at": pl.Datetime("us"),
    "seq": pl.Int64,
}


def drafted_hash(subject: str | None, body: str | None) -> str:
    """The identity of a draft's text as drafted."""
    return hashlib.sha256(f"{subject or ''}\x1f{body or ''}".encode()).hexdigest()[:16]


def drafted_hash_expr() -> pl.Expr:
    """`drafted_hash` over the columns `subject` and `body`."""
    return pl.concat_str(pl.col("subject").fill_null(""), pl.lit("\x1f"), pl.col("body").fill_null("")).map_elements(
        lambda text: hashlib.sha256(text.encode()).hexdigest()[:16], return_dtype=pl.String
    )


@dataclass(frozen=True)
class Decision:
    """One decision on one draft."""

    contact_id: str
    step: int
    variant: str
    drafted: str
    decision: str
    subject: str | None = None
    body: str | None = None
    reason: str | None = None
    issues: tuple[str, ...] = ()


class ReviewLog:
    """The decisions on one drafts folder, in a store file."""

    def __init__(self, store: Path, drafts: Path) -> None:
        self.store = Store(store)
        self.batch = str(Path(drafts).resolve())

    def _ready(self, con) -> None:
        for statement in _DDL:
            con.execute(statement)

    def check(self) -> None:
        """Open the store once, creating the table (StoreBusy where another process writes it)."""
        with self.store.transaction() as con:
            self._ready(con)

    def record(self, decision: Decision) -> int:
        """Append `decision`; returns its sequence number (the draft's version after it)."""
        if decision.decision not in DECISIONS:
            raise InputError("unknown decision", field="decision", value=decision.decision)
        if decision.decision == "rejected" and not (decision.reason or "").strip():
            raise InputError("a rejection needs a reason", field="reason")
        with self.store.transaction() as con:
            self._ready(con)
            row = con.execute(
                "INSERT INTO review_decisions (batch, contact_id, step, variant, drafted, decision, subject, body, "
                "reason, issues, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                [
                    self.batch,
                    decision.contact_id,
                    decision.step,
                    decision.variant,
                    decision.drafted,
                    decision.decision,
                    decision.subject,
                    decision.body,
                    (decision.reason or "").strip() or None,
                    json.dumps(list(decision.issues)),
                    datetime.now(UTC).replace(tzinfo=None),
                ],
            ).fetchone()
        return int(row[0])

    def latest(self) -> pl.DataFrame:
        """Each draft's latest decision (LATEST_SCHEMA), drafts never decided left out."""
        with self.store.transaction() as con:
            self._ready(con)
            frame = con.sql(
                "SELECT contact_id, step, variant, drafted, decision, subject AS decided_subject, "
                "body AS decided_body, reason, issues AS decided_issues, decided_at, seq FROM review_decisions "
                "WHERE batch = ? QUALIFY row_number() OVER (PARTITION BY contact_id, step, variant, drafted "
                "ORDER BY seq DESC) = 1",
                params=[self.batch],
            ).pl()
        return pl.DataFrame(schema=LATEST_SCHEMA) if frame.is_empty() else frame.cast(LATEST_SCHEMA)  # type: ignore[arg-type]
