"""Backtest an ICP on deals already closed: would its tiers and score have told won from lost?

Each closed deal's account is scored exactly as `target` scores it. Its segment is its tier, or
`out of ICP` where a filter, disqualifier or the minimum score drops it; the ranking behind the ROC
AUC puts every account the ICP keeps above every account it drops, then orders by score. Rules on
`is_customer` are set aside first: a won deal makes its account a customer, so they would read the
outcome itself.

With a split date the deals closed before it and from it on are compared; the field's review
trigger is the primary segment's (the top tier's) win rate falling by more than
`REVIEW_DROP` (10 points).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl

from targeting.errors import InputError
from targeting.icp.prevalence import wilson
from targeting.icp.separation import bootstrap_auc, roc_auc
from targeting.icp.spec import IcpSpec
from targeting.selection.scoring import score_accounts

OUT = "out of ICP"
UNTIERED = "untiered"
REVIEW_DROP = 0.10
FEW_FOR_TRIGGER = 30
TOO_FEW = 10
RECENT = 15
LEAKY_FIELDS = ("is_customer",)


def without_leaks(spec: IcpSpec) -> tuple[IcpSpec, list[str]]:
    """The spec without rules on fields the outcome itself sets, and a line for each set aside."""
    removed = [
        f"{kind} {c.label}"
        for kind, items in (
            ("filter", spec.filters),
            ("disqualifier", spec.disqualifiers),
            ("criterion", spec.scoring.criteria),
        )
        for c in items
        if c.field in LEAKY_FIELDS
    ]
    if not removed:
        return spec, []
    keep = [c for c in spec.filters if c.field not in LEAKY_FIELDS]
    dq = [c for c in spec.disqualifiers if c.field not in LEAKY_FIELDS]
    criteria = [c for c in spec.scoring.criteria if c.field not in LEAKY_FIELDS]
    clean = spec.model_copy(
        update={"filters": keep, "disqualifiers": dq, "scoring": spec.scoring.model_copy(update={"criteria": criteria})}
    )
    notes = [f"set aside {r}: a won deal makes its account a customer, so it would read the outcome" for r in removed]
    return clean, notes


def scored_deals(universe: pl.LazyFrame, spec: IcpSpec, deals: pl.DataFrame, as_of: date | None = None) -> pl.DataFrame:
    """Each deal with its account's `score`, `segment` (tier or out of ICP), `dropped_at` and `rank`."""
    accounts = deals.select("account_id").unique().lazy()
    scored = (
        score_accounts(universe.join(accounts, on="account_id", how="semi"), spec, as_of, with_reasons=False)
        .select("account_id", "score", "tier", pl.col("dropped_at").cast(pl.String))
        .collect()
    )
    kept = pl.col("dropped_at").is_null()
    return deals.join(scored, on="account_id", how="left").with_columns(
        segment=pl.when(~kept).then(pl.lit(OUT)).otherwise(pl.col("tier").fill_null(UNTIERED)),
        rank=pl.col("score").cast(pl.Float64) + pl.when(kept).then(1e6).otherwise(0.0),
        won=pl.col("outcome") == "won",
    )


def win_rates(frame: pl.DataFrame, key: str, order: list[Any]) -> list[dict[str, Any]]:
    """Deals, won, lost, win rate and its 95% Wilson interval per value of `key`, in `order`."""
    grouped = {
        row[key]: row for row in frame.group_by(key).agg(deals=pl.len(), won=pl.col("won").sum()).iter_rows(named=True)
    }
    rows = []
    for value in order:
        row = grouped.get(value)
        if row is None:
            continue
        n, k = int(row["deals"]), int(row["won"])
        low, high = wilson([k], [n])
        rows.append(
            {
                key: value,
                "deals": n,
                "won": k,
                "lost": n - k,
                "win_rate": round(k / n, 4),
                "ci_low": round(float(low[0]), 4),
                "ci_high": round(float(high[0]), 4),
            }
        )
    return rows


