"""The aggregation and small-cell suppression as they were written in pandas, kept as the
reference the SQL engine (pipeline/aggregate/rollup.py, pipeline/privacy/suppression.py) must
agree with figure for figure: tests/test_engine_reference.py compares the two. Copied
unchanged from pipeline/aggregate.py as it was then (now pipeline/aggregate/rollup.py) and
the top of pipeline/privacy/suppression.py; do not improve it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from pipeline.base.periods import quarter_of, year_of
from pipeline.base.registry import Campaign, Registry

LEVELS = ("authority", "district", "type", "institution")
PERIOD_TYPES = ("month", "quarter", "year", "campaign")
COLUMNS = [
    "level",
    "entity",
    "period_type",
    "period",
    "indicator",
    "value",
    "numerator",
    "denominator",
    "reporting",
    "expected",
]


@dataclass
class Aggregates:
    """The aggregate table and the months it covers. The table may be replaced (by the
    suppressed one) before the first look-up, not after."""

    table: pd.DataFrame
    months: list[str]
    campaign: Campaign
    authority_id: str

    @cached_property
    def _index(self) -> _KeyIndex:
        return _KeyIndex(self.table, ["level", "entity", "period_type", "period", "indicator"])

    @cached_property
    def _counts(self) -> dict[tuple[str, ...], tuple[int, int]]:
        """(reporting, expected) by level, entity, period type and period."""
        t = self.table.drop_duplicates(["level", "entity", "period_type", "period"])
        keys = zip(
            *(t[k].tolist() for k in ("level", "entity", "period_type", "period")), strict=True
        )
        counts = zip(t.reporting.tolist(), t.expected.tolist(), strict=True)
        return dict(zip(keys, counts, strict=True))

    def completeness(
        self, period_type: str, period: str, level: str = "authority", entity: str | None = None
    ) -> tuple[int, int] | None:
        """How many institutions (or institution-months) reported, of how many expected."""
        return self._counts.get((level, entity or self.authority_id, period_type, period))

    def cell(
        self,
        indicator: str,
        period_type: str,
        period: str,
        level: str = "authority",
        entity: str | None = None,
    ) -> dict[str, Any] | None:
        """One aggregate row (column -> value), or None when nothing was reported for it."""
        key = (level, entity or self.authority_id, period_type, period, indicator)
        at = self._index.position(key)
        if at is None:
            return None
        return {name: column[at] for name, column in self._columns.items()}

    @cached_property
    def _columns(self) -> dict[str, Any]:
        # Plain arrays: a row by position in microseconds (``iloc`` builds a Series).
        return {name: self.table[name].to_numpy() for name in self.table.columns}


class _KeyIndex:
    """Row positions of a table by the values of some of its columns, in a few bytes a
    row: each key column is coded as integers, the codes are combined into one number
    per row and the numbers sorted. (A dict of tuples took 300 MB at 3,000
    institutions.) The last row wins when a key repeats."""

    def __init__(self, table: pd.DataFrame, keys: list[str]) -> None:
        self.codes: list[dict[Any, int]] = []
        self.radix: list[int] = []
        combined = np.zeros(len(table), dtype=np.int64)
        for key in keys:
            codes, uniques = pd.factorize(table[key])
            self.codes.append({value: i for i, value in enumerate(uniques.tolist())})
            self.radix.append(len(uniques) + 1)
            combined = combined * self.radix[-1] + codes
        self.order = np.argsort(combined, kind="stable")
        self.sorted = combined[self.order]

    def position(self, key: tuple[Any, ...]) -> int | None:
        combined = 0
        for value, codes, radix in zip(key, self.codes, self.radix, strict=True):
            code = codes.get(value)
            if code is None:
                return None
            combined = combined * radix + code
        at = int(np.searchsorted(self.sorted, combined, side="right")) - 1
        if at < 0 or self.sorted[at] != combined:
            return None
        return int(self.order[at])


def _time_keys(months: pd.Series, campaign: Campaign) -> dict[str, pd.Series]:
    # Each distinct month is mapped once (a province has millions of rows, 36 months).
    codes, uniques = pd.factorize(months)

    def keys(of: Callable[[str], str]) -> pd.Series:
        return pd.Series(np.array([of(m) for m in uniques], dtype=object)[codes], months.index)

    return {
        "month": months,
        "quarter": keys(quarter_of),
        "year": keys(year_of),
        "campaign": keys(lambda _: campaign.id),
    }


def expected_months(registry: Registry, months: list[str]) -> pd.DataFrame:
    """One row per institution and month in which it was due to report."""
    rows = [
        {"institution_id": inst.id, "period": m}
        for inst in registry.reporting_institutions
        for m in months
        if inst.active_in(m)
    ]
    return pd.DataFrame(rows, columns=["institution_id", "period"])


def _backlogs(registry: Registry, table: pd.DataFrame) -> dict[str, pd.Series]:
    """For each measure that carries its backlog: what was still open at the start of each
    institution-month (running denominator less running numerator over every month
    before it, never below 0), indexed by institution and month. ``table`` holds every
    month, also those before the campaign (the check counts its running totals so)."""
    carried = [m for m in registry.measures.values() if m.carry_backlog]
    needed = {c for m in carried for c in (m.numerator, m.denominator)}
    table = table[table.indicator.isin(needed)]
    if table.empty:
        return {}
    # Plain strings: months sort in time order (a categorical sorts by its codes).
    table = table.assign(
        institution_id=table.institution_id.astype(str),
        period=table.period.astype(str),
        indicator=table.indicator.astype(str),
    )
    wide = table.set_index(["institution_id", "period", "indicator"])["value"].unstack()
    wide = wide.sort_index()
    out = {}
    for m in carried:
        if m.numerator not in wide or m.denominator not in wide:
            continue
        pair = wide[[m.denominator, m.numerator]].fillna(0)
        before = pair.groupby(level=0).cumsum() - pair
        out[m.code] = (before[m.denominator] - before[m.numerator]).clip(lower=0)
    return out


def _institution_cells(
    registry: Registry,
    table: pd.DataFrame,
    campaign: Campaign,
    backlogs: dict[str, pd.Series] | None = None,
) -> pd.DataFrame:
    """Numerator and denominator per institution, indicator and period of every type."""
    # The canonical table holds one row per institution, month and indicator.
    wide = table.set_index(["institution_id", "period", "indicator"])["value"].unstack()
    backlogs = backlogs or {}
    staff = pd.Series({i.id: float(i.staff) for i in registry.institutions.values()}, name="staff")
    inst_staff = wide.index.get_level_values(0).map(staff).to_numpy()
    parts = []
    items: list[tuple[str, str, str | None, str | None]] = [
        (ind.code, ind.aggregate, ind.weight, None) for ind in registry.indicators.values()
    ]
    items += [(m.code, "ratio", m.denominator, m.numerator) for m in registry.measures.values()]
    for code, how, weight, numerator in items:
        source = numerator or code
        if source not in wide:
            continue
        value = wide[source]
        frame = pd.DataFrame(
            {"numerator": value, "denominator": float("nan"), "backlog": float("nan")}
        )
        if code in backlogs:
            keys = pd.MultiIndex.from_arrays(
                [wide.index.get_level_values(i).astype(str) for i in (0, 1)]
            )
            frame["backlog"] = backlogs[code].reindex(keys).fillna(0).to_numpy()
        if how in ("weighted_mean", "ratio"):
            w = pd.Series(inst_staff, index=wide.index) if weight == "staff" else wide.get(weight)
            if w is None:
                continue
            frame["denominator"] = w.where(value.notna())
            if how == "weighted_mean":
                frame["numerator"] = value * w
            frame = frame[frame.denominator.notna()]
        frame = frame[frame.numerator.notna()].reset_index()
        frame["indicator"] = code
        frame["how"] = "last" if how == "last" or (weight == "staff" and how == "ratio") else "sum"
        parts.append(frame)
    cells = pd.concat(parts, ignore_index=True)
    # Categories group many times faster than strings (3,000 institutions x 36 months).
    cells["institution_id"] = cells["institution_id"].astype("category")
    cells["indicator"] = cells["indicator"].astype("category")
    cells = cells.sort_values("period", kind="stable", ignore_index=True)
    out = []
    for period_type, keys in _time_keys(cells.period, campaign).items():
        frame = cells.assign(bucket=pd.Categorical(keys.to_numpy()))
        grouped = frame.groupby(["institution_id", "bucket", "indicator"], observed=True)
        last = grouped.last(numeric_only=True)
        summed = grouped.sum(numeric_only=True, min_count=1)
        how = grouped["how"].first()
        # A running total within the year (and a ratio against staff) counts its last month.
        result = summed.mask(how.eq("last"), last, axis=0)
        # A carried backlog counts once: the one open at the start of the period.
        opening = grouped["backlog"].first()
        result["denominator"] = result.denominator + opening.fillna(0)
        result = result.drop(columns="backlog")
        result = result.reset_index().rename(columns={"bucket": "period"})
        result["period"] = result["period"].astype(str)
        result["period_type"] = period_type
        out.append(result)
    # Kept as categories (the same in every part) for the groupings that follow.
    cells = pd.concat(out, ignore_index=True)
    for column in ("period", "period_type"):
        cells[column] = cells[column].astype("category")
    return cells


def _completeness(
    registry: Registry, table: pd.DataFrame, months: list[str], campaign: Campaign
) -> pd.DataFrame:
    expected = expected_months(registry, months)
    reported = table[["institution_id", "period"]].drop_duplicates().assign(reported=1)
    frame = expected.merge(reported, how="left").fillna({"reported": 0})
    out = []
    for period_type, keys in _time_keys(frame.period, campaign).items():
        f = frame.assign(bucket=keys.to_numpy())
        g = f.groupby(["institution_id", "bucket"]).agg(
            reporting=("reported", "sum"), expected=("reported", "size")
        )
        g = g.reset_index().rename(columns={"bucket": "period"})
        g["period_type"] = period_type
        out.append(g)
    return pd.concat(out, ignore_index=True)


def _with_place(frame: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """The rows of reporting institutions, with each one's district and type (mapped per
    category when ``institution_id`` is categorical, not per row)."""
    district = {i.id: i.district for i in registry.reporting_institutions}
    kind = {i.id: i.type for i in registry.reporting_institutions}
    frame = frame[frame.institution_id.isin(list(district))].reset_index(drop=True)
    return frame.assign(
        district=frame.institution_id.map(district), type=frame.institution_id.map(kind)
    )


def aggregate(
    registry: Registry, table: pd.DataFrame, campaign: Campaign, until: str
) -> Aggregates:
    """Every aggregate of ``table`` for ``campaign``'s months up to ``until``."""
    months = campaign.months(until)
    # Backlogs count every month up to the last one, also those before the campaign.
    upto = [p for p in pd.unique(table.period) if months and str(p) <= months[-1]]
    backlogs = _backlogs(registry, table[table.period.isin(upto)])
    table = table[table.period.isin(months)]
    inst = _with_place(_institution_cells(registry, table, campaign, backlogs), registry)
    done = _with_place(_completeness(registry, table, months, campaign), registry)
    # The key columns of every level as categories of one type each, so that joining
    # and stacking the levels works on small codes, never on millions of strings.
    authority = registry.config.authority_id
    places = {authority} | {i.id for i in registry.reporting_institutions}
    places |= {i.district for i in registry.reporting_institutions}
    places |= {i.type for i in registry.reporting_institutions}
    kinds = {
        "level": pd.CategoricalDtype(LEVELS),
        "entity": pd.CategoricalDtype(sorted(places)),
        "period_type": pd.CategoricalDtype(PERIOD_TYPES),
        "period": pd.CategoricalDtype(sorted({*done.period.tolist(), *inst.period.tolist()})),
        "indicator": pd.CategoricalDtype(sorted(set(inst.indicator.tolist()))),
    }

    def constant(kind: str, value: str, n: int) -> pd.Categorical:
        dtype = kinds[kind]
        return pd.Categorical.from_codes(np.full(n, dtype.categories.get_loc(value)), dtype=dtype)

    frames = []
    for level, key in (
        ("institution", "institution_id"),
        ("district", "district"),
        ("type", "type"),
        ("authority", None),
    ):
        by = ["period_type", "period"] + ([key] if key else [])
        grouped = inst.groupby([*by, "indicator"], observed=True)
        values = pd.DataFrame(
            {
                "numerator": grouped.numerator.sum(),
                "denominator": grouped.denominator.sum(min_count=1),
            }
        ).reset_index()
        counts = done.groupby(by, observed=True)[["reporting", "expected"]].sum().reset_index()
        for column in [*by, "indicator"]:
            dtype = kinds.get(column, kinds["entity"])
            values[column] = values[column].astype(dtype)
            if column in counts:
                counts[column] = counts[column].astype(dtype)
        merged = values.merge(counts, on=by, how="left")
        merged["level"] = constant("level", level, len(merged))
        merged["entity"] = merged[key] if key else constant("entity", authority, len(merged))
        frames.append(merged)
    agg = pd.concat(frames, ignore_index=True)
    # A rate over nothing (resolved complaints in a month none were received) has no
    # value: not infinity, not 0.
    ratio = agg.numerator / agg.denominator.where(agg.denominator != 0)
    percent = agg.indicator.isin(list(registry.measures)).to_numpy()
    value = ratio.where(agg.denominator.notna(), agg.numerator).to_numpy()
    agg["value"] = np.where(percent, value * 100, value)
    agg[["reporting", "expected"]] = agg[["reporting", "expected"]].fillna(0).astype(int)
    return Aggregates(
        table=agg[COLUMNS].reset_index(drop=True),
        months=months,
        campaign=campaign,
        authority_id=authority,
    )


