"""report.json: a campaign's planned contacts and outcomes -> the rates, intervals, readings and verdicts.

Each contact counts once, at its highest outcome. Rates are per delivered email (sent minus
bounced; a contact with no outcome yet, or `not_sent`, is not sent). `reply_rate` is genuine
replies (a person answered, positive or not, or booked a meeting) per delivered email, `rate`
positive replies (meetings included); an auto-reply is neither, and an unsubscribe is its own
outcome (`totals.unsubscribed`), a reply to neither rate.

Every arm (a segment, persona or variant) is read against the rest of the campaign by
`targeting.icp.reading.read_contrast` on genuine replies, so equal counts give equal numbers
everywhere; the ICP's criteria are read together (`read_criteria`: each with the others held
equal), the one reading `icp refine` acts on. A side with too few contacts is "no comparison",
never a probability. The verdict is said as a sentence a growth lead can act on, with the contacts
per side a next round needs to confirm it (or "not testable at this scale" beyond TESTABLE).
Replies are sorted into reasons (`campaigns.results.reasons`) and counted per segment and persona.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from campaigns.report import stats
from campaigns.results.outcomes import RANK
from campaigns.results.reasons import OTHER, REASONS, reply_reason
from targeting.icp.reading import MIN_SIDE, Reading, read_contrast, read_criteria, sure_words, times_words

BOUNCE_PROBLEM = 0.05
"""A segment bouncing more than this share of its sent emails has a data problem (stale or guessed addresses)."""
SAMPLE_DRAFTS = 2
"""Step-1 drafts shown per segment."""
TESTABLE = 3000
"""Contacts per side beyond which a difference is "not testable at this scale" for test campaigns."""
VERDICT_WORDS = {
    "likely_better": "likely better than the rest",
    "likely_worse": "likely worse than the rest",
    "not_enough_evidence": "not enough evidence yet",
    "no_comparison": "no comparison",
}


def contact_counts(contacts: pl.DataFrame) -> pl.DataFrame:
    """Per contact: planned, sent, delivered, bounced, replied, positive, meeting, auto_reply, unsubscribed (0/1)."""
    rank = pl.col("outcome_rank")
    sent = rank.is_not_null() & (rank >= RANK["no_reply"])
    return contacts.with_columns(
        pl.lit(1).alias("planned"),
        sent.cast(pl.Int64).alias("sent"),
        (sent & (rank != RANK["bounced"])).cast(pl.Int64).alias("delivered"),
        (rank == RANK["bounced"]).fill_null(False).cast(pl.Int64).alias("bounced"),
        (rank >= RANK["replied"]).fill_null(False).cast(pl.Int64).alias("replied"),
        (rank >= RANK["positive"]).fill_null(False).cast(pl.Int64).alias("positive"),
        (rank == RANK["meeting"]).fill_null(False).cast(pl.Int64).alias("meeting"),
        (rank == RANK["auto_reply"]).fill_null(False).cast(pl.Int64).alias("auto_reply"),
        (rank == RANK["unsubscribed"]).fill_null(False).cast(pl.Int64).alias("unsubscribed"),
        reason_expr(contacts).alias("reason"),
    )


def account_rows(contacts: pl.DataFrame) -> pl.DataFrame:
    """One row per account: its highest-ranked contact (the account answered if anyone there did)."""
    key = pl.coalesce(pl.col("account_id"), pl.col("email").str.to_lowercase())
    return (
        contacts.with_columns(key.alias("_account"))
        .sort("_account", pl.col("outcome_rank").fill_null(-1), "contact_id", descending=[False, True, False])
        .unique("_account", keep="first", maintain_order=True)
        .drop("_account")
    )


def reason_expr(contacts: pl.DataFrame) -> pl.Expr:
    """Why a contact answered as they did: `unsubscribe` for an unsubscribe, a reply's reason, else null.

    A reply's reason is the model's where `contacts` has a `model_reason` (`campaign report --llm`: kept
    only when grounded, `campaigns.results.reading`), else the rules'.
    """
    rank = pl.col("outcome_rank")
    text = pl.col("reply_text") if "reply_text" in contacts.columns else pl.lit(None, pl.String)
    rules = reply_reason(text, rank >= RANK["positive"]).fill_null(OTHER)
    said = pl.coalesce(pl.col("model_reason").cast(pl.String), rules) if "model_reason" in contacts.columns else rules
    return (
        pl.when(rank == RANK["unsubscribed"])
        .then(pl.lit("unsubscribe"))
        .when(rank >= RANK["replied"])
        .then(said)
        .otherwise(pl.lit(None, pl.String))
    )


def reason_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Every reason (REASONS, then `other`) with how many contacts gave it."""
    counts = dict(frame.get_column("reason").drop_nulls().value_counts().iter_rows()) if frame.height else {}
    return {r: int(counts.get(r, 0)) for r in (*REASONS, OTHER)}


