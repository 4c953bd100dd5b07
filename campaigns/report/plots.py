"""The report's plots, drawn by matplotlib into inline SVG (text kept as text, no external references)."""

from __future__ import annotations

import io
import re
from typing import Any

INK, MUTED, GOOD, BAD, PRIOR = "#1f2933", "#7b8794", "#1a7f5a", "#b3261e", "#c77d00"
VERDICT_COLOUR = {"likely_better": GOOD, "likely_worse": BAD, "not_enough_evidence": MUTED, "no_comparison": MUTED}


def _svg(fig: Any) -> str:
    """A figure as an <svg> element to inline: no XML prolog, doctype or metadata, scales with its box."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # Width follows the page (a phone's or a laptop's); the viewBox keeps the proportions.
    return re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="plot" role="img"', text, count=1)


def rates_plot(rows: list[dict[str, Any]], title: str, prior_rate: float | None = None) -> str | None:
    """Reply rate (genuine replies) per arm with its 95% Wilson interval, coloured by verdict; None when nothing was delivered."""
    shown = [r for r in rows if r["delivered"]]
    if not shown:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "outbound"
    height = 0.9 + 0.42 * len(shown)
    fig, ax = plt.subplots(figsize=(5.2, height))
    names = [_short(str(r["name"])) for r in shown][::-1]
    ys = list(range(len(shown)))
    for y, row in zip(ys, shown[::-1]):
        colour = VERDICT_COLOUR[row["verdict"]]
        ax.plot(
            [row["reply_ci_low"] * 100, row["reply_ci_high"] * 100],
            [y, y],
            color=colour,
            linewidth=2.2,
            solid_capstyle="round",
        )
        ax.plot([row["reply_rate"] * 100], [y], "o", color=colour, markersize=7)
        ax.annotate(
            f"{row['replies']}/{row['delivered']}",
            (row["reply_ci_high"] * 100, y),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=INK,
        )
    if prior_rate is not None:
        ax.axvline(prior_rate * 100, color=PRIOR, linestyle="--", linewidth=1)
        ax.annotate(
            "prior",
            (prior_rate * 100, len(shown) - 0.45),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=8,
            color=PRIOR,
        )
    ax.set_yticks(ys, names, fontsize=10, color=INK)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    upper = max(r["reply_ci_high"] for r in shown) * 100
    ax.set_xlim(0, max(upper * 1.18, 1))
    ax.set_xlabel("replies per delivered email, %\n(dot: observed; bar: 95% Wilson interval)", fontsize=9, color=MUTED)
    ax.set_title(title, fontsize=12, color=INK, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(colors=MUTED)
    return _svg(fig)


def points_change_plot(changes: list[dict[str, Any]], title: str) -> str | None:
    """Points per criterion before and after a refinement (a criterion's arrow from old to new); None without changes."""
    if not changes:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "outbound"
    fig, ax = plt.subplots(figsize=(5.2, 0.9 + 0.42 * len(changes)))
    for y, change in enumerate(changes[::-1]):
        old, new = change.get("old_points") or 0, change.get("new_points") or 0
        colour = GOOD if new > old else BAD if new < old else MUTED
        ax.annotate("", xy=(new, y), xytext=(old, y), arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 2})
        ax.plot([old], [y], "o", color=MUTED, markersize=5)
    ax.set_yticks(range(len(changes)), [_short(c["criterion"]) for c in changes[::-1]], fontsize=10, color=INK)
    values = [c.get("old_points") or 0 for c in changes] + [c.get("new_points") or 0 for c in changes]
    ax.set_xlim(min(values + [0]) - 1, max(values + [0]) + 1)
    ax.set_ylim(-0.7, len(changes) - 0.3)
    ax.axvline(0, color=MUTED, linewidth=0.8)
    ax.set_xlabel("points (grey dot: before; arrow: after)", fontsize=9, color=MUTED)
    ax.set_title(title, fontsize=12, color=INK, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _svg(fig)


def _short(text: str, width: int = 34) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
