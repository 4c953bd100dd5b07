"""`outbound copy`: the workspace's copy (messaging.yaml) for the user's own product."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.options import JsonFlag
from flows.cli.printers import console, one_line_errors, print_json

copy_app = typer.Typer(
    help="The copy your drafts carry (messaging.yaml) for your own product.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@copy_app.command()
def scaffold(
    workspace: Annotated[Path, typer.Option(help="Workspace holding sender.yaml and messaging.yaml.")] = Path("."),
    sender: Annotated[Path | None, typer.Option(help="Who is writing (default: the workspace's sender.yaml).")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write (default: the workspace's messaging.yaml).")] = None,
    force: Annotated[bool, typer.Option(help="Replace a messaging.yaml that is not the sample's.")] = False,
    json_out: JsonFlag = False,
) -> None:
    """Write a messaging.yaml skeleton for the pain points sender.yaml `solves`: TODO lines to write in your words.

    The sample's copy (`sample: true`, what `outbound init` wrote) is replaced; your own is kept
    unless --force. Drafting refuses a TODO line left in, as it refuses the sample's copy.
    """
    from flows.edges.workspace import write_copy_scaffold

    with one_line_errors():
        written = write_copy_scaffold(workspace, sender=sender, out=out, force=force)
    if json_out:
        print_json(written)
        return
    console.print(
        f"wrote {written['out']}: {written['todo']} TODO lines for {', '.join(written['solves'])}; "
        "write them in your own words, then draft"
    )
