"""The `outbound` command line. Every command validates its inputs before a flow starts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.console import one_line_errors, print_json, print_target_summary
from flows.runtime import quiet_prefect

app = typer.Typer(
    help="ICP-sized target lists, persona-matched drafts and honest small test campaigns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

Preset = Annotated[str, typer.Option("--preset", help="Column preset: yc, apollo, clay, hubspot, canonical.")]
MapFile = Annotated[Optional[Path], typer.Option("--map", help="A YAML column map for any other export.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
NoPrefect = Annotated[
    bool, typer.Option("--no-prefect", help="Run the same steps in-process, without a Prefect flow run.")
]
AsOf = Annotated[
    Optional[str], typer.Option("--as-of", help="Date that `within_days` counts back from (YYYY-MM-DD; default today).")
]


def _parse_as_of(value: str | None) -> date | None:
    from targeting.errors import InputError

    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise InputError("expected a date as YYYY-MM-DD", field="--as-of", value=value) from None


@app.command()
def target(
    accounts: Annotated[Path, typer.Option(help="Accounts (or a people-shaped export): CSV, Parquet, NDJSON.")],
    icp: Annotated[Path, typer.Option(help="The ICP spec (icp.yaml).")],
    out: Annotated[Path, typer.Option(help="Folder for targets.parquet/.csv, target_summary.json, rejected.csv.")],
    contacts: Annotated[Optional[Path], typer.Option(help="Contacts, to count reachable accounts.")] = None,
    suppress: Annotated[
        Optional[list[Path]], typer.Option(help="Domains, emails or account ids never to target (repeatable).")
    ] = None,
    personas: Annotated[Optional[Path], typer.Option(help="Persona rules (personas.yaml).")] = None,
    preset: Preset = "canonical",
    column_map: MapFile = None,
    as_of: AsOf = None,
    json_out: JsonFlag = False,
    no_prefect: NoPrefect = False,
) -> None:
    """Score and size a prospect universe against an ICP, and write the target list."""
    from flows.target import TargetRequest, build_target_list_flow, run_targeting, validate_target_request

    with one_line_errors():
        request = TargetRequest(
            accounts=accounts, icp=icp, out=out, contacts=contacts, suppress=suppress or [],
            preset=preset, column_map=column_map, personas=personas, as_of=_parse_as_of(as_of),
        )
        validate_target_request(request)
        if no_prefect:
            summary = run_targeting(request, use_prefect=False)
        else:
            summary = build_target_list_flow()(request)
    print_json(summary) if json_out else print_target_summary(summary)


def main() -> None:
    """Entry point of the `outbound` console script."""
    quiet_prefect()
    app()


if __name__ == "__main__":
    main()
