"""How long a round takes to send, and how long the target list lasts at that pace.

Sending tools spread a campaign over inboxes, each sending at most so many emails a day (warm
inboxes usually 30-50). A round of N contacts with S steps is N x S emails; at I inboxes of M a day
it takes ceil(N x S / (I x M)) sending days, the last step going out STEP_GAP_DAYS after the first
for the last contacts started. The target list lasts as many rounds as it has accounts a round
could still plan (a sendable contact, not cooled down by an earlier round; the explore share is not
on the list), and the weeks that is at SENDING_DAYS_A_WEEK.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from targeting.errors import InputError

SENDING_DAYS_A_WEEK = 5
PER_INBOX_DAY = 30
"""Emails a warm inbox sends a day where `--per-inbox-day` is not given."""
STEP_GAP_DAYS = 3
"""Days between a sequence's steps (the templates' default cadence)."""


@dataclass(frozen=True)
class Capacity:
    """What `--inboxes` and `--per-inbox-day` allow."""

    inboxes: int
    per_inbox_day: int

    def __post_init__(self) -> None:
        for name, value in (("--inboxes", self.inboxes), ("--per-inbox-day", self.per_inbox_day)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} is a whole number, at least 1", field=name, value=value)

    @property
    def per_day(self) -> int:
        return self.inboxes * self.per_inbox_day


def round_capacity(
    capacity: Capacity, contacts: int, steps: int, reachable: int, per_account: int = 1
) -> dict[str, Any]:
    """The pace of a round and of the list: sending days, calendar weeks, rounds and weeks the target list lasts.

    Args:
        capacity: inboxes and emails per inbox a day.
        contacts: contacts planned this round.
        steps: emails in each contact's sequence.
        reachable: contacts the target list can still give, at most `per_account` an account (the
            tiers' `reachable` in design.json; not `target_list.targets`, which counts accounts
            nobody can be written to and accounts an earlier round cooled down).
        per_account: contacts a round takes per account.
    """
    emails = contacts * max(steps, 1)
    start_days = math.ceil(contacts / capacity.per_day) if contacts else 0
    sending_days = (
        max(math.ceil(emails / capacity.per_day), start_days + (steps - 1) * STEP_GAP_DAYS) if contacts else 0
    )
    accounts_a_round = max(math.ceil(contacts / max(per_account, 1)), 1)
    rounds = reachable / per_account / accounts_a_round if contacts else None
    new_contacts_a_week = capacity.per_day * SENDING_DAYS_A_WEEK / max(steps, 1)
    weeks = reachable / new_contacts_a_week if reachable else 0.0
    return {
        "inboxes": capacity.inboxes,
        "per_inbox_day": capacity.per_inbox_day,
        "emails": emails,
        "sending_days": sending_days,
        "weeks": round(sending_days / SENDING_DAYS_A_WEEK, 1),
        "list_rounds": None if rounds is None else round(rounds, 1),
        "list_reachable": reachable,
        "list_weeks": round(weeks, 1),
        "sentence": capacity_sentence(capacity, contacts, emails, sending_days, reachable, weeks, per_account),
    }


def capacity_sentence(
    capacity: Capacity, contacts: int, emails: int, days: int, reachable: int, weeks: float, per_account: int = 1
) -> str:
    inboxes = f"{capacity.inboxes} inbox{'es' if capacity.inboxes != 1 else ''} at {capacity.per_inbox_day} a day"
    what = (
        f"the {reachable:,} accounts still reachable on the target list"
        if per_account == 1
        else f"the {reachable:,} contacts still reachable on the target list ({per_account} an account)"
    )
    return (
        f"{contacts} contacts ({emails} emails) take {days} sending days on {inboxes}; "
        f"at that pace {what} last about {weeks:.1f} weeks."
    )