def _sums(frame: pl.DataFrame) -> dict[str, int]:
    keys = ("planned", "sent", "delivered", "bounced", "replied", "positive", "meeting", "auto_reply", "unsubscribed")
    if frame.is_empty():
        return dict.fromkeys(keys, 0)
    row = frame.select(pl.col(k).sum() for k in keys).row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}


def totals(counted: pl.DataFrame) -> dict[str, int]:
    """report.json's `totals`."""
    s = _sums(counted)
    return {
        "planned": s["planned"],
        "sent": s["sent"],
        "delivered": s["delivered"],
        "bounced": s["bounced"],
        "replies": s["replied"],
        "positive": s["positive"],
        "meetings": s["meeting"],
        "auto_replies": s["auto_reply"],
        "unsubscribed": s["unsubscribed"],
    }


def arm_row(
    name: str,
    arm: pl.DataFrame,
    rest: pl.DataFrame,
    prior: stats.Prior,
    subject: str | None = None,
    reading: Reading | None = None,
) -> dict[str, Any]:
    """One arm against the rest: counts, rates, intervals, the reading, its verdict in words, the next round.

    Args:
        name: the arm's name (a segment, criterion, persona or variant).
        arm, rest: the arm's counted contacts and the rest's (`contact_counts`).
        prior: the prior; the reading is centred on its reply rate.
        subject: who the arm is, for the sentence ("Segment A", "Accounts meeting 'size'"); default the name.
        reading: the arm's reading where it is not its contrast alone (a criterion: `read_criteria`).
    """
    a, r = _sums(arm), _sums(rest)
    n, k, replies = a["delivered"], a["positive"], a["replied"]
    low, high = stats.wilson(k, n)
    reply_low, reply_high = stats.wilson(replies, n)
    if reading is None:
        reading = read_contrast(replies, n, r["replied"], r["delivered"], prior.reply_rate)
    post = stats.posterior(replies, n, prior.reply_rate, prior.weight)
    post_rest = stats.posterior(r["replied"], r["delivered"], prior.reply_rate, prior.weight)
    mean, mean_rest = post[0] / sum(post), post_rest[0] / sum(post_rest)
    need = stats.next_round_n(mean, mean_rest) if reading.comparable else None
    row = {
        "name": name,
        "planned": a["planned"],
        "sent": a["sent"],
        "delivered": n,
        "bounced": a["bounced"],
        "bounce_rate": _ratio(a["bounced"], a["sent"]),
        "replies": replies,
        "positive": k,
        "meetings": a["meeting"],
        "auto_replies": a["auto_reply"],
        "unsubscribed": a["unsubscribed"],
        "rate": _ratio(k, n),
        "reply_rate": _ratio(replies, n),
        "ci_low": _round(low),
        "ci_high": _round(high),
        "reply_ci_low": _round(reply_low),
        "reply_ci_high": _round(reply_high),
        "posterior": {"alpha": _round(post[0]), "beta": _round(post[1]), "mean": _round(mean)},
        "rest": {
            "delivered": r["delivered"],
            "replies": r["replied"],
            "positive": r["positive"],
            "reply_rate": _ratio(r["replied"], r["delivered"]),
            "rate": _ratio(r["positive"], r["delivered"]),
            "posterior_mean": _round(mean_rest),
        },
        "lift": None if reading.lift is None else round(reading.lift, 4),
        "lift_sd": None if reading.lift_sd is None else round(reading.lift_sd, 4),
        "p_better": None if reading.p_better is None else round(reading.p_better, 4),
        "verdict": reading.verdict,
        "next_round_n": need if need is not None and need <= TESTABLE else None,
        "testable": need is not None and need <= TESTABLE,
        "reasons": reason_counts(arm),
    }
    row["sentence"] = sentence(row, reading, subject or str(name))
    return row


