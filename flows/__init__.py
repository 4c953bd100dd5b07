"""Flows: the `outbound` command line and the Prefect flows that wire the core packages together.

Orchestration and I/O only: each command (`cli.py`, `icp_cli.py`, `campaign_cli.py`) validates its
inputs, then runs its pipeline (`target.py`, `draft.py`, `personas.py`, `icp.py`, `campaign.py`) as a
flow run or in-process (`runtime.py`); `console.py` prints, `frames_io.py` writes and reads back
files, `campaign_store.py` hands the store to the commands that need it.
"""