def separation(frame: pl.DataFrame, seed: int = 0) -> dict[str, Any]:
    """ROC AUC of `rank` for won over lost, with its bootstrap 95% interval."""
    won = frame.filter("won")["rank"].to_numpy()
    lost = frame.filter(~pl.col("won"))["rank"].to_numpy()
    auc = roc_auc(won, lost)
    low, high = bootstrap_auc(won, lost, seed=seed)
    return {
        "won": len(won),
        "lost": len(lost),
        "auc": _rounded(auc),
        "auc_low": _rounded(low),
        "auc_high": _rounded(high),
    }


def _rounded(x: float) -> float | None:
    return None if np.isnan(x) else round(x, 4)


def backtest_on_deals(
    universe: pl.LazyFrame,
    spec: IcpSpec,
    deals: pl.DataFrame,
    *,
    split: date | None = None,
    as_of: date | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """How well an ICP's tiers and score separate closed-won from closed-lost deals.

    Args:
        universe: the canonical accounts.
        spec: the ICP to test.
        deals: closed deals of universe accounts (`read_deals(...).deals`: deal_id, account_id,
            outcome won/lost, closed_at, amount).
        split: compare the deals closed before this day with those closed from it on.
        as_of: the day `within_days` counts back from.
        seed: the bootstrap's seed.

    Returns:
        The backtest summary: `by_tier`, `by_score`, `top_tier_lift`, `auc` (with interval),
        `recent` (the last closed deals one by one), `periods` and `review` with a split, `warnings`.

    Raises:
        InputError: no won or no lost deal, or a split date outside the deals' closing dates.
    """
    n_won = int((deals["outcome"] == "won").sum())
    n_lost = deals.height - n_won
    if n_won == 0 or n_lost == 0:
        missing = "won" if n_won == 0 else "lost"
        raise InputError(
            f"no {missing} deal among the {deals.height} closed deals: a backtest compares won with lost",
            field="outcome",
        )
    clean, warnings = without_leaks(spec)
    if spec.evidence:
        warnings.append(
            "this ICP was derived from outcome data: where that included these deals (or their accounts "
            "as customers) the figures are in-sample and flatter it; derive from the deals before a date "
            "and judge it on the later ones with --split"
        )
    frame = scored_deals(universe, clean, deals, as_of)
    tiers = list(clean.scoring.tiers)
    order = [*tiers, UNTIERED, OUT]
    by_tier = win_rates(frame, "segment", order)
    by_score = win_rates(
        frame.filter(pl.col("segment") != OUT), "score", sorted(set(frame["score"].drop_nulls()), reverse=True)
    )
    top = tiers[0] if tiers else None
    summary: dict[str, Any] = {
        "icp": spec.name,
        "version": spec.version,
        "deals": deals.height,
        "won": n_won,
        "lost": n_lost,
        "win_rate": round(n_won / deals.height, 4),
        "by_tier": by_tier,
        "by_score": by_score,
        "top_tier_lift": _top_lift(frame, top),
        "separation": separation(frame, seed),
        "recent": _recent(frame),
        "warnings": warnings,
    }
    sep = summary["separation"]
    if min(n_won, n_lost) < TOO_FEW:
        warnings.append(
            f"too few deals to say anything: {n_won} won and {n_lost} lost (under {TOO_FEW} of either); "
            "the interval below shows how little they pin down"
        )
    elif sep["auc_low"] is not None and sep["auc_low"] <= 0.5:
        warnings.append(
            f"the ICP does not separate won from lost beyond chance on these deals "
            f"(AUC {sep['auc']:.2f}, 95% interval {sep['auc_low']:.2f}-{sep['auc_high']:.2f} includes 0.5)"
        )
    if split is not None:
        summary.update(_periods(frame, split, top, order, seed))
        if summary["review"]["flag"]:
            warnings.append(summary["review"]["reason"])
    return summary


def _top_lift(frame: pl.DataFrame, top: str | None) -> dict[str, Any] | None:
    if top is None:
        return None
    inside = frame.filter(pl.col("segment") == top)
    rest = frame.filter(pl.col("segment") != top)
    if inside.is_empty() or rest.is_empty():
        return {"tier": top, "deals": inside.height, "win_rate": None, "rest_win_rate": None, "lift": None}
    a, b = inside["won"].mean(), rest["won"].mean()
    return {
        "tier": top,
        "deals": inside.height,
        "win_rate": round(a, 4),
        "rest_deals": rest.height,
        "rest_win_rate": round(b, 4),
        "lift": round(a / b, 2) if b else None,
    }


def _recent(frame: pl.DataFrame) -> list[dict[str, Any]]:
    recent = frame.sort(["closed_at", "_row"], descending=True, nulls_last=True).head(RECENT)
    return [
        {
            "deal_id": r["deal_id"],
            "account_id": r["account_id"],
            "closed_at": r["closed_at"].isoformat() if r["closed_at"] else None,
            "outcome": r["outcome"],
            "segment": r["segment"],
            "score": r["score"],
            "dropped_at": r["dropped_at"],
            "predicted": "win" if r["segment"] != OUT else "loss",
            "agrees": (r["segment"] != OUT) == r["won"],
        }
        for r in recent.iter_rows(named=True)
    ]


def _periods(frame: pl.DataFrame, split: date, top: str | None, order: list[str], seed: int) -> dict[str, Any]:
    dated = frame.filter(pl.col("closed_at").is_not_null())
    if dated.is_empty():
        raise InputError(
            "a split needs closing dates, and no closed deal has a closed_at", field="--split", value=split.isoformat()
        )
    first, last = dated["closed_at"].min(), dated["closed_at"].max()
    if not first < split <= last:
        raise InputError(
            f"split date outside the deals' closing dates ({first} to {last})", field="--split", value=split.isoformat()
        )
    periods = []
    for name, part in (
        ("before", dated.filter(pl.col("closed_at") < split)),
        ("after", dated.filter(pl.col("closed_at") >= split)),
    ):
        periods.append(
            {
                "period": name,
                "from": part["closed_at"].min().isoformat(),
                "to": part["closed_at"].max().isoformat(),
                "deals": part.height,
                "won": int(part["won"].sum()),
                "by_tier": win_rates(part, "segment", order),
                "separation": separation(part, seed),
            }
        )
    primary = top or "in ICP"
    rates = []
    for period in periods:
        part = (
            dated.filter(pl.col("closed_at") < split)
            if period["period"] == "before"
            else dated.filter(pl.col("closed_at") >= split)
        )
        seg = part.filter(pl.col("segment") == top) if top else part.filter(pl.col("segment") != OUT)
        rates.append((seg.height, seg["won"].mean() if seg.height else None))
    (n0, r0), (n1, r1) = rates
    drop = None if r0 is None or r1 is None else r0 - r1
    flag = drop is not None and drop > REVIEW_DROP
    reason = (
        f"review the ICP: the {primary} win rate fell {drop * 100:.0f} points, from {r0:.0%} ({n0} deals) before "
        f"{split} to {r1:.0%} ({n1} deals) after"
        if flag
        else None
    )
    if flag and min(n0, n1) < FEW_FOR_TRIGGER:
        reason += f"; on so few deals the drop may be chance: confirm it on the next {FEW_FOR_TRIGGER} or so"
    review = {
        "segment": primary,
        "before": None if r0 is None else round(r0, 4),
        "after": None if r1 is None else round(r1, 4),
        "before_deals": n0,
        "after_deals": n1,
        "drop_points": None if drop is None else round(drop * 100, 1),
        "flag": flag,
        "reason": reason,
        "threshold_points": REVIEW_DROP * 100,
    }
    return {"split": split.isoformat(), "periods": periods, "review": review}
