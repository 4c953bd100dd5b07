"""Which preset reads a contacts file, recognized from its headers.

A contacts file comes from another tool than the universe (the YC directory beside an Apollo people
export), so it has a layout of its own. Without `--contacts-preset` or `--contacts-map`, the preset
whose rules name the most of the file's headers, person columns among them, reads it: as
`campaign ingest` recognizes a sending tool's results file.
"""

from __future__ import annotations

from pathlib import Path

from targeting.errors import InputError
from targeting.importing.presets import PRESETS, header_key

# The exports people files come from, in the order a tie is decided.
CONTACT_PRESETS = ("canonical", "apollo", "hubspot", "clay")
# A contacts file must name a person: an email or a name.
_PERSON = ("email", "first_name", "last_name")


def recognized_contact_preset(headers: list[str], path: str | Path) -> str:
    """The preset whose rules read the most of `headers`, at least one of them a person column.

    Args:
        headers: the file's column names, as written.
        path: the file, named in the error.

    Returns:
        One of CONTACT_PRESETS.

    Raises:
        InputError: no preset places a person column (an email or a name) among the headers.
    """
    keys = {header_key(h) for h in headers}
    best, best_count = None, 0
    for preset in CONTACT_PRESETS:
        rules = PRESETS[preset].rules()
        placed = [rules[key] for key in keys if key in rules]
        if not any(target in _PERSON for rule in placed for target in rule.to):
            continue
        if len(placed) > best_count:
            best, best_count = preset, len(placed)
    if best is None:
        shown = ", ".join(headers[:10]) + (", ..." if len(headers) > 10 else "")
        raise InputError(
            f"could not recognize the contacts layout: no email or name column among the headers ({shown}); "
            f"give --contacts-preset ({', '.join(CONTACT_PRESETS)}) or a --contacts-map FILE",
            path=path,
        )
    return best
