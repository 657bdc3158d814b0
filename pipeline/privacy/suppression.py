"""Small-cell suppression of sensitive counts.

A sensitive figure (persons sanctioned) between 1 and the threshold is never
published. Secondary suppression then hides more cells until, in every published
additive relation (a total and its parts: institutions of a district, districts of
the authority, months of a quarter, quarters of a year ...), either no cell or at
least two cells are hidden, so no hidden value can be recovered by subtracting
published figures from a published total. SQL in the embedded engine
(:mod:`pipeline.engine`) over the aggregate table.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.base.periods import quarter_of, year_of
from pipeline.base.registry import Registry
from pipeline.engine import connect


def _groups(registry: Registry, codes: dict[str, dict[Any, int]]) -> pa.Table:
    """The total-and-parts relations between places, in the order they are checked (the
    order matters: see :func:`suppress`): each district, type and the authority with
    its institutions, as the registry first names them; then the authority with its
    districts, and with its types. One row per part; ``step`` numbers the relations."""
    members: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    authority = registry.config.authority_id
    for inst in registry.reporting_institutions:
        for total in (("district", inst.district), ("type", inst.type), ("authority", authority)):
            members[total].append(("institution", inst.id))
    relations = list(members.items())
    for level in ("district", "type"):
        relations.append((("authority", authority), [t for t in members if t[0] == level]))
    rows = [
        (step, *total, *part, order)
        for step, (total, parts) in enumerate(relations)
        for order, part in enumerate(parts)
    ]
    names = ("step", "total_level", "total_entity", "part_level", "part_entity", "part_order")
    return _small_table(names, rows, codes)


def _spans(
    periods: list[tuple[str, str]], first_step: int, codes: dict[str, dict[Any, int]]
) -> pa.Table:
    """The total-and-parts relations in time, for every entity alike, in the order they
    are checked: each quarter with its months; each year with its months, then with its
    quarters; the campaign with its months, its years and its quarters."""
    months = sorted(p for t, p in periods if t == "month")
    campaigns = sorted({p for t, p in periods if t == "campaign"})
    by_quarter: dict[str, list[str]] = defaultdict(list)
    by_year: dict[str, list[str]] = defaultdict(list)
    for m in months:
        by_quarter[quarter_of(m)].append(m)
        by_year[year_of(m)].append(m)
    relations: list[tuple[tuple[str, str], list[tuple[str, str]]]] = []
    for q, ms in by_quarter.items():
        relations.append((("quarter", q), [("month", m) for m in ms]))
    for y, ms in by_year.items():
        relations.append((("year", y), [("month", m) for m in ms]))
        quarters = sorted({quarter_of(m) for m in ms})
        relations.append((("year", y), [("quarter", q) for q in quarters]))
    for c in campaigns:
        relations.append((("campaign", c), [("month", m) for m in months]))
        relations.append((("campaign", c), [("year", y) for y in by_year]))
        relations.append((("campaign", c), [("quarter", q) for q in sorted(by_quarter)]))
    rows = [
        (first_step + step, *total, *part, order)
        for step, (total, parts) in enumerate(relations)
        for order, part in enumerate(parts)
    ]
    names = ("step", "total_type", "total_period", "part_type", "part_period", "part_order")
    return _small_table(names, rows, codes)


# The key column of the cells each column of the relations names.
_KEY_OF = {
    "level": "level",
    "entity": "entity",
    "type": "period_type",
    "period": "period",
}


def _small_table(
    names: tuple[str, ...], rows: list[tuple[Any, ...]], codes: dict[str, dict[Any, int]]
) -> pa.Table:
    """``rows`` as an Arrow table: the step and the order as they are, the keys as the
    codes of the cells' categories (a key the cells do not have, NULL: it meets none)."""
    columns = {}
    for i, name in enumerate(names):
        values = [row[i] for row in rows]
        if name in ("step", "part_order"):
            columns[name] = pa.array(values, pa.int64())
        else:
            code = codes[_KEY_OF[name.split("_", 1)[1]]]
            columns[name] = pa.array([code.get(v) for v in values], pa.int32())
    return pa.table(columns)


# Every relation of a total and its parts among the sensitive cells, one row per member
# (the total's ``place`` is -1, the parts' their order). Relations of one step share no
# cell: in place, one relation per period and indicator; in time, one per entity and
# indicator. Not sorted by step: the sort raised the suppression's peak by 60 MB at 3,000
# institutions, and each step's statement reads its rows by their step either way.
_MEMBERS = """
WITH among_places AS (
    SELECT g.step, c.period_type AS k1, c.period AS k2, c.indicator AS k3,
           -1 AS place, c.pos, c.value
    FROM (SELECT DISTINCT step, total_level, total_entity FROM groups) g
    JOIN cells c ON c.level = g.total_level AND c.entity = g.total_entity
    UNION ALL
    SELECT g.step, c.period_type, c.period, c.indicator, g.part_order, c.pos, c.value
    FROM groups g JOIN cells c ON c.level = g.part_level AND c.entity = g.part_entity
),
over_time AS (
    SELECT s.step, c.level AS k1, c.entity AS k2, c.indicator AS k3,
           -1 AS place, c.pos, c.value
    FROM (SELECT DISTINCT step, total_type, total_period FROM spans) s
    JOIN cells c ON c.period_type = s.total_type AND c.period = s.total_period
    UNION ALL
    SELECT s.step, c.level, c.entity, c.indicator, s.part_order, c.pos, c.value
    FROM spans s JOIN cells c ON c.period_type = s.part_type AND c.period = s.part_period
),
counted AS (
    SELECT member.*,
           SUM(CASE WHEN place = -1 THEN 1 ELSE 0 END) OVER relation AS totals,
           COUNT(*) OVER relation AS cells
    FROM (SELECT * FROM among_places UNION ALL SELECT * FROM over_time) member
    WINDOW relation AS (PARTITION BY step, k1, k2, k3)
)
SELECT step, DENSE_RANK() OVER (PARTITION BY step ORDER BY k1, k2, k3) AS relation,
       place, pos, value
FROM counted
WHERE totals = 1 AND cells >= 2
"""

