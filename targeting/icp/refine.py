"""Refine an ICP from test-campaign outcomes: points move a little, only where the evidence holds.

The outcomes come in as a frame (one row per delivered contact: the outcome, 0/1, and `criteria`,
the labels of the criteria its account met), never from the store: `targeting` imports no campaign
code. The outcome is a **genuine reply** (`replied`: a person answered, positive or not; never an
auto-reply or an unsubscribe), or `positive` where a frame has no `replied` column: at real reply
rates positive replies alone are too rare to learn from.

The criteria are read together (`targeting.icp.reading.read_criteria`): one Bayesian logistic
regression of the outcome on every criterion (prior sd 1 on each lift), so each lift is the
criterion's with the other criteria held equal and a criterion whose accounts mostly also meet
another gets no credit the other earned; each reading keeps the criterion's own counts. The
campaign report shows the same reading of a campaign's criteria (the same function). A criterion
moves only where its reading is sure of the lift's sign (P >= `change_at`: SURE, 97.5%, or
stricter with many criteria, 0.991 for 11) on MIN_REPLIES genuine replies on the side the move favours. A side with fewer than MIN_SIDE contacts
is no comparison and nothing moves on it.

A move stays on the scale the ICP is written in: towards the lift in points (POINT_LOGIT log-odds
a point), by at most MAX_STEP points a round, so `min_score` and the tiers keep meaning what the
user wrote; a criterion already at or beyond what its lift supports stays. Each move is explained in
one sentence. Nothing that strong: the same version, marked unchanged (`unchanged_icp_text`).

Given the accounts' attributes, an attribute value that stands out in the explore share (the near
misses, the one place a round sees beyond the hypothesis) is proposed as a new criterion: written into
the new version with its evidence, at most MAX_PROPOSALS a round, only when its probability of a
higher rate clears PROPOSE_AT after a Bonferroni correction over every value tried, on at least
MIN_REPLIES replies; its points are at most MAX_STEP.

Reasons (`reason` per contact, when the frame has them): "wrong person" replies are counted per
persona (evidence on the persona rules), "already use a tool" replies on the criteria that read
`prior_solutions` (evidence on what those criteria claim).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from scipy import special, stats

from targeting.icp.reading import (
    MIN_REPLIES,
    MIN_SIDE,
    SURE,
    Reading,
    read_contrast,
    read_criteria,
    sure_words,
    times_words,
)
from targeting.icp.spec import IcpSpec, dump_icp, parse_icp

LIFT_SD = 1.0
"""Prior sd of a criterion's log-odds lift in the joint model (as in `reading`)."""
INTERCEPT_SD = 2.0
JOINT_AGREES = 0.9
JOINT_DECIDES = 0.0
"""A move also needs the joint model over all criteria to put the lift on the same side with this probability."""
POINT_LOGIT = 0.25
"""Log-odds lift per point of score, the scale a move aims at: a lift of 2.7x (1.0 log-odds) is 4 points."""
FAMILY_ERROR = 0.1
"""A Bonferroni correction of the sureness a move needs over the spec's criteria (`change_at`: 1 -
FAMILY_ERROR / K, 0.991 for 11 criteria; 0 turns it off). In the loop study (docs/benchmarks.md, "The
criteria read together": 6% replies, 100 seeds) the criteria read together at 0.975 changed 5.7% of
the null world's refinements: the correction is kept."""
SPENDING = "flat"
"""How FAMILY_ERROR is spent over the looks at a lineage's pooled rounds (a refinement after round k is look k):
`flat` (each look corrected over the criteria alone, the rule before) or `rising` (an error-spending plan
over SPENDING_LOOKS looks, FAMILY_ERROR in all, spent as (k/H)^2 - ((k-1)/H)^2: strict at the first look,
where the pool is small, lenient at the last; each look after the horizon spends as the last did)."""
SPENDING_LOOKS = 3
"""The looks a spending plan is written for: a test of three rounds."""
MAX_STEP = 2
"""The most a criterion's points move in one refinement: the ICP's own scale (criteria of 1-2 points)."""
MIN_POSITIVE = MIN_REPLIES
"""Kept for callers of the earlier name: the replies a move needs on the side it favours."""
MAX_PROPOSALS = 1
PROPOSE_AT = SURE
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
"""The Beta prior's weight in contacts when an explore attribute is weighed (docs/campaigns.md: 30-60)."""


