"""The campaign report: a campaign's outcomes -> report.json's statistics, and report.html.

`stats` (Wilson intervals, Beta posteriors against the prior, P(better), verdicts, the next round's
size, all from scipy/statsmodels), `build` (report.json from the store's planned contacts and
outcomes) and `page` (report.html: self-contained, plots drawn by matplotlib as inline SVG).
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "Prior": "campaigns.report.stats",
        "build_report": "campaigns.report.build",
        "prior_from": "campaigns.report.stats",
        "render_report_html": "campaigns.report.page",
    },
)
