"""The command-line options several commands share, declared once so each reads and helps alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Preset = Annotated[str, typer.Option("--preset", help="Column preset: yc, apollo, clay, hubspot, canonical.")]
MapFile = Annotated[Path | None, typer.Option("--map", help="A YAML column map for any other export.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
StoreOption = Annotated[
    Path | None, typer.Option("--store", help="The campaign store (default $OUTBOUND_STORE, else ./outbound.duckdb).")
]
AllowSample = Annotated[
    bool, typer.Option("--allow-sample-sender", help="Write drafts signed by the sample sender (sample: true) anyway.")
]
