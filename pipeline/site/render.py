"""Render: turn the checked, aggregated and suppressed data into MkDocs pages,
chart data and open-data files inside a staging ``docs`` folder.

Pages are jinja2 templates with autoescape on: every value that came from a
submission, a registry or a case is escaped. Dynamic parts are written as HTML
blocks (Markdown does not touch them); page titles go into front matter already
escaped, because MkDocs' own templates do not escape.
"""

from __future__ import annotations

import csv
import functools
import json
import posixpath
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from pipeline.aggregate import Aggregates
from pipeline.cases import Case, listed, shown_text, visible
from pipeline.channels import Directory, closed_by
from pipeline.check import CheckResult
from pipeline.parallel import each
from pipeline.periods import label as period_label
from pipeline.periods import quarter_of, year_of
from pipeline.privacy.suppression import display_value
from pipeline.punctuality import MISSING, Punctuality
from pipeline.registry import Channel, Institution, Registry, vocabulary
from pipeline.site.opendata import (
    descriptor,
    institution_months_table,
    integer_codes,
    statistics_table,
    write_parquet,
)

TEMPLATES = Path(__file__).with_name("templates")
# A group on the report page: its heading, owner id, channels and institution.
ChannelGroup = tuple[str, str | None, list[Channel], Institution | None]


@dataclass(frozen=True)
class Touched:
    """What a case edit can change: the institutions and categories of the edited cases,
    before and after the edit."""

    cases: frozenset[str]
    institutions: frozenset[str]
    categories: frozenset[str]


REFUSED = "已提交，未通过校验"
PUNCTUALITY_HEADER = ["institution_id", "period", "due", "arrived", "status"]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A negative number is a figure, not a formula: it stays a number for every reader.
NUMBER = re.compile(r"-\d+(\.\d+)?")


