"""`outbound review`: a local page to review a drafts folder, one contact's sequence at a time, beside what
each sentence rests on.

A command, not a flow: it serves until stopped. The logic is `campaigns.review`; this module loads
the folder, keeps the session's token and serves the page (Starlette, run by uvicorn). Safe by
default: it binds 127.0.0.1, every write carries the session's random token, every text is
escaped (Jinja2 autoescape, and a Content-Security-Policy that runs only the page's own script),
and a decision on a sequence (or a step) that changed since its page loaded is refused.

The unit of review is a contact's sequence (`campaigns.review.status.sequence_status`): it is sent
whole, so it is shown whole, approved or rejected whole, and each of its steps edited on its own.
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import polars as pl

from flows.commands.request import InputFolder, Request
from targeting.errors import InputError

NEEDED = ("contact_id", "account_id", "email", "persona", "step", "variant", "subject", "body", "facts_used", "issues")
FILTERS = ("persona", "segment", "issue", "status")
LISTED = 200
DEFAULT_PORT = 8765


class ReviewRequest(Request):
    """What `outbound review` was asked to do."""

    drafts: InputFolder
    targets: Path | None = None
    # The drafts carry each contact's title and the persona rule it met; `--contacts` reads them again
    # for a folder drafted before they did.
    contacts: Path | None = None
    contacts_preset: str | None = None
    contacts_map: Path | None = None
    port: int | None = None
    store: Path | None = None
    workspace: Path = Path(".")


@dataclass
class ReviewInputs:
    """The drafts as drafted, their accounts, the sender and vocabulary, the decisions' log, the port."""

    drafts: pl.DataFrame
    accounts: dict[str, dict[str, Any]]
    sender: Any
    facts: Any
    log: Any
    port: int
    port_note: str | None
    targets: Path | None


def targets_file(request: ReviewRequest) -> Path | None:
    """`--targets`, else a targets.parquet in or beside the drafts folder (as `outbound demo` lays them out)."""
    if request.targets is not None:
        if not request.targets.is_file():
            raise InputError("file not found", field="--targets", path=request.targets)
        return request.targets
    for candidate in (request.drafts / "targets.parquet", request.drafts.parent / "targets" / "targets.parquet"):
        if candidate.is_file():
            return candidate
    return None


