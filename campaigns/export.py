"""A planned campaign, as the store keeps it -> a sending tool's import file, and the campaign list.

The layouts are messaging's (`messaging.exports`); each row also carries `campaign_id`, `segment`
and `variant` as custom variables, so whatever export the tool writes back maps onto the plan.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from campaigns.ledger import is_blocked_expr, suppression_ledger
from campaigns.results.outcomes import OUTCOMES, RANK
from messaging import export_campaign, load_sender

TAGS = ("campaign_id", "segment", "variant")
_PEOPLE = (
    "contact_id",
    "email",
    "first_name",
    "last_name",
    "account_id",
    "company",
    "persona",
    "email_flag",
    "country",
)


def long_drafts(planned: pl.DataFrame) -> pl.DataFrame:
    """One row per planned contact and draft (step, variant), from the store's JSON drafts."""
    rows = [
        {
            **{c: person.get(c) for c in _PEOPLE},
            "step": int(d["step"]),
            "variant": d["variant"],
            "subject": d["subject"],
            "body": d["body"],
        }
        for person in planned.iter_rows(named=True)
        for d in json.loads(person["drafts"])
    ]
    schema = {c: pl.String for c in _PEOPLE} | {
        "step": pl.Int64,
        "variant": pl.String,
        "subject": pl.String,
        "body": pl.String,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def export_planned(
    planned: pl.DataFrame,
    campaign_id: str,
    fmt: str,
    *,
    ledger: pl.DataFrame | None = None,
    suppression: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The planned contacts in `fmt`'s layout, in planned order, with the plan's tags as custom variables.

    A contact on the ledger or a suppression list now (bounced, unsubscribed or forgotten since the
    plan; any spelling, a domain with its subdomains) is left out: an export honours them at the
    moment it is written.

    Raises:
        InputError: `fmt` is not one of messaging's export formats.
    """
    blocked = pl.concat(
        [frame.select("kind", "key") for frame in (ledger, suppression_ledger(suppression)) if frame is not None]
    )
    if blocked.height:
        planned = planned.filter(~is_blocked_expr(blocked))
    drafts = long_drafts(planned)
    laid_out = export_campaign(drafts, fmt)
    # export_campaign keeps one row per contact in first-seen order, so the ids line up row by row.
    ids = drafts.select("contact_id").unique(maintain_order=True)
    keyed = laid_out if "contact_id" in laid_out.columns else pl.concat([laid_out, ids], how="horizontal")
    tags = planned.with_row_index("_rank").select(
        "_rank", "contact_id", pl.lit(campaign_id).alias("campaign_id"), "segment", pl.col("variant").alias("_variant")
    )
    tagged = keyed.join(tags, on="contact_id", how="left").sort("_rank")
    extra = [t for t in TAGS if t not in laid_out.columns]
    if "variant" in extra:
        tagged = tagged.with_columns(pl.col("_variant").alias("variant"))
    return tagged.select(*laid_out.columns, *extra)


def planned_sender(design: dict[str, Any], planned: pl.DataFrame) -> dict[str, Any]:
    """Whose name is on a campaign's drafts: as `campaign plan` recorded it in the design.

    A campaign planned before the sender was recorded is judged by its drafts: the shipped sample
    sender's postal address in any body marks it as the sample's.
    """
    if isinstance(design.get("sender"), dict):
        return design["sender"]
    sample = load_sender()
    signed = (
        planned["drafts"].cast(pl.String).str.contains(sample.postal_address, literal=True).any()
        if planned.height
        else False
    )
    if signed:
        return sample.summary()
    return {"name": None, "company": None, "sample": False}


def campaign_rows(summaries: pl.DataFrame) -> list[dict[str, Any]]:
    """`campaign list`'s rows: id, name, ICP and version, created, planned, delivered, outcomes.

    Args:
        summaries: the store's campaign summaries (one row per campaign, `ranks` the highest
            outcome rank per planned contact, -1 where none is recorded yet).
    """
    rows = []
    for row in summaries.iter_rows(named=True):
        ranks = [r for r in (row["ranks"] or []) if r is not None]
        counts = {o: 0 for o in reversed(OUTCOMES)}
        for rank in ranks:
            counts[OUTCOMES[max(rank, RANK["not_sent"])]] += 1
        delivered = sum(1 for r in ranks if r >= RANK["no_reply"] and r != RANK["bounced"])
        rows.append(
            {
                "campaign_id": row["campaign_id"],
                "name": row["name"],
                "icp": row["icp_name"],
                "version": row["icp_version"],
                "created": row["created_at"].isoformat(timespec="seconds"),
                "planned": row["planned"],
                "delivered": delivered,
                "outcomes": counts,
            }
        )
    return rows
