"""An edited draft checked again: lint and grounding, and what changed against the text before."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from messaging.checks.gate import ERROR_CODES
from messaging.checks.lint import lint_drafts
from messaging.composing.sender import Sender
from messaging.drafting.grounding import grounding_failures
from messaging.drafting.prompt import known_texts
from messaging.drafting.seam import DraftJob


@dataclass(frozen=True)
class Recheck:
    """The checks of one text: its issues (lint's, and "grounding: ..." for what nothing known supports), and the change."""

    issues: list[str]
    grounding: list[str]
    added: list[str]
    resolved: list[str]

    @property
    def fails(self) -> bool:
        """True where an error-level issue holds the draft back from every export and plan."""
        return any(issue.split(":", 1)[0] in ERROR_CODES for issue in self.issues)

    def said(self) -> str:
        """One line: what changed, for the reviewer."""
        parts = [f"new: {'; '.join(self.added)}"] if self.added else []
        parts += [f"resolved: {'; '.join(self.resolved)}"] if self.resolved else []
        state = "fails its checks: it will not be exported or planned" if self.fails else "passes its checks"
        return f"saved; {state}" + (f" ({', '.join(parts)})" if parts else " (no change in the checks)")


def check_text(
    subject: str, body: str, draft: dict[str, Any], account: dict[str, Any] | None, sender: Sender
) -> list[str]:
    """Lint and grounding findings of `subject`/`body` for the draft `draft` (its original text is known)."""
    frame = pl.DataFrame(
        {"subject": [subject], "body": [body], "facts_used": [list(draft.get("facts_used") or [])]},
        schema={"subject": pl.String, "body": pl.String, "facts_used": pl.List(pl.String)},
    )
    issues = lint_drafts(frame, postal_address=sender.postal_address, opt_out_line=sender.opt_out_line)[
        "issues"
    ].to_list()[0]
    return list(issues or [])


def grounding(
    subject: str, body: str, draft: dict[str, Any], account: dict[str, Any] | None, sender: Sender
) -> list[str]:
    """What in the text nothing known supports: the account, the contact, the sender, the draft as drafted."""
    job = DraftJob(
        contact_id=str(draft.get("contact_id")),
        step=int(draft.get("step") or 1),
        variant=str(draft.get("variant") or ""),
        persona=str(draft.get("persona") or ""),
        first_name=draft.get("first_name") or "",
        last_name=draft.get("last_name") or "",
        email=draft.get("email") or "",
        account={k: v for k, v in (account or {}).items() if k != "account_id"} | {"company": draft.get("company")},
        subject=draft.get("drafted_subject") or draft.get("subject") or "",
        body=draft.get("drafted_body") or draft.get("body") or "",
        facts_used=tuple(draft.get("facts_used") or ()),
    )
    known, addresses = known_texts(job, sender)
    return grounding_failures(f"{subject}\n{body}", known=known, addresses=addresses)


def recheck(subject: str, body: str, draft: dict[str, Any], account: dict[str, Any] | None, sender: Sender) -> Recheck:
    """The checks of the edited text and what changed against the draft's text before the edit."""
    before = set(draft.get("issues") or [])
    found = grounding(subject, body, draft, account, sender)
    issues = check_text(subject, body, draft, account, sender) + [f"grounding: {g}" for g in found]
    return Recheck(issues, found, sorted(set(issues) - before), sorted(before - set(issues)))
