"""Months, quarters and years as the portal names them: 2025-03, 2025-Q1, 2025, and the
time zone they are counted in (Beijing time, for every date and time the portal shows or
decides by)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today in Beijing (the machine's own day may be another: CI runs in UTC)."""
    return datetime.now(BEIJING).date()


def month_range(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (YYYY-MM), both included."""
    out = []
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def quarter_of(period: str) -> str:
    return f"{period[:4]}-Q{(int(period[5:7]) - 1) // 3 + 1}"


def year_of(period: str) -> str:
    return period[:4]


def label(period: str) -> str:
    """A period in Chinese: 2025年3月, 2025年第1季度, 2025年."""
    if len(period) == 4:
        return f"{period}年"
    if "-Q" in period:
        return f"{period[:4]}年第{period[-1]}季度"
    return f"{period[:4]}年{int(period[5:7])}月"
