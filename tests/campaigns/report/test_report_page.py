"""report.html rendered in headless Chromium: what it shows, on a laptop and on a phone."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from campaigns.report import build_report, render_report_html
from campaigns.report.stats import Prior
from campaigns.results.outcomes import RANK

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Writes what the layout measures into the DOM, so --dump-dom can show it (only in the test's copy of the page).
PROBE = (
    "<script>document.body.setAttribute('data-overflow', String(document.documentElement.scrollWidth > window.innerWidth));"
    "document.body.setAttribute('data-svgs', String(document.querySelectorAll('svg').length));"
    "document.body.setAttribute('data-svg-width', String(Math.round(document.querySelector('svg').getBoundingClientRect().width)));"
    "</script></body>"
)


def _report(simulated: bool, unsubscribed: int = 0) -> dict:
    n = 60
    segments = ["A"] * 20 + ["B"] * 20 + ["explore"] * 20
    outcomes = (
        ["positive"] * 5
        + ["meeting"]
        + ["bounced"]
        + ["no_reply"] * 13
        + ["positive"]
        + ["replied"] * 2
        + ["no_reply"] * 17
        + ["auto_reply"]
        + ["no_reply"] * 19
    )
    outcomes[20 - unsubscribed : 20] = ["unsubscribed"] * unsubscribed  # the last of segment A
    frame = pl.DataFrame(
        {
            "campaign_id": ["c-1"] * n,
            "contact_id": [f"k{i}" for i in range(n)],
            "email": [f"p{i}@x.com" for i in range(n)],
            "account_id": [f"x{i}" for i in range(n)],
            "company": ["Acme & <Sons>"] * n,
            "persona": ["champion", "economic_buyer"] * 30,
            "segment": segments,
            "variant": ["a", "b"] * 30,
            "drafts": ['[{"step": 1, "subject": "Quick question", "body": "Hi Ann,\\nworth a look?"}]'] * n,
            "criteria": ['["sweet-spot size"]'] * 30 + ['["CRM in place"]'] * 15 + ["[]"] * 15,
            "outcome_rank": pl.Series([RANK[o] for o in outcomes], dtype=pl.Int32),
            "simulated": [simulated] * n,
        }
    )
    meta = {
        "campaign_id": "c-1",
        "name": "q1-test",
        "icp": "mid-market-saas",
        "version": 1,
        "design": {
            "segments": [
                {"segment": s, "reachable": 100, "planned": 20, "detectable_rate": 0.25, "hypothesis": f"tier {s}"}
                for s in ("A", "B", "explore")
            ],
            "warnings": ["segment A: 20 contacts can tell only a true rate of 25.0% or more"],
            "target_list": {"targets": 180, "min": 200, "max": 5000, "verdict": "too_narrow"},
        },
    }
    report = build_report(meta, frame, Prior(), ["sweet-spot size", "CRM in place"])
    report["icp_change"] = {
        "from": 1,
        "to": 2,
        "changes": [
            {
                "criterion": "sweet-spot size",
                "old_points": 2,
                "new_points": 3,
                "evidence": "+1: 6/29 positive vs 1/29 without, P(better)=0.99",
            }
        ],
        "unchanged": ["CRM in place: not enough evidence"],
    }
    return report


def _dump(page: Path, tmp_path: Path, width: int = 1280) -> str:
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--window-size={width},900",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=600,  # a cap against a hang: Chromium starts slowly on a loaded machine
        check=True,
    )
    return result.stdout


def test_the_page_is_self_contained():
    html = render_report_html(_report(simulated=False))
    assert not re.search(r"<(link|script|img|iframe|object)\b", html)
    assert not re.search(r"@import|(src|href)\s*=\s*[\"'](?!#)", html)
    assert not re.search(r"url\((?!#)", html)
    assert "SIMULATED" not in html
    assert "Acme &amp; &lt;Sons&gt;" in html  # text from the data is escaped


def test_each_arm_counts_its_unsubscribes_apart_from_its_replies():
    # Segment A's row read "replies 6 ... why they answered: unsubscribe 2, positive 6": the page
    # counted no unsubscribe beside the replies, so the reasons outnumbered the answers.
    report = _report(simulated=False, unsubscribed=2)
    [a] = [s for s in report["segments"] if s["name"] == "A"]
    assert a["unsubscribed"] == 2 and a["replies"] == 6
    html = render_report_html(report)
    table = html[html.index('<table id="table-segment">') :]
    header = re.findall(r"<th>([^<]*)</th>", table[: table.index("</tr>")])
    row = re.findall(r"<td[^>]*>([^<]*)</td>", table[table.index("<tr><td>A</td>") :].split("</tr>")[0])
    assert dict(zip(header, row))["unsubscribed"] == "2" and dict(zip(header, row))["replies"] == "6"


def test_a_campaign_planned_before_the_target_list_was_recorded_says_so():
    report = _report(simulated=False)
    del report["design"]["target_list"]
    html = render_report_html(report)
    assert "size was not recorded with this campaign" in html and "Target list:" not in html


@pytest.mark.slow  # headless Chromium (make test-slow installs it)
def test_chromium_shows_simulated_the_plots_and_the_verdicts(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report_html(_report(simulated=True)).replace("</body>", PROBE), encoding="utf-8")
    dom = _dump(page, tmp_path)
    assert 'id="simulated"' in dom and ">SIMULATED<" in dom
    assert 'data-svgs="3"' in dom  # segments, criteria, the ICP change
    assert "Reply rate by segment" in dom and "sweet-spot size" in dom  # SVG text is text
    assert (
        '<td class="likely_better">likely better</td>' in dom and "6/19" in dom
    )  # segment A: 6 positive of 19 delivered
    assert re.search(r'id="total-planned"><b>60</b>', dom)
    assert "ICP v1 → v2" in dom and "+1: 6/29 positive vs 1/29 without" in dom
    assert "Quick question" in dom and 'data-overflow="false"' in dom
    assert re.search(r'id="target-list">Target list: <b>180</b> accounts, <span class="bad">too narrow</span>', dom)


@pytest.mark.slow  # headless Chromium (make test-slow installs it)
def test_on_a_phone_nothing_overflows_and_the_plots_fit(tmp_path):
    page = tmp_path / "report.html"
    page.write_text(render_report_html(_report(simulated=True)).replace("</body>", PROBE), encoding="utf-8")
    dom = _dump(page, tmp_path, width=390)
    assert 'data-overflow="false"' in dom
    width = int(re.search(r'data-svg-width="(\d+)"', dom).group(1))
    assert 300 <= width <= 390