# One step: in every relation of the step with exactly one hidden cell, hide the smallest
# of the others (the least information lost; the total first, then the parts in order,
# among equals).
_STEP = """
INSERT INTO hidden
SELECT pos FROM (
    SELECT m.pos,
           SUM(CASE WHEN h.pos IS NULL THEN 0 ELSE 1 END) OVER relation AS hidden_cells,
           ROW_NUMBER() OVER (
               PARTITION BY m.relation
               ORDER BY CASE WHEN h.pos IS NULL THEN 0 ELSE 1 END, m.value, m.place
           ) AS choice
    FROM members m LEFT JOIN hidden h ON h.pos = m.pos
    WHERE m.step = $step
    WINDOW relation AS (PARTITION BY m.relation)
) chosen
WHERE hidden_cells = 1 AND choice = 1
"""

# A relation with two hidden cells or more stays so (cells are never shown again).
_SETTLED = """
DELETE FROM members WHERE (step, relation) IN (
    SELECT m.step, m.relation FROM members m JOIN hidden h ON h.pos = m.pos
    GROUP BY m.step, m.relation HAVING COUNT(*) >= 2
)
"""


def suppress(table: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """``table`` with a boolean ``suppressed`` column, primary and secondary.

    Primary: a sensitive figure between 1 and the threshold. Secondary: the relations
    are checked one after another, over and over until none changes, and one with
    exactly one hidden cell hides one more. Which cell a relation hides depends on what
    the relations before it hid, so the order is part of the rule; relations of one
    step share no cell, so each step is one statement over all of them."""
    threshold = registry.config.suppression_threshold
    sensitive = [i.code for i in registry.indicators.values() if i.sensitive]
    # The keys go in as their category codes; text stays out of the SQL.
    key_columns: dict[str, pd.Categorical] = {}
    for key in ("level", "entity", "period_type", "period", "indicator"):
        column = table[key].array
        if not isinstance(column, pd.Categorical):
            column = pd.Categorical(table[key])
        key_columns[key] = column
    categories = {key: column.categories.tolist() for key, column in key_columns.items()}
    codes = {key: {v: i for i, v in enumerate(names)} for key, names in categories.items()}
    sensitive_codes = [codes["indicator"][c] for c in sensitive if c in codes["indicator"]]
    # Only the cells of sensitive figures go to the engine (not the whole table, which at
    # 3,000 institutions is 3.7 million rows), each with its position in the table.
    pos = np.flatnonzero(np.isin(key_columns["indicator"].codes, sensitive_codes))
    columns: dict[str, pa.Array] = {}
    for key, column in key_columns.items():
        key_codes = column.codes[pos].astype(np.int32)
        columns[key] = pa.array(key_codes, mask=key_codes < 0)
    columns["value"] = pa.array(table["value"].to_numpy(np.float64)[pos], from_pandas=True)
    columns["pos"] = pa.array(pos.astype(np.int64))
    with connect() as con:
        con.register("cells", pa.table(columns))
        con.execute(
            "CREATE TEMP TABLE hidden AS SELECT pos FROM cells "
            "WHERE value >= 1 AND value < $threshold",
            {"threshold": threshold},
        )
        groups = _groups(registry, codes)
        periods = [
            (categories["period_type"][t], categories["period"][p])
            for t, p in con.sql("SELECT DISTINCT period_type, period FROM cells").fetchall()
        ]
        con.register("groups", groups)
        place_steps = len(set(groups.column("step").to_pylist()))
        con.register("spans", _spans(periods, place_steps, codes))
        con.execute(f"CREATE TEMP TABLE members AS {_MEMBERS}")
        steps = [
            r[0] for r in con.sql("SELECT DISTINCT step FROM members ORDER BY step").fetchall()
        ]
        changed = True
        while changed:
            changed = False
            for step in steps:
                (added,) = con.execute(_STEP, {"step": step}).fetchone() or (0,)
                changed |= added > 0
            con.execute(_SETTLED)
        hidden = con.sql("SELECT pos FROM hidden").arrow().read_all().column("pos").to_numpy()
    flags = np.zeros(len(table), dtype=bool)
    flags[hidden] = True
    return table.assign(suppressed=flags)  # the figures are not copied (copy on write)


def display_value(value: float | None, suppressed: bool, threshold: int) -> str:
    """How a figure is written on the site and in downloads: "<5" when suppressed,
    "未报送" when not reported."""
    if suppressed:
        return f"<{threshold}"
    if value is None or pd.isna(value):
        return "未报送"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
