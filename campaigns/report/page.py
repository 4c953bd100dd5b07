"""report.html (placeholder until the page lands)."""

from __future__ import annotations

import html
import json
from typing import Any


def render_report_html(report: dict[str, Any]) -> str:
    """A self-contained page for report.json."""
    return f"<!doctype html><html><body><pre>{html.escape(json.dumps(report, indent=2))}</pre></body></html>"