def outcome_column(outcomes: pl.DataFrame) -> str:
    """The outcome a frame is read on: `replied` (genuine replies) where it has one, else `positive`."""
    return "replied" if "replied" in outcomes.columns else "positive"


def _said(column: str) -> str:
    return "replied" if column == "replied" else "replied positively"


@dataclass(frozen=True)
class CriterionEvidence:
    """What one criterion's contrast rests on, what it reads, and the move it supports."""

    index: int
    label: str
    points: int
    reading: Reading
    """The criterion's reading: its counts, and its lift with the other criteria held equal (`read_criteria`)."""
    step: int
    outcome: str = "replied"
    already_use: tuple[int, int] | None = None
    """For a criterion on `prior_solutions`: "already use a tool" replies with it and without it."""
    needed: float = SURE
    """How sure of its direction a move had to be (`change_at` for the spec's criteria)."""

    @property
    def new_points(self) -> int:
        return self.points + self.step

    @property
    def replies_with(self) -> int:
        return self.reading.k_with

    @property
    def delivered_with(self) -> int:
        return self.reading.n_with

    @property
    def replies_without(self) -> int:
        return self.reading.k_without

    @property
    def delivered_without(self) -> int:
        return self.reading.n_without

    @property
    def lift(self) -> float | None:
        return self.reading.lift

    @property
    def lift_sd(self) -> float | None:
        return self.reading.lift_sd

    @property
    def p_better(self) -> float | None:
        return self.reading.p_better

    def counts(self) -> str:
        r = self.reading
        return f"{r.k_with} of {r.n_with} with it, {r.k_without} of {r.n_without} without"

    def sentence(self) -> str:
        """The move (or why there is none) in one sentence a growth lead can act on."""
        r, what = self.reading, _said(self.outcome)
        counts = self.counts()
        extra = ""
        if self.already_use and sum(self.already_use):
            extra = f" ({self.already_use[0]} with it and {self.already_use[1]} without said they already use a tool)"
        if r.p_better is None:
            side = "with" if r.n_with < MIN_SIDE else "without"
            return (
                f"{self.label} stays at {self.points:+d}: no comparison, only {min(r.n_with, r.n_without)} contacts "
                f"{side} it ({counts}){extra}."
            )
        sure = sure_words(r)
        if self.step:
            verb = "Raised" if self.step > 0 else "Lowered"
            return (
                f"{verb} {self.label} from {self.points:+d} to {self.new_points:+d}: accounts meeting it {what} "
                f"{times_words(r, self.step > 0)} ({counts}; {sure} the difference is real){extra}."
            )
        # A stay says which way the evidence leans: "92% sure" alone read as a point in its favour.
        more = (r.p_better or 0) >= 0.5
        sure = f"{sure} accounts meeting it {what} {'more' if more else 'less'} often"
        if r.verdict in ("likely_better", "likely_worse"):
            if (r.sure or 0) < self.needed:
                why = (
                    f"not sure enough yet for a move while many criteria are tested at once ({self.needed:.1%} needed)"
                )
            else:
                why = "its points already say as much"
            return f"{self.label} stays at {self.points:+d}: {why} ({counts}; {sure}){extra}."
        return f"{self.label} stays at {self.points:+d}: not enough evidence yet ({counts}; {sure}){extra}."

    def comment(self) -> str:
        """The sentence, kept beside the criterion's line in the new version."""
        return self.sentence()

    def as_dict(self, campaigns: list[str]) -> dict[str, Any]:
        """The structured form kept in the spec's `evidence` list."""
        r = self.reading
        return {
            "criterion": self.label,
            "rule": f"scoring.criteria[{self.index}]",
            "change": "points",
            "old_points": self.points,
            "new_points": self.new_points,
            "outcome": self.outcome,
            "replies_with": r.k_with,
            "delivered_with": r.n_with,
            "replies_without": r.k_without,
            "delivered_without": r.n_without,
            "lift_log_odds": None if r.lift is None else round(r.lift, 4),
            "lift_sd": None if r.lift_sd is None else round(r.lift_sd, 4),
            "p_better": None if r.p_better is None else round(r.p_better, 4),
            "verdict": r.verdict,
            "campaigns": campaigns,
            "text": self.sentence(),
        }


