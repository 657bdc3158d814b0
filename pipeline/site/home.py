"""The home page: the headline figures of the year, the complaints chart, the year's
targets and the latest cases."""

from __future__ import annotations

from pipeline.site.charts import Chart, trend_chart
from pipeline.site.context import Site


def home_page(site: Site) -> list[Chart]:
    """Write ``index.md``; return its charts (their CSV is written with the others)."""
    charts = [
        trend_chart(site.fig, "home-complaints", ["complaints_received", "complaints_resolved"])
    ]
    site.page(
        "index.md",
        "home.md.j2",
        site.reg.config.site_name,
        year=site.year,
        charts=charts,
        cases=site.public_cases[:5],
        targets=site.fig.targets(site.year),
    )
    return charts
