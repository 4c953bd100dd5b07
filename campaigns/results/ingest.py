"""A results file -> outcome events matched to a campaign's planned contacts.

Read (any layout in layouts.py) -> one outcome per row (the highest its columns say; an
auto-reply text turns `replied` into `auto_reply`) -> matched to the campaign by email, case-
and space-insensitively -> counted. Recording is the store's; this module only reads and counts.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from campaigns.results.auto_reply import is_auto_reply
from campaigns.results.layouts import (
    CANONICAL,
    FALSE_WORDS,
    LAYOUTS,
    PRESETS,
    TRUE_WORDS,
    ResultsLayout,
    StatusColumn,
    find_column,
    tool_specific_columns,
)
from campaigns.results.outcomes import LEDGER_OUTCOMES, OUTCOMES, RANK, status_word
from campaigns.results.reasons import is_unsubscribe_request
from targeting.errors import InputError
from targeting.identity import email_key_expr

UNKNOWN_EMAIL_EXAMPLES = 5
CAMPAIGN_ID = re.compile(r"c-[0-9a-f]{8}")
"""An outbound campaign id, as the plan makes it and every export tags each row with."""
EVENT_SCHEMA = {
    "email": pl.String,
    "outcome": pl.String,
    "outcome_rank": pl.Int32,
    "step": pl.Int32,
    "reply_text": pl.String,
    "event_at": pl.String,
    "inbox": pl.String,
    "source_row": pl.Int32,
    "ledger": pl.String,
}


@dataclass(frozen=True)
class ParsedResults:
    """One results file read: one event per row with an email (outcome null where no column said one)."""

    events: pl.DataFrame
    rows: int
    unknown_statuses: dict[str, int]
    source_hash: str
    preset: str
    campaign_ids: tuple[str, ...] = ()
    """The campaign ids the file's `campaign_id` column names (the tag every export carries), file order."""
    campaign_rows: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Each of `campaign_ids` -> (its first row, 0 the first after the header; its rows)."""


def email_key(email: pl.Expr) -> pl.Expr:
    """An email as it is matched: its `targeting.identity` key, else (no address at all) the text
    without spaces in lower case, so the row still shows as unmatched."""
    return pl.coalesce(email_key_expr(email), email.cast(pl.String).str.replace_all(r"\s+", "").str.to_lowercase())


def read_results(path: str | Path, preset: str = "canonical") -> ParsedResults:
    """Read a results file laid out as `preset` says.

    Args:
        path: CSV (or Parquet) results file.
        preset: `canonical` or one of PRESETS.

    Returns:
        The parsed results.

    Raises:
        InputError: unknown preset, unreadable file, missing columns, or a tool's own layout given
            without its preset.
    """
    path = Path(path)
    if preset not in LAYOUTS:
        raise InputError(
            f"unknown results preset (expected one of {', '.join(LAYOUTS)})", field="--preset", value=preset
        )
    if not path.is_file():
        raise InputError("results file not found", path=path)
    raw = path.read_bytes()
    frame = _read_frame(path, raw)
    layout = LAYOUTS[preset]
    headers = {status_word(h): h for h in frame.columns}
    email = find_column(headers, layout.email)
    statuses = [(column, find_column(headers, column.names)) for column in layout.statuses]
    present = [(column, header) for column, header in statuses if header is not None]
    if email is None or not present:
        raise _layout_error(
            path, layout, headers, missing="email" if email is None else " or ".join(layout.statuses[0].names)
        )
    _check_not_another_layout(path, layout, headers)
    row_outcomes, row_ledger, unknown = _row_outcomes(frame, present)
    extras = {
        name: (pl.col(header).cast(pl.String) if (header := find_column(headers, names)) else pl.lit(None, pl.String))
        for name, names in (("reply_text", layout.reply_text), ("event_at", layout.event_at), ("inbox", layout.inbox))
    }
    step_header = find_column(headers, layout.step)
    step = (
        pl.col(step_header).cast(pl.String).str.strip_chars().cast(pl.Int32, strict=False)
        if step_header
        else pl.lit(None, pl.Int32)
    )
    events = (
        frame.with_row_index("source_row", offset=2)  # file line numbers: the header is line 1
        .with_columns(
            pl.Series("_rank", row_outcomes, dtype=pl.Int32), pl.Series("ledger", row_ledger, dtype=pl.String)
        )
        .filter(pl.col(email).is_not_null() & (email_key(pl.col(email)) != ""))
        .with_columns(**extras)
        .with_columns(
            pl.when(pl.col("ledger").is_null() & is_unsubscribe_request(pl.col("reply_text")))
            .then(pl.lit("unsubscribed"))
            .otherwise(pl.col("ledger"))
            .alias("ledger")
        )
        .with_columns(
            # An unsubscribe is its own outcome, never a reply: a reply asking to be taken off the list,
            # or a row the tool also marks unsubscribed, counts as `unsubscribed` (a meeting or a positive
            # reply the tool recorded stays what it is; the ledger takes the address either way).
            pl.when(pl.col("_rank").is_in([RANK["replied"], RANK["auto_reply"]]) & (pl.col("ledger") == "unsubscribed"))
            .then(pl.lit(RANK["unsubscribed"], pl.Int32))
            .when((pl.col("_rank") == RANK["replied"]) & is_auto_reply(pl.col("reply_text")))
            .then(pl.lit(RANK["auto_reply"], pl.Int32))
            .otherwise(pl.col("_rank"))
            .alias("outcome_rank")
        )
        .select(
            email_key(pl.col(email)).alias("email"),
            pl.col("outcome_rank").replace_strict(dict(enumerate(OUTCOMES)), return_dtype=pl.String).alias("outcome"),
            "outcome_rank",
            step.alias("step"),
            "reply_text",
            "event_at",
            "inbox",
            pl.col("source_row").cast(pl.Int32),
            "ledger",
        )
    )
    tag = headers.get("campaign id")
    rows: dict[str, tuple[int, int]] = {}
    if tag is not None:
        tags = (
            frame.select(pl.col(tag).cast(pl.String).str.strip_chars().alias("tag"))
            .with_row_index("row")
            .drop_nulls("tag")
            .group_by("tag", maintain_order=True)
            .agg(pl.col("row").first(), pl.len().alias("n"))
        )
        rows = {t: (int(row), int(n)) for t, row, n in tags.iter_rows() if CAMPAIGN_ID.fullmatch(t)}
    return ParsedResults(
        events.cast(EVENT_SCHEMA),
        frame.height,
        dict(unknown),
        hashlib.sha256(raw).hexdigest(),
        preset,
        tuple(rows),
        rows,
    )


def refuse_other_campaign(parsed: ParsedResults, path: str | Path, campaign_id: str, name: str) -> None:
    """A results file whose `campaign_id` column names another campaign is refused, naming both.

    Round 1's results ingested into round 2 would match nobody (or, worse, the people planned in
    both) and say so only as "0 matched". Values that are not an outbound campaign id (a sending
    tool's own campaign column) are not read.

    Raises:
        InputError: the file names a campaign other than `campaign_id`.
    """
    other = [c for c in parsed.campaign_ids if c != campaign_id]
    if other:
        row, n = parsed.campaign_rows.get(other[0], (None, parsed.rows))
        rows = "these results are" if n == parsed.rows else f"{n} of {parsed.rows} rows are"
        line = None if row is None else _record_line(Path(path), row)
        raise InputError(
            f"{rows} for campaign {other[0]}, not {name} ({campaign_id}); ingest them with --campaign {other[0]}",
            path=path,
            line=line,
            field="campaign_id",
            value=other[0],
        )


def _record_line(path: Path, row: int) -> int | None:
    """The file line where data row `row` (0: the first after the header) starts; a reply text may span lines."""
    import csv

    if path.suffix.lower() == ".parquet":
        return None
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        separator = _separator(path, handle.read(4096).encode())
        handle.seek(0)
        reader = csv.reader(handle, delimiter=separator)
        start = 1
        for index, _ in enumerate(reader):
            if index == row + 1:
                return start
            start = reader.line_num + 1
    return None


def _separator(path: Path, head: bytes) -> str:
    """The results file's field separator, as `target` reads a universe file (a `;` CSV from a spreadsheet)."""
    from targeting.importing.reading import csv_separator

    return csv_separator("tsv" if path.suffix.lower() in (".tsv", ".tab") else "csv", head)


def _read_frame(path: Path, raw: bytes) -> pl.DataFrame:
    try:
        if path.suffix.lower() == ".parquet":
            return pl.read_parquet(path).cast(pl.String)
        return pl.read_csv(
            raw,
            separator=_separator(path, raw[:4096]),
            infer_schema=False,
            truncate_ragged_lines=True,
            encoding="utf8-lossy",
        )
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"cannot read results file ({str(exc).splitlines()[0]})", path=path) from None