@dataclass(frozen=True)
class Proposal:
    """An attribute value that stood out in the explore share, proposed as a new criterion."""

    field: str
    value: str
    list_field: bool
    replies_with: int
    delivered_with: int
    replies_without: int
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

    def sentence(self) -> str:
        return (
            f"Proposed {self.field} {self.value} at {self.points:+d}: near-miss accounts with it replied "
            f"{self.replies_with} of {self.delivered_with} times, {self.replies_without} of {self.delivered_without} "
            f"without ({self.p_better:.1%} sure, the best of {self.tried} values tried)."
        )

    def comment(self) -> str:
        return self.sentence()

    def as_dict(self, campaigns: list[str]) -> dict[str, Any]:
        return {
            "criterion": self.label,
            "rule": "scoring.criteria (new)",
            "change": "proposed",
            "old_points": None,
            "new_points": self.points,
            "replies_with": self.replies_with,
            "delivered_with": self.delivered_with,
            "replies_without": self.replies_without,
            "delivered_without": self.delivered_without,
            "p_better": round(self.p_better, 4),
            "tried": self.tried,
            "campaigns": campaigns,
            "text": self.sentence(),
        }


@dataclass
class Refinement:
    """The outcome of a refinement: every criterion's evidence, and the new spec when anything changed."""

    spec: IcpSpec
    evidence: list[CriterionEvidence]
    campaigns: list[str]
    delivered: int
    replies: int
    positive: int
    new_spec: IcpSpec | None = None
    warnings: list[str] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    personas: list[str] = field(default_factory=list)
    """Per persona with "wrong person" replies: a sentence to check the persona rules by."""
    list_size: dict[str, Any] | None = None
    """With the accounts: the target list's size before and after, against the ICP's band (`list_sizes`)."""

    @property
    def changes(self) -> list[CriterionEvidence]:
        return [e for e in self.evidence if e.step]

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.proposals)

    @property
    def unchanged(self) -> list[CriterionEvidence]:
        return [e for e in self.evidence if not e.step]


def change_at(n_criteria: int, look: int | None = None) -> float:
    """How sure of a criterion's direction a move must be: SURE, or stricter with many criteria tested at once.

    1 - FAMILY_ERROR / n_criteria when that is higher (0 turns the correction off), so the chance that
    any criterion of a world without differences moves stays near FAMILY_ERROR. With SPENDING `rising`
    and the look given (the rounds pooled), the look's share of FAMILY_ERROR replaces it.
    """
    if FAMILY_ERROR <= 0:
        return SURE
    alpha = FAMILY_ERROR
    if SPENDING == "rising" and look is not None:
        h, k = SPENDING_LOOKS, min(max(1, look), SPENDING_LOOKS)
        alpha = FAMILY_ERROR * ((k / h) ** 2 - ((k - 1) / h) ** 2)
    return max(SURE, 1 - alpha / max(1, n_criteria))


def move(points: int, reading: Reading, needed: float = SURE) -> int:
    """The change in points the evidence supports: towards the lift in points, at most MAX_STEP, or none.

    Only where the criterion's reading (its lift with the other criteria held equal) has a verdict,
    sure of its sign at `needed` or more on MIN_REPLIES replies on the side it favours; the aim is the
    lift in points (POINT_LOGIT a point); a criterion already there or beyond stays.
    """
    verdict = reading.verdict
    if verdict not in ("likely_better", "likely_worse") or reading.lift is None or (reading.sure or 0) < needed:
        return 0
    target = round(reading.lift / POINT_LOGIT)
    if verdict == "likely_better" and target > points:
        return min(MAX_STEP, target - points)
    if verdict == "likely_worse" and target < points:
        return max(-MAX_STEP, target - points)
    return 0


def criteria_readings(outcomes: pl.DataFrame, labels: list[str], prior_rate: float) -> dict[str, Reading]:
    """Every criterion's reading on pooled outcomes: `read_criteria` of the frame's outcome (the one reading)."""
    return read_criteria(outcomes, labels, prior_rate, outcome_column(outcomes))


