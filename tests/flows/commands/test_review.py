"""`outbound review` in headless Chromium: filter, approve, edit (a check failing, then passing), reject,
reload, a hostile description shown as text, a write without the token refused; and the plan it feeds."""

from __future__ import annotations

import os
import shutil
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import polars as pl
import pytest

from campaigns.review.status import reviewed_only
from flows.commands.review import ReviewRequest, ReviewSession, build_app, load_review_inputs, review_url
from messaging.composing.sender import Sender
from targeting.errors import InputError

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HOSTILE = (
    'We run <script>document.title="pwned"</script> manual reporting <img src=x onerror="document.title=\'pwned\'">.'
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# docs/review.md's screenshots are taken again where this is set (OUTBOUND_DOCS_SCREENSHOTS=1); else into tmp_path.
DOCS = Path(__file__).resolve().parents[3] / "docs"


def _sender() -> Sender:
    from flows.edges.workspace import load_copy_specs

    return load_copy_specs(Path("/nonexistent-workspace")).sender


def _body(sender: Sender, first: str, line: str) -> str:
    return (
        f"Hi {first},\n\n{line} Teams like yours often lose a week each quarter assembling the numbers by hand, "
        "and the board still asks where they came from. We turn CRM, billing and product data into one forecast "
        "your finance lead can trust without adding analyst headcount or another spreadsheet to keep in sync.\n\n"
        "Would a 20-minute call next week be worth it?\n\n"
        f"{sender.name}\n\n{sender.postal_address}\n{sender.opt_out_line}"
    )


def _folder(tmp_path: Path) -> Path:
    """A drafts folder of three contacts (one of them at an account whose description is hostile) and its targets."""
    sender = _sender()
    targets = pl.DataFrame(
        {
            "account_id": ["acme.com", "globex.com", "initech.com"],
            "name": ["Acme", "Globex", "Initech"],
            "domain": ["acme.com", "globex.com", "initech.com"],
            "employees": [120, 80, 300],
            "tier": ["A", "B", None],  # Initech below every tier: its plan segment is `untiered`
            "description": [HOSTILE, "Globex is hiring a revenue operations lead.", None],
            "pain_points": [["manual_reporting"], [], []],
            "growth_signals": [[], ["hiring"], []],
            "prior_solutions": [[], [], ["spreadsheets"]],
        }
    )
    (tmp_path / "targets").mkdir()
    targets.write_parquet(tmp_path / "targets" / "targets.parquet")
    people = [
        ("c1", "acme.com", "Ada", "Acme", "economic_buyer", "Acme runs manual reporting today.", 1),
        ("c1", "acme.com", "Ada", "Acme", "economic_buyer", "Following up on the manual reporting at Acme.", 2),
        ("c2", "globex.com", "Bo", "Globex", "champion", "Globex is hiring for revenue operations.", 1),
        ("c3", "initech.com", "Cy", "Initech", "economic_buyer", "Initech still plans in spreadsheets.", 1),
    ]
    titles = {
        "c1": ("Chief Financial Officer <b onmouseover=alert(1)>", "economic_buyer: c-level finance <i>title</i>"),
        "c2": ("Revenue Operations Manager", "champion: manager in revenue operations"),
        "c3": ("CEO", "economic_buyer: founder or chief executive"),
    }
    drafts = pl.DataFrame(
        {
            "contact_id": [p[0] for p in people],
            "account_id": [p[1] for p in people],
            "email": [f"{p[2].lower()}@{p[1]}" for p in people],
            "first_name": [p[2] for p in people],
            "last_name": ["Lee"] * len(people),
            "company": [p[3] for p in people],
            "persona": [p[4] for p in people],
            "step": [p[6] for p in people],
            "variant": ["a"] * len(people),
            "subject": [f"Reporting at {p[3]}" if p[6] == 1 else f"Re: reporting at {p[3]}" for p in people],
            "body": [_body(sender, p[2], p[5]) for p in people],
            "facts_used": [["pain_points"], ["pain_points"], ["growth_signals"], ["prior_solutions"]],
            "issues": [[], [], ["spam_word: 'free'"], []],
            "email_flag": [None] * len(people),
            "source": ["template"] * len(people),
            "fallback_reason": [None] * len(people),
            "title": [titles[p[0]][0] for p in people],
            "rule": [titles[p[0]][1] for p in people],
        },
        schema_overrides={
            "facts_used": pl.List(pl.String),
            "issues": pl.List(pl.String),
            "email_flag": pl.String,
            "fallback_reason": pl.String,
        },
    )
    pl.DataFrame(
        {
            "contact_id": [c for c in titles],
            "first_name": ["Ada", "Bo", "Cy"],
            "last_name": ["Lee"] * 3,
            "email": ["ada@acme.com", "bo@globex.com", "cy@initech.com"],
            "title": ["Chief Financial Officer", "Revenue Operations Manager", "CEO"],
        }
    ).write_csv(tmp_path / "contacts.csv")
    folder = tmp_path / "drafts"
    folder.mkdir()
    drafts.write_parquet(folder / "drafts.parquet")
    return folder


class _Server:
    def __init__(self, session: ReviewSession) -> None:
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(build_app(session), host="127.0.0.1", port=session.inputs.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> _Server:
        self.thread.start()
        deadline = time.monotonic() + 600  # against a hang, not a measure: a loaded machine starts slowly
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join()


def _session(tmp_path: Path, folder: Path, **extra: object) -> ReviewSession:
    request = ReviewRequest(drafts=folder, store=tmp_path / "outbound.duckdb", workspace=tmp_path / "ws", **extra)
    return ReviewSession(request, load_review_inputs(request))


@pytest.mark.slow  # headless Chromium (make test-slow installs it)
def test_review_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    folder = _folder(tmp_path)
    session = _session(tmp_path, folder)
    url = review_url(session)
    shots = DOCS if os.environ.get("OUTBOUND_DOCS_SCREENSHOTS") else tmp_path
    with _Server(session), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        assert page.locator("#progress").inner_text() == "0 of 3 reviewed"  # sequences: one per contact
        # The hostile description is shown as text: no script ran, no element was made of it.
        assert page.title() != "pwned" and "<script>" in page.locator("#description").inner_text()
        assert page.locator("#description img").count() == 0 and page.locator("#description script").count() == 0
        # The contact: title -> persona and the rule that decided, carried by the drafts (escaped too).
        assert page.locator("#persona").inner_text().startswith("Chief Financial Officer <b onmouseover=alert(1)> →")
        assert page.locator("#persona b").count() == 0 and page.locator("#rule i").count() == 0
        assert page.locator("#rule").inner_text() == "economic_buyer: c-level finance <i>title</i>"
        # Ada's sequence shown whole: both steps, each sentence resting on the pain point, the words highlighted.
        assert page.locator("#email .step").count() == 2 and page.locator("#list li").count() == 3
        assert "rests on pain_points" in page.locator("#step-2").inner_text()
        assert page.locator("#description mark").first.inner_text().lower() == "manual reporting"
        page.screenshot(path=str(shots / "review-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(shots / "review-390.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})

        # Filters: the issue spam_word keeps Bo's sequence only; the segment is the plan's (a tier, or
        # `untiered` below every tier), and there is no second filter of the same thing.
        page.select_option("#filter-issue", "spam_word")
        page.click("#apply")
        assert page.locator("#list li").count() == 1 and page.locator("#draft").get_attribute("data-contact") == "c2"
        assert "spam_word" in page.locator("#email .issue").first.inner_text()
        page.select_option("#filter-issue", "")
        assert page.locator("#filter-tier").count() == 0
        assert page.locator("#filter-segment option").all_inner_texts() == ["all", "A", "B", "untiered"]
        page.select_option("#filter-segment", "untiered")
        page.click("#apply")
        assert page.locator("#list li").count() == 1 and page.locator("#draft").get_attribute("data-contact") == "c3"
        page.select_option("#filter-segment", "")
        page.click("#apply")

        # Move with j and k.
        assert page.locator("#draft").get_attribute("data-contact") == "c1"
        page.keyboard.press("j")
        page.wait_for_url("**i=1*")
        assert page.locator("#draft").get_attribute("data-contact") == "c2"
        page.keyboard.press("k")
        page.wait_for_url("**i=0*")
        # Edit Ada's follow-up alone: her sequence is partly reviewed, not approved, not counted.
        page.click("#edit-2")
        page.fill("#body", page.locator("#body").input_value().replace("Following up", "Circling back"))
        page.click("#save")
        assert "step 2 saved; passes its checks" in page.locator("#said").inner_text()
        assert page.locator("#status").inner_text() == "partly reviewed"
        assert "0 of 3 reviewed" in page.locator("#progress").inner_text()
        # Approve the sequence with a: its first step approved, the edited follow-up kept as edited.
        page.keyboard.press("a")
        page.wait_for_url("**said=approved*")
        assert "1 of 3 reviewed" in page.locator("#progress").inner_text()

        # Edit Bo's one-step sequence: the opt-out line removed fails a check; put back, it passes.
        assert page.locator("#draft").get_attribute("data-contact") == "c2"
        page.keyboard.press("e")
        body = page.locator("#body").input_value()
        opt_out = _sender().opt_out_line
        page.fill("#body", body.replace(opt_out, "").replace("Would a", "We cut 40% of that work. Would a"))
        page.click("#save")
        said = page.locator("#said").inner_text()
        assert (
            "fails its checks" in said and "no_opt_out" in said.split("resolved")[0] and "invented figure '40%'" in said
        )
        page.click("#edit-1")
        page.fill("#body", body.replace("Would a 20-minute call", "Would a short call"))
        page.click("#save")
        said = page.locator("#said").inner_text()
        resolved = said.split("resolved: ")[1]
        assert "passes its checks" in said and "invented figure '40%'" in resolved and "no_opt_out" in resolved
        assert page.locator("#status").inner_text() == "approved"  # its one step edited: the sequence is decided

        # Reject Cy's sequence with a reason.
        page.click("#next")
        assert page.locator("#draft").get_attribute("data-contact") == "c3"
        page.keyboard.press("r")
        page.keyboard.type("wrong person")
        page.keyboard.press("Enter")
        page.wait_for_url("**said=rejected*")

        # Reload: the decisions are kept.
        page.goto(url + "&status=reviewed")
        assert "3 of 3 reviewed" in page.locator("#progress").inner_text()
        statuses = page.locator("#list .status").all_inner_texts()
        assert statuses == ["approved", "approved", "rejected"]

        # A write without the token is refused (the page's own script may not even fetch: its CSP forbids it).
        refused = page.request.post(
            url.split("?")[0] + "decide",
            form={"contact_id": "c1", "versions": "1:a:0,2:a:0", "action": "reject", "reason": "x"},
        )
        assert refused.status == 403
        browser.close()

    review = pl.read_csv(folder / "review.csv", infer_schema=False)
    assert review.select("contact_id", "step", "review_status").rows() == [
        ("c1", "1", "approved"),
        ("c1", "2", "edited"),
        ("c2", "1", "edited"),
        ("c3", "1", "rejected"),
    ]
    decided = reviewed_only(review)
    assert decided.approved == ["c1", "c2"] and decided.rejected["reason"].to_list() == ["wrong person"]
    written = pl.read_csv(folder / "drafts.csv")
    assert "Would a short call" in written.filter(pl.col("contact_id") == "c2")["body"][0]
    assert "Circling back" in written.filter((pl.col("contact_id") == "c1") & (pl.col("step") == 2))["body"][0]
    assert written.columns == pl.read_parquet(folder / "drafts.parquet").columns

    # A second session continues where the first stopped, the edits shown as edited.
    again = _session(tmp_path, folder).current()
    assert again["review_status"].to_list() == ["approved", "edited", "edited", "rejected"]
    assert "Would a short call" in again.filter(pl.col("contact_id") == "c2")["body"][0]


def test_a_folder_drafted_before_drafts_carried_titles_reads_them_from_contacts(tmp_path):
    folder = _folder(tmp_path)
    pl.read_parquet(folder / "drafts.parquet").drop("title", "rule").write_parquet(folder / "drafts.parquet")
    assert "title" not in _session(tmp_path, folder).current().columns
    read = _session(tmp_path, folder, contacts=tmp_path / "contacts.csv").current()
    assert dict(zip(read["contact_id"], read["title"])) == {
        "c1": "Chief Financial Officer",
        "c2": "Revenue Operations Manager",
        "c3": "CEO",
    }
    assert read["rule"].null_count() == 0


def test_a_draft_edited_in_drafts_csv_is_reviewed_as_edited_there(tmp_path):
    folder = _folder(tmp_path)
    drafts = pl.read_parquet(folder / "drafts.parquet")
    edited = drafts.with_columns(
        pl.when(pl.col("contact_id") == "c3").then(pl.lit("Hand-written subject")).otherwise("subject").alias("subject")
    )
    edited.with_columns(pl.col("facts_used").list.join(";"), pl.col("issues").list.join(";")).write_csv(
        folder / "drafts.csv"
    )
    session = _session(tmp_path, folder)
    shown = session.current().filter(pl.col("contact_id") == "c3")
    assert shown["subject"][0] == "Hand-written subject" and shown["edited"][0]
    session.write_back()
    assert (
        pl.read_csv(folder / "drafts.csv").filter(pl.col("contact_id") == "c3")["subject"][0] == "Hand-written subject"
    )


def test_a_stale_decision_is_refused(tmp_path):
    folder = _folder(tmp_path)
    session = _session(tmp_path, folder)
    with _Server(session):
        base = f"http://127.0.0.1:{session.inputs.port}/decide"
        form = f"token={session.token}&contact_id=c1&versions=1:a:0,2:a:0&action=approve".encode()
        with urllib.request.urlopen(urllib.request.Request(base, data=form)) as first:
            assert first.status == 200  # followed the redirect to the next draft
        with pytest.raises(urllib.error.HTTPError) as stale:
            urllib.request.urlopen(urllib.request.Request(base, data=form))
        assert stale.value.code == 409 and "changed since the page loaded" in stale.value.read().decode()
        with pytest.raises(urllib.error.HTTPError) as tokenless:
            urllib.request.urlopen(urllib.request.Request(base, data=form.replace(session.token.encode(), b"x")))
        assert tokenless.value.code == 403


def test_bad_input_is_one_error(tmp_path):
    with pytest.raises(InputError, match="no drafts.parquet"):
        load_review_inputs(ReviewRequest(drafts=tmp_path, store=tmp_path / "s.duckdb"))
    folder = _folder(tmp_path)
    pl.read_parquet(folder / "drafts.parquet").drop("facts_used").write_parquet(folder / "drafts.parquet")
    with pytest.raises(InputError, match="lacks the columns review needs: facts_used"):
        load_review_inputs(ReviewRequest(drafts=folder, store=tmp_path / "s.duckdb"))
    with pytest.raises(InputError, match="folder not found"):
        ReviewRequest.given({"drafts": tmp_path / "nowhere"})


def test_a_port_in_use_takes_the_next_free_one():
    import socket

    from flows.commands.review import free_port

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        chosen, note = free_port(port)
    assert chosen != port and note == f"port {port} is in use; serving on {chosen}"


def test_the_command_on_bad_input_is_one_line_exit_2(tmp_path):
    from tests.flows.conftest import invoke

    missing = invoke("review", "--drafts", tmp_path / "nowhere", "--store", tmp_path / "s.duckdb")
    assert missing.exit_code == 2 and len(missing.output.strip().splitlines()) == 1 and "--drafts" in missing.output
    folder = _folder(tmp_path)
    pl.read_parquet(folder / "drafts.parquet").drop("issues").write_parquet(folder / "drafts.parquet")
    lacking = invoke("review", "--drafts", folder, "--store", tmp_path / "s.duckdb")
    assert lacking.exit_code == 2 and "lacks the columns review needs: issues" in lacking.output
    assert len(lacking.output.strip().splitlines()) == 1


def test_a_decision_while_the_store_is_busy_is_said_not_lost(tmp_path):
    import subprocess
    import sys

    folder = _folder(tmp_path)
    session = _session(tmp_path, folder)
    code = (
        "import time\nfrom campaigns.store import Store\n"
        f"with Store({str(tmp_path / 'outbound.duckdb')!r}).transaction():\n"
        # held until the test kills it: a loaded machine never sees it let go
        "    print('holding', flush=True)\n    time.sleep(600)\n"
    )
    with _Server(session):
        holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "holding"
            form = f"token={session.token}&contact_id=c1&versions=1:a:0,2:a:0&action=approve".encode()
            with pytest.raises(urllib.error.HTTPError) as busy:
                urllib.request.urlopen(
                    urllib.request.Request(f"http://127.0.0.1:{session.inputs.port}/decide", data=form)
                )
            assert busy.value.code == 503 and "store is busy" in busy.value.read().decode()
        finally:
            holder.kill()
            holder.wait()
    assert session.current()["review_status"].to_list() == ["unreviewed"] * 4


def test_a_decision_posted_as_multipart_is_read_by_starlette_and_a_file_is_refused(tmp_path):
    from starlette.testclient import TestClient

    session = _session(tmp_path, _folder(tmp_path))
    fields = {"token": session.token, "contact_id": "c3", "versions": "1:a:0", "action": "approve"}
    with TestClient(build_app(session), base_url="http://127.0.0.1") as client:
        upload = client.post("/decide", data=fields, files={"attachment": ("x.txt", b"x")}, follow_redirects=False)
        assert upload.status_code == 400  # a form that carries a file is no decision
        assert session.current().filter(pl.col("contact_id") == "c3")["review_status"].to_list() == ["unreviewed"]
        multipart = client.post(
            "/decide", files={name: (None, value) for name, value in fields.items()}, follow_redirects=False
        )
        assert multipart.status_code == 303 and "said=approved" in multipart.headers["location"]
    assert session.current().filter(pl.col("contact_id") == "c3")["review_status"].to_list() == ["approved"]