def sentence(row: dict[str, Any], reading: Reading, subject: str | None = None) -> str:
    """The verdict as a sentence a growth lead can act on, with the counts it rests on."""
    who = subject or str(row["name"])
    if not row["delivered"]:
        return f"{who}: nothing delivered yet, so nothing to read."
    rest = row["rest"]
    counts = f"{row['replies']} of {row['delivered']} answered, against {rest['replies']} of {rest['delivered']} for the rest"
    if not reading.comparable:
        small = min(row["delivered"], rest["delivered"])
        side = "this side" if row["delivered"] < MIN_SIDE else "the rest"
        return f"{who}: {counts}; no comparison, {side} has only {small} delivered contacts."
    sure = sure_words(reading)
    verdict = row["verdict"]
    if verdict in ("likely_better", "likely_worse"):
        how = times_words(reading, verdict == "likely_better")
        than = "as" if verdict == "likely_better" else "than"
        text = f"{who} answered {how} {than} the rest ({counts}; {sure} the difference is real)"
        if row["next_round_n"] is not None:
            text += f"; about {row['next_round_n']:,} contacts per side, split evenly, would confirm it"
        return text + "."
    text = f"{who}: {counts}; not enough evidence yet to tell them apart"
    if row["next_round_n"] is not None:
        text += f"; about {row['next_round_n']:,} contacts per side would settle it"
    elif not row["testable"] and row["replies"] + rest["replies"]:
        text += "; a difference this small is not testable at this scale"
    return text + "."