def refine_on_outcomes(
    spec: IcpSpec,
    outcomes: pl.DataFrame,
    prior_rate: float,
    campaigns: list[str],
    attributes: pl.DataFrame | None = None,
    claims: dict[str, int] | None = None,
) -> Refinement:
    """Weigh every criterion of `spec` on pooled outcomes; a new version only where the evidence holds.

    Args:
        spec: the ICP the newest campaigns were planned from.
        outcomes: one row per delivered contact, each counted once: `replied` (genuine reply, 0/1) or
            `positive`, `criteria` (labels met); optional `unknown` (labels not evaluated), `segment` and
            `account_id` (the explore share can propose criteria), `persona` and `reason` (reply reasons).
        prior_rate: the prior rate of the outcome read (the reply rate for `replied`).
        campaigns: the campaign ids pooled (recorded with each change).
        attributes: the canonical accounts (`account_id` and the PROPOSE_FIELDS); None: nothing is proposed.
        claims: unused (the lift is read against no claim: the sign decides, the points move towards it
            by at most MAX_STEP); kept so callers that pass it keep working.

    Returns:
        The refinement; `new_spec` is None when nothing changed (`unchanged_icp_text` writes the same version).
    """
    del claims
    criteria = spec.scoring.criteria
    labels = [c.label for c in criteria]
    y = outcome_column(outcomes)
    delivered = outcomes.height
    replies = int(outcomes[y].sum() or 0)
    positive = int(outcomes["positive"].sum() or 0) if "positive" in outcomes.columns else replies
    readings = (
        criteria_readings(outcomes, labels, prior_rate)
        if labels and delivered
        else {label: read_contrast(0, 0, 0, 0, prior_rate) for label in labels}
    )
    has_reasons = "reason" in outcomes.columns
    needed = change_at(len(criteria), len(campaigns))
    evidence = []
    for i, (criterion, label) in enumerate(zip(criteria, labels)):
        reading = readings[label]
        step = move(criterion.points, reading, needed)
        already = _already_use(outcomes, label) if has_reasons and criterion.field == "prior_solutions" else None
        evidence.append(CriterionEvidence(i, label, criterion.points, reading, step, y, already, needed))
    result = Refinement(spec, evidence, campaigns, delivered, replies, positive)
    if has_reasons and "persona" in outcomes.columns:
        result.personas = wrong_person_notes(outcomes)
    if attributes is not None:
        result.proposals = propose_criteria(spec, outcomes, attributes, prior_rate)
    if not result.changed:
        result.warnings.append(
            f"not enough evidence yet to change any criterion ({replies} genuine replies, {positive} positive, "
            f"of {delivered} delivered emails): the same version, marked unchanged"
        )
        return result
    data = spec.model_dump(by_alias=True, exclude_none=True, mode="json")
    rows = data["scoring"]["criteria"]
    for e in result.changes:
        rows[e.index]["points"] = e.new_points
    data["scoring"]["criteria"] = rows + [p.criterion() for p in result.proposals]
    data.update(
        version=spec.version + 1,
        parent=spec.version,
        evidence=[e.as_dict(campaigns) for e in result.changes] + [p.as_dict(campaigns) for p in result.proposals],
    )
    data.pop("created_at", None)
    result.new_spec = IcpSpec.model_validate(data)
    used = {
        r.field for r in [*result.new_spec.filters, *result.new_spec.disqualifiers, *result.new_spec.scoring.criteria]
    }
    if attributes is not None and used <= set(attributes.columns):
        result.list_size = list_sizes(spec, result.new_spec, attributes)
        if result.list_size["after"]["verdict"] != "ok":
            result.warnings.append(result.list_size["sentence"])
    return result


def target_count(spec: IcpSpec, attributes: pl.DataFrame) -> int:
    """How many of the accounts `spec` makes targets (every filter, no disqualifier, the minimum score)."""
    from targeting.selection.scoring import score_accounts

    scored = score_accounts(attributes.lazy(), spec, with_reasons=False)
    return int(scored.select(pl.col("dropped_at").is_null().sum()).collect().item())


