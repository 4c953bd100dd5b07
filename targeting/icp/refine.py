"""Refine an ICP from test-campaign outcomes: a regularized model over the criteria, changes only where evidence holds.

The outcomes come in as a frame (one row per delivered contact: `positive` 0/1 and `criteria`,
the labels of the criteria its account met), never from the store: `targeting` imports no campaign
code. One Bayesian logistic model over every criterion at once (a Normal prior on each criterion's
log-odds lift, so correlated criteria share the credit instead of each taking it whole; the
intercept centred on the prior rate; a criterion unknown for some contacts, `unknown`, is read on
the others only). Its maximum a posteriori fit (scipy) with the
Laplace approximation gives each lift a Normal posterior and P(lift > 0).

The prior mean of each lift is what the criterion's points claimed before any of the pooled
outcomes was seen (POINT_LOGIT log-odds a point): the points of the oldest version the pooled
campaigns tested (`claims`), or the spec's own when every campaign tested it. A version's points
carry the evidence of the rounds it was refined from, so pooling those rounds again is read
against the points before them, never counted twice; a round with little contrast leaves the
points where they are. A criterion moves when the posterior probability that its lift lies
beyond what its points claim now is at least `change_at` (CHANGE_AT, Bonferroni-corrected over the criteria when
that is stricter) on at least MIN_POSITIVE positive replies on the side the move favours; it then
moves to its posterior mean lift in points, however far (the top of a list depends on the order the
points give, so a 5x criterion must end far above the ones with no effect). Everything else is
"not enough evidence yet" and stays as it was.

Strong negative evidence can carry a criterion below zero; one it would carry to DISQUALIFY_AT
points or fewer (DISQUALIFY_LIFT in log-odds) becomes a disqualifier instead (its reason the evidence). Given the accounts'
attributes, an attribute value that stands out in the explore share (the near misses, the one place
a round sees beyond the hypothesis) is proposed as a new criterion: written into the new version
with its evidence, at most MAX_PROPOSALS a round, only when its posterior probability of a higher
rate clears CHANGE_AT after a Bonferroni correction over every value tried, on at least
MIN_POSITIVE positive replies.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import optimize, special, stats

from targeting.icp.spec import IcpSpec, dump_icp, parse_icp

LIFT_SD = 0.75
"""Prior sd of a criterion's log-odds lift: most criteria move the odds by less than 2x either way."""
INTERCEPT_SD = 2.0
CHANGE_AT = 0.97
"""The least posterior probability of a lift beyond what the points claim that moves them (METHODS.md: 0.9-0.95)."""
FAMILY_ERROR = 0.2
"""Many criteria, few replies: the threshold is also Bonferroni-corrected over the spec's criteria, so the
chance that any criterion of a null world crosses it stays near this (`change_at`)."""
MIN_POSITIVE = 3
POINT_LOGIT = 0.1
"""Log-odds lift per point of score, the scale a move is read on: a 5x lift shrunk to 2.7x is about +10 points."""
DISQUALIFY_LIFT = -0.7
"""A criterion whose shrunk lift is this log-odds or lower (about half the odds) becomes a disqualifier."""
DISQUALIFY_AT = round(DISQUALIFY_LIFT / POINT_LOGIT)
"""The same in points: a criterion that negative evidence would carry to this many points or fewer."""
MAX_PROPOSALS = 1
PROPOSE_FIELDS = (
    "industry",
    "region",
    "funding_stage",
    "tags",
    "tech_stack",
    "hiring_roles",
    "growth_signals",
    "pain_points",
    "prior_solutions",
)
"""The attributes whose values may be proposed as new criteria (one value each: `in` or `contains_any`)."""
PROPOSAL_PRIOR_WEIGHT = 40
"""The Beta prior's weight in contacts when an explore attribute is weighed (METHODS.md: 30-60)."""


