"""`outbound demo`: the whole loop on the bundled sample, in a fresh workspace.

`init` -> `target` -> `draft` -> two rounds of the test-campaign loop with a simulated responder
(`campaign_round.run_round`), each refining the ICP on every round so far. Ends in `OUT/report.html`:
the last round's report with the ICP v1 -> v2 change.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flows.commands.campaign_plan import PlanRequest
from flows.commands.campaign_report import campaign_report, write_report
from flows.commands.campaign_round import Results, icp_change, run_round
from flows.commands.draft import DraftRequest
from flows.commands.target import TargetRequest
from flows.runner import IN_PROCESS

ROUNDS = 2
SIZE = 150


def demo_target_request(out: Path) -> TargetRequest:
    """`outbound target` on the demo workspace's universe and contacts."""
    return TargetRequest(
        accounts=out / "accounts.csv",
        contacts=out / "contacts.csv",
        icp=out / "icp.yaml",
        personas=out / "personas.yaml",
        out=out / "targets",
    )


def demo_draft_request(out: Path) -> DraftRequest:
    """`outbound draft` of the demo's targets, signed by the sample sender on purpose (the demo is its place)."""
    return DraftRequest(
        targets=out / "targets" / "targets.parquet",
        contacts=out / "contacts.csv",
        out=out / "drafts",
        workspace=out,
        allow_sample_sender=True,
    )


def review_command(out: Path) -> list[str]:
    """The `outbound review` command for the demo's drafts, as the demo prints it."""
    return [
        "outbound",
        "review",
        "--drafts",
        str(out / "drafts"),
        "--contacts",
        str(out / "contacts.csv"),
        "--workspace",
        str(out),
        "--store",
        str(out / "outbound.duckdb"),
    ]


def run_campaign_loop(out: Path, *, rounds: int = ROUNDS, size: int = SIZE, seed: int = 7) -> dict[str, Any]:
    """Run the loop on the demo workspace in `out` (after `init`, `target` and `draft`).

    Returns:
        Per round: the campaign, its totals and the refinement; and the final page's path.
    """
    import polars as pl

    from targeting import import_accounts
    from targeting.sample.responder import simulated_results

    store = out / "outbound.duckdb"
    store.unlink(missing_ok=True)  # the demo's own store: every run starts fresh
    for old in out.glob("icp.v*.yaml"):
        old.unlink()
    accounts = import_accounts(out / "accounts.csv").accounts.collect()
    icp = out / "icp.yaml"
    summary: dict[str, Any] = {"rounds": []}
    change: dict[str, Any] | None = None
    for n in range(1, rounds + 1):
        folder = out / f"round-{n}"

        def simulated(campaign_id: str, folder: Path = folder, n: int = n) -> Results:
            planned = pl.read_csv(folder / "campaign.csv", infer_schema=False)
            simulated_results(planned, accounts, seed=seed + n).write_csv(folder / "results.csv")
            return Results(folder / "results.csv", simulated=True)

        plan = PlanRequest(
            icp=icp,
            accounts=out / "accounts.csv",
            contacts=out / "contacts.csv",
            out=folder,
            store=store,
            size=size,
            name=f"demo-round-{n}",
            workspace=out,
            seed=seed + n,
            drafts=out / "drafts" if n == 1 else None,
            allow_sample_sender=True,
        )
        done = run_round(
            plan,
            IN_PROCESS,
            export_format="generic",
            export_to=folder / "export.csv",
            results=simulated,
            refine_to=out / f"icp.v{done_version(icp) + 1}.yaml",
            icp_change=change,
        )
        refined = done.refined
        summary["rounds"].append(
            {
                "campaign_id": done.plan["campaign_id"],
                "icp_version": done.plan["version"],
                "totals": done.report["totals"],
                "refined": refined["changed"],
                "changes": [f"{c['criterion']} {c['text']}" for c in refined["changes"]],
            }
        )
        if refined["changed"]:
            change = icp_change(refined)
            icp = Path(refined["out"])  # the next round tests it; its refinement pools every round of the lineage
    last = out / f"round-{rounds}"
    final = campaign_report(store, summary["rounds"][-1]["campaign_id"])
    final["icp_change"] = change or {
        "from": 1,
        "to": 1,
        "changes": [],
        "unchanged": ["not enough evidence yet to change the ICP"],
    }
    write_report(final, last)
    shutil.copyfile(last / "report.html", out / "report.html")
    shutil.copyfile(last / "report.json", out / "report.json")
    summary["report"] = str(out / "report.html")
    summary["icp"] = str(icp)
    return summary


def done_version(icp: Path) -> int:
    """The version the ICP file says it is."""
    from targeting.icp.spec import load_icp

    return load_icp(icp).version
