"""The command line's printers: what a summary says in one line."""

from __future__ import annotations

from flows.cli.printers import fallback_lines


def _report(totals: dict, **tables: list) -> dict:
    """A campaign report as `campaign report` returns it, with empty tables unless given."""
    empty = dict.fromkeys(("segments", "criteria", "personas", "variants", "data_problems", "notes"), [])
    return {
        "campaign_id": "c-0000abcd",
        "name": "r1",
        "icp": "icp",
        "version": 1,
        "simulated": False,
        "totals": totals,
        **empty,
        **tables,
    }


def _printed(result: dict, tmp_path, width: int) -> str:
    """What `campaign report` prints for `result` on a terminal `width` wide."""
    from flows.cli.campaign import _print_report
    from flows.cli.printers import console

    before = console.width
    console.width = width
    try:
        with console.capture() as captured:
            _print_report(result, {"json": tmp_path / "report.json", "html": tmp_path / "report.html"})
    finally:
        console.width = before
    return captured.get()


def test_the_draft_summary_names_each_line_that_fell_back_in_one_line():
    summary = {
        "line_fallbacks": [
            {
                "file": "ws/messaging.yaml",
                "line": 94,
                "key": "pain_points.compliance_burden.opener.economic_buyer",
                "placeholder": "{industry}",
                "accounts": 1200,
            }
        ]
    }
    assert fallback_lines(summary) == [
        "ws/messaging.yaml:94: pain_points.compliance_burden.opener.economic_buyer uses {industry}, "
        "which 1,200 drafted accounts lack: they got another line"
    ]
    assert fallback_lines({}) == []


def test_the_report_s_tables_name_their_rows_and_say_what_no_next_round_means(tmp_path):
    # The criteria table's first column read "criteri", and a difference too small to test at this
    # scale showed the same "-" as a side too small to compare.
    def row(name, verdict, next_n, testable):
        return {
            "name": name,
            "delivered": 40,
            "replies": 4,
            "positive": 1,
            "unsubscribed": 2,
            "reply_rate": 0.1,
            "reply_ci_low": 0.04,
            "reply_ci_high": 0.23,
            "p_better": None if verdict == "no_comparison" else 0.6,
            "verdict": verdict,
            "next_round_n": next_n,
            "testable": testable,
            "sentence": f"{name}: a sentence.",
        }

    totals = dict.fromkeys(
        ("planned", "delivered", "replies", "positive", "meetings", "unsubscribed", "bounced", "auto_replies"), 1
    )
    result = _report(
        totals,
        criteria=[
            row("tiny lift", "not_enough_evidence", None, False),
            row("few", "no_comparison", None, False),
            row("clear", "not_enough_evidence", 377, True),
        ],
    )
    printed = _printed(result, tmp_path, 200)  # a wide terminal: one line a row
    rows = [line.replace("┃", "│") for line in printed.splitlines()]
    lines = {line.split("│")[1].strip(): line for line in rows if line.count("│") > 2}
    assert "criterion" in lines and "criteri" not in lines
    assert "not testable" in lines["tiny lift"] and "not testable" not in lines["few"]
    assert "377/side" in lines["clear"]
    header = [cell.strip() for cell in lines["criterion"].split("│")]
    assert [cell.strip() for cell in lines["clear"].split("│")][header.index("unsubscribed")] == "2"


def test_the_report_s_totals_read_one_meeting_and_two_replies(tmp_path):
    totals = {"planned": 100, "delivered": 98, "replies": 2, "positive": 1, "meetings": 1, "unsubscribed": 1}
    first = _printed(_report(totals | {"bounced": 2, "auto_replies": 1}), tmp_path, 300).splitlines()[0]
    assert "2 replies, 1 positive, 1 meeting, 1 unsubscribed, 2 bounced, 1 auto-reply" in first