def free_port(wanted: int) -> tuple[int, str | None]:
    """`wanted` where 127.0.0.1 has it free, else the next free one and a note saying so."""
    for port in range(wanted, wanted + 50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds: a closed socket is free
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        note = None if port == wanted else f"port {wanted} is in use; serving on {port}"
        return port, note
    raise InputError(f"no free port from {wanted} to {wanted + 49}", field="--port", value=wanted)


def load_review_inputs(request: ReviewRequest) -> ReviewInputs:
    """Read the drafts folder, its accounts and the workspace's sender; open the store once.

    Raises:
        InputError: no drafts.parquet, a column the review needs is missing, the store is busy,
            no free port.
    """
    from campaigns.review.decisions import ReviewLog
    from flows.edges.files import read_drafts
    from flows.edges.inputs import load_facts_spec
    from flows.edges.store import resolve_store_path
    from flows.edges.workspace import load_copy_specs

    parquet = request.drafts / "drafts.parquet"
    drafts = read_drafts(request.drafts)  # a torn set (counts unlike its summary's) is refused
    missing = [c for c in NEEDED if c not in drafts.columns]
    if missing:
        raise InputError(f"drafts.parquet lacks the columns review needs: {', '.join(missing)}", path=parquet)
    targets = targets_file(request)
    accounts: dict[str, dict[str, Any]] = {}
    if targets is not None:
        frame = pl.read_parquet(targets) if targets.suffix == ".parquet" else pl.read_csv(targets, infer_schema=False)
        if "account_id" not in frame.columns:
            raise InputError("the targets have no account_id column", path=targets)
        wanted = frame.filter(pl.col("account_id").is_in(drafts["account_id"].unique().implode()))
        accounts = {row["account_id"]: row for row in wanted.iter_rows(named=True)}
    copy = load_copy_specs(request.workspace)
    if request.contacts is not None:  # a folder drafted before drafts carried `title` and `rule`
        drafts = drafts.drop("title", "rule", strict=False).join(
            contact_titles(request, copy.persona_rules), on="contact_id", how="left", maintain_order="left"
        )
    facts_yaml = request.workspace / "facts.yaml"
    facts = load_facts_spec(facts_yaml if facts_yaml.is_file() else None)
    log = ReviewLog(resolve_store_path(request.store), request.drafts)
    log.check()
    port, note = free_port(request.port or DEFAULT_PORT)
    return ReviewInputs(drafts, accounts, copy.sender, facts, log, port, note, targets)


def contact_titles(request: ReviewRequest, rules: Any) -> pl.DataFrame:
    """contact_id, title and the persona rule that decided, from `--contacts` read as `outbound draft` reads it."""
    from flows.edges.inputs import check_contacts, contacts_layout, read_contacts
    from messaging.contacts.classify import classify_contacts

    if not request.contacts.is_file():
        raise InputError("file not found", field="--contacts", path=request.contacts)
    layout = contacts_layout(request.contacts, request.contacts_preset, request.contacts_map)
    check_contacts(request.contacts, layout)
    people = read_contacts(request.contacts, layout).contacts.lazy()
    if "title" not in people.collect_schema().names():
        return pl.DataFrame(schema={"contact_id": pl.String, "title": pl.String, "rule": pl.String})
    titled = people.select(pl.col("contact_id").cast(pl.String), pl.col("title").cast(pl.String))
    return classify_contacts(titled, rules).select("contact_id", "title", "rule").collect().unique("contact_id")


class ReviewSession:
    """One review session: the batch, the token, and what a page and a decision do."""

    def __init__(self, request: ReviewRequest, inputs: ReviewInputs, token: str | None = None) -> None:
        from campaigns.planning.segments import UNTIERED
        from campaigns.review.decisions import drafted_hash_expr

        self.request = request
        self.inputs = inputs
        self.token = token or secrets.token_urlsafe(24)
        # The segment a plan puts a drafted contact in: `outbound draft` drafts target accounts only, and
        # a target's segment is its tier (`untiered` below every tier; `explore` holds near misses, never
        # targets), so the page filters by segment, read from the drafts where they carry one.
        tiers = pl.DataFrame(
            {"account_id": list(inputs.accounts), "tier": [a.get("tier") for a in inputs.accounts.values()]},
            schema={"account_id": pl.String, "tier": pl.String},
        )
        base = inputs.drafts.drop("tier", strict=False).join(tiers, on="account_id", how="left", maintain_order="left")
        if "segment" not in base.columns:
            known = pl.col("account_id").is_in(pl.Series(list(inputs.accounts), dtype=pl.String).implode())
            base = base.with_columns(pl.when(known).then(pl.col("tier").fill_null(UNTIERED)).alias("segment"))
        self.base = (
            base.with_columns(pl.col("step").cast(pl.Int64), pl.col("variant").cast(pl.String))
            .sort("contact_id", "step", "variant")
            .with_columns(drafted_hash_expr().alias("drafted"))
        )
        # The text as it will be sent starts from drafts.csv where someone edited it there (as the plan reads it).
        csv = request.drafts / "drafts.csv"
        if csv.is_file():
            from campaigns.planning.drafts import reviewed_drafts

            self.base = reviewed_drafts(self.base, pl.read_csv(csv, infer_schema=False), inputs.sender)

    def current(self) -> pl.DataFrame:
        """The batch with its latest decisions."""
        from campaigns.review.status import with_decisions

        return with_decisions(self.base, self.inputs.log.latest())

    def filtered(self, frame: pl.DataFrame, filters: dict[str, str]) -> pl.DataFrame:
        """The sequences the filters keep: one row per contact (its first step's), in batch order, with
        `sequence_status`, its steps' count and its index `i` among them.

        A sequence is kept where one of its drafts has the issue asked for; persona and segment are the
        contact's; the status is the sequence's (`reviewed`: approved or rejected).
        """
        from campaigns.review.status import sequence_status

        keep = pl.lit(True)
        for name in ("persona", "segment"):
            if filters.get(name):
                keep &= pl.col(name) == filters[name]
        if filters.get("issue"):
            has = pl.col("issues").list.eval(pl.element().str.starts_with(filters["issue"] + ":")).list.any()
            keep &= has.fill_null(False).any().over("contact_id")
        status = pl.col("sequence_status")
        if filters.get("status") == "reviewed":
            keep &= status.is_in(["approved", "rejected"])
        elif filters.get("status"):
            keep &= status == filters["status"]
        sequences = frame.with_columns(sequence_status(), pl.len().over("contact_id").alias("steps")).filter(keep)
        return sequences.unique("contact_id", keep="first", maintain_order=True).with_row_index("i")

    def options(self, frame: pl.DataFrame) -> dict[str, list[str]]:
        """The values each filter offers, read from the batch."""
        from campaigns.review.status import SEQUENCE_STATUSES

        codes = frame.select(pl.col("issues").list.explode().str.extract(r"^([a-z_]+)")).to_series().drop_nulls()
        return {
            "persona": sorted(frame["persona"].drop_nulls().unique().to_list()),
            "segment": sorted(s for s in frame["segment"].drop_nulls().unique().to_list() if s),
            "issue": sorted(codes.unique().to_list()),
            "status": [*SEQUENCE_STATUSES[:2], "reviewed", *SEQUENCE_STATUSES[2:]],
        }

    def write_back(self, frame: pl.DataFrame | None = None) -> None:
        """review.csv (every draft's review_status) and drafts.csv (edited text) in the drafts folder."""
        from campaigns.review.status import review_csv
        from flows.edges.files import write_csv

        frame = self.current() if frame is None else frame
        folder = self.request.drafts
        write_csv(review_csv(frame), folder / "review.csv")
        columns = list(pl.read_parquet_schema(folder / "drafts.parquet"))
        write_csv(frame.select(columns), folder / "drafts.csv")

    def draft_row(self, frame: pl.DataFrame, contact_id: str, step: int, variant: str) -> dict[str, Any] | None:
        rows = frame.filter(
            (pl.col("contact_id") == contact_id) & (pl.col("step") == step) & (pl.col("variant") == variant)
        )
        return rows.row(0, named=True) if rows.height else None


def build_app(session: ReviewSession):
    """The Starlette app of one session."""
    import jinja2
    from markupsafe import Markup
    from starlette.applications import Starlette
    from starlette.requests import Request as HttpRequest
    from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse
    from starlette.routing import Route

    from campaigns.review.decisions import Decision
    from campaigns.review.grounds import draft_grounds, highlighted
    from campaigns.review.recheck import recheck
    from campaigns.review.status import progress
    from messaging.checks.lint import SEVERITY

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)), autoescape=True, undefined=jinja2.StrictUndefined
    )
    page = env.get_template("review.html")

    def headers(nonce: str) -> dict[str, str]:
        return {
            "Content-Security-Policy": f"default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; "
            "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        }

    def authorized(given: str | None) -> bool:
        return given is not None and secrets.compare_digest(given, session.token)

    def query(filters: dict[str, str], **extra: Any) -> str:
        return "/?" + urlencode({"token": session.token, **{k: v for k, v in filters.items() if v}, **extra})

    def render(
        filters: dict[str, str],
        index: int | None,
        *,
        editing: int | None,
        said: str = "",
        refused: bool = False,
        status: int = 200,
    ):
        frame = session.current()
        shown = session.filtered(frame, filters)
        if index is None:
            unreviewed = shown.filter(pl.col("sequence_status") != "approved").filter(
                pl.col("sequence_status") != "rejected"
            )
            index = int(unreviewed["i"][0]) if unreviewed.height else 0
        index = max(0, min(index, shown.height - 1)) if shown.height else 0
        contact = shown.row(index, named=True) if shown.height else None
        steps = (
            frame.filter(pl.col("contact_id") == contact["contact_id"]).sort("step", "variant").to_dicts()
            if contact
            else []
        )
        account = session.inputs.accounts.get(contact["account_id"]) if contact else None
        grounds = [draft_grounds(step, account, session.inputs.facts) for step in steps]
        # The account's words every step rests on, highlighted once in its description.
        words = [g.words for each in grounds for g in each.grounds]
        facts_used = list(dict.fromkeys(f for step in steps for f in step.get("facts_used") or []))
        start = max(0, min(index - LISTED // 2, shown.height - LISTED))
        nonce = secrets.token_urlsafe(12)

        def hidden(step: dict[str, Any] | None = None) -> Markup:
            # A sequence's form carries every step's version (a step decided since the page loaded is stale).
            fields: dict[str, Any] = {"token": session.token, "contact_id": contact["contact_id"]}
            if step is None:
                fields["versions"] = ",".join(f"{d['step']}:{d['variant']}:{d['version']}" for d in steps)
            else:
                fields |= {"step": step["step"], "variant": step["variant"], "version": step["version"]}
            fields |= {f"f_{k}": v for k, v in filters.items() if v}
            return Markup("").join(
                Markup('<input type="hidden" name="{}" value="{}">').format(k, v) for k, v in fields.items()
            )

        html = page.render(
            token=session.token,
            nonce=nonce,
            progress=progress(frame),
            shown=shown.height,
            filters={name: filters.get(name, "") for name in FILTERS},
            filter_options=session.options(frame),
            listed=shown.slice(start, LISTED).to_dicts(),
            more=max(0, shown.height - LISTED),
            index=index,
            draft=contact,
            steps=list(zip(steps, grounds, strict=True)),
            account=account or {},
            facts_used=facts_used,
            description=highlighted((account or {}).get("description"), words),
            editing=editing,
            said=said,
            refused=refused,
            link=lambda i, edit=None: query(
                filters, i=max(0, min(i, max(shown.height - 1, 0))), **({"edit": edit} if edit is not None else {})
            ),
            hidden=hidden,
            level=lambda issue: SEVERITY.get(issue.split(":", 1)[0], "warning"),
        )
        return HTMLResponse(html, status_code=status, headers=headers(nonce))

    def filters_of(source: Any, prefix: str = "") -> dict[str, str]:
        return {name: str(source.get(prefix + name) or "") for name in FILTERS}

    async def index(request: HttpRequest):
        if not authorized(request.query_params.get("token")):
            return PlainTextResponse("this page needs the session's token: open the URL `outbound review` printed", 403)
        q = request.query_params
        i = int(q["i"]) if q.get("i", "").isdigit() else None
        editing = int(q["edit"]) if q.get("edit", "").isdigit() else None
        return render(filters_of(q), i, editing=editing, said=q.get("said", ""))

    async def decide(request: HttpRequest):
        # Starlette's own form parser (python-multipart): url-encoded or multipart, fields only, no files.
        async with request.form(max_files=0, max_fields=64) as posted:
            form = {k: v for k, v in posted.items() if isinstance(v, str)}
        if not authorized(form.get("token")):
            return PlainTextResponse("refused: a decision needs the session's token", 403)
        filters = filters_of(form, "f_")
        frame = session.current()
        contact_id = str(form.get("contact_id"))
        sequence = frame.filter(pl.col("contact_id") == contact_id).sort("step", "variant")
        if sequence.is_empty():
            return PlainTextResponse("refused: no such draft", 404)
        here = session.filtered(frame, filters).filter(pl.col("contact_id") == contact_id)
        at = int(here["i"][0]) if here.height else 0
        action = form.get("action")
        if action == "edit":
            try:
                rows = [session.draft_row(frame, contact_id, int(str(form.get("step"))), str(form.get("variant")))]
            except ValueError:
                return PlainTextResponse("refused: no such draft", 400)
            if rows[0] is None:
                return PlainTextResponse("refused: no such draft", 404)
            stale = str(rows[0]["version"]) != str(form.get("version"))
        else:
            rows = sequence.to_dicts()
            stale = ",".join(f"{d['step']}:{d['variant']}:{d['version']}" for d in rows) != form.get("versions")
        if stale:
            return render(
                filters,
                at,
                editing=None,
                said="refused: this sequence changed since the page loaded (another tab or session decided on it); "
                "here it is as it stands now",
                refused=True,
                status=409,
            )
        account = session.inputs.accounts.get(rows[0]["account_id"])
        name = f"{rows[0]['first_name'] or ''} {rows[0]['last_name'] or ''}".strip()

        def key(row: dict[str, Any]) -> dict[str, Any]:
            return dict(contact_id=contact_id, step=row["step"], variant=row["variant"], drafted=row["drafted"])

        if action == "approve":
            for row in rows:  # an edited step is approved with the reviewer's text already
                if row["review_status"] != "edited":
                    session.inputs.log.record(
                        Decision(
                            **key(row),
                            decision="approved",
                            subject=row["subject"],
                            body=row["body"],
                            issues=tuple(row["issues"] or ()),
                        )
                    )
            said = f"approved {name}'s sequence ({len(rows)} step{'s' if len(rows) > 1 else ''})"
            at += 1
        elif action == "reject":
            reason = str(form.get("reason") or "").strip()
            if not reason:
                return render(
                    filters, at, editing=None, said="refused: say why you reject it", refused=True, status=400
                )
            for row in rows:
                session.inputs.log.record(
                    Decision(
                        **key(row),
                        decision="rejected",
                        subject=row["subject"],
                        body=row["body"],
                        reason=reason,
                        issues=tuple(row["issues"] or ()),
                    )
                )
            said = f"rejected {name}'s sequence: {reason}"
            at += 1
        elif action == "edit":
            row = rows[0]
            subject = str(form.get("subject") or "").replace("\r\n", "\n").strip()
            body = str(form.get("body") or "").replace("\r\n", "\n").strip()
            checked = recheck(subject, body, row, account, session.inputs.sender)
            session.inputs.log.record(
                Decision(**key(row), decision="edited", subject=subject, body=body, issues=tuple(checked.issues))
            )
            said = f"step {row['step']} {checked.said()}"
        else:
            return PlainTextResponse("refused: unknown action", 400)
        session.write_back()
        return RedirectResponse(query(filters, i=at, said=said), status_code=303)

    async def store_refused(request: HttpRequest, exc: Exception):
        # The store busy with another command (or not readable): said, nothing decided; the reviewer tries again.
        return PlainTextResponse(f"not saved: {exc}; go back and try again", 503)

    return Starlette(
        routes=[Route("/", index), Route("/decide", decide, methods=["POST"])],
        exception_handlers={InputError: store_refused},
    )


def review_url(session: ReviewSession) -> str:
    """The page's address with the session's token."""
    return f"http://127.0.0.1:{session.inputs.port}/?token={session.token}"


def serve(session: ReviewSession) -> None:
    """Serve the page on 127.0.0.1 until interrupted."""
    import uvicorn

    uvicorn.run(build_app(session), host="127.0.0.1", port=session.inputs.port, log_level="warning")
