"""The terminal: stdout for a command's summary, stderr for progress, warnings and errors."""

from rich.console import Console

console = Console()
err_console = Console(stderr=True)