# --- Suppression (from pipeline/privacy/suppression.py) ---------------------------------------


def _relations(table: pd.DataFrame, registry: Registry) -> list[list[int]]:
    """Each additive relation as a list of row positions, the total first."""
    keys = ("level", "entity", "period_type", "period", "indicator")
    pos = {key: i for i, key in enumerate(zip(*(table[k].tolist() for k in keys), strict=True))}
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for inst in registry.reporting_institutions:
        members[("district", inst.district)].append(inst.id)
        members[("type", inst.type)].append(inst.id)
        members[("authority", registry.config.authority_id)].append(inst.id)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for (level, entity), ids in members.items():
        groups[(level, entity)] = [("institution", i) for i in ids]
    authority = ("authority", registry.config.authority_id)
    for level in ("district", "type"):
        groups[(f"authority-by-{level}", authority[1])] = [
            (lv, e) for (lv, e) in members if lv == level
        ]

    relations: list[list[int]] = []

    def add(
        total: tuple[str, ...],
        parts: Iterable[tuple[str, ...]],
        rows: dict[tuple[str, ...], int] = pos,
    ) -> None:
        """The relation of ``total`` and those of ``parts`` that have a row in ``rows``."""
        if total not in rows:
            return
        found = [rows[p] for p in parts if p in rows]
        if found:
            relations.append([rows[total], *found])

    # Per cell (period and indicator), the position of each level and entity's row.
    by_cell: dict[tuple[str, ...], dict[tuple[str, ...], int]] = defaultdict(dict)
    for (level, entity, *cell), at in pos.items():
        by_cell[tuple(cell)][(level, entity)] = at
    cells = table[["period_type", "period", "indicator"]].drop_duplicates()
    totals = {g: ("authority" if g[0].startswith("authority-by") else g[0], g[1]) for g in groups}
    for cell in cells.itertuples(index=False, name=None):
        rows = by_cell[cell]
        for group, parts in groups.items():
            add(totals[group], parts, rows)
    entities = table[["level", "entity", "indicator"]].drop_duplicates()
    months = sorted(table.loc[table.period_type == "month", "period"].unique())
    campaign = table.loc[table.period_type == "campaign", "period"].unique()
    by_quarter: dict[str, list[str]] = defaultdict(list)
    by_year: dict[str, list[str]] = defaultdict(list)
    for m in months:
        by_quarter[quarter_of(m)].append(m)
        by_year[year_of(m)].append(m)
    quarters_of_year = {y: sorted({quarter_of(m) for m in ms}) for y, ms in by_year.items()}
    quarters = sorted(by_quarter)
    for level, entity, indicator in entities.itertuples(index=False):
        key = (level, entity)
        for q, ms in by_quarter.items():
            add((*key, "quarter", q, indicator), ((*key, "month", m, indicator) for m in ms))
        for y, ms in by_year.items():
            add((*key, "year", y, indicator), ((*key, "month", m, indicator) for m in ms))
            qs = quarters_of_year[y]
            add((*key, "year", y, indicator), ((*key, "quarter", q, indicator) for q in qs))
        for c in campaign:
            add((*key, "campaign", c, indicator), ((*key, "month", m, indicator) for m in months))
            add((*key, "campaign", c, indicator), ((*key, "year", y, indicator) for y in by_year))
            add(
                (*key, "campaign", c, indicator),
                ((*key, "quarter", q, indicator) for q in quarters),
            )
    return relations


def suppress(table: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """``table`` with a boolean ``suppressed`` column, primary and secondary."""
    threshold = registry.config.suppression_threshold
    sensitive = [i.code for i in registry.indicators.values() if i.sensitive]
    out = table.assign(suppressed=False)  # the figures are not copied (copy on write)
    mask = out.indicator.isin(sensitive)
    part = out[mask].reset_index()
    values = part["value"].to_numpy()
    hidden = set(part.index[(values >= 1) & (values < threshold)])
    relations = _relations(part.drop(columns="index"), registry)
    changed = True
    while changed:
        changed = False
        for rel in relations:
            inside = [p for p in rel if p in hidden]
            if len(inside) != 1:
                continue
            # Hide the smallest other cell: the least information lost.
            candidates = sorted((p for p in rel if p not in hidden), key=lambda p: values[p])
            if candidates:
                hidden.add(candidates[0])
                changed = True
    out.loc[part.loc[sorted(hidden), "index"], "suppressed"] = True
    return out