def arms_by(
    counted: pl.DataFrame, column: str, prior: stats.Prior, order: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One row per value of `column` (in `order` where given, then the rest sorted), each against the others."""
    values = [v for v in counted[column].unique().to_list() if v is not None]
    names = [v for v in (order or []) if v in values] + sorted(v for v in values if v not in (order or []))
    words = {"segment": "Segment {}", "persona": "{} contacts", "variant": "Variant {}"}
    return [
        arm_row(
            v,
            counted.filter(pl.col(column) == v),
            counted.filter(pl.col(column) != v),
            prior,
            words.get(column, "{}").format(v),
        )
        for v in names
    ]


def arms_by_criterion(counted: pl.DataFrame, labels: Sequence[str], prior: stats.Prior) -> list[dict[str, Any]]:
    """One row per ICP criterion: the contacts whose account met it against those whose account did not.

    The criteria are read together (`targeting.icp.reading.read_criteria`: each lift with the other
    criteria held equal), the reading `icp refine` acts on. Contacts planned before criteria were
    recorded (null `criteria`) are left out of every contrast.
    """
    known = counted.filter(pl.col("criteria").is_not_null()).with_columns(
        pl.col("criteria").str.json_decode(pl.List(pl.String)).alias("_met")
    )
    delivered = known.filter(pl.col("delivered") == 1).select("replied", pl.col("_met").alias("criteria"))
    readings = read_criteria(delivered, list(labels), prior.reply_rate, "replied")
    rows = []
    for label in labels:
        met = pl.col("_met").list.contains(pl.lit(label))
        subject = f"Accounts meeting '{label}'"
        rows.append(arm_row(label, known.filter(met), known.filter(~met), prior, subject, readings[label]))
    return rows


def data_problems(segments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Segments whose bounce rate says their addresses are stale or guessed."""
    return [
        {
            "segment": s["name"],
            "sent": s["sent"],
            "bounced": s["bounced"],
            "bounce_rate": s["bounce_rate"],
            "problem": f"{s['bounced']} of {s['sent']} emails bounced ({s['bounce_rate']:.1%}): check the addresses "
            "(stale or guessed); bounces are on the suppression ledger",
        }
        for s in segments
        if s["bounce_rate"] is not None and s["bounce_rate"] > BOUNCE_PROBLEM
    ]


def sample_drafts(contacts: pl.DataFrame, per_segment: int = SAMPLE_DRAFTS) -> list[dict[str, Any]]:
    """A few step-1 drafts per segment, as planned (for the page)."""
    out = []
    for seg in contacts["segment"].unique(maintain_order=True).to_list():
        for row in contacts.filter(pl.col("segment") == seg).head(per_segment).iter_rows(named=True):
            steps = json.loads(row["drafts"] or "[]")
            first = next((d for d in steps if d.get("step") == 1), steps[0] if steps else None)
            if first:
                out.append(
                    {
                        "segment": seg,
                        "persona": row["persona"],
                        "variant": row["variant"],
                        "company": row.get("company"),
                        "subject": first.get("subject", ""),
                        "body": first.get("body", ""),
                    }
                )
    return out


def build_report(
    campaign: dict[str, Any],
    contacts: pl.DataFrame,
    prior: stats.Prior,
    criteria: Sequence[str],
) -> dict[str, Any]:
    """report.json for one campaign.

    Args:
        campaign: `campaign_id`, `name`, `icp`, `version` and `design` (as recorded at planning).
        contacts: the campaign's planned contacts with their highest outcome rank (Store.contact_outcomes).
        prior: the prior the posteriors start from.
        criteria: the labels of the ICP version's criteria, in file order.

    Returns:
        report.json (docs/campaigns.md): campaign_id, icp, version, simulated, prior, totals, segments,
        criteria, personas, variants, plus results (bool), notes, data_problems, design, samples.
    """
    counted = contact_counts(contacts)
    design = campaign.get("design") or {}
    order = [s["segment"] for s in design.get("segments", [])]
    # Two people at one account are not two independent trials: where the plan took several per
    # account, segments and criteria (account-level contrasts) count each account once, at its
    # highest outcome; personas and variants stay per contact.
    per_account = int(design.get("per_account") or 1) > 1
    by_account = contact_counts(account_rows(contacts)) if per_account else counted
    segments = arms_by(by_account, "segment", prior, order)
    results = bool(contacts["outcome_rank"].is_not_null().any()) if contacts.height else False
    notes = []
    if not results:
        notes.append(
            "no results ingested yet: this is a report of the plan (`outbound campaign ingest` takes results back)"
        )
    notes.append(
        "a 100-contact round can only catch large misses: telling a 3% reply rate from 6% takes ~750 contacts "
        "per side (docs/campaigns.md, 'Reading a test honestly'); read every verdict with its counts"
    )
    return {
        "campaign_id": campaign["campaign_id"],
        "name": campaign["name"],
        "icp": campaign["icp"],
        "version": campaign["version"],
        "simulated": bool(contacts["simulated"].any()) if contacts.height else False,
        "results": results,
        "prior": prior.as_json(),
        "totals": totals(counted),
        "segments": segments,
        "criteria": arms_by_criterion(by_account, criteria, prior),
        "unit": "account" if per_account else "contact",
        "personas": arms_by(counted, "persona", prior),
        "reasons": reason_counts(counted),
        "variants": arms_by(counted, "variant", prior),
        "data_problems": data_problems(segments),
        "notes": notes,
        "design": {
            k: design[k]
            for k in ("planned", "segments", "warnings", "allocation", "seed", "explore", "target_list")
            if k in design
        },
        "samples": sample_drafts(contacts),
    }


def _ratio(k: int, n: int) -> float | None:
    return None if n <= 0 else round(k / n, 6)


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)
