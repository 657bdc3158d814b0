"""Reporting punctuality: for each institution and month, whether its report arrived by
the campaign's due day (the month after, Beijing time), late, or not at all.

A month has arrived when a snapshot that passes the file checks first contains figures
for it; a yearly workbook sent again every month counts for the month it adds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from pipeline.cases import BEIJING
from pipeline.check import check_file
from pipeline.collect import due_date, read_manifest
from pipeline.registry import Registry

ON_TIME, LATE, MISSING, NOT_DUE = "按时报送", "逾期报送", "未报送", "未到期"


def arrivals(registry: Registry, today: date) -> dict[tuple[str, str], date]:
    """The Beijing date each (institution, month) first arrived in an acceptable file."""
    first: dict[tuple[str, str], date] = {}
    months_of: dict[str, set[str]] = {}
    for snap in read_manifest(registry.data_dir):
        if snap.sha256 not in months_of:
            content = snap.path(registry.data_dir).read_bytes()
            sub = check_file(registry, content, snap.name, snap.institution_id, snap, today)
            months_of[snap.sha256] = set(sub.periods) if sub.accepted else set()
        at = datetime.fromisoformat(snap.fetched_at.replace("Z", "+00:00")).astimezone(BEIJING)
        for month in months_of[snap.sha256]:
            key = (snap.institution_id, month)
            if key not in first or at.date() < first[key]:
                first[key] = at.date()
    return first


@dataclass
class Punctuality:
    """One row per institution and month it was due to report."""

    table: pd.DataFrame

    def of(self, institution_id: str) -> pd.DataFrame:
        return self.table[self.table.institution_id == institution_id]

    def by_month(self) -> pd.DataFrame:
        """Counts of each status per month, newest first."""
        counts = self.table.pivot_table(
            index="period",
            columns="status",
            values="institution_id",
            aggfunc="count",
            fill_value=0,
        )
        for status in (ON_TIME, LATE, MISSING):
            if status not in counts:
                counts[status] = 0
        return counts[[ON_TIME, LATE, MISSING]].sort_index(ascending=False)


def punctuality(registry: Registry, months: list[str], today: date) -> Punctuality:
    """Each institution's reporting status for each of ``months``."""
    due_day = registry.campaigns[0].report_due_day if registry.campaigns else 20
    arrived = arrivals(registry, today)
    rows = []
    for inst in registry.reporting_institutions:
        for month in months:
            if not inst.active_in(month):
                continue
            due = due_date(month, due_day)
            at = arrived.get((inst.id, month))
            if at is not None:
                status = ON_TIME if at <= due else LATE
            else:
                status = MISSING if today > due else NOT_DUE
            rows.append(
                {
                    "institution_id": inst.id,
                    "period": month,
                    "due": due,
                    "arrived": at,
                    "status": status,
                }
            )
    columns = ["institution_id", "period", "due", "arrived", "status"]
    return Punctuality(pd.DataFrame(rows, columns=columns))