def list_sizes(old: IcpSpec, new: IcpSpec, attributes: pl.DataFrame) -> dict[str, Any]:
    """The target list before and after a refinement, each against the ICP's band, and a sentence.

    Points move by at most MAX_STEP a round so `min_score` and the tiers keep their meaning; this
    says what the move did to the list's size all the same.
    """
    from targeting.selection.sizing import size_verdict

    band = new.target_size
    sizes = {}
    for key, spec in (("before", old), ("after", new)):
        n = target_count(spec, attributes)
        sizes[key] = {"targets": n, "verdict": size_verdict(n, band.min, band.max)}
    words = {"ok": "inside", "too_narrow": "below", "too_broad": "above"}
    after = sizes["after"]
    sizes["band"] = {"min": band.min, "max": band.max}
    sizes["sentence"] = (
        f"the refined list has {after['targets']:,} accounts (was {sizes['before']['targets']:,}), "
        f"{words[after['verdict']]} the ICP's band of {band.min:,}-{band.max:,}"
        + ("" if after["verdict"] == "ok" else ": adjust min_score or the band before the next round")
    )
    return sizes


def _already_use(outcomes: pl.DataFrame, label: str) -> tuple[int, int]:
    met = pl.col("criteria").list.contains(pl.lit(label)).fill_null(False)
    said = pl.col("reason") == "already_use"
    row = outcomes.select((said & met).sum().alias("w"), (said & ~met).sum().alias("o")).row(0)
    return int(row[0] or 0), int(row[1] or 0)


def wrong_person_notes(outcomes: pl.DataFrame) -> list[str]:
    """Per persona whose replies said "wrong person": a sentence that points at the persona rules."""
    y = outcome_column(outcomes)
    per = (
        outcomes.filter(pl.col("persona").is_not_null())
        .group_by("persona")
        .agg(
            (pl.col("reason") == "wrong_person").sum().alias("wrong"),
            pl.col(y).sum().alias("replies"),
            pl.len().alias("delivered"),
        )
        .filter(pl.col("wrong") > 0)
        .sort("wrong", "persona", descending=[True, False])
    )
    return [
        f"{persona}: {wrong} of {replies} replies said they are the wrong person to ask ({delivered} delivered); "
        "check which titles the persona rules put there"
        for persona, wrong, replies, delivered in per.select("persona", "wrong", "replies", "delivered").iter_rows()
    ]