def _row_outcomes(
    frame: pl.DataFrame, present: list[tuple[StatusColumn, str]]
) -> tuple[list[int | None], list[str | None], Counter]:
    """Each row's highest outcome rank (None: nothing said), its ledger reason, and unknown words.

    The ledger reason is any bounce or unsubscribe a row's columns say, even where a reply
    outranks it: someone who replied "take me off your list" is still never emailed again.
    """
    unknown: Counter = Counter()
    strong_ranks: list[list[int]] = [[] for _ in range(frame.height)]
    weak_ranks: list[list[int]] = [[] for _ in range(frame.height)]
    for column, header in present:
        target = weak_ranks if column.weak else strong_ranks
        for i, value in enumerate(frame[header].to_list()):
            rank = _cell_rank(column, value, unknown)
            if rank is not None:
                target[i].append(rank)
    outcomes: list[int | None] = []
    ledger: list[str | None] = []
    for strong, weak in zip(strong_ranks, weak_ranks):
        best = max(strong, default=None)
        # A tool's own reading of a reply (out of office, interested) beats a bare reply count.
        if weak and (best is None or best < RANK["auto_reply"]):
            best = max([*strong, *weak])
        outcomes.append(best)
        said = set(strong) | set(weak)
        ledger.append(next((o for o in ("unsubscribed", "bounced") if RANK[o] in said), None))
    return outcomes, ledger, unknown


