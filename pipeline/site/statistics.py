"""The statistics page: the trend of each headline indicator, the year's targets, the
figures by district and type, punctuality and the last twelve months."""

from __future__ import annotations

from pipeline.site.charts import Chart, trend_chart
from pipeline.site.context import Site


def statistics_page(site: Site) -> list[Chart]:
    """Write ``statistics/index.md``; return its charts (their CSV is written with the
    others)."""
    charts = [
        trend_chart(site.fig, f"trend-{code}", [code]) for code in site.reg.config.trend_indicators
    ]
    site.page(
        "statistics/index.md",
        "statistics.md.j2",
        "统计数据",
        year=site.year,
        charts=charts,
        targets=site.fig.targets(site.year),
        years=sorted({m[:4] for m in site.agg.months}),
    )
    return charts
