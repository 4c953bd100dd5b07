"""The command-line options several commands share, declared once so each reads and helps alike."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Preset = Annotated[
    str, typer.Option("--preset", help="Column preset of the accounts file: yc, apollo, clay, hubspot, canonical.")
]
MapFile = Annotated[Path | None, typer.Option("--map", help="A YAML column map for any other accounts export.")]
ContactsPreset = Annotated[
    str | None,
    typer.Option(
        "--contacts-preset",
        help="Column preset of the contacts file: apollo, clay, hubspot, canonical "
        "(default: the accounts' own for the same file, else recognized from the headers).",
    ),
]
ContactsMap = Annotated[
    Path | None, typer.Option("--contacts-map", help="A YAML column map for the contacts file (see --map).")
]
FactsFile = Annotated[
    Path | None,
    typer.Option("--facts", help="Facts vocabulary for exports without fact columns (default ./facts.yaml)."),
]
Suppress = Annotated[
    list[Path] | None, typer.Option(help="Do-not-contact list: domains, emails or account ids (repeatable).")
]
PersonaFile = Annotated[Path | None, typer.Option("--personas", help="Persona rules (personas.yaml).")]
AsOf = Annotated[
    str | None, typer.Option("--as-of", help="Date that `within_days` counts back from (YYYY-MM-DD; default today).")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")]
StoreOption = Annotated[
    Path | None, typer.Option("--store", help="The campaign store (default $OUTBOUND_STORE, else ./outbound.duckdb).")
]
AllowSample = Annotated[
    bool, typer.Option("--allow-sample-sender", help="Write drafts signed by the sample sender (sample: true) anyway.")
]
AllowSampleCopy = Annotated[
    bool,
    typer.Option(
        "--allow-sample-copy",
        help="Draft with your own sender and copy still marked sample (messaging.yaml's sample: true, TODO lines) anyway.",
    ),
]


# The LLM options of `draft --llm`, `facts --llm` and `campaign report --llm` (docs/llm.md).
LlmFlag = Annotated[
    bool,
    typer.Option("--llm", help="Have a model write (draft) or read (facts, report), checked; needs OPENAI_API_KEY."),
]
LlmOptional = Annotated[
    bool,
    typer.Option(
        "--llm-optional",
        help="As --llm, but where the model server cannot be used (no key, no answer, an unknown model or API) "
        "say why and go on without it (templates draft, the rules read) instead of stopping.",
    ),
]
ModelOption = Annotated[
    str, typer.Option("--model", envvar="OUTBOUND_LLM_MODEL", help="Model name as the server knows it.")
]
Concurrency = Annotated[int, typer.Option("--concurrency", min=1, help="Model calls in flight at once.")]
LlmTimeout = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1,
        envvar="OUTBOUND_LLM_TIMEOUT",
        help="Seconds a model call may take before the client gives up and asks again (a slow local server "
        "needs more: a call it has not answered in time is still worked through, and the next waits for it).",
    ),
]
MaxCost = Annotated[
    float | None,
    typer.Option("--max-cost", min=0, help="Budget in USD; past it, the rest fall back to templates (or rules)."),
]
PriceIn = Annotated[float | None, typer.Option("--price-in", min=0, help="USD per 1M input tokens (default: table).")]
PriceOut = Annotated[
    float | None, typer.Option("--price-out", min=0, help="USD per 1M output tokens (default: table).")
]
ApiOption = Annotated[str, typer.Option("--api", help="OpenAI API to call: chat (completions) or responses.")]