def _cell_rank(column: StatusColumn, value: str | None, unknown: Counter) -> int | None:
    text = (value or "").strip()
    if column.kind == "word":
        if not text and "" not in column.words:
            return None
        outcome = column.words.get(status_word(text))
        if outcome is None:
            unknown[text] += 1
            return None
        return RANK[outcome]
    assert column.outcome is not None
    if column.kind == "flag":
        word = text.lower()
        if word in TRUE_WORDS:
            return RANK[column.outcome]
        if word not in FALSE_WORDS:
            unknown[text] += 1
        return None
    try:
        count = float(text) if text else 0.0
    except ValueError:
        unknown[text] += 1
        return None
    return RANK[column.outcome] if count > 0 else None


def _layout_error(path: Path, layout: ResultsLayout, headers: dict[str, str], *, missing: str) -> InputError:
    if layout is CANONICAL or layout.name == "canonical":
        for name in PRESETS:
            own = tool_specific_columns(LAYOUTS[name])
            if own & set(headers):
                return InputError(
                    f"no {missing!r} column; this looks like {_a(LAYOUTS[name].label)}: add --preset {name}",
                    path=path,
                    field=missing,
                )
    expected = " / ".join(layout.statuses[0].names)
    return InputError(
        f"missing column {missing!r} for the {layout.label} (expected an email column and one of: {expected})",
        path=path,
        field=missing,
    )


def _check_not_another_layout(path: Path, layout: ResultsLayout, headers: dict[str, str]) -> None:
    """A tool's export read with another tool's preset would be misread: refuse it, naming the right one."""
    if layout.name == "canonical" or tool_specific_columns(layout) & set(headers):
        return
    for other in LAYOUTS.values():
        if other is not layout and tool_specific_columns(other) & set(headers):
            hint = "drop --preset" if other.name == "canonical" else f"use --preset {other.name}"
            raise InputError(
                f"this looks like {_a(other.label)}, not {_a(layout.label)}: {hint}",
                path=path,
                field="--preset",
                value=layout.name,
            )


def _a(label: str) -> str:
    return f"{'an' if label[0].lower() in 'aeiou' else 'a'} {label}"


def match_results(parsed: ParsedResults, contacts: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Events joined to the planned contacts by email.

    Returns:
        (events with contact_id, the emails not planned in this campaign, unique, in file order).
    """
    planned = contacts.select(email_key(pl.col("email")).alias("email"), pl.col("contact_id")).unique(
        "email", keep="first"
    )
    joined = parsed.events.join(planned, on="email", how="left", maintain_order="left")
    unknown = joined.filter(pl.col("contact_id").is_null())
    matched = joined.filter(pl.col("contact_id").is_not_null())
    return matched, unknown["email"].unique(maintain_order=True).to_list()


def with_outcome(events: pl.DataFrame) -> pl.DataFrame:
    """The events that say an outcome (the ones recorded)."""
    return events.filter(pl.col("outcome_rank").is_not_null())


def ledger_entries(events: pl.DataFrame, campaign_id: str) -> pl.DataFrame:
    """Bounced and unsubscribed emails (whatever else the row says), for the suppression ledger."""
    return (
        events.filter(pl.col("ledger").is_in(LEDGER_OUTCOMES) | pl.col("outcome").is_in(LEDGER_OUTCOMES))
        .select(
            pl.lit("email").alias("kind"),
            pl.col("email").alias("key"),
            pl.format("{} in {}", pl.coalesce("ledger", "outcome"), pl.lit(campaign_id)).alias("reason"),
        )
        .unique(["kind", "key"], keep="first", maintain_order=True)
    )


def outcome_counts(contact_ids: list[str], best: dict[str, int]) -> dict[str, int]:
    """Every planned contact counted once at its highest outcome (none yet: not_sent)."""
    counts = Counter(OUTCOMES[best.get(cid, RANK["not_sent"])] for cid in contact_ids)
    return {outcome: counts.get(outcome, 0) for outcome in reversed(OUTCOMES)}


def ingest_summary(
    campaign_id: str,
    parsed: ParsedResults,
    matched: pl.DataFrame,
    unknown_emails: list[str],
    before: dict[str, int],
    after: dict[str, int],
    contact_ids: list[str],
) -> dict[str, Any]:
    """The `campaign ingest --json` summary (docs/commands.md)."""
    changed = sum(1 for cid, rank in after.items() if rank > before.get(cid, -1))
    return {
        "campaign_id": campaign_id,
        "rows": parsed.rows,
        "matched": matched.height,
        "unknown_emails": len(unknown_emails),
        "unknown_email_examples": unknown_emails[:UNKNOWN_EMAIL_EXAMPLES],
        "unknown_statuses": dict(sorted(parsed.unknown_statuses.items(), key=lambda kv: (-kv[1], kv[0]))),
        "changed": changed,
        "outcomes": outcome_counts(contact_ids, after),
    }
