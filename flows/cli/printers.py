"""Terminal output: one-line errors (exit 2) and the human summaries."""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from flows.edges.terminal import console, err_console
from targeting.errors import InputError


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Turn an input that cannot be used into one line on stderr and exit code 2."""
    try:
        yield
    except InputError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        said = os_error_line(exc)
        if said is None:
            raise
        err_console.print(f"error: {said}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


# Faults of the machine a user can fix, each named as such (anything else stays a traceback: a bug).
_OS_FAULTS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.EEXIST: "a file is in the way (a folder was expected)",
    errno.ENOTDIR: "a file is in the way (a folder was expected)",
    errno.EISDIR: "a folder is in the way (a file was expected)",
}


def said_in_one_line(exc: BaseException) -> bool:
    """True for what `one_line_errors` says in one line: an `InputError`, or a fault `os_error_line` names."""
    return isinstance(exc, InputError) or (isinstance(exc, OSError) and os_error_line(exc) is not None)


def os_error_line(exc: OSError) -> str | None:
    """One line for a fault of the machine (disk full, permission, a file where a folder goes), else None."""
    fault = _OS_FAULTS.get(exc.errno)
    if fault is None:
        return None
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {fault} ({exc.strerror or exc}); nothing was left half written" if where else fault


@contextmanager
def working(message: str, *, quiet: bool) -> Iterator[None]:
    """A spinner on stderr while long work runs (not with --json, so stdout stays machine-readable)."""
    if quiet or not err_console.is_terminal:
        yield
        return
    with err_console.status(message):
        yield


def print_unread(summary: dict[str, Any]) -> None:
    """The columns nothing read, of the accounts and of the contacts, and the layout the contacts were read in.

    A column a criterion or a draft needs may be among them, under a name the map missed.
    """
    if summary.get("unmapped"):
        console.print(f"unmapped columns (not read): {', '.join(summary['unmapped'])}", markup=False, highlight=False)
    if "contacts_layout" in summary:
        unread = ", ".join(summary.get("unmapped_contacts") or []) or "-"
        console.print(
            f"contacts read as {summary['contacts_layout']}; columns not read: {unread}", markup=False, highlight=False
        )


def print_warnings(warnings: list[str]) -> None:
    """Each warning on its own line."""
    for warning in warnings:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)


def print_json(data: Any) -> None:
    """Print `data` as JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def print_target_summary(summary: dict[str, Any]) -> None:
    """Print the target summary a person reads: counts, unmapped columns, funnel, tiers, verdict and fixes."""
    console.print(
        f"[bold]{summary['icp']}[/] v{summary['version']}: read {summary['rows_read']:,} rows, "
        f"rejected {summary['rejected']:,}, duplicates {summary['duplicates']:,}, "
        f"universe {summary['universe']:,}, suppressed {summary['suppressed']:,}"
    )
    print_unread(summary)
    funnel = Table("step", "removed", "unknown", "remaining", title="Funnel")
    for row in summary["funnel"]:
        funnel.add_row(escape(row["step"]), f"{row['removed']:,}", f"{row['unknown']:,}", f"{row['remaining']:,}")
    console.print(funnel)
    tiers = ", ".join(f"{tier}: {n:,}" for tier, n in summary["by_tier"].items())
    reach = summary.get("reachable")
    console.print(
        f"targets {summary['targets']:,} ({tiers})" + (f"; reachable accounts {reach:,}" if reach is not None else "")
    )
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning[/]: {escape(warning)}", highlight=False)
    band = summary["band"]
    colour = "green" if summary["verdict"] == "ok" else "red"
    console.print(f"verdict: [{colour}]{summary['verdict']}[/] (band {band['min']:,}-{band['max']:,})")
    if summary["verdict"] != "ok" and summary["suggestions"]:
        fixes = Table("change", "targets", "edit", title="Changes that move the list")
        for s in summary["suggestions"]:
            fixes.add_row(escape(s["change"]), f"{s['targets']:,}", escape(json.dumps(s["edit"])))
        console.print(fixes)


def sender_line(sender: dict[str, Any]) -> str:
    """Whose name is on the drafts, for every human summary."""
    marked = " (sample: true - the sample sender)" if sender["sample"] else " (sample: false)"
    return f"signed by {sender['name']}, {sender['company']}{marked}"


def batch_line(summary: dict[str, Any]) -> str:
    """How good the batch is: drafts with an account fact, the most repeated sentence, claims by kind."""
    top = summary.get("most_repeated_sentence")
    repeated = f"{top['share']:.0%} of first touches say {top['sentence']!r}" if top else "none"
    claims = ", ".join(f"{kind} {n:,}" for kind, n in summary.get("claims", {}).items() if n) or "none"
    return (
        f"with an account fact: {summary['with_account_fact']:.0%} of drafts; most repeated sentence: {repeated}; "
        f"first touches claiming: {claims}"
    )


