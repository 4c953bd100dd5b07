"""Results layouts: the canonical RESULTS.csv and each sending tool's own lead export (`--preset`).

A layout names the email column and the status columns a tool writes, each with the words it
uses and the outcome (outcomes.py) each word means. Headers are matched by `status_word` (case,
spaces, `_` and camelCase do not matter), so both a tool's UI export ("Lead Status") and its
API field names (`status`) are read.

Where each layout comes from:

- `instantly`: Instantly API v2 lead object (developer.instantly.ai/api/v2, "Lead" schema and
  `POST /api/v2/leads/list`): `email`; `status` 1 Active, 2 Paused, 3 Completed, -1 Bounced,
  -2 Unsubscribed, -3 Skipped; `lt_interest_status` 0 Out of Office, 1 Interested, 2 Meeting
  Booked, 3 Meeting Completed, 4 Closed (Won), -1 Not Interested, -2 Wrong Person, -3 Lost;
  `email_reply_count`. The lead export CSV carries the same fields; its UI spells them as words
  ("Lead Status", "Interest Status", "Reply Count"), which are read too, by name or by number.
- `smartlead`: Smartlead's campaign lead export (`GET /campaigns/{id}/leads-export`, api.smartlead.ai;
  used so by the open-source smartlead-mcp-server, jonathan-politzki) with `email`, `status`
  (STARTED, INPROGRESS, COMPLETED, PAUSED, STOPPED, BLOCKED), `category`/`lead_category` (Smartlead's
  default lead categories: Interested, Meeting Request, Not Interested, Do Not Contact, Information
  Request, Out Of Office, Wrong Person, Uncategorizable by AI, Sender Originated Bounce),
  `is_unsubscribed` and `reply_count`.
- `lemlist`: lemlist's "Export Leads of a Campaign" (`GET /api/campaigns/:id/export/leads?state=all`,
  developer.lemlist.com and l3mpire/lemlist-developer `source/includes/_campaigns.md`): one row per
  lead with `email` and its state: imported, scanned, skipped, reviewed, contacted, hooked,
  attracted, warmed, notInterested, interested, emailsBounced, emailsUnsubscribed, failed, and the
  per-event states of the newer export (emailsSent, emailsOpened, emailsClicked, emailsReplied,
  emailsInterested, emailsNotInterested, meetingBooked).
- `apollo`: Apollo's contact export from a sequence (knowledge.apollo.io, "Manage Contacts in
  Sequences": statuses active, paused, finished, bounced, not sent) with the engagement columns
  of its contact CSV (`Email Sent`, `Email Open`, `Email Bounced`, `Replied`, `Demoed`, TRUE/FALSE)
  and the default contact stages (Cold, Approaching, Replied, Interested, Not Interested,
  Unresponsive, Do Not Contact, Bad Data, Changed Job).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from campaigns.results.outcomes import OUTCOMES, status_word

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t", "x"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f", ""})


@dataclass(frozen=True)
class StatusColumn:
    """One column that says something about a contact's outcome.

    `kind` is "word" (a status word -> outcome via `words`), "flag" (TRUE -> `outcome`) or
    "count" (a count above 0 -> `outcome`). A `weak` column (a bare reply count, "sent") only
    counts where no strong column of the row classified a reply.
    """

    names: tuple[str, ...]
    kind: str = "word"
    words: dict[str, str] = field(default_factory=dict)
    outcome: str | None = None
    weak: bool = False


@dataclass(frozen=True)
class ResultsLayout:
    """How one tool lays out results: the email column, status columns and optional extras."""

    name: str
    label: str
    email: tuple[str, ...]
    statuses: tuple[StatusColumn, ...]
    reply_text: tuple[str, ...] = ()
    step: tuple[str, ...] = ()
    event_at: tuple[str, ...] = ()
    inbox: tuple[str, ...] = ()


def _words(mapping: dict[str, str]) -> dict[str, str]:
    return {status_word(k): v for k, v in mapping.items()}


CANONICAL = ResultsLayout(
    name="canonical",
    label="canonical results file (email, outcome)",
    email=("email",),
    statuses=(StatusColumn(("outcome",), words=_words({o: o for o in OUTCOMES})),),
    reply_text=("reply text",),
    step=("step",),
    event_at=("event at",),
    inbox=("inbox",),
)

INSTANTLY = ResultsLayout(
    name="instantly",
    label="Instantly lead export",
    email=("email", "lead email"),
    statuses=(
        StatusColumn(
            ("status", "lead status"),
            words=_words(
                {
                    "Active": "no_reply",
                    "1": "no_reply",
                    "Paused": "no_reply",
                    "2": "no_reply",
                    "Completed": "no_reply",
                    "3": "no_reply",
                    "Bounced": "bounced",
                    "-1": "bounced",
                    "Unsubscribed": "unsubscribed",
                    "-2": "unsubscribed",
                    "Skipped": "not_sent",
                    "-3": "not_sent",
                }
            ),
        ),
        StatusColumn(
            ("lt interest status", "interest status", "lead interest status"),
            words=_words(
                {
                    "Out of Office": "auto_reply",
                    "0": "auto_reply",
                    "Interested": "positive",
                    "1": "positive",
                    "Meeting Booked": "meeting",
                    "2": "meeting",
                    "Meeting Completed": "meeting",
                    "3": "meeting",
                    "Won": "meeting",
                    "Closed": "meeting",
                    "Won/Closed": "meeting",
                    "4": "meeting",
                    "Not Interested": "replied",
                    "-1": "replied",
                    "Wrong Person": "replied",
                    "-2": "replied",
                    "Lost": "replied",
                    "-3": "replied",
                }
            ),
        ),
        StatusColumn(("email reply count", "reply count", "replies"), kind="count", outcome="replied", weak=True),
    ),
    reply_text=("reply text", "last reply", "reply"),
    event_at=("timestamp last reply", "last reply at", "timestamp last contact"),
)

SMARTLEAD = ResultsLayout(
    name="smartlead",
    label="Smartlead lead export",
    email=("email", "lead email"),
    statuses=(
        StatusColumn(
            ("status", "lead status"),
            words=_words(
                {
                    "STARTED": "no_reply",
                    "INPROGRESS": "no_reply",
                    "IN PROGRESS": "no_reply",
                    "COMPLETED": "no_reply",
                    "PAUSED": "no_reply",
                    "STOPPED": "no_reply",
                    "BLOCKED": "not_sent",
                    "NOT STARTED": "not_sent",
                }
            ),
        ),
        StatusColumn(
            ("category", "lead category"),
            words=_words(
                {
                    "Interested": "positive",
                    "Meeting Request": "meeting",
                    "Not Interested": "replied",
                    "Do Not Contact": "unsubscribed",
                    "Information Request": "positive",
                    "Out Of Office": "auto_reply",
                    "Wrong Person": "replied",
                    "Uncategorizable by AI": "replied",
                    "Sender Originated Bounce": "bounced",
                    "": "no_reply",
                }
            ),
        ),
        StatusColumn(("is unsubscribed", "unsubscribed"), kind="flag", outcome="unsubscribed"),
        StatusColumn(("is bounced", "bounced"), kind="flag", outcome="bounced"),
        StatusColumn(("reply count", "replies"), kind="count", outcome="replied", weak=True),
    ),
    reply_text=("reply text", "last reply", "reply body"),
    event_at=("last reply time", "replied at"),
)

LEMLIST = ResultsLayout(
    name="lemlist",
    label="lemlist campaign lead export",
    email=("email", "lead email"),
    statuses=(
        StatusColumn(
            ("state", "status", "last state", "lead status", "lead state"),
            words=_words(
                {
                    "imported": "not_sent",
                    "scanned": "not_sent",
                    "skipped": "not_sent",
                    "reviewed": "not_sent",
                    "paused": "not_sent",
                    "contacted": "no_reply",
                    "emailsSent": "no_reply",
                    "hooked": "no_reply",
                    "emailsOpened": "no_reply",
                    "attracted": "no_reply",
                    "emailsClicked": "no_reply",
                    "warmed": "replied",
                    "emailsReplied": "replied",
                    "notInterested": "replied",
                    "emailsNotInterested": "replied",
                    "interested": "positive",
                    "emailsInterested": "positive",
                    "meetingBooked": "meeting",
                    "emailsBounced": "bounced",
                    "failed": "bounced",
                    "emailsFailed": "bounced",
                    "emailsUnsubscribed": "unsubscribed",
                    "unsubscribed": "unsubscribed",
                    "done": "no_reply",
                }
            ),
        ),
    ),
    reply_text=("reply text", "last reply", "reply"),
    event_at=("last replied at", "replied at"),
)

APOLLO = ResultsLayout(
    name="apollo",
    label="Apollo contact / sequence export",
    email=("email", "contact email", "work email"),
    statuses=(
        StatusColumn(
            ("sequence status", "contact status", "status in sequence", "emailer campaign status"),
            words=_words(
                {
                    "Active": "no_reply",
                    "Paused": "no_reply",
                    "Finished": "no_reply",
                    "Bounced": "bounced",
                    "Not Sent": "not_sent",
                    "Failed": "not_sent",
                    "Scheduled": "not_sent",
                }
            ),
        ),
        StatusColumn(
            ("stage", "contact stage"),
            words=_words(
                {
                    "Cold": "not_sent",
                    "Approaching": "no_reply",
                    "Unresponsive": "no_reply",
                    "Replied": "replied",
                    "Not Interested": "replied",
                    "Interested": "positive",
                    "Meeting Booked": "meeting",
                    "Demoed": "meeting",
                    "Do Not Contact": "unsubscribed",
                    "Bad Data": "bounced",
                    "Changed Job": "no_reply",
                }
            ),
        ),
        StatusColumn(("email sent",), kind="flag", outcome="no_reply", weak=True),
        StatusColumn(("email bounced",), kind="flag", outcome="bounced"),
        StatusColumn(("email unsubscribed", "unsubscribed"), kind="flag", outcome="unsubscribed"),
        StatusColumn(("replied",), kind="flag", outcome="replied", weak=True),
        StatusColumn(("demoed", "meeting booked"), kind="flag", outcome="meeting"),
    ),
    reply_text=("reply text", "last reply"),
    event_at=("last contacted", "replied at"),
)

LAYOUTS: dict[str, ResultsLayout] = {
    layout.name: layout for layout in (CANONICAL, INSTANTLY, SMARTLEAD, LEMLIST, APOLLO)
}
PRESETS = tuple(name for name in LAYOUTS if name != "canonical")


def find_column(headers: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The file's header for the first of `names` it has (headers: status_word -> header)."""
    for name in names:
        if name in headers:
            return headers[name]
    return None


def tool_specific_columns(layout: ResultsLayout) -> set[str]:
    """Header words only this tool's layout uses (to recognize a file given without its preset)."""
    own = {name for column in layout.statuses for name in column.names}
    others = {
        name for other in LAYOUTS.values() if other is not layout for column in other.statuses for name in column.names
    }
    return own - others
