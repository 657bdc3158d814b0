"""Reporting history: for each institution and month, whether its report arrived by
the campaign's due day (the month after, Beijing time), late, or not at all; and every
published figure a later file corrected.

A month has arrived when a snapshot that passes the file checks first contains figures
for it; a yearly workbook sent again every month counts for the month it adds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pipeline.base.registry import Registry
from pipeline.check import Rows, check_stored, dictionary_codes, file_label, gather
from pipeline.store import beijing_time, due_date, read_manifest

Parsed = Mapping[tuple[str, str, str], Rows | None]
ON_TIME, LATE, MISSING, NOT_DUE = "按时报送", "逾期报送", "未报送", "未到期"


@dataclass(frozen=True)
class FigureChange:
    """A published figure that a later file changed (a correction by the institution)."""

    date: date
    institution_id: str
    period: str
    indicator: str
    old: float
    new: float
    file: str


def history(
    registry: Registry, today: date, parsed: Parsed | None = None
) -> tuple[dict[tuple[str, str], date], list[FigureChange]]:
    """Walk every snapshot ever stored, oldest first, through the file checks: the Beijing
    date each (institution, month) first arrived in an acceptable file, and every figure
    a later acceptable file changed. ``parsed`` holds files the checks already read.

    The figures of every version of every file are one table (a province sends
    millions): sorted by figure, each row is compared with the one before it."""
    parsed = dict(parsed or {})
    snaps = [s for s in read_manifest(registry.data_dir) if s.kind == "statistics"]
    days: list[date] = []
    files: list[str] = []
    parts: list[Rows] = []
    for snap in sorted(snaps, key=lambda s: (s.arrived_at, s.fetched_at)):
        key = (snap.sha256, snap.institution_id, snap.name)
        if key not in parsed:
            sub = check_stored(registry, snap, snap.name, today)
            parsed[key] = sub.rows if sub.accepted else None
        rows = parsed[key]
        if not rows:
            continue
        days.append(beijing_time(snap.arrived_at).date())
        files.append(file_label(snap))
        parts.append(rows)
    if not parts:
        return {}, []
    # One row per figure read, in the order the files arrived; ``sent``: which file.
    sent = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    # (Only the columns read here: the whole rows took 40 MB more at 3,000 institutions.)
    table = gather(parts, ("institution_id", "period", "indicator", "value"))
    (institution, ids), (period, periods), (indicator, codes) = (
        dictionary_codes(table.column(name)) for name in ("institution_id", "period", "indicator")
    )
    value = table.column("value").to_numpy()
    # A month arrived with the first file that has it (the rows are in arrival order).
    month = institution * len(periods) + period
    months, first_row = np.unique(month, return_index=True)
    first = {
        (ids[m // len(periods)], periods[m % len(periods)]): days[sent[row]]
        for m, row in zip(months.tolist(), first_row.tolist(), strict=True)
    }
    # Figures sorted by (institution, month, indicator), then by arrival (stable): a
    # change is a row whose value differs from the row before it of the same figure.
    figure = month * len(codes) + indicator
    order = np.argsort(figure, kind="stable")
    changed = (figure[order][1:] == figure[order][:-1]) & (value[order][1:] != value[order][:-1])
    before = dict(zip(order[1:][changed].tolist(), order[:-1][changed].tolist(), strict=True))
    changes = [
        FigureChange(
            days[sent[row]],
            ids[institution[row]],
            periods[period[row]],
            codes[indicator[row]],
            float(value[before[row]]),
            float(value[row]),
            files[sent[row]],
        )
        for row in sorted(before)  # in the order the files arrived
    ]
    return first, changes


@dataclass
class Punctuality:
    """One row per institution and month it was due to report."""

    table: pd.DataFrame
    changes: list[FigureChange]

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


def punctuality(
    registry: Registry, months: list[str], today: date, parsed: Parsed | None = None
) -> Punctuality:
    """Each institution's reporting status for each of ``months``."""
    due_day = registry.campaigns[0].report_due_day if registry.campaigns else 20
    arrived, changes = history(registry, today, parsed)
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
    return Punctuality(pd.DataFrame(rows, columns=columns), changes)