def csv_safe(row: Iterable[Any]) -> list[Any]:
    """The row with every text cell a spreadsheet would run as a formula neutralised
    (OWASP). A row at a time: the open-data files hold millions of cells."""
    return [
        "'" + v
        if type(v) is str and v.startswith(FORMULA_PREFIXES) and not NUMBER.fullmatch(v)
        else v
        for v in row
    ]


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A UTF-8 CSV with BOM (so Excel shows Chinese), every text cell formula-safe;
    written as the rows come (the largest is tens of megabytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(map(csv_safe, rows))


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it, so an incremental MkDocs build
    (the preview's) redoes only pages that really changed."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def script_json(data: Any) -> Markup:
    """JSON safe inside a <script type="application/json"> element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


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


class Renderer:
    """Writes every page of the portal into ``docs``."""

    def __init__(
        self,
        registry: Registry,
        checked: CheckResult,
        aggregates: Aggregates,
        punctuality: Punctuality,
        directory: Directory,
        cases: list[Case],
        docs: Path,
        site_dir: Path,
        now: datetime,
    ):
        self.reg = registry
        self.checked = checked
        self.agg = aggregates
        self.punctuality = punctuality
        self.directory = directory
        self.cases = cases
        self.docs = docs
        self.site_dir = site_dir
        self.now = now
        self.threshold = registry.config.suppression_threshold
        self._rows_cache: dict[tuple[str, str], pd.DataFrame] = {}
        # Institutions whose last month (``active_to``) is over: as of this build's clock.
        self.closed_ids = closed_by(registry, now.date())
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["period"] = period_label
        self.env.filters["month_after"] = month_after
        self.env.globals.update(
            vocab=vocabulary(),
            reg=registry,
            config=registry.config,
            campaign=aggregates.campaign,
            ind=registry.indicators,
            measures=registry.measures,
            now=now,
            latest=aggregates.months[-1],
        )

    # -- figures ---------------------------------------------------------------

    def label(self, code: str) -> str:
        if code in self.reg.indicators:
            return self.reg.indicators[code].label
        return self.reg.measures[code].label

    def unit(self, code: str) -> str:
        return self.reg.indicators[code].unit if code in self.reg.indicators else "%"

    def unit_after(self, code: str, shown: str) -> str:
        """The unit to write after a figure ``shown``: none after a percentage or a
        figure that is not a number (never “未报送 件”)."""
        unit = self.unit(code)
        return "" if unit == "%" or shown in ("未报送", "不适用") else unit

    def cell(self, *args: Any) -> dict[str, Any] | None:
        return self.agg.cell(*args)

    def show(
        self,
        code: str,
        period_type: str,
        period: str,
        level: str = "authority",
        entity: str | None = None,
    ) -> str:
        row = self.cell(code, period_type, period, level, entity)
        if row is None:
            if level == "institution" and (entity, period) in self.refused_months:
                return REFUSED  # as the on-time table and punctuality.csv say it
            return "未报送"
        if not row["suppressed"] and pd.isna(row["value"]):
            return "不适用"  # reported, but a rate over nothing (see the about page)
        text = display_value(row["value"], bool(row["suppressed"]), self.threshold)
        if code in self.reg.measures and not row["suppressed"] and row["value"] > 100:
            # Only when months are missing (see the about page): never shown as a success.
            return text + "%（超过100%，待核实）"
        return text + ("%" if self.unit(code) == "%" and not row["suppressed"] else "")

    def completeness(
        self, period_type: str, period: str, level: str = "authority", entity: str | None = None
    ) -> str:
        counts = self.agg.completeness(period_type, period, level, entity)
        if counts is None:
            return ""
        reporting, expected = counts
        unit = "家机构" if period_type == "month" and level != "institution" else "份月报"
        return f"{reporting}/{expected} {unit}已报送"

    def trend_chart(
        self,
        chart_id: str,
        codes: Sequence[str],
        level: str = "authority",
        entity: str | None = None,
        months: int = 24,
        until: str | None = None,
    ) -> Chart:
        """The last ``months`` months (up to ``until``, a closed institution's last
        month, when given)."""
        x = [m for m in self.agg.months if until is None or m <= until][-months:]
        if not x:  # closed before the campaign's first month: nothing to cut at
            x, until = self.agg.months[-months:], None
        series = []
        for code in codes:
            values: list[float | None] = []
            texts = []
            for m in x:
                row = self.cell(code, "month", m, level, entity)
                if row is None or row["suppressed"]:
                    values.append(None)  # a gap, never a zero
                else:
                    values.append(float(row["value"]))
                texts.append(self.show(code, "month", m, level, entity))
            series.append((self.label(code), values, texts))
        first = series[0]
        last_value = first[2][-1]
        prev_value = first[2][-2] if len(x) > 1 else None
        summary = f"{period_label(x[-1])}{first[0]}" + (
            "未报送" if last_value == "未报送" else f"为{last_value}{self.unit(codes[0])}"
        )
        if prev_value and prev_value != "未报送" and last_value != "未报送":
            try:
                diff = float(last_value.replace(",", "")) - float(prev_value.replace(",", ""))
                trend = "持平" if diff == 0 else ("增加" if diff > 0 else "减少") + f"{abs(diff):g}"
                summary += f"，比上月{trend}"
            except ValueError:
                pass
        total = sum(v for v in first[1] if v is not None)
        if self.reg.indicators.get(codes[0]) and self.reg.indicators[codes[0]].aggregate == "sum":
            summary += (
                f"；{'停业前' if until else '近'}{len(x)}个月合计{total:,.0f}{self.unit(codes[0])}"
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

    def targets(self, period: str, period_type: str = "year") -> list[dict[str, Any]]:
        """Each campaign target with the period's actual value and whether it is met. A
        target per institution and year is judged only over a year."""
        out = []
        for t in self.agg.campaign.targets:
            if t.per == "institution_year" and period_type != "year":
                continue
            if t.per == "authority":
                row = self.cell(t.measure, period_type, period)
                actual = None if row is None else float(row["value"])
                shown = self.show(t.measure, period_type, period)
            else:
                actual, shown = self._share_meeting(t.measure, t.value, t.per, period)
            met = actual is not None and _compare(
                actual, t.comparator, t.value if t.per == "authority" else 100
            )
            status = "unknown" if actual is None else "met" if met else "missed"
            if t.per == "authority" and t.measure in self.reg.measures and (actual or 0) > 100:
                # A rate over 100 % counts something twice: never a success.
                met, status = False, "check"
            elif (
                actual is not None
                and (t.annual or t.per == "institution_year")
                and not self.period_complete(period_type, period)
            ):
                met, status, shown = False, "partial", f"进行中，已完成 {shown}"
            description = getattr(self.reg.measures.get(t.measure), "description", "")
            out.append(
                {
                    "target": t,
                    "actual": shown,
                    "met": met,
                    "known": actual is not None,
                    "status": status,
                    "note": description,
                }
            )
        return out

    def period_complete(self, period_type: str, period: str) -> bool:
        """Whether the figures cover the period's last month (within the campaign)."""
        months = self.agg.campaign.months()
        if period_type != "campaign":
            months = [m for m in months if _within(m, period_type, period)]
        return bool(months) and months[-1] <= self.agg.months[-1]

    def _share_meeting(
        self, code: str, value: float, per: str, period: str
    ) -> tuple[float | None, str]:
        """The share of institution-months (or institution-years) within ``period`` (a
        month, quarter or year) whose value meets ``value``."""
        period_type = "month" if per == "institution_month" else "year"
        rows = self._institution_rows(code, period_type)
        if "-Q" in period:
            rows = rows[rows.quarter == period]
        else:
            rows = rows[rows.year == period] if len(period) == 4 else rows[rows.period == period]
        rows = rows[rows.value.notna()]  # a rate over nothing neither meets nor misses
        if rows.empty:
            return None, "未报送"
        ok = rows.value >= value
        if code in self.reg.measures:
            ok &= rows.value <= 100  # a rate over 100 % counts something twice
        share = float(ok.mean() * 100)
        unit = "份月报" if per == "institution_month" else "家机构"
        return share, f"{share:.1f}%（{int(ok.sum())}/{len(rows)} {unit}达标）"

    def _institution_rows(self, code: str, period_type: str) -> pd.DataFrame:
        """One indicator's institution rows of one period type, with their quarter and
        year (the summaries ask for them once per period)."""
        key = (code, period_type)
        if key not in self._rows_cache:
            t = self.agg.table
            rows = t[
                (t.level == "institution") & (t.indicator == code) & (t.period_type == period_type)
            ]
            quarters = {p: quarter_of(p) for p in rows.period.unique() if len(p) == 7}
            self._rows_cache[key] = rows.assign(
                quarter=rows.period.map(quarters), year=rows.period.str[:4]
            )
        return self._rows_cache[key]

    @functools.cached_property
    def directory_order(self) -> list[Institution]:
        """The reporting institutions by type (in the vocabulary's order), district, id."""
        types = vocabulary()["institution_types"]
        return sorted(
            self.reg.reporting_institutions, key=lambda i: (types.index(i.type), i.district, i.id)
        )

    def closed(self, inst: Institution) -> bool:
        """Whether ``inst`` closed: its last month (``active_to``) is over."""
        return inst.id in self.closed_ids

    @functools.cached_property
    def closed_institutions(self) -> list[Institution]:
        """The institutions that closed, in directory order."""
        return [i for i in self.directory_order if self.closed(i)]

    @functools.cached_property
    def every_channel(self) -> list[Channel]:
        """Every channel, of institutions in service and of those that closed."""
        return self.directory.channels + self.directory.closed

    @functools.cached_property
    def _reported(self) -> set[tuple[str, str]]:
        """(institution, month) pairs with accepted figures."""
        t = self.checked.table
        return set(zip(t.institution_id.tolist(), t.period.tolist(), strict=True))

    def coverage(self, period_type: str, period: str) -> list[dict[str, Any]]:
        """For each scope of the campaign: institutions of those types taking part in the
        period, how many reported in it, and whether the coverage target is met."""
        months = [m for m in self.agg.months if _within(m, period_type, period)]
        reported = self._reported
        out = []
        for scope in self.agg.campaign.scope:
            members = [
                i
                for i in self.reg.reporting_institutions
                if i.type in scope.types and any(i.active_in(m) for m in months)
            ]
            reporting = [i for i in members if any((i.id, m) in reported for m in months)]
            share = 100 * len(reporting) / len(members) if members else None
            out.append(
                {
                    "types": scope.types,
                    "target": scope.coverage,
                    "members": len(members),
                    "reporting": len(reporting),
                    "share": share,
                    "met": share is not None and share >= scope.coverage,
                }
            )
        return out

    def summaries(self) -> list[tuple[str, str, str]]:
        """The campaign's summaries: (period type, period, name such as 2025年度总结,
        2026年第3季度进展, 2026年10月工作月报), newest first within each kind."""
        months = list(self.agg.months)
        quarters = sorted({quarter_of(m) for m in months})
        years = sorted({year_of(m) for m in months})
        return [
            *(("year", y, f"{y}年度总结") for y in reversed(years)),
            *(("quarter", q, f"{period_label(q)}进展") for q in reversed(quarters)),
            *(("month", m, f"{period_label(m)}工作月报") for m in reversed(months)),
        ]

    def summary_pages(self) -> None:
        campaign = self.agg.campaign
        for period_type, period, name in self.summaries():
            self.page(
                f"campaigns/{campaign.id}/{period}.md",
                "summary.md.j2",
                f"{campaign.short_title or campaign.title}{name}",
                campaign=campaign,
                period_type=period_type,
                period=period,
                targets=self.targets(period, period_type),
                coverage=self.coverage(period_type, period),
                complete=self.completeness(period_type, period),
                partial=not self.period_complete(period_type, period),
                **(self.annual_summary(period) if period_type == "year" else {}),
            )

    def annual_summary(self, year: str) -> dict[str, Any]:
        """What only a year's summary shows: the cases published for the year and the
        authority's own narrative and next year's plan, when written by hand in
        ``site/pages/summaries/<campaign>/<year>.md``. (Not re-rendered by the preview
        after a case edit.)"""
        name = f"summaries/{self.agg.campaign.id}/{year}.md"
        narrative = self.hand_written(name) if (self.site_dir / "pages" / name).is_file() else ""
        cases = [
            c
            for c in self.cases
            if listed(c, self.now) and c.notice is not None and str(c.notice.date.year) == year
        ]
        return {"narrative": narrative, "year_cases": cases}

    # -- pages -----------------------------------------------------------------

    def page(self, path: str, template: str, title: str, **ctx: Any) -> None:
        """Render ``template`` to ``docs/path``; links in the page are relative to it."""
        url_dir = posixpath.dirname(path) if path.endswith("index.md") else path[:-3]
        depth = 0 if url_dir in ("", ".") else url_dir.count("/") + 1
        text = self.env.get_template(template).render(
            r=self,
            base="../" * depth,
            title_json=Markup(json.dumps(str(escape(title)), ensure_ascii=False)),
            **ctx,
        )
        write_if_changed(self.docs / path, text)

    def chart_csv(self, chart: Chart) -> None:
        write_csv(self.docs / "data" / "charts" / f"{chart.id}.csv", chart.header(), chart.rows())

    def render(self, touched: Touched | None = None) -> None:
        """Write every page and data file; with ``touched`` (for the preview, after case
        edits) only the pages a case edit can change: home, the case list, feed and
        cases.json, the corrections log, the cases of the touched categories and the
        pages of the touched institutions."""
        year = self.agg.months[-1][:4]
        public_cases = [c for c in self.cases if listed(c, self.now)]
        charts = [
            self.trend_chart("home-complaints", ["complaints_received", "complaints_resolved"])
        ]
        self.page(
            "index.md",
            "home.md.j2",
            self.reg.config.site_name,
            year=year,
            charts=charts,
            cases=public_cases[:5],
            targets=self.targets(year),
        )
        status = self.report_status()
        channels: dict[str, list[Channel]] = {}
        for ch in self.every_channel:
            channels.setdefault(ch.owner, []).append(ch)
        no_notes: dict[str, list[Any]] = {"changes": [], "vanished": []}
        cases_of: dict[str, list[Case]] = {}
        for c in public_cases:
            if c.notice and c.notice.institution:
                cases_of.setdefault(c.notice.institution, []).append(c)

        def institution_page(inst: Institution) -> None:
            closed = self.closed(inst)
            chart = self.trend_chart(
                f"institution-{inst.id}",
                ["complaints_received"],
                "institution",
                inst.id,
                until=inst.active_to if closed else None,
            )
            self.page(
                f"institutions/{inst.id}.md",
                "institution.md.j2",
                inst.name,
                inst=inst,
                year=year,
                chart=chart,
                status=status.get(inst.id, {}),
                channels=channels.get(inst.id, []),
                # A closed institution's channels are no longer in use: nothing to update.
                notes=no_notes if closed else self.channel_notes(inst.id),
                cases=cases_of.get(inst.id, []),
                closed=closed,
                # Below its own: the supervising authority's channels and the national lines.
                authority_channels=channels.get(self.reg.authority.id, []),
                national_channels=channels.get("national", []),
            )
            if touched is None:
                self.chart_csv(chart)

        # Thousands of pages, each on its own: written by several processes while this
        # one writes all the others.
        each(
            institution_page,
            [i for i in self.directory_order if touched is None or i.id in touched.institutions],
            meanwhile=lambda: self.other_pages(year, charts, public_cases, touched),
        )

    def other_pages(
        self, year: str, charts: list[Chart], public_cases: list[Case], touched: Touched | None
    ) -> None:
        """Every page but the home page and the institutions', and the data files."""
        if touched is None:
            self.figure_pages(year, charts)
        self.page("cases/index.md", "cases.md.j2", "典型案例", cases=public_cases)
        for case in self.cases:
            if case.preview_draft and case.refused and case.notice:
                # The press office's preview of a draft the checks refuse: what to fix,
                # in place of the page (a real build never sets preview_draft).
                self.page(
                    f"cases/{case.notice.id}.md",
                    "case_refused.md.j2",
                    "【草稿，未通过检查】" + case.notice.title,
                    case=case,
                    problems=[p for p in case.problems if p.blocking],
                )
                continue
            if not (visible(case, self.now) and case.notice):
                continue
            if touched is not None and case.notice.category not in touched.categories:
                continue
            related = [
                c
                for c in public_cases
                if c.notice and c is not case and c.notice.category == case.notice.category
            ][:3]
            self.page(
                f"cases/{case.notice.id}.md",
                "case.md.j2",
                ("【草稿】" if case.preview_draft else "") + case.notice.title,
                case=case,
                n=case.notice,
                related=related,
            )
        self.about()
        if touched is None:
            self.open_data(public_cases)
        else:
            self.cases_json(public_cases)
        self.feed(public_cases)

    def figure_pages(self, year: str, home_charts: list[Chart]) -> None:
        """The pages made of figures and registries only (no case on them)."""
        # The same light page at any size: the national and the authority's channels, a
        # finder whose index loads on use, and (without script) a page per district.
        districts = self.report_districts()
        self.page(
            "report/index.md",
            "report.md.j2",
            "我要举报",
            general=self.channel_groups()[0],
            districts=districts,
            guide=self.hand_written("report-guide.md"),
        )
        self.report_finder(districts)
        stat_charts = [
            self.trend_chart(f"trend-{code}", [code]) for code in self.reg.config.trend_indicators
        ]
        self.page(
            "statistics/index.md",
            "statistics.md.j2",
            "统计数据",
            year=year,
            charts=stat_charts,
            targets=self.targets(year),
            years=self.years(),
        )
        self.page("campaigns/index.md", "campaigns.md.j2", "专项行动", campaigns=self.reg.campaigns)
        self.page(
            f"campaigns/{self.agg.campaign.id}.md",
            "campaign.md.j2",
            self.agg.campaign.title,
            year=year,
            targets=self.targets(year),
            summaries=self.summaries(),
        )
        self.summary_pages()
        self.page(
            "institutions/index.md",
            "institutions.md.j2",
            "医疗机构",
            # Those that closed are still listed (with their history), after the others.
            institutions=[i for i in self.directory_order if not self.closed(i)]
            + self.closed_institutions,
            closed=self.closed_institutions,
        )
        self.page("data/index.md", "data.md.j2", "开放数据")
        for chart in home_charts + stat_charts:
            self.chart_csv(chart)

    def about(self) -> None:
        self.page(
            "about/index.md",
            "about.md.j2",
            "关于本平台",
            about=self.hand_written("about.md"),
            corrections=self.corrections(),
            figure_changes=self.figure_changes(),
            snapshots=len(self.checked.submissions),
            quarantined=self.checked.quarantined,
        )

    def hand_written(self, name: str) -> Markup:
        """A page section the press office writes by hand (trusted Markdown in ``site/``)."""
        return Markup((self.site_dir / "pages" / name).read_text(encoding="utf-8"))

    def years(self) -> list[str]:
        return sorted({m[:4] for m in self.agg.months})

    def channels_in_service(self) -> list[Channel]:
        """The channels that are a way to report: none of an institution that closed
        (the directory has set those apart, as of the build's day)."""
        return self.directory.channels

    def channel_groups(self) -> tuple[list[ChannelGroup], list[ChannelGroup]]:
        """Channels grouped: the national and the authority's, then each institution's
        in service (one that closed is no longer a way to report)."""
        by_owner: dict[str, list[Channel]] = {}
        for ch in self.channels_in_service():
            by_owner.setdefault(ch.owner, []).append(ch)
        authority = self.reg.authority
        general: list[ChannelGroup] = [
            ("全国统一热线", None, by_owner.get("national", []), None),
            (authority.name, authority.id, by_owner.get(authority.id, []), authority),
        ]
        institutions: list[ChannelGroup] = [
            (inst.name, inst.id, by_owner.get(inst.id, []), inst)
            for inst in sorted(self.reg.reporting_institutions, key=lambda i: i.id)
            if not self.closed(inst)
        ]
        return general, institutions

    def report_districts(self) -> list[dict[str, Any]]:
        """Each district (by name) with its URL slug (pinyin, unique) and institutions
        in directory order, each with its channels in service."""
        from pypinyin import lazy_pinyin

        by_owner: dict[str, list[Channel]] = {}
        for ch in self.channels_in_service():
            by_owner.setdefault(ch.owner, []).append(ch)
        members: dict[str, list[tuple[Institution, list[Channel]]]] = {}
        for inst in self.directory_order:
            members.setdefault(inst.district, []).append((inst, by_owner.get(inst.id, [])))
        districts, slugs = [], set()
        for name in sorted(members, key=lambda d: (lazy_pinyin(d), d)):
            stem = re.sub(r"[^a-z0-9]+", "", "".join(lazy_pinyin(name)).lower()) or "district"
            slug, n = stem, 1
            while slug in slugs:
                n += 1
                slug = f"{stem}-{n}"
            slugs.add(slug)
            districts.append({"name": name, "slug": slug, "institutions": members[name]})
        return districts

    def report_finder(self, districts: list[dict[str, Any]]) -> None:
        """The finder's index (``report/institutions.json``, fetched only when a reader
        uses the finder) and one page per district listing its institutions' numbers."""
        from pypinyin import Style, lazy_pinyin

        rows = []
        for d in districts:
            for inst, chans in d["institutions"]:
                initials = "".join(lazy_pinyin(inst.name, style=Style.FIRST_LETTER)).lower()
                phone = next((c.value for c in chans if c.kind == "phone"), "")
                closed = 1 if self.closed(inst) else 0
                row = [inst.id, inst.name, inst.short_name, inst.district, inst.type, initials]
                rows.append([*row, phone, closed])
        index = {
            "fields": ["id", "name", "short", "district", "type", "initials", "phone", "closed"],
            "rows": rows,
        }
        text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
        write_if_changed(self.docs / "report" / "institutions.json", text)
        self.page(
            "report/districts/index.md", "report_district.md.j2", "按片区查找", districts=districts
        )
        for d in districts:
            self.page(
                f"report/districts/{d['slug']}.md",
                "report_district.md.j2",
                f"{d['name']}医疗机构举报渠道",
                district=d,
            )

    def channel_notes(self, owner: str) -> dict[str, list[Any]]:
        """Changed numbers (with the old one and the date) and vanished channels of one
        owner, for the report and institution pages."""
        return {
            "changes": [c for c in self.directory.changes if c.owner == owner],
            "vanished": [(c, d) for c, d in self.directory.vanished if c.owner == owner],
        }

    def stale(self, channel: Channel) -> bool:
        age = (self.now.date() - channel.verified_on).days
        return age > self.reg.config.stale_channel_days

    @functools.cached_property
    def refused_months(self) -> set[tuple[str, str]]:
        """(institution, month) of every month held by a file that was refused."""
        return {
            (s.institution_id or "", p) for s in self.checked.quarantined for p in _periods_of(s)
        }

    def status_of(self, institution_id: str, period: str, status: str) -> str:
        """A month's punctuality status, where a month not received but sent in a file
        that was refused says so (the same words on every page and in the open data)."""
        if status == MISSING and (institution_id, period) in self.refused_months:
            return REFUSED
        return status

    def report_status(self) -> dict[str, list[dict[str, Any]]]:
        """Per institution, newest month first: its punctuality status, arrival and due
        dates; a month whose only file was refused says so."""
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.punctuality.table.sort_values("period", ascending=False).itertuples():
            status = self.status_of(row.institution_id, row.period, row.status)
            out.setdefault(row.institution_id, []).append(
                {"period": row.period, "status": status, "arrived": row.arrived, "due": row.due}
            )
        return out

    def figure_changes(self) -> list[dict[str, Any]]:
        """Figures an institution corrected after publication, newest first. A count of
        sanctioned persons is never shown, not even in a correction."""
        out = []
        for c in sorted(self.punctuality.changes, key=lambda c: c.date, reverse=True):
            ind = self.reg.indicators[c.indicator]
            hidden = ind.sensitive
            out.append(
                {
                    "date": c.date,
                    "institution": self.reg.institutions[c.institution_id],
                    "period": c.period,
                    "label": ind.label,
                    "old": "不公开" if hidden else display_value(c.old, False, self.threshold),
                    "new": "不公开" if hidden else display_value(c.new, False, self.threshold),
                    "file": c.file,
                }
            )
        return out

    def corrections(self) -> list[dict[str, Any]]:
        out = []
        for case in self.cases:
            n = case.notice
            if n is None or not visible(case, self.now):
                continue
            for c in n.corrections:
                # A retracted notice's corrections held its facts: they go with it.
                note = "更正内容随原通报一并撤下" if n.status == "retracted" else c.note
                out.append({"date": c.date, "case": n, "note": note, "kind": "更正"})
            if n.retraction:
                out.append(
                    {
                        "date": n.retraction.date,
                        "case": n,
                        "note": n.retraction.reason,
                        "kind": "撤回",
                    }
                )
        return sorted(out, key=lambda c: c["date"], reverse=True)

    # -- open data -----------------------------------------------------------------

    def open_data(self, cases: list[Case]) -> None:
        out = self.docs / "data"
        header = self.statistics(out)
        months_header = self.institution_months(out)
        inst_header = [
            "id",
            "name",
            "short_name",
            "type",
            "level",
            "ownership",
            "district",
            "address",
            "website",
            "staff",
            "active_from",
            "active_to",
        ]
        write_csv(
            out / "institutions.csv",
            inst_header,
            ([getattr(i, f) or "" for f in inst_header] for i in self.reg.institutions.values()),
        )
        ch_header = [
            "owner",
            "kind",
            "value",
            "department",
            "hours",
            "address",
            "postcode",
            "verified_on",
            "note",
        ]
        write_csv(
            out / "channels.csv",
            ch_header,
            ([str(getattr(c, f)) for f in ch_header] for c in self.channels_in_service()),
        )
        self.cases_json(cases)
        # fetched_at: when the portal first had the bytes; received_at: earlier evidence
        # of arrival (a commit, an officer's record); last_modified: what the server said.
        provenance_header = [
            "institution_id",
            "file",
            "sha256",
            "size",
            "fetched_at",
            "received_at",
            "last_modified",
            "accepted",
        ]
        write_csv(
            out / "provenance.csv",
            provenance_header,
            (
                [
                    s.institution_id,
                    s.file,
                    s.snapshot.sha256 if s.snapshot else "",
                    s.snapshot.size if s.snapshot else "",
                    s.snapshot.fetched_at if s.snapshot else "",
                    s.snapshot.received_at if s.snapshot else "",
                    s.snapshot.last_modified if s.snapshot else "",
                    "yes" if s.accepted else "no",
                ]
                for s in self.checked.submissions
            ),
        )
        write_csv(
            out / "punctuality.csv",
            PUNCTUALITY_HEADER,
            (
                [
                    r.institution_id,
                    r.period,
                    r.due,
                    r.arrived or "",
                    self.status_of(r.institution_id, r.period, r.status),
                ]
                for r in self.punctuality.table.itertuples()
            ),
        )
        headers = {
            "statistics": header,
            "institution-months": months_header,
            "institutions": inst_header,
            "channels": ch_header,
            "punctuality": PUNCTUALITY_HEADER,
            "provenance": provenance_header,
        }
        package = descriptor(self.reg, headers, self.now.isoformat(timespec="seconds"))
        (out / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8"
        )

    def cases_json(self, cases: list[Case]) -> None:
        records = []
        for c in cases:
            assert c.notice is not None
            record = c.notice.model_dump(mode="json", exclude={"status", "embargo", "published_by"})
            record["category_label"] = c.notice.category_label
            # The text as the page shows it (sanitised, then plain), never raw Markdown.
            record["facts"] = re.sub(r"\n{3,}", "\n\n", shown_text(c.body_html())).strip()
            record["url"] = f"cases/{c.notice.id}/"
            records.append(record)
        write_if_changed(
            self.docs / "data" / "cases.json", json.dumps(records, ensure_ascii=False, indent=1)
        )

    def statistics(self, out: Path) -> list[str]:
        """``statistics.csv`` / ``.json``: the authority, each district and each type, by
        month, quarter, year and campaign, long format (one figure per row). Its size
        does not grow with the number of institutions."""
        names = {i.id: i.name for i in self.reg.institutions.values()}
        header = [
            "level",
            "entity_id",
            "entity_name",
            "period_type",
            "period",
            "indicator",
            "indicator_label",
            "unit",
            "value",
            "status",
            "reporting",
            "expected",
        ]
        t = self.agg.table
        rows = [
            [
                r.level,
                r.entity,
                names.get(r.entity, r.entity),
                r.period_type,
                r.period,
                r.indicator,
                self.label(r.indicator),
                self.unit(r.indicator),
                "" if r.suppressed else _number(r.value),
                "suppressed" if r.suppressed else "reported",
                r.reporting,
                r.expected,
            ]
            for r in t[t.level != "institution"].itertuples(index=False)
        ]
        write_csv(out / "statistics.csv", header, rows)
        write_parquet(out / "statistics.parquet", statistics_table(header, rows))
        (out / "statistics.json").write_text(
            json.dumps({"fields": header, "rows": rows}, ensure_ascii=False, separators=(",", ":")),
            encoding="utf-8",
        )
        return header

    def institution_months(self, out: Path) -> list[str]:
        """``institution-months.csv``: one row per institution and month it reported, one
        column per indicator ("<5" where suppressed), and the files the figures came
        from. Wide, so that 3,000 institutions x 36 months stay a download of megabytes,
        not hundreds of them."""
        t = self.agg.table
        t = t[(t.level == "institution") & (t.period_type == "month")]
        # One row per (institution, month), by id then month (the categories are sorted),
        # one column per indicator; numbers until a row is written (millions of cells).
        months = t.period.cat.categories
        pairs, row = np.unique(
            t.entity.cat.codes.to_numpy(np.int64) * len(months) + t.period.cat.codes.to_numpy(),
            return_inverse=True,
        )
        present = set(t.indicator.unique())
        codes = [c for c in (*self.reg.indicators, *self.reg.measures) if c in present]
        column = t.indicator.map({c: i for i, c in enumerate(codes)}).to_numpy(dtype=np.int64)
        values = np.full((len(pairs), len(codes)), np.nan)
        values[row, column] = t.value.to_numpy()
        hidden = np.zeros((len(pairs), len(codes)), dtype=bool)
        hidden[row, column] = t.suppressed.to_numpy()
        institution_ids = t.entity.cat.categories[pairs // len(months)].tolist()
        periods = months[pairs % len(months)].tolist()
        suppressed = f"<{self.threshold}"

        def cell(value: float, hide: bool) -> str:
            return suppressed if hide else _number(value)

        src = self.checked.table.drop_duplicates(["institution_id", "period", "file"])
        sources: dict[tuple[str, str], list[str]] = {}
        for key_inst, key_period, file in zip(
            src.institution_id.tolist(), src.period.tolist(), src.file.tolist(), strict=True
        ):
            sources.setdefault((key_inst, key_period), []).append(file)
        joined = {key: " ; ".join(names) for key, names in sources.items()}
        names = {i.id: i.name for i in self.reg.institutions.values()}
        institution_names = [names.get(inst, inst) for inst in institution_ids]
        files = [joined.get(key, "") for key in zip(institution_ids, periods, strict=True)]
        header = ["institution_id", "institution_name", "period", *codes, "source_file"]
        rows = (
            [
                inst,
                name,
                period,
                *map(cell, figures.tolist(), hide.tolist()),  # a row at a time
                file,
            ]
            for inst, name, period, figures, hide, file in zip(
                institution_ids, institution_names, periods, values, hidden, files, strict=True
            )
        )
        write_csv(out / "institution-months.csv", header, rows)
        write_parquet(
            out / "institution-months.parquet",
            institution_months_table(
                (institution_ids, institution_names, periods),
                codes,
                values,
                hidden,
                files,
                integer_codes(self.reg),
            ),
        )
        return header

    def feed(self, cases: list[Case]) -> None:
        xml_env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
        text = xml_env.get_template("feed.xml.j2").render(
            cases=cases,
            config=self.reg.config,
            now=self.now,
            site_url=(self.reg.config.public_url or "").rstrip("/"),
        )
        write_if_changed(self.docs / "feed.xml", text)


def month_after(period: str) -> str:
    """The month after ``period`` (YYYY-MM), in Chinese: 2026-03 -> 2026年4月."""
    year, month = int(period[:4]), int(period[5:7])
    return period_label(f"{year + month // 12:04d}-{month % 12 + 1:02d}")


def _within(month: str, period_type: str, period: str) -> bool:
    """Whether ``month`` lies in the month, quarter or year ``period``."""
    if period_type == "quarter":
        return quarter_of(month) == period
    return month.startswith(period)


def _number(value: float) -> str:
    """A figure in a download: integers as such, others to four decimals, never in
    scientific notation; nothing when there is no figure (a rate over zero)."""
    if value is None or value != value:  # NaN
        return ""
    value = float(value)
    return f"{value:.0f}" if value.is_integer() else f"{value:.4f}".rstrip("0").rstrip(".")


def _compare(actual: float, comparator: str, target: float) -> bool:
    return {
        ">=": actual >= target,
        "<=": actual <= target,
        ">": actual > target,
        "<": actual < target,
        "==": actual == target,
    }[comparator]


def _periods_of(sub: Any) -> list[str]:
    """Months a refused file was meant to cover (its name says it), for the status table."""
    period = sub.snapshot.period if sub.snapshot else ""
    if len(period) == 7:
        return [period]
    return [f"{period}-{m:02d}" for m in range(1, 13)] if len(period) == 4 else []


def copy_tree(src: Path, dst: Path) -> None:
    if src.exists():
        shutil.copytree(src, dst, dirs_exist_ok=True)
