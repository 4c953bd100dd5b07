"""Selection: canonical accounts + an ICP -> a scored, sized target list with its summary.

`scoring` compiles the ICP to Polars expressions, `sizing` counts the funnel, tiers and the size
verdict, `suggestions` counts the candidate edits that bring the list into its band, and
`target_list` runs them together in one pass over the universe.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "TargetList": "targeting.selection.target_list",
        "TargetSummary": "targeting.selection.target_list",
        "select_targets": "targeting.selection.target_list",
        "rank_suggestions": "targeting.selection.suggestions",
        "score_accounts": "targeting.selection.scoring",
        "universe_stats": "targeting.selection.sizing",
    },
)
