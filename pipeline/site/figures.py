"""The figures as the pages say them: a cell of the aggregates shown with its unit, as
suppressed, not reported or refused; how complete a period is; each campaign target
against the period's figures."""

from __future__ import annotations

from typing import Any

import pandas as pd

from pipeline.aggregate import Aggregates
from pipeline.base.periods import label as period_label
from pipeline.base.periods import quarter_of
from pipeline.base.registry import Registry
from pipeline.check import CheckResult
from pipeline.history.punctuality import MISSING
from pipeline.privacy.suppression import display_value

REFUSED = "已提交，未通过校验"


class Figures:
    """Lookups of the aggregates for pages, templates (as ``fig``) and charts."""

    def __init__(
        self,
        registry: Registry,
        aggregates: Aggregates,
        refused_months: frozenset[tuple[str, str]] = frozenset(),
    ):
        self.reg = registry
        self.agg = aggregates
        self.refused_months = refused_months
        self.threshold = registry.config.suppression_threshold
        self._rows_cache: dict[tuple[str, str], pd.DataFrame] = {}

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

    def status_of(self, institution_id: str, period: str, status: str) -> str:
        """A month's punctuality status, where a month not received but sent in a file
        that was refused says so (the same words on every page and in the open data)."""
        if status == MISSING and (institution_id, period) in self.refused_months:
            return REFUSED
        return status

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
            months = [m for m in months if within(m, period_type, period)]
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


def refused_months(checked: CheckResult) -> frozenset[tuple[str, str]]:
    """(institution, month) of every month held by a file that was refused."""
    return frozenset(
        (s.institution_id or "", p) for s in checked.quarantined for p in _periods_of(s)
    )


def month_after(period: str) -> str:
    """The month after ``period`` (YYYY-MM), in Chinese: 2026-03 -> 2026年4月."""
    year, month = int(period[:4]), int(period[5:7])
    return period_label(f"{year + month // 12:04d}-{month % 12 + 1:02d}")


def within(month: str, period_type: str, period: str) -> bool:
    """Whether ``month`` lies in the month, quarter or year ``period``."""
    if period_type == "quarter":
        return quarter_of(month) == period
    return month.startswith(period)


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