def fallback_lines(summary: dict[str, Any]) -> list[str]:
    """One line per messaging.yaml key line whose placeholder some drafted accounts lack (`line_fallbacks`)."""
    lines = []
    for fb in summary.get("line_fallbacks", []):
        where = f"{fb['file']}:{fb['line']}" if fb.get("line") else str(fb["file"])
        lines.append(
            f"{where}: {fb['key']} uses {fb['placeholder']}, which {fb['accounts']:,} drafted accounts lack: "
            "they got another line"
        )
    return lines


def print_draft_summary(summary: dict[str, Any]) -> None:
    """Print who was drafted, who was skipped and why, what needs review, and three samples."""
    console.print(
        f"{summary['contacts_read']:,} contacts read: drafted {summary['contacts_drafted']:,} "
        f"({summary['drafts']:,} drafts), skipped {summary['skipped']:,}, duplicate rows {summary['duplicates']:,}"
    )
    print_unread(summary)
    print_warnings(summary.get("contact_warnings", []))
    for line in fallback_lines(summary):
        console.print(f"[yellow]warning[/]: {escape(line)}", highlight=False)
    table = Table("persona", "contacts drafted", title="By persona")
    for persona, n in summary["by_persona"].items():
        table.add_row(persona, f"{n:,}")
    console.print(table)
    console.print(f"unclassified titles (not drafted): {summary['unclassified']:,}")
    if summary["skipped_by_reason"]:
        skipped = Table("reason", "contacts", title="Skipped")
        for reason, n in summary["skipped_by_reason"].items():
            skipped.add_row(escape(reason), f"{n:,}")
        console.print(skipped)
    console.print(f"drafts with issues: {summary['drafts_with_issues']:,}")
    for kind, n in summary["issues_by_kind"].items():
        console.print(f"  {kind:<20} {n:>8,}")
    if "drafts_gated" in summary:
        console.print(
            f"held for review (error-level issue, in no export; see review.csv): {summary['drafts_gated']:,} drafts "
            f"of {summary['contacts_gated']:,} contacts"
        )
    if "with_account_fact" in summary:
        console.print(batch_line(summary), markup=False, highlight=False)
    if "sender" in summary:
        console.print(sender_line(summary["sender"]), markup=False, highlight=False)
    if "llm" in summary:
        console.print(llm_line(summary["llm"]), markup=False, highlight=False)
    for sample in summary["samples"]:
        console.rule(f"{sample['persona']} - {sample['email']}")
        console.print(f"Subject: {sample['subject']}\n\n{sample['body']}", markup=False, highlight=False)


def llm_line(llm: dict[str, Any]) -> str:
    """The model run in a few lines: drafts by source, fallbacks by reason, calls, tokens and cost."""
    cost = f"${llm['cost_usd']:.4f}" if llm.get("price_per_1m") else "cost unknown (no price for this model)"
    lines = [
        f"model {llm['model']} ({llm['api']}): {llm['model_drafts']:,} model drafts, {llm['cache_hits']:,} from "
        f"the cache, {llm['fallbacks']:,} template fallbacks; {llm['calls']:,} calls ({llm['retries']:,} retries), "
        f"{llm['tokens_in']:,} tokens in, {llm['tokens_out']:,} out, {cost}"
    ]
    lines += [f"  fallback: {reason:<40} {n:>6,}" for reason, n in llm["fallback_reasons"].items()]
    return "\n".join(lines)


def print_icp_check(check: Any, path: Any) -> None:
    """`outbound icp check`: how the spec reads, and what the universe holds of each value."""
    spec = check.spec
    console.print(
        f"{path}: {spec.name} v{spec.version} is valid ({len(spec.filters)} filters, "
        f"{len(spec.disqualifiers)} disqualifiers, {len(spec.scoring.criteria)} criteria)",
        markup=False,
    )
    for note in check.respelled:
        console.print(f"  reads {note}", markup=False)
    if check.universe is None:
        return
    console.print(f"against {check.universe:,} accounts:", markup=False)
    for seen in check.values:
        other = [s for s in seen.spelled if s != seen.value]
        spelled = f" (spelled {', '.join(map(repr, seen.spelled))})" if other else ""
        console.print(f"  {seen.where}: {seen.value!r} in {seen.accounts:,} accounts{spelled}", markup=False)
    for warning in check.warnings:
        console.print(f"warning: {warning}", markup=False, style="yellow")
