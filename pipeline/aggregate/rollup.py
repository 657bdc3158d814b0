"""The roll-up: the canonical table by place, institution type and time.

Rates are never averages of percentages: every cell carries a numerator and,
for weighted indicators and measures, a denominator, both summed; the value is
their ratio. Every cell also says how many institution-months were expected and
how many reported (its completeness).

The roll-up is SQL (``GROUPING SETS`` over institution, district, type and the
authority; month, quarter, year and campaign from a table of months), run by the
engine (:mod:`pipeline.engine`); pandas only reads the canonical table in and hands
the result to the pages.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.base.periods import quarter_of, year_of
from pipeline.base.registry import Campaign, Registry
from pipeline.engine import connect

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
# The table's order: level by level (institutions first), then by period type, period,
# entity and indicator (as text). Look-ups search it by these ranks.
TABLE_LEVELS = ("institution", "district", "type", "authority")


@dataclass
class Aggregates:
    """The aggregate table and the months it covers. The table may be replaced (by the
    suppressed one, the same rows in the same order) before the first look-up, not
    after."""

    table: pd.DataFrame
    months: list[str]
    campaign: Campaign
    authority_id: str

    def completeness(
        self, period_type: str, period: str, level: str = "authority", entity: str | None = None
    ) -> tuple[int, int] | None:
        """How many institutions (or institution-months) reported, of how many expected:
        as every row of the place and period says (the rows of its figures are
        together, and a place and period without a figure has no count). Read from the
        table, not kept apart: a dictionary of the counts held 86 MB at 3,000
        institutions."""
        at = self._keys.first(level, entity or self.authority_id, period_type, period)
        if at is None:
            return None
        return int(self._columns["reporting"][at]), int(self._columns["expected"][at])

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
        at = self._keys.position(key)
        if at is None:
            return None
        return {name: column[at] for name, column in self._columns.items()}

    @cached_property
    def _keys(self) -> _SortedKeys:
        return _SortedKeys(self.table)

    @cached_property
    def _columns(self) -> dict[str, Any]:
        # Plain arrays: a row by position in microseconds (``iloc`` builds a Series). A
        # key column stays its category codes: as text it would be a Python string per
        # cell (18 million, 1.2 GB at 3,000 institutions, for pandas' Arrow strings).
        return {
            name: _Coded(column) if isinstance(column, pd.Categorical) else column.to_numpy()
            for name, column in ((name, self.table[name].array) for name in self.table.columns)
        }


class _Coded:
    """A categorical column read cell by cell: ``column[at]`` is its category (the
    same value ``to_numpy()`` gives there) without turning every cell into text."""

    __slots__ = ("categories", "codes")

    def __init__(self, column: pd.Categorical) -> None:
        # The last entry is what a missing cell (code -1) reads as.
        self.categories = np.array([*column.categories.tolist(), np.nan], dtype=object)
        self.codes = column.codes

    def __getitem__(self, at: int) -> Any:
        return self.categories[self.codes[at]]


class _SortedKeys:
    """Row positions by key in a table in its own order (see :data:`TABLE_LEVELS`): the
    category codes of the key columns make one number a row, and the numbers ascend
    down the table, so a look-up is a binary search."""

    def __init__(self, table: pd.DataFrame) -> None:
        rank = {value: i for i, value in enumerate(TABLE_LEVELS)}
        types = {value: i for i, value in enumerate(sorted(PERIOD_TYPES))}
        self.codes: list[dict[Any, int]] = []
        self.radix: list[int] = []
        combined = np.zeros(len(table), dtype=np.int64)
        for name in ("level", "period_type", "period", "entity", "indicator"):
            column = table[name].array
            assert isinstance(column, pd.Categorical)
            order = rank if name == "level" else types if name == "period_type" else None
            categories = column.categories.tolist()
            if order is None:  # sorted categories: a code ranks as its text does
                codes = {value: i for i, value in enumerate(categories)}
            else:
                codes = {value: order[value] for value in categories}
            ranks = np.array([codes[v] for v in categories] + [0], dtype=np.int64)
            self.codes.append(codes)
            self.radix.append(len(categories) + 1)
            combined *= self.radix[-1]  # in place: a column of the table is 30 MB
            combined += ranks[column.codes]
        self.sorted = combined
        if len(combined) and not (combined[1:] >= combined[:-1]).all():
            raise ValueError("aggregate table out of order")

    def position(self, key: tuple[Any, ...]) -> int | None:
        level, entity, period_type, period, indicator = key
        combined = self._combined((level, period_type, period, entity, indicator))
        if combined is None:
            return None
        at = int(np.searchsorted(self.sorted, combined))
        if at >= len(self.sorted) or self.sorted[at] != combined:
            return None
        return at

    def first(self, level: str, entity: str, period_type: str, period: str) -> int | None:
        """The first row of a place and period (its figures follow it), or None."""
        combined = self._combined((level, period_type, period, entity))
        if combined is None:
            return None
        low = combined * self.radix[-1]  # before its first indicator
        at = int(np.searchsorted(self.sorted, low))
        if at >= len(self.sorted) or self.sorted[at] >= low + self.radix[-1]:
            return None
        return at

    def _combined(self, values: tuple[Any, ...]) -> int | None:
        """The number of the leading keys ``values`` (in the table's order of keys)."""
        combined = 0
        for value, codes, radix in zip(values, self.codes, self.radix, strict=False):
            code = codes.get(value)
            if code is None:
                return None
            combined = combined * radix + code
        return combined


class _Keys:
    """The text keys of the SQL as integers: a name's code is its rank in a sorted list
    of every name the computation meets, so codes compare as the texts do and equal
    codes are equal texts. The SQL joins, groups and orders on codes; text comes back
    only at the edge (:func:`aggregate`)."""

    def __init__(self, *names: Any) -> None:
        self.names = sorted({n for group in names for n in group if n is not None})
        self.code = {name: i for i, name in enumerate(self.names)}

    def column(self, values: pd.Series) -> pa.Array:
        """A key column of the canonical table (categorical, or text) as codes; a missing
        key stays missing (NULL)."""
        categorical = (
            values.array
            if isinstance(values.dtype, pd.CategoricalDtype)
            else pd.Categorical(values)
        )
        assert isinstance(categorical, pd.Categorical)
        lookup = np.array([self.code[c] for c in categorical.categories] + [-1], dtype=np.int32)
        codes = lookup[categorical.codes]  # (the code of a missing key, -1, takes the -1)
        return pa.array(codes, mask=codes < 0)

    def of(self, values: list[str | None]) -> pa.Array:
        return pa.array([None if v is None else self.code[v] for v in values], pa.int32())


def _categories(column: pd.Series) -> list[Any]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return list(column.cat.categories)
    return list(pd.unique(column.dropna()))


def _inputs(
    registry: Registry,
    table: pd.DataFrame,
    campaign: Campaign,
    months: list[str],
    entities: _Keys,
) -> tuple[dict[str, pa.Table], _Keys, _Keys, _Keys]:
    """The tables the SQL reads (the figures, and small ones from the registries), keyed
    by codes; and the codes of institutions, months and indicators (with their buckets:
    months, quarters, years and the campaign)."""
    institutions = list(registry.institutions.values())
    ids = _Keys(_categories(table.institution_id), (i.id for i in institutions))
    month_keys = _Keys(
        _categories(table.period),
        months,
        (i.active_from for i in institutions),
        (i.active_to for i in institutions),
    )
    indicators = list(registry.indicators.values())
    names = _Keys(
        _categories(table.indicator),
        (ind.code for ind in indicators),
        (ind.weight for ind in indicators),
        (n for m in registry.measures.values() for n in (m.code, m.numerator, m.denominator)),
    )
    facts = pa.table(
        {
            "institution_id": ids.column(table.institution_id),
            "period": month_keys.column(table.period),
            "indicator": names.column(table.indicator),
            "value": pa.array(table.value.to_numpy(np.float64), from_pandas=True),
        }
    )
    reporting = {i.id for i in registry.reporting_institutions}
    inst = pa.table(
        {
            "id": ids.of([i.id for i in institutions]),
            # Its place among the entities of the table (reporting institutions only).
            "entity": entities.of([i.id if i.id in reporting else None for i in institutions]),
            "district": entities.of(
                [i.district if i.id in reporting else None for i in institutions]
            ),
            "type": entities.of([i.type if i.id in reporting else None for i in institutions]),
            "staff": pa.array([float(i.staff) for i in institutions], pa.float64()),
            "reporting": [i.id in reporting for i in institutions],
            "active_from": month_keys.of([i.active_from for i in institutions]),
            "active_to": month_keys.of([i.active_to for i in institutions]),
        }
    )
    # One row per figure the portal derives: an indicator, or a measure (a rate). ``kind``
    # 0 plain, 1 weighted mean, 2 ratio; ``running`` 1 for a running total (the last month
    # counts), 0 for a sum.
    items: list[dict[str, Any]] = [
        {
            "code": names.code[ind.code],
            "source": names.code[ind.code],
            "kind": 1 if ind.aggregate == "weighted_mean" else 0,
            "weight": None if ind.weight is None else names.code[ind.weight],
            "by_staff": ind.weight == "staff",
            "running": 1 if ind.aggregate == "last" else 0,
            "carried": False,
            "counter": None,
            "percent": False,
        }
        for ind in registry.indicators.values()
    ]
    items += [
        {
            "code": names.code[m.code],
            "source": names.code[m.numerator],
            "kind": 2,
            "weight": names.code[m.denominator],
            "by_staff": m.denominator == "staff",
            # A ratio against staff counts its last month (its numerator runs within the year).
            "running": 1 if m.denominator == "staff" else 0,
            "carried": bool(m.carry_backlog),
            "counter": names.code[m.denominator],
            "percent": True,
        }
        for m in registry.measures.values()
    ]
    types = {
        "code": pa.int32(),
        "source": pa.int32(),
        "kind": pa.int32(),
        "weight": pa.int32(),
        "by_staff": pa.bool_(),
        "running": pa.int32(),
        "carried": pa.bool_(),
        "counter": pa.int32(),
        "percent": pa.bool_(),
    }
    buckets = _Keys(
        months, (quarter_of(m) for m in months), (year_of(m) for m in months), [campaign.id]
    )
    kinds = {t: i for i, t in enumerate(sorted(PERIOD_TYPES))}
    periods = pa.table(
        {
            "month": month_keys.of([m for m in months for _ in PERIOD_TYPES]),
            "period_type": pa.array([kinds[t] for _ in months for t in PERIOD_TYPES], pa.int32()),
            "bucket": buckets.of(
                [b for m in months for b in (m, quarter_of(m), year_of(m), campaign.id)]
            ),
        }
    )
    tables = {
        "facts": facts,
        "inst": inst,
        "items": pa.Table.from_pylist(items, schema=pa.schema(types)),
        "periods": periods,
    }
    return tables, month_keys, names, buckets


# Figures are summed as exact decimals (``NUMBER``) and turned back into floating point
# at the end: a sum of floating-point numbers depends on the order of its terms, which
# parallel threads do not keep, and the same data must give the same bytes.
NUMBER = "DECIMAL(38, 9)"

# Each figure of each institution-month: its numerator, its denominator (the weight of a
# percentage, the base of a rate) and, for a rate that carries its backlog, what was
# still open at the start of the month.
_MONTH_CELLS = f"""
WITH carried_pairs AS (
    -- Received and resolved per institution-month, every month up to the last one
    -- (also those before the campaign: the backlog counts them).
    SELECT f.institution_id, f.period, it.code,
           SUM(CASE WHEN f.indicator = it.counter THEN CAST(f.value AS {NUMBER}) END)
               AS counted,
           SUM(CASE WHEN f.indicator = it.source THEN CAST(f.value AS {NUMBER}) END) AS done
    FROM facts f JOIN items it ON it.carried AND f.indicator IN (it.source, it.counter)
    WHERE f.period <= $last
    GROUP BY f.institution_id, f.period, it.code
),
backlog AS (
    -- Open at the start of a month: all counted before it less all done before it.
    SELECT institution_id, period, code,
           GREATEST(
               COALESCE(SUM(COALESCE(counted, 0)) OVER earlier, 0)
               - COALESCE(SUM(COALESCE(done, 0)) OVER earlier, 0),
               0
           ) AS backlog
    FROM carried_pairs
    WINDOW earlier AS (
        PARTITION BY code, institution_id ORDER BY period
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    )
),
campaign_facts AS (
    SELECT f.* FROM facts f JOIN (SELECT DISTINCT month FROM periods) m ON f.period = m.month
    WHERE f.value IS NOT NULL
),
weighted AS (
    SELECT f.institution_id, f.period, it.code AS indicator, it.kind, it.running, it.carried,
           CAST(f.value AS {NUMBER}) AS value,
           CAST(CASE WHEN it.kind = 0 THEN NULL
                     WHEN it.by_staff THEN i.staff
                     ELSE w.value END AS {NUMBER}) AS weight
    FROM campaign_facts f
    JOIN items it ON f.indicator = it.source
    LEFT JOIN inst i ON i.id = f.institution_id
    LEFT JOIN campaign_facts w
           ON w.institution_id = f.institution_id AND w.period = f.period
          AND w.indicator = it.weight
)
SELECT x.institution_id, x.period, x.indicator, x.running,
       CASE WHEN x.kind = 1 THEN CAST(x.value * x.weight AS {NUMBER})
            ELSE x.value END AS numerator,
       x.weight AS denominator,
       CASE WHEN x.carried THEN COALESCE(b.backlog, 0) END AS backlog
FROM weighted x
LEFT JOIN backlog b
       ON x.carried AND b.code = x.indicator
      AND b.institution_id = x.institution_id AND b.period = x.period
WHERE x.kind = 0 OR x.weight IS NOT NULL
"""

# The figures of each institution over each month, quarter, year and the campaign: sums,
# or the last month for a running total; a carried backlog counts once (the opening one).
# Only those two kinds need the months in order (window functions); the rest is summed.
_INSTITUTION_CELLS = """
WITH placed AS (
    SELECT c.*, p.period_type, p.bucket
    FROM month_cells c JOIN periods p ON p.month = c.period
),
in_order AS (
    SELECT placed.*,
           ROW_NUMBER() OVER (
               PARTITION BY institution_id, indicator, period_type, bucket
               ORDER BY period DESC) AS from_last,
           ROW_NUMBER() OVER (
               PARTITION BY institution_id, indicator, period_type, bucket
               ORDER BY period) AS from_first
    FROM placed
    WHERE running = 1 OR backlog IS NOT NULL
)
SELECT institution_id, period_type, bucket AS period, indicator,
       SUM(numerator) AS numerator, SUM(denominator) AS denominator
FROM placed
WHERE running = 0 AND backlog IS NULL
GROUP BY institution_id, period_type, bucket, indicator
UNION ALL
SELECT institution_id, period_type, bucket AS period, indicator,
       CASE WHEN MAX(running) = 1 THEN MAX(CASE WHEN from_last = 1 THEN numerator END)
            ELSE SUM(numerator) END AS numerator,
       CASE WHEN MAX(running) = 1 THEN MAX(CASE WHEN from_last = 1 THEN denominator END)
            ELSE SUM(denominator) END
         + COALESCE(MAX(CASE WHEN from_first = 1 THEN backlog END), 0) AS denominator
FROM in_order
GROUP BY institution_id, period_type, bucket, indicator
"""

# How many institution-months reported, of those due, per institution and period.
_INSTITUTION_COUNTS = """
WITH due AS (
    SELECT i.id AS institution_id, m.month
    FROM inst i JOIN (SELECT DISTINCT month FROM periods) m
      ON i.reporting AND i.active_from <= m.month
     AND (i.active_to IS NULL OR m.month <= i.active_to)
),
sent AS (
    SELECT DISTINCT f.institution_id, f.period
    FROM facts f JOIN (SELECT DISTINCT month FROM periods) m ON f.period = m.month
)
SELECT d.institution_id, p.period_type, p.bucket AS period,
       SUM(CASE WHEN s.institution_id IS NULL THEN 0 ELSE 1 END) AS reporting,
       COUNT(*) AS expected
FROM due d
JOIN periods p ON p.month = d.month
LEFT JOIN sent s ON s.institution_id = d.institution_id AND s.period = d.month
GROUP BY d.institution_id, p.period_type, p.bucket
"""

# Every level at once: the institution, its district, its type and the authority (the
# codes of LEVELS; the entity is the code of the institution, district, type or
# authority among the table's entities).
_ROLL_UP = """
SELECT CASE WHEN GROUPING(i.entity) = 0 THEN 3
            WHEN GROUPING(i.district) = 0 THEN 1
            WHEN GROUPING(i.type) = 0 THEN 2
            ELSE 0 END AS level,
       COALESCE(i.entity, i.district, i.type, $authority) AS entity,
       c.period_type, c.period, {measure}
FROM {source} c JOIN inst i ON i.id = c.institution_id AND i.reporting
GROUP BY GROUPING SETS (
    (c.period_type, c.period, i.entity{by}),
    (c.period_type, c.period, i.district{by}),
    (c.period_type, c.period, i.type{by}),
    (c.period_type, c.period{by})
)
"""

_JOINED = """
SELECT v.level, v.entity, v.period_type, v.period, v.indicator,
       v.numerator, v.denominator,
       COALESCE(n.reporting, 0) AS reporting, COALESCE(n.expected, 0) AS expected
FROM rolled v
LEFT JOIN rolled_counts n
  ON n.level = v.level AND n.entity = v.entity
 AND n.period_type = v.period_type AND n.period = v.period
"""

# The codes of the period types are those of their names in order, as are those of the
# periods (buckets), entities and indicators.
_TABLE = """
SELECT j.level, j.entity, j.period_type, j.period, j.indicator,
       -- A rate over nothing (resolved complaints in a month none were received) has no
       -- value: not infinity, not 0.
       CASE WHEN j.denominator IS NULL THEN CAST(j.numerator AS DOUBLE)
            WHEN j.denominator = 0 THEN NULL
            WHEN it.percent
                THEN CAST(j.numerator AS DOUBLE) / CAST(j.denominator AS DOUBLE) * 100
            ELSE CAST(j.numerator AS DOUBLE) / CAST(j.denominator AS DOUBLE) END AS value,
       CAST(j.numerator AS DOUBLE) AS numerator, CAST(j.denominator AS DOUBLE) AS denominator,
       CAST(j.reporting AS BIGINT) AS reporting, CAST(j.expected AS BIGINT) AS expected
FROM joined j
JOIN items it ON it.code = j.indicator
-- Institutions first, then districts, types and the authority.
ORDER BY CASE j.level WHEN 3 THEN 0 WHEN 1 THEN 1 WHEN 2 THEN 2 ELSE 3 END,
         j.period_type, j.period, j.entity, j.indicator
"""


def aggregate(
    registry: Registry, table: pd.DataFrame, campaign: Campaign, until: str
) -> Aggregates:
    """Every aggregate of ``table`` for ``campaign``'s months up to ``until``."""
    months = campaign.months(until)
    authority = registry.config.authority_id
    places = {authority} | {i.id for i in registry.reporting_institutions}
    places |= {i.district for i in registry.reporting_institutions}
    places |= {i.type for i in registry.reporting_institutions}
    entities = _Keys(places)
    inputs, month_keys, names, buckets = _inputs(registry, table, campaign, months, entities)
    with tempfile.TemporaryDirectory(prefix="portal-rollup-") as folder:
        written = Path(folder) / "aggregates.parquet"
        with connect() as con:
            for name, data in inputs.items():
                con.register(name, data)
            params = {"last": month_keys.code[months[-1]] if months else -1}
            con.execute(f"CREATE TEMP TABLE month_cells AS {_MONTH_CELLS}", params)
            con.execute(f"CREATE TEMP TABLE inst_cells AS {_INSTITUTION_CELLS}")
            # Each table is dropped once the last statement that reads it has run: the engine
            # held every one of them until the end (900 MB at 3,000 institutions).
            con.execute("DROP TABLE month_cells")
            con.execute(f"CREATE TEMP TABLE inst_counts AS {_INSTITUTION_COUNTS}")
            measure = (
                "c.indicator, SUM(c.numerator) AS numerator, SUM(c.denominator) AS denominator"
            )
            rolled = _ROLL_UP.format(measure=measure, source="inst_cells", by=", c.indicator")
            where = {"authority": entities.code[authority]}
            con.execute(f"CREATE TEMP TABLE rolled AS {rolled}", where)
            con.execute("DROP TABLE inst_cells")
            counted = _ROLL_UP.format(
                measure="SUM(c.reporting) AS reporting, SUM(c.expected) AS expected",
                source="inst_counts",
                by="",
            )
            con.execute(f"CREATE TEMP TABLE rolled_counts AS {counted}", where)
            # The periods and indicators the table has (their categories), in order.
            period_codes = [
                r[0]
                for r in con.sql(
                    "SELECT period FROM rolled UNION SELECT period FROM inst_counts ORDER BY period"
                ).fetchall()
            ]
            indicator_codes = [
                r[0]
                for r in con.sql(
                    "SELECT DISTINCT indicator FROM rolled ORDER BY indicator"
                ).fetchall()
            ]
            con.execute("DROP TABLE inst_counts")
            con.execute(f"CREATE TEMP TABLE joined AS {_JOINED}")
            con.execute("DROP TABLE rolled")
            con.execute("DROP TABLE rolled_counts")
            # The table goes to a file and is read back once the engine is closed. Taken
            # from the engine as Arrow, it was held twice for a moment (the engine's
            # sorted rows and the result): +780 MB at 3,000 institutions, against +590
            # for the engine's work before it. An ORDER BY holds in the file only if
            # the engine keeps the order in which rows come.
            con.execute("SET preserve_insertion_order = true")
            con.execute(f"COPY ({_TABLE}) TO '{_quoted(written)}' (FORMAT parquet)")
        result = pq.ParquetFile(written)
        period_types = sorted(PERIOD_TYPES)
        periods = [buckets.names[c] for c in period_codes]
        indicators = [names.names[c] for c in indicator_codes]
        dtypes = {
            "level": pd.CategoricalDtype(LEVELS),
            "entity": pd.CategoricalDtype(entities.names),
            "period_type": pd.CategoricalDtype(period_types),
            "period": pd.CategoricalDtype(periods),
            "indicator": pd.CategoricalDtype(indicators),
        }
        # Codes among all the names met, to codes among the table's categories (the same
        # order).
        recode = {
            "period": _recode(period_codes, len(buckets.names)),
            "indicator": _recode(indicator_codes, len(names.names)),
        }
        columns: dict[str, Any] = {}
        for name in COLUMNS:  # a column at a time
            data = result.read(columns=[name], use_threads=False).column(0).to_numpy()
            if name in recode:
                data = recode[name][data]
            if name in dtypes:
                columns[name] = pd.Categorical.from_codes(data, dtype=dtypes[name])
            elif name in ("reporting", "expected"):
                columns[name] = data.astype(np.int64, copy=False)
            else:
                columns[name] = data.astype(np.float64, copy=False)
    return Aggregates(
        # Not copied into blocks of one type (pandas' default for a dict): each column
        # stays the array it was read into.
        table=pd.DataFrame(columns, copy=False),
        months=months,
        campaign=campaign,
        authority_id=authority,
    )


def _quoted(path: Path) -> str:
    """``path`` inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


def _recode(present: list[int], size: int) -> np.ndarray:
    """A look-up from the codes ``present`` (ascending, of ``size`` names) to their
    positions among themselves."""
    lookup = np.full(size, -1, dtype=np.int32)
    lookup[present] = np.arange(len(present), dtype=np.int32)
    return lookup
