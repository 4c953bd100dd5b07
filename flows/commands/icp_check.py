"""`outbound icp check`: an ICP validated, each value as the data spells it, and how often it occurs."""

from __future__ import annotations

from typing import Any

from flows.commands.request import InputFile, Request
from flows.edges.inputs import accounts_layout, check_universe, load_facts_spec, read_universe


class IcpCheckRequest(Request):
    """What `outbound icp check` was asked to do."""

    icp: InputFile
    accounts: InputFile | None = None
    preset: str = "canonical"
    column_map: InputFile | None = None
    facts: InputFile | None = None


def run_icp_check(request: IcpCheckRequest) -> Any:
    """The check of the ICP, against the universe (read as `target` reads it, facts and all) where one is given.

    Raises:
        InputError: the ICP or the universe cannot be used.
    """
    from targeting.icp import load_icp
    from targeting.selection.icp_check import check_icp

    spec = load_icp(request.icp)
    if request.accounts is None:
        return check_icp(spec, None)
    layout = accounts_layout(request.preset, request.column_map)
    check_universe(request.accounts, layout)
    return check_icp(spec, read_universe(request.accounts, layout, load_facts_spec(request.facts)).accounts)
