"""report.html: one self-contained page (inline CSS and SVG, no network resources) for a laptop or a phone.

What a person reads first: SIMULATED (in large type) when no person sent the results, the totals,
the plots of rates with intervals per segment and criterion, what the next round needs; then the
design, the tables, the data problems and a few sample drafts. An ICP change (`icp_change`, added
by the demo or refine) is drawn as points before and after.
"""

from __future__ import annotations

from html import escape
from typing import Any

from campaigns.report.plots import points_change_plot, rates_plot

CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --good: #1a7f5a; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 960px; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); }
.simulated { font-size: clamp(2.2rem, 9vw, 4rem); font-weight: 800; letter-spacing: 0.08em; color: #fff; background: var(--bad);
  text-align: center; padding: 0.4rem; margin: 0 0 1rem; border-radius: 6px; }
.simulated small { display: block; font-size: 1rem; font-weight: 500; letter-spacing: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr)); gap: 0.5rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; }
.card b { display: block; font-size: 1.5rem; }
.note { background: #fff8e1; border-left: 4px solid #c77d00; padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
.problem { background: #fdecea; border-left: 4px solid var(--bad); padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
td.sentence { white-space: normal; min-width: 16rem; color: var(--muted); }
.likely_better, .good { color: var(--good); font-weight: 600; } .likely_worse, .bad { color: var(--bad); font-weight: 600; }
svg.plot { width: 100%; height: auto; display: block; margin: 0.5rem 0; }
.draft { border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem; margin: 0.5rem 0; }
.draft pre { white-space: pre-wrap; overflow-wrap: anywhere; font: inherit; margin: 0.5rem 0 0; }
.meta { color: var(--muted); font-size: 0.9rem; }
"""

ARM_TABLES = (
    ("Segments", "segments", "segment"),
    ("Criteria", "criteria", "criterion"),
    ("Personas", "personas", "persona"),
    ("Variants", "variants", "variant"),
)


def render_report_html(report: dict[str, Any]) -> str:
    """The page for one report.json.

    Args:
        report: report.json (campaigns.report.build_report), optionally with `icp_change`:
            {"from": v, "to": v, "changes": [{"criterion", "old_points", "new_points", "evidence"}], "unchanged": [...]}.
    """
    title = f"Campaign {report['name']} ({report['campaign_id']}): ICP {report['icp']} v{report['version']}"
    parts = [f"<h1>{escape(title)}</h1>"]
    if report.get("simulated"):
        parts.insert(
            0,
            '<div class="simulated" id="simulated">SIMULATED<small>These results were made by a simulated '
            "responder: no person sent or answered these emails.</small></div>",
        )
    parts.append(_totals(report))
    for note in report.get("notes", []):
        parts.append(f'<p class="note">{escape(note)}</p>')
    parts.append(_plots(report))
    parts.append(_next_round(report))
    if report.get("icp_change"):
        parts.append(_icp_change(report["icp_change"]))
    parts.append(_design(report))
    for heading, key, label in ARM_TABLES:
        if report.get(key):
            parts.append(_arm_table(heading, report[key], label))
    parts.append(_problems(report))
    parts.append(_samples(report))
    prior = report["prior"]
    parts.append(
        f'<p class="meta">Prior: {prior["reply_rate"]:.1%} replies, {prior["positive_share"]:.0%} of them positive '
        f"({prior['rate']:.2%} positive per delivered email), weight {prior['weight']:g} contacts ({escape(str(prior['source']))}). "
        "Intervals: 95% Wilson. P(better): the posterior probability that the arm's reply rate beats the rest's "
        "(the reading `icp refine` acts on; docs/campaigns.md). No comparison: a side with too few contacts.</p>"
    )
    body = "\n".join(p for p in parts if p)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )


def _totals(report: dict[str, Any]) -> str:
    t = report["totals"]
    cards = [
        ("planned", t["planned"]),
        ("delivered", t["delivered"]),
        ("replies", t["replies"]),
        ("positive", t["positive"]),
        ("meetings", t["meetings"]),
        ("bounced", t["bounced"]),
        ("auto-replies", t["auto_replies"]),
        ("unsubscribed", t["unsubscribed"]),
    ]
    rate = f"{t['positive'] / t['delivered']:.1%}" if t["delivered"] else "-"
    cards.insert(4, ("positive rate", rate))
    inner = "".join(
        f'<div class="card" id="total-{escape(k.replace(" ", "-"))}"><b>{escape(str(v))}</b>{escape(k)}</div>'
        for k, v in cards
    )
    return f'<h2>Totals</h2><div class="cards">{inner}</div>'


def _plots(report: dict[str, Any]) -> str:
    prior = report["prior"]["reply_rate"]
    svgs = [
        rates_plot(report.get("segments", []), "Reply rate by segment", prior),
        rates_plot(report.get("criteria", []), "Reply rate of accounts meeting each criterion", prior),
    ]
    shown = [s for s in svgs if s]
    if not shown:
        return "<h2>Rates</h2><p>Nothing delivered yet: no rates to draw.</p>"
    return (
        '<h2>Rates</h2><p class="meta">Green: likely better than the rest; red: likely worse; grey: not enough evidence.</p>'
        + "".join(f'<figure id="plot-{i}">{s}</figure>' for i, s in enumerate(shown))
    )


def _next_round(report: dict[str, Any]) -> str:
    rows = [r for key in ("segments", "criteria") for r in report.get(key, []) if r.get("next_round_n")]
    if not rows:
        return ""
    items = "".join(f"<li>{escape(str(r['name']))}: about {r['next_round_n']:,} contacts per side</li>" for r in rows)
    return (
        "<h2>What the next round needs</h2><p>To confirm each observed difference (two-sided test, alpha 0.05, power 0.8):</p>"
        f"<ul>{items}</ul>"
    )


def _icp_change(change: dict[str, Any]) -> str:
    svg = points_change_plot(
        change.get("changes", []), f"ICP v{change.get('from')} -> v{change.get('to')}: points per criterion"
    )
    items = "".join(f"<li>{escape(str(c.get('evidence', c.get('criterion'))))}</li>" for c in change.get("changes", []))
    unchanged = "".join(f"<li>{escape(str(u))}</li>" for u in change.get("unchanged", []))
    text = f"<h2>ICP v{escape(str(change.get('from')))} → v{escape(str(change.get('to')))}</h2>"
    text += svg or "<p>No change: the evidence does not support one yet.</p>"
    if items:
        text += f"<ul>{items}</ul>"
    if unchanged:
        text += f"<details><summary>Left as they were</summary><ul>{unchanged}</ul></details>"
    return text


VERDICT_WORDS = {"ok": "inside the band", "too_narrow": "too narrow", "too_broad": "too broad"}


def _target_list(design: dict[str, Any]) -> str:
    """The target list's size and verdict, as recorded when the campaign was planned."""
    target = design.get("target_list")
    if not target:
        return (
            '<p class="note" id="target-list">The target list\'s size was not recorded with this campaign '
            "(planned before it was).</p>"
        )
    verdict = str(target.get("verdict"))
    css = "good" if verdict == "ok" else "bad"
    return (
        f'<p id="target-list">Target list: <b>{int(target["targets"]):,}</b> accounts, '
        f'<span class="{css}">{escape(VERDICT_WORDS.get(verdict, verdict))}</span> '
        f"(the ICP's band is {int(target['min']):,}-{int(target['max']):,}; verdict <code>{escape(verdict)}</code>)</p>"
    )


def _design(report: dict[str, Any]) -> str:
    design = report.get("design") or {}
    segments = design.get("segments") or []
    if not segments:
        return _target_list(design) if design else ""
    rows = "".join(
        f"<tr><td>{escape(str(s.get('segment')))}</td><td>{s.get('reachable', '-')}</td><td>{s.get('planned', '-')}</td>"
        f"<td>{'-' if s.get('detectable_rate') is None else format(s['detectable_rate'], '.1%')}</td>"
        f'<td class="sentence">{escape(str(s.get("hypothesis", "")))}</td></tr>'
        for s in segments
    )
    warnings = "".join(f'<p class="note">{escape(w)}</p>' for w in design.get("warnings", []))
    return (
        f"<h2>Design</h2>{_target_list(design)}"
        '<div class="scroll"><table><tr><th>segment</th><th>reachable</th><th>planned</th>'
        f"<th>detectable rate</th><th>hypothesis</th></tr>{rows}</table></div>{warnings}"
    )


def _arm_table(heading: str, rows: list[dict[str, Any]], label: str) -> str:
    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.1%}"

    def reasons(r: dict[str, Any]) -> str:
        said = {k: v for k, v in (r.get("reasons") or {}).items() if v}
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in said.items()) or "-"

    body = "".join(
        f"<tr><td>{escape(str(r['name']))}</td><td>{r['delivered']}</td><td>{r['replies']}</td><td>{r['positive']}</td>"
        f"<td>{r.get('unsubscribed', 0)}</td>"
        f"<td>{pct(r['reply_rate'])}</td><td>{pct(r['reply_ci_low'])}–{pct(r['reply_ci_high'])}</td>"
        f"<td>{'-' if r['p_better'] is None else format(r['p_better'], '.2f')}</td>"
        f'<td class="{r["verdict"]}">{escape(r["verdict"].replace("_", " "))}</td>'
        f"<td>{_next_round_cell(r)}</td>"
        f"<td>{escape(reasons(r))}</td>"
        f'<td class="sentence">{escape(r.get("sentence", ""))}</td></tr>'
        for r in rows
    )
    return (
        f'<h2>{escape(heading)}</h2><div class="scroll"><table id="table-{label}"><tr><th>{label}</th><th>delivered</th>'
        "<th>replies</th><th>positive</th><th>unsubscribed</th><th>reply rate</th><th>95% CI</th><th>P(better)</th><th>verdict</th>"
        f"<th>next round / side</th><th>why they answered</th><th>in words</th></tr>{body}</table></div>"
    )


def _next_round_cell(r: dict[str, Any]) -> str:
    """Contacts per side a next round needs; "not testable" where no round at this scale could tell."""
    if r["next_round_n"] is not None:
        return format(r["next_round_n"], ",")
    return "not testable" if r.get("testable") is False and r["verdict"] != "no_comparison" else "-"


def _problems(report: dict[str, Any]) -> str:
    problems = report.get("data_problems") or []
    if not problems:
        return ""
    return "<h2>Data problems</h2>" + "".join(
        f'<p class="problem">Segment {escape(p["segment"])}: {escape(p["problem"])}</p>' for p in problems
    )


def _samples(report: dict[str, Any]) -> str:
    samples = report.get("samples") or []
    if not samples:
        return ""
    return "<h2>Sample drafts</h2>" + "".join(
        f'<div class="draft"><div class="meta">{escape(str(s["segment"]))} · {escape(str(s["persona"]))} · variant '
        f"{escape(str(s['variant']))} · {escape(str(s.get('company') or ''))}</div><b>{escape(s['subject'])}</b>"
        f"<pre>{escape(s['body'])}</pre></div>"
        for s in samples
    )
