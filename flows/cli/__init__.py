"""The command line: the Typer app, its shared options and printers, and the one place that decides
whether a command runs in-process or as a Prefect flow run (`running`)."""

from flows.cli.app import app, main

__all__ = ["app", "main"]