def _p_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2), by numerical integration (scipy)."""
    from scipy import integrate

    value, _ = integrate.quad(lambda x: stats.beta.pdf(x, a1, b1) * stats.beta.cdf(x, a2, b2), 0, 1, limit=200)
    return min(1.0, max(0.0, float(value)))


def propose_criteria(
    spec: IcpSpec, outcomes: pl.DataFrame, attributes: pl.DataFrame, prior_rate: float
) -> list[Proposal]:
    """Attribute values that stand out in the explore share, strongest first (at most MAX_PROPOSALS).

    Every value of every PROPOSE_FIELDS column met by an explore contact who replied is tried (values
    the spec already scores or filters on are skipped); each is a Beta-Binomial contrast, with against
    without, within the explore share. A value is proposed when its P(better) clears PROPOSE_AT
    corrected for the number of values tried, on MIN_REPLIES or more replies with it; at its shrunk
    lift in points, at least 1 and at most MAX_STEP.
    """
    from targeting.columns import LIST_COLUMNS

    if "segment" not in outcomes.columns or "account_id" not in outcomes.columns:
        return []
    y = outcome_column(outcomes)
    explore = outcomes.filter(pl.col("segment") == "explore").select("account_id", pl.col(y).alias("_y"))
    fields = [f for f in PROPOSE_FIELDS if f in attributes.columns]
    if explore.is_empty() or not fields:
        return []
    rows = explore.join(attributes.select("account_id", *fields).unique("account_id"), on="account_id", how="left")
    used: dict[str, set[str]] = {}
    for rule in [*spec.filters, *spec.disqualifiers, *spec.scoring.criteria]:
        values = rule.value if isinstance(rule.value, list) else [rule.value]
        used.setdefault(rule.field, set()).update(str(v).lower() for v in values)
    candidates: list[tuple[str, str, bool, int, int]] = []
    n, k = rows.height, int(rows["_y"].sum() or 0)
    for f in fields:
        is_list = f in LIST_COLUMNS
        column = pl.col(f).cast(pl.List(pl.String)) if is_list else pl.concat_list(pl.col(f).cast(pl.String))
        per_value = (
            rows.select(column.alias("_v"), "_y")
            .with_row_index("_row")
            .explode("_v")
            .drop_nulls("_v")
            .unique(["_row", "_v"])
            .group_by("_v")
            .agg(pl.len().alias("n"), pl.col("_y").sum().alias("k"))
        )
        for value, n_with, k_with in per_value.iter_rows():
            if str(value).lower() in used.get(f, set()) or n_with == n:
                continue
            candidates.append((f, str(value), is_list, int(n_with), int(k_with)))
    tried = len(candidates)
    if not tried:
        return []
    needed = 1 - (1 - PROPOSE_AT) / tried
    a0, b0 = prior_rate * PROPOSAL_PRIOR_WEIGHT, (1 - prior_rate) * PROPOSAL_PRIOR_WEIGHT
    found = []
    for f, value, is_list, n_with, k_with in candidates:
        if k_with < MIN_REPLIES or min(n_with, n - n_with) < MIN_SIDE:
            continue
        n_without, k_without = n - n_with, k - k_with
        p = _p_greater(a0 + k_with, b0 + n_with - k_with, a0 + k_without, b0 + n_without - k_without)
        if p < needed:
            continue
        rate_with = (a0 + k_with) / (PROPOSAL_PRIOR_WEIGHT + n_with)
        rate_without = (a0 + k_without) / (PROPOSAL_PRIOR_WEIGHT + n_without)
        lift = float(special.logit(rate_with) - special.logit(rate_without))
        points = min(MAX_STEP, max(1, round(lift / POINT_LOGIT)))
        found.append(Proposal(f, value, is_list, k_with, n_with, k_without, n_without, p, tried, points))
    found.sort(key=lambda q: (-q.p_better, q.field, q.value))
    return found[:MAX_PROPOSALS]


def _header(r: Refinement, changed: bool) -> str:
    what = f"{r.replies} genuine replies ({r.positive} positive) of {r.delivered} delivered emails"
    campaigns = ", ".join(r.campaigns)
    if not changed:
        return (
            f"UNCHANGED by `outbound icp refine` from v{r.spec.version} on {what} (campaigns {campaigns}):\n"
            "no criterion has evidence strong enough to move it yet. The same version, so the next round can\n"
            "be planned from this file as it is."
        )
    return (
        f"Refined by `outbound icp refine` from v{r.spec.version} on {what} (campaigns {campaigns}).\n"
        f"A criterion moves at most {MAX_STEP} points a round, only where the evidence is {SURE:.1%} sure of its\n"
        "direction; its comment says why in one sentence. Criteria without a comment: not enough evidence yet."
    )


def refined_icp_text(refinement: Refinement) -> str:
    """The new version as YAML with each change's sentence as a comment beside its criterion.

    `parse_icp` of it equals `refinement.new_spec`. Where nothing changed, `unchanged_icp_text`.
    """
    from ruamel.yaml import YAML

    if refinement.new_spec is None:
        return unchanged_icp_text(refinement)
    yaml = YAML(typ="rt")
    yaml.width = 4096
    doc = yaml.load(dump_icp(refinement.new_spec))
    r = refinement
    doc.yaml_set_start_comment(_header(r, True))
    seq = doc["scoring"]["criteria"]
    for e in r.changes:
        seq.yaml_add_eol_comment(f"# {e.sentence()}", e.index)
    kept = len(r.spec.scoring.criteria)
    for i, p in enumerate(r.proposals):
        seq.yaml_add_eol_comment(f"# {p.sentence()}", kept + i)
    out = io.StringIO()
    yaml.dump(doc, out)
    text = out.getvalue()
    if parse_icp(text) != refinement.new_spec:  # the comments must never change what the file says
        raise AssertionError("refined ICP text does not load back to the refined spec")
    return text


def unchanged_icp_text(refinement: Refinement) -> str:
    """The same version (same name, version and rules), marked unchanged, each criterion's reading beside it.

    A script's next round can always be planned from `--out`; `parse_icp` of it equals the spec refined.
    """
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    doc = yaml.load(dump_icp(refinement.spec))
    doc.yaml_set_start_comment(_header(refinement, False))
    seq = doc["scoring"]["criteria"]
    for e in refinement.evidence:
        seq.yaml_add_eol_comment(f"# {e.sentence()}", e.index)
    out = io.StringIO()
    yaml.dump(doc, out)
    text = out.getvalue()
    if parse_icp(text) != refinement.spec:
        raise AssertionError("unchanged ICP text does not load back to the spec")
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
