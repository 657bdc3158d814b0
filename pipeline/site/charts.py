"""Charts: plotly figure JSON for ``site/assets/js/portal.js`` to draw, with what a
reader who cannot see it needs (a one-sentence summary, a data table and a CSV of
exactly the plotted data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from pipeline.base.periods import label as period_label
from pipeline.site.context import Site
from pipeline.site.figures import Figures
from pipeline.site.files import script_json, write_csv


@dataclass
class Chart:
    """A chart with everything a reader without sight of it needs: a one-sentence
    summary, a data table, and a CSV of exactly the plotted data."""

    id: str
    title: str
    summary: str
    x_label: str
    x: list[str]
    series: list[tuple[str, list[float | None], list[str]]]
    ticks: list[str] = field(default_factory=list)
    kind: str = "line"
    figure: Markup = field(default=Markup(""))

    def build(self) -> Chart:
        """The plotly figure as JSON (plotly.js's own schema; building it through
        plotly.graph_objects validated every chart and cost more than the page)."""
        traces: list[dict[str, Any]] = []
        for name, values, _texts in self.series:
            trace: dict[str, Any] = {"type": self.kind, "name": name, "x": self.ticks, "y": values}
            if self.kind != "bar":
                trace.update(type="scatter", mode="lines+markers", connectgaps=False)
            traces.append(trace)
        layout = {
            "margin": {"l": 48, "r": 16, "t": 16, "b": 56},
            "legend": {"orientation": "h", "y": -0.25},
            "font": {"size": 13},
            "height": 340,
            "hovermode": "x unified",
            "xaxis": {"type": "category", "nticks": 8, "tickangle": -45},
            "yaxis": {"rangemode": "tozero", "gridcolor": "#ddd"},
            "plot_bgcolor": "#fff",
            "paper_bgcolor": "#fff",
        }
        self.figure = script_json({"data": traces, "layout": layout})
        return self

    def rows(self) -> list[list[str]]:
        return [[x, *(s[2][i] for s in self.series)] for i, x in enumerate(self.x)]

    def header(self) -> list[str]:
        return [self.x_label, *(s[0] for s in self.series)]


def trend_chart(
    fig: Figures,
    chart_id: str,
    codes: Sequence[str],
    level: str = "authority",
    entity: str | None = None,
    months: int = 24,
    until: str | None = None,
) -> Chart:
    """The last ``months`` months (up to ``until``, a closed institution's last
    month, when given)."""
    x = [m for m in fig.agg.months if until is None or m <= until][-months:]
    if not x:  # closed before the campaign's first month: nothing to cut at
        x, until = fig.agg.months[-months:], None
    series = []
    for code in codes:
        values: list[float | None] = []
        texts = []
        for m in x:
            row = fig.cell(code, "month", m, level, entity)
            if row is None or row["suppressed"]:
                values.append(None)  # a gap, never a zero
            else:
                values.append(float(row["value"]))
            texts.append(fig.show(code, "month", m, level, entity))
        series.append((fig.label(code), values, texts))
    first = series[0]
    last_value = first[2][-1]
    prev_value = first[2][-2] if len(x) > 1 else None
    summary = f"{period_label(x[-1])}{first[0]}" + (
        "未报送" if last_value == "未报送" else f"为{last_value}{fig.unit(codes[0])}"
    )
    if prev_value and prev_value != "未报送" and last_value != "未报送":
        try:
            diff = float(last_value.replace(",", "")) - float(prev_value.replace(",", ""))
            trend = "持平" if diff == 0 else ("增加" if diff > 0 else "减少") + f"{abs(diff):g}"
            summary += f"，比上月{trend}"
        except ValueError:
            pass
    total = sum(v for v in first[1] if v is not None)
    if fig.reg.indicators.get(codes[0]) and fig.reg.indicators[codes[0]].aggregate == "sum":
        summary += (
            f"；{'停业前' if until else '近'}{len(x)}个月合计{total:,.0f}{fig.unit(codes[0])}"
        )
    return Chart(
        chart_id,
        "、".join(s[0] for s in series) + "（按月）",
        summary + "。",
        "月份",
        [period_label(m) for m in x],
        series,
        ticks=x,
    ).build()


def chart_csv(site: Site, chart: Chart) -> None:
    """``data/charts/<id>.csv``: exactly the chart's data."""
    write_csv(site.docs / "data" / "charts" / f"{chart.id}.csv", chart.header(), chart.rows())
