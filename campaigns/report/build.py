"""report.json: a campaign's planned contacts and outcomes -> the rates, intervals, posteriors and verdicts.

Each contact counts once, at its highest outcome. Rates are per delivered email (sent minus
bounced; a contact with no outcome yet, or `not_sent`, is not sent). `rate` is positive replies
(a meeting is also positive) per delivered email, `reply_rate` replies per delivered email; an
auto-reply is none of them. Every arm (a segment, criterion, persona or variant) is read against
the rest of the campaign: a Beta posterior for each against the prior, the probability the arm's
rate beats the rest's, a verdict, and the contacts per arm the next round needs to confirm the
difference between the two posterior means (the observed difference, shrunk toward the prior).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl

from campaigns.report import stats
from campaigns.results.outcomes import RANK

BOUNCE_PROBLEM = 0.05
"""A segment bouncing more than this share of its sent emails has a data problem (stale or guessed addresses)."""
SAMPLE_DRAFTS = 2
"""Step-1 drafts shown per segment."""
VERDICT_WORDS = {
    "likely_better": "likely better than the rest",
    "likely_worse": "likely worse than the rest",
    "not_enough_evidence": "not enough evidence yet",
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
    )


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


def arm_row(name: str, arm: pl.DataFrame, rest: pl.DataFrame, prior: stats.Prior) -> dict[str, Any]:
    """One arm against the rest: counts, rates, Wilson interval, posterior, P(better), verdict, next round."""
    a, r = _sums(arm), _sums(rest)
    n, k = a["delivered"], a["positive"]
    low, high = stats.wilson(k, n)
    reply_low, reply_high = stats.wilson(a["replied"], n)
    post = stats.posterior(k, n, prior.rate, prior.weight)
    post_rest = stats.posterior(r["positive"], r["delivered"], prior.rate, prior.weight)
    p = stats.p_better(post, post_rest)
    code = stats.verdict(p, k + r["positive"], (low, high), _ratio(r["positive"], r["delivered"]))
    mean, mean_rest = post[0] / sum(post), post_rest[0] / sum(post_rest)
    need = stats.next_round_n(mean, mean_rest) if n and r["delivered"] else None
    row = {
        "name": name,
        "planned": a["planned"],
        "sent": a["sent"],
        "delivered": n,
        "bounced": a["bounced"],
        "bounce_rate": _ratio(a["bounced"], a["sent"]),
        "replies": a["replied"],
        "positive": k,
        "meetings": a["meeting"],
        "auto_replies": a["auto_reply"],
        "rate": _ratio(k, n),
        "reply_rate": _ratio(a["replied"], n),
        "ci_low": _round(low),
        "ci_high": _round(high),
        "reply_ci_low": _round(reply_low),
        "reply_ci_high": _round(reply_high),
        "posterior": {"alpha": _round(post[0]), "beta": _round(post[1]), "mean": _round(mean)},
        "rest": {
            "delivered": r["delivered"],
            "positive": r["positive"],
            "rate": _ratio(r["positive"], r["delivered"]),
            "posterior_mean": _round(mean_rest),
        },
        "p_better": round(p, 4),
        "verdict": code,
        "next_round_n": need,
    }
    row["sentence"] = sentence(row)
    return row


def sentence(row: dict[str, Any]) -> str:
    """The verdict in words, with the figures it rests on."""
    if not row["delivered"]:
        return f"{row['name']}: nothing delivered yet, so nothing to read."
    interval = f"95% CI {row['ci_low']:.1%}-{row['ci_high']:.1%}"
    text = (
        f"{row['name']}: {row['positive']} positive of {row['delivered']} delivered ({row['rate']:.1%}, {interval}) "
        f"vs {row['rest']['positive']} of {row['rest']['delivered']} for the rest; "
        f"P(better) = {row['p_better']:.2f}: {VERDICT_WORDS[row['verdict']]}"
    )
    if row["next_round_n"] is not None:
        text += f"; confirming the difference takes about {row['next_round_n']:,} contacts per arm"
    return text + "."


def arms_by(
    counted: pl.DataFrame, column: str, prior: stats.Prior, order: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """One row per value of `column` (in `order` where given, then the rest sorted), each against the others."""
    values = [v for v in counted[column].unique().to_list() if v is not None]
    names = [v for v in (order or []) if v in values] + sorted(v for v in values if v not in (order or []))
    return [arm_row(v, counted.filter(pl.col(column) == v), counted.filter(pl.col(column) != v), prior) for v in names]


def arms_by_criterion(counted: pl.DataFrame, labels: Sequence[str], prior: stats.Prior) -> list[dict[str, Any]]:
    """One row per ICP criterion: the contacts whose account met it against those whose account did not.

    Contacts planned before criteria were recorded (null `criteria`) are left out of every contrast.
    """
    known = counted.filter(pl.col("criteria").is_not_null()).with_columns(
        pl.col("criteria").str.json_decode(pl.List(pl.String)).alias("_met")
    )
    rows = []
    for label in labels:
        met = pl.col("_met").list.contains(pl.lit(label))
        rows.append(arm_row(label, known.filter(met), known.filter(~met), prior))
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
        PRODUCT.md's report.json: campaign_id, icp, version, simulated, prior, totals, segments,
        criteria, personas, variants, plus results (bool), notes, data_problems, design, samples.
    """
    counted = contact_counts(contacts)
    design = campaign.get("design") or {}
    order = [s["segment"] for s in design.get("segments", [])]
    segments = arms_by(counted, "segment", prior, order)
    results = bool(contacts["outcome_rank"].is_not_null().any()) if contacts.height else False
    notes = []
    if not results:
        notes.append(
            "no results ingested yet: this is a report of the plan (`outbound campaign ingest` takes results back)"
        )
    notes.append(
        "a 100-contact round can only catch large misses: telling 3% from 6% takes ~750 contacts per arm "
        "(METHODS.md); read every verdict with its interval"
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
        "criteria": arms_by_criterion(counted, criteria, prior),
        "personas": arms_by(counted, "persona", prior),
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