@dataclass(frozen=True)
class CriterionEvidence:
    """What one criterion's contrast rests on, and what the model says of it."""

    index: int
    label: str
    points: int
    positive_with: int
    delivered_with: int
    positive_without: int
    delivered_without: int
    lift: float
    lift_sd: float
    p_better: float
    step: int

    @property
    def new_points(self) -> int:
        return self.points + self.step

    @property
    def disqualifies(self) -> bool:
        """Negative evidence carries it to DISQUALIFY_AT points or fewer: it becomes a disqualifier."""
        return self.step < 0 and self.new_points <= DISQUALIFY_AT

    def comment(self) -> str:
        """`+1: 7/120 positive vs 2/130 without, P(better)=0.96` (or why nothing changed)."""
        counts = (
            f"{self.positive_with}/{self.delivered_with} positive vs {self.positive_without}/{self.delivered_without} "
            f"without, P(better)={self.p_better:.2f}"
        )
        if self.disqualifies:
            return f"now a disqualifier (evidence would take it to {self.new_points:+d} points): {counts}"
        if self.step:
            return f"{self.step:+d}: {counts}"
        return f"unchanged, not enough evidence yet: {counts}"

    def as_dict(self, campaigns: list[str]) -> dict[str, Any]:
        """The structured form kept in the spec's `evidence` list."""
        return {
            "criterion": self.label,
            "rule": f"scoring.criteria[{self.index}]",
            "change": "disqualifier" if self.disqualifies else "points",
            "old_points": self.points,
            "new_points": self.new_points,
            "positive_with": self.positive_with,
            "delivered_with": self.delivered_with,
            "positive_without": self.positive_without,
            "delivered_without": self.delivered_without,
            "lift_log_odds": round(self.lift, 4),
            "lift_sd": round(self.lift_sd, 4),
            "p_better": round(self.p_better, 4),
            "campaigns": campaigns,
            "text": self.comment(),
        }


@dataclass(frozen=True)
class Proposal:
    """An attribute value that stood out in the explore share, proposed as a new criterion."""

    field: str
    value: str
    list_field: bool
    positive_with: int
    delivered_with: int
    positive_without: int
    delivered_without: int
    p_better: float
    tried: int
    points: int

    @property
    def label(self) -> str:
        return f"{self.field} {self.value} (proposed)"

    def criterion(self) -> dict[str, Any]:
        """The criterion as the ICP file writes it."""
        op = "contains_any" if self.list_field else "in"
        return {"name": self.label, "field": self.field, op: [self.value], "points": self.points}

    def comment(self) -> str:
        return (
            f"proposed {self.points:+d}: in the explore share {self.positive_with}/{self.delivered_with} positive vs "
            f"{self.positive_without}/{self.delivered_without} without, P(better)={self.p_better:.3f} "
            f"(best of {self.tried} values tried)"
        )

    def as_dict(self, campaigns: list[str]) -> dict[str, Any]:
        return {
            "criterion": self.label,
            "rule": "scoring.criteria (new)",
            "change": "proposed",
            "old_points": None,
            "new_points": self.points,
            "positive_with": self.positive_with,
            "delivered_with": self.delivered_with,
            "positive_without": self.positive_without,
            "delivered_without": self.delivered_without,
            "p_better": round(self.p_better, 4),
            "tried": self.tried,
            "campaigns": campaigns,
            "text": self.comment(),
        }


@dataclass
class Refinement:
    """The outcome of a refinement: every criterion's evidence, and the new spec when anything changed."""

    spec: IcpSpec
    evidence: list[CriterionEvidence]
    campaigns: list[str]
    delivered: int
    positive: int
    new_spec: IcpSpec | None = None
    warnings: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    @property
    def changes(self) -> list[CriterionEvidence]:
        return [e for e in self.evidence if e.step]

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.proposals)

    @property
    def unchanged(self) -> list[CriterionEvidence]:
        return [e for e in self.evidence if not e.step]


def change_at(n_criteria: int) -> float:
    """P(lift > 0) a criterion needs to move (or 1 minus it, to move down): CHANGE_AT, or stricter with many criteria.

    1 - FAMILY_ERROR / n_criteria when that is higher: 0.982 for the default ICP's 11 criteria.
    The loop study (bench/loop_study.py) found CHANGE_AT alone moved points in 10% of null-world
    refinements over 11 criteria.
    """
    return max(CHANGE_AT, 1 - FAMILY_ERROR / max(1, n_criteria))


def move(points: int, mean: float, sd: float, needed: float, k_with: int, k_without: int) -> int:
    """The change in points the evidence supports: to the shrunk lift on the point scale, or none.

    The target is the posterior mean log-odds lift in points (POINT_LOGIT a point), so a criterion
    moves in proportion to its evidence, however far that is from its points now. It moves only when
    the posterior probability that its lift lies on that side of what its points now claim
    (`points x POINT_LOGIT`) is at least `needed`, and on at least MIN_POSITIVE positive replies on the
    side the move favours (with it to go up, without it to go down).
    """
    target = round(mean / POINT_LOGIT)
    claimed = points * POINT_LOGIT
    if target > points and k_with >= MIN_POSITIVE and stats.norm.sf(claimed, mean, sd) >= needed:
        return target - points
    if target < points and k_without >= MIN_POSITIVE and stats.norm.cdf(claimed, mean, sd) >= needed:
        return target - points
    return 0


def criteria_posteriors(
    outcomes: pl.DataFrame, labels: list[str], prior_rate: float, claimed: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and sd of each criterion's log-odds lift under the joint model.

    Args:
        outcomes: one row per delivered contact: `positive` (0/1), `criteria` (list of labels met); an
            optional `unknown` (labels not evaluated for that contact) leaves those contacts out of that
            criterion's lift (their own intercept term instead).
        labels: the criteria, in spec order.
        prior_rate: the prior positive-reply rate the intercept is centred on.
        claimed: the prior mean of each lift (what the ICP's points claim, in log-odds); None: 0.
    """
    y = outcomes["positive"].cast(pl.Float64).to_numpy()
    unknown = outcomes["unknown"] if "unknown" in outcomes.columns else None
    columns, means = [np.ones(len(y))], [float(special.logit(prior_rate))]
    precisions = [1 / INTERCEPT_SD**2]
    for i, label in enumerate(labels):
        met = outcomes["criteria"].list.contains(pl.lit(label)).fill_null(False).to_numpy().astype(float)
        columns.append(met)
        means.append(0.0 if claimed is None else float(claimed[i]))
        precisions.append(1 / LIFT_SD**2)
    if unknown is not None:
        for label in labels:
            missing = unknown.list.contains(pl.lit(label)).fill_null(False).to_numpy().astype(float)
            if missing.any():  # missing-indicator: the unknown rows get their own level, not "without"
                columns[1 + labels.index(label)] *= 1 - missing
                columns.append(missing)
                means.append(0.0)
                precisions.append(1 / LIFT_SD**2)
    x = np.column_stack(columns)
    prior_mean, precision = np.array(means), np.array(precisions)

    def neg_log_posterior(beta: np.ndarray) -> float:
        eta = x @ beta
        loglik = y * special.log_expit(eta) + (1 - y) * special.log_expit(-eta)
        return -float(loglik.sum()) + 0.5 * float(((beta - prior_mean) ** 2 * precision).sum())

    def gradient(beta: np.ndarray) -> np.ndarray:
        return -(x.T @ (y - special.expit(x @ beta))) + (beta - prior_mean) * precision

    fit = optimize.minimize(neg_log_posterior, prior_mean.copy(), jac=gradient, method="L-BFGS-B")
    p = special.expit(x @ fit.x)
    # Laplace: the posterior's covariance is the inverse Hessian of the negative log posterior at the mode.
    hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(precision)
    cov = np.linalg.inv(hessian)
    n = 1 + len(labels)
    return fit.x[1:n], np.sqrt(np.diag(cov))[1:n]


def refine_icp(
    spec: IcpSpec,
    outcomes: pl.DataFrame,
    prior_rate: float,
    campaigns: list[str],
    attributes: pl.DataFrame | None = None,
    claims: dict[str, int] | None = None,
) -> Refinement:
    """Weigh every criterion of `spec` on pooled outcomes; a new version only where the evidence holds.

    Args:
        spec: the ICP the campaigns were planned from.
        outcomes: one row per delivered contact, each counted once: `positive` (0/1), `criteria` (labels met);
            with `segment` and `account_id`, the explore share can propose new criteria.
        prior_rate: the prior positive-reply rate.
        campaigns: the campaign ids pooled (recorded with each change).
        attributes: the canonical accounts (`account_id` and the PROPOSE_FIELDS); None: nothing is proposed.
        claims: label -> the points each criterion had before any of these outcomes was seen (the oldest
            version the pooled campaigns tested), the prior's centre, so evidence a later version's points
            already carry is not counted twice; a criterion absent is centred on 0 (no claim before the
            evidence). None: `spec`'s points (every campaign tested `spec`).

    Returns:
        The refinement; `new_spec` is None when nothing changed.
    """
    criteria = spec.scoring.criteria
    labels = [c.label for c in criteria]
    delivered, positive = outcomes.height, int(outcomes["positive"].sum() or 0)
    before = {c.label: c.points for c in criteria} if claims is None else claims
    centre = np.array([before.get(label, 0) * POINT_LOGIT for label in labels])
    means, sds = (
        criteria_posteriors(outcomes, labels, prior_rate, centre)
        if labels and delivered
        else (np.zeros(len(labels)), np.ones(len(labels)))
    )
    evidence = []
    needed = change_at(len(criteria))
    for i, (criterion, label) in enumerate(zip(criteria, labels)):
        known = (
            outcomes.filter(~pl.col("unknown").list.contains(pl.lit(label)).fill_null(False))
            if "unknown" in outcomes.columns
            else outcomes
        )
        has = known.filter(pl.col("criteria").list.contains(pl.lit(label)))
        k_with, n_with = int(has["positive"].sum() or 0), has.height
        k_without, n_without = int(known["positive"].sum() or 0) - k_with, known.height - n_with
        p = float(stats.norm.cdf(means[i] / sds[i])) if delivered else 0.5
        step = move(criterion.points, float(means[i]), float(sds[i]), needed, k_with, k_without) if delivered else 0
        evidence.append(
            CriterionEvidence(
                i,
                label,
                criterion.points,
                k_with,
                n_with,
                k_without,
                n_without,
                float(means[i]),
                float(sds[i]),
                p,
                step,
            )
        )
    result = Refinement(spec, evidence, campaigns, delivered, positive)
    if attributes is not None:
        result.proposals = propose_criteria(spec, outcomes, attributes, prior_rate)
    if not result.changed:
        result.warnings.append(
            f"not enough evidence yet to change any criterion ({positive} positive replies "
            f"of {delivered} delivered emails): nothing changes"
        )
        return result
    data = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    criteria = data["scoring"]["criteria"]
    for e in result.changes:
        criteria[e.index]["points"] = e.new_points
    for e in result.changes:
        if e.disqualifies:
            condition = {k: v for k, v in criteria[e.index].items() if k not in ("name", "points")}
            data["disqualifiers"].append({**condition, "reason": f"{e.label}: {e.comment()}"})
    gone = {e.index for e in result.changes if e.disqualifies}
    data["scoring"]["criteria"] = [c for i, c in enumerate(criteria) if i not in gone] + [
        p.criterion() for p in result.proposals
    ]
    data.update(
        version=spec.version + 1,
        parent=spec.version,
        evidence=[e.as_dict(campaigns) for e in result.changes] + [p.as_dict(campaigns) for p in result.proposals],
    )
    data.pop("created_at", None)
    result.new_spec = IcpSpec.model_validate(data)
    return result


def _p_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), by numerical integration (scipy)."""
    from scipy import integrate

    value, _ = integrate.quad(lambda x: stats.beta.pdf(x, a1, b1) * stats.beta.cdf(x, a2, b2), 0, 1, limit=200)
    return min(1.0, max(0.0, float(value)))


def propose_criteria(
    spec: IcpSpec, outcomes: pl.DataFrame, attributes: pl.DataFrame, prior_rate: float
) -> list[Proposal]:
    """Attribute values that stand out in the explore share, strongest first (at most MAX_PROPOSALS).

    Every value of every PROPOSE_FIELDS column met by an explore contact with a positive reply is
    tried (values the spec already scores or filters on are skipped); each is a Beta-Binomial
    contrast, with against without, within the explore share. A value is proposed when its
    P(better) clears CHANGE_AT corrected for the number of values tried, on MIN_POSITIVE or more
    positive replies.
    """
    from targeting.columns import LIST_COLUMNS

    if "segment" not in outcomes.columns or "account_id" not in outcomes.columns:
        return []
    explore = outcomes.filter(pl.col("segment") == "explore").select("account_id", "positive")
    fields = [f for f in PROPOSE_FIELDS if f in attributes.columns]
    if explore.is_empty() or not fields:
        return []
    rows = explore.join(attributes.select("account_id", *fields).unique("account_id"), on="account_id", how="left")
    used: dict[str, set[str]] = {}
    for rule in [*spec.filters, *spec.disqualifiers, *spec.scoring.criteria]:
        values = rule.value if isinstance(rule.value, list) else [rule.value]
        used.setdefault(rule.field, set()).update(str(v).lower() for v in values)
    candidates: list[tuple[str, str, bool, int, int]] = []
    n, k = rows.height, int(rows["positive"].sum() or 0)
    for f in fields:
        is_list = f in LIST_COLUMNS
        column = pl.col(f).cast(pl.List(pl.String)) if is_list else pl.concat_list(pl.col(f).cast(pl.String))
        per_value = (
            rows.select(column.alias("_v"), "positive")
            .with_row_index("_row")
            .explode("_v")
            .drop_nulls("_v")
            .unique(["_row", "_v"])
            .group_by("_v")
            .agg(pl.len().alias("n"), pl.col("positive").sum().alias("k"))
        )
        for value, n_with, k_with in per_value.iter_rows():
            if str(value).lower() in used.get(f, set()) or n_with == n:
                continue
            candidates.append((f, str(value), is_list, int(n_with), int(k_with)))
    tried = len(candidates)
    if not tried:
        return []
    needed = 1 - (1 - CHANGE_AT) / tried
    a0, b0 = prior_rate * PROPOSAL_PRIOR_WEIGHT, (1 - prior_rate) * PROPOSAL_PRIOR_WEIGHT
    found = []
    for f, value, is_list, n_with, k_with in candidates:
        if k_with < MIN_POSITIVE:
            continue
        n_without, k_without = n - n_with, k - k_with
        p = _p_greater(a0 + k_with, b0 + n_with - k_with, a0 + k_without, b0 + n_without - k_without)
        if p < needed:
            continue
        rate_with = (a0 + k_with) / (PROPOSAL_PRIOR_WEIGHT + n_with)
        rate_without = (a0 + k_without) / (PROPOSAL_PRIOR_WEIGHT + n_without)
        points = max(1, round(float(special.logit(rate_with) - special.logit(rate_without)) / POINT_LOGIT))
        found.append(Proposal(f, value, is_list, k_with, n_with, k_without, n_without, p, tried, points))
    found.sort(key=lambda q: (-q.p_better, q.field, q.value))
    return found[:MAX_PROPOSALS]


def refined_icp_text(refinement: Refinement) -> str:
    """The new version as YAML with each change's evidence as a comment beside its criterion.

    `parse_icp` of it equals `refinement.new_spec`.
    """
    from ruamel.yaml import YAML

    assert refinement.new_spec is not None
    yaml = YAML(typ="rt")
    yaml.width = 4096
    doc = yaml.load(dump_icp(refinement.new_spec))
    r = refinement
    doc.yaml_set_start_comment(
        f"Refined by `outbound icp refine` from v{r.spec.version} on {r.positive} positive replies of {r.delivered} "
        f"delivered emails (campaigns {', '.join(r.campaigns)}).\n"
        "A criterion's comment: its change, the counts it rests on and the posterior probability of a real lift\n"
        "(one regularized model over all criteria). Criteria without a comment: not enough evidence yet."
    )
    seq = doc["scoring"]["criteria"]
    gone = sorted(e.index for e in r.changes if e.disqualifies)
    for e in r.changes:
        if not e.disqualifies:
            seq.yaml_add_eol_comment(f"# {e.comment()}", e.index - sum(1 for g in gone if g < e.index))
    kept = len(r.spec.scoring.criteria) - len(gone)
    for i, p in enumerate(r.proposals):
        seq.yaml_add_eol_comment(f"# {p.comment()}", kept + i)
    added = doc["disqualifiers"]
    first = len(r.spec.disqualifiers)
    for i, e in enumerate(x for x in r.changes if x.disqualifies):
        added.yaml_add_eol_comment(f"# from criterion {e.label}: {e.comment()}", first + i)
    out = io.StringIO()
    yaml.dump(doc, out)
    text = out.getvalue()
    if parse_icp(text) != refinement.new_spec:  # the comments must never change what the file says
        raise AssertionError("refined ICP text does not load back to the refined spec")
    return text


def icp_changes(old: IcpSpec | None, new: IcpSpec) -> list[str]:
    """A readable diff of two versions: criteria's points, rules added or dropped, minimum score, tiers."""
    if old is None:
        return ["first version"]
    lines = []
    old_c = {c.label: c for c in old.scoring.criteria}
    new_c = {c.label: c for c in new.scoring.criteria}
    for label, c in new_c.items():
        if label not in old_c:
            lines.append(f"+ criterion {label}: {c.points:+d}")
        elif old_c[label].points != c.points:
            lines.append(f"~ criterion {label}: {old_c[label].points:+d} -> {c.points:+d}")
    lines += [f"- criterion {label}" for label in old_c if label not in new_c]
    for kind in ("filters", "disqualifiers"):
        before = {r.label for r in getattr(old, kind)}
        after = {r.label for r in getattr(new, kind)}
        lines += [f"+ {kind[:-1]} {label}" for label in sorted(after - before)]
        lines += [f"- {kind[:-1]} {label}" for label in sorted(before - after)]
    if old.scoring.min_score != new.scoring.min_score:
        lines.append(f"~ min_score: {old.scoring.min_score} -> {new.scoring.min_score}")
    if old.scoring.tiers != new.scoring.tiers:
        lines.append(f"~ tiers: {old.scoring.tiers} -> {new.scoring.tiers}")
    return lines or ["no rule changed"]
