"""Check: read submission files into one canonical long table and apply the rules.

Every problem of every file is collected (never only the first). A file with
any blocking problem is quarantined as a whole: kept, listed, not published.
The canonical table has one row per (institution_id, period, indicator) with a
``value`` and the ``sha256`` and ``file`` of the snapshot it came from. A value
left blank is "not reported" and has no row: it never becomes 0.
"""

from __future__ import annotations

import json
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.base import periods
from pipeline.base.parallel import give_back_free_memory, pmap
from pipeline.base.periods import month_range
from pipeline.base.problems import Problem, shown_value
from pipeline.base.readers import CellNote, ReadRefused, read_json, read_sheets
from pipeline.base.registry import Indicator, Registry
from pipeline.privacy.pii import find_pii, normalise_for_gate
from pipeline.store import Snapshot, read_manifest

LONG_HEADERS = {
    "institution_id": "institution_id",
    "机构编号": "institution_id",
    "period": "period",
    "月份": "period",
    "报送月份": "period",
    "indicator": "indicator",
    "指标": "indicator",
    "指标代码": "indicator",
    "value": "value",
    "数值": "value",
}
IGNORED_HEADERS = {"备注", "填报人", "填报日期", "审核人", "机构名称", "institution_name", "note"}
TOTAL_WORDS = ("合计", "总计", "小计", "累计")
BLANK_VALUES = {"", "-", "—", "--", "/", "无数据", "未报", "n/a", "na", "null", "none"}
TABLE_COLUMNS = ["institution_id", "period", "indicator", "value", "sha256", "file"]


class Row(NamedTuple):
    """One figure read from a file, and where it stood (tuples: millions of them)."""

    institution_id: str
    period: str
    indicator: str
    value: float
    row: int | None
    column: str | None
    sheet: str | None


# The rows of files as Arrow tables: the text columns dictionary-encoded (a few distinct
# ids, months, codes and column names), as the parsed layer reads them back.
_TEXT = pa.dictionary(pa.int32(), pa.string())
ROW_SCHEMA = pa.schema(
    [
        ("institution_id", _TEXT),
        ("period", _TEXT),
        ("indicator", _TEXT),
        ("value", pa.float64()),
        ("row", pa.int64()),
        ("column", _TEXT),
        ("sheet", _TEXT),
    ]
)


class Rows:
    """The figures read from one file: appended one by one while the file is checked
    (:class:`Row`), afterwards a slice of an Arrow table that holds the rows of many
    files (a batch of files checked together, or a segment of the parsed layer). A
    province keeps millions of figures: as Python objects they took hundreds of
    megabytes that freeing them did not give back."""

    __slots__ = ("_at", "_n", "_pending", "_table")

    def __init__(self, rows: Iterable[Row] = ()) -> None:
        self._pending: list[Row] = list(rows)
        self._table: pa.Table | None = None
        self._at = self._n = 0

    @classmethod
    def of_table(cls, table: pa.Table, at: int, n: int) -> Rows:
        """Rows ``at`` to ``at + n`` of ``table`` (which has the columns of :class:`Row`)."""
        rows = cls()
        rows._table, rows._at, rows._n = table, at, n
        return rows

    def append(self, row: Row) -> None:
        if self._table is not None:
            self._pending = list(self)
            self._table = None
        self._pending.append(row)

    def source(self) -> tuple[pa.Table, int, int]:
        """The table the rows are in, where they start, and how many they are."""
        if self._table is None:
            return rows_table(self._pending), 0, len(self._pending)
        return self._table, self._at, self._n

    def table(self) -> pa.Table:
        """The rows as a table of :data:`ROW_SCHEMA`."""
        table, at, n = self.source()
        return table.select(ROW_SCHEMA.names).slice(at, n)

    def __len__(self) -> int:
        return len(self._pending) if self._table is None else self._n

    def __iter__(self) -> Iterator[Row]:
        if self._table is None:
            return iter(self._pending)
        columns = [c.to_pylist() for c in self.table().columns]
        return map(Row._make, zip(*columns, strict=True))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rows) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Rows({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Rows, (list(self),))


def rows_table(rows: Iterable[Row]) -> pa.Table:
    """``rows`` as a table of :data:`ROW_SCHEMA`."""
    columns = list(zip(*rows, strict=True)) or [()] * len(Row._fields)
    return pa.table(
        {
            name: pa.array(column, pa.string()).dictionary_encode()
            if field.type == _TEXT
            else pa.array(column, field.type)
            for name, column, field in zip(Row._fields, columns, ROW_SCHEMA, strict=True)
        },
        schema=ROW_SCHEMA,
    )


def gather(rows: list[Rows], columns: Sequence[str] = tuple(ROW_SCHEMA.names)) -> pa.Table:
    """The rows of many files as one table of :data:`ROW_SCHEMA` (of its ``columns``),
    file after file, taken from the tables they are slices of (one ``take``, no Python
    object per row)."""
    sources: dict[int, int] = {}
    tables: list[pa.Table] = []
    held: list[pa.Table] = []  # each source kept alive, so that no other takes its id
    starts = np.zeros(len(rows), dtype=np.int64)
    counts = np.zeros(len(rows), dtype=np.int64)
    bases: list[int] = []
    total = 0
    for k, r in enumerate(rows):
        table, at, n = r.source()
        s = sources.get(id(table))
        if s is None:
            s = sources[id(table)] = len(tables)
            held.append(table)
            tables.append(table.select(list(columns)))
            bases.append(total)
            total += table.num_rows
        starts[k] = bases[s] + at
        counts[k] = n
    if not tables:
        return ROW_SCHEMA.empty_table().select(list(columns))
    every = pa.concat_tables(tables).unify_dictionaries()
    # Row positions in ``every``: each file's start, then one after another.
    before = np.cumsum(counts) - counts
    index = np.repeat(starts - before, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    return every.take(pa.array(index, pa.int64())).combine_chunks()


@dataclass
class Submission:
    """One snapshot after checking: its rows, its problems, and whether it was accepted."""

    snapshot: Snapshot | None
    file: str
    institution_id: str | None
    rows: Rows = field(default_factory=Rows)
    problems: list[Problem] = field(default_factory=list)
    # The latest month the checks compared with the day of the check ("" if none): the
    # result holds on any later day, as long as that month has ended (pipeline.check.layer).
    latest_month: str = ""

    @property
    def accepted(self) -> bool:
        return not any(p.blocking for p in self.problems)

    @property
    def periods(self) -> list[str]:
        return sorted(pc.unique(self.rows.table().column("period").cast(pa.string())).to_pylist())


@dataclass
class CheckResult:
    """The accepted canonical table and every submission with its problems."""

    table: pd.DataFrame
    submissions: list[Submission]
    # The rows of every file parsed that passed the file checks (None: it did not), by
    # snapshot (sha256, institution, name), before the rules between files ran.
    parsed: dict[tuple[str, str, str], Rows | None] = field(default_factory=dict)
    # How many stored files were read and checked, and how many results were taken from
    # the parsed layer instead (pipeline.check.layer).
    files_checked: int = 0
    files_from_layer: int = 0
    # What :meth:`release_table` keeps of the table (see :meth:`sources`).
    _sources: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def quarantined(self) -> list[Submission]:
        return [s for s in self.submissions if not s.accepted]

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.submissions for p in s.problems]

    def release_rows(self) -> None:
        """Forget the rows read from each accepted file and every older version, once the
        figures are computed: ``table`` keeps what is published, and a refused file keeps
        its rows (its months are listed as refused). At 3,000 institutions x 36 months
        this is hundreds of megabytes the pages do not need."""
        self.parsed = {}
        for sub in self.submissions:
            # A refused file's rows are copied out of the table they share with
            # others, so that the table goes.
            sub.rows = Rows() if sub.accepted else Rows(list(sub.rows))

    def sources(self) -> pd.DataFrame:
        """The files the accepted figures came from: each (institution_id, period, file)
        of the table once, in the table's order (what the pages read of the table)."""
        if self._sources is not None:
            return self._sources
        return self.table[["institution_id", "period", "file"]].drop_duplicates(ignore_index=True)

    def release_table(self) -> None:
        """Forget the canonical table once the figures are aggregated, but for its
        :meth:`sources`: a row per figure (2.2 million at 3,000 institutions x 36
        months, 86 MB) that the pages and MkDocs do not read; ``table`` is left empty."""
        self._sources = self.sources()
        self.table = pd.DataFrame(columns=TABLE_COLUMNS)


def _nfkc(value: Any) -> str:
    # Not remembered: a cache of the last 65,536 texts saved no measurable time in a cold
    # check at 3,000 institutions (57 and 58 s of CPU with and without it).
    text = value if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFKC", text).strip()


def parse_period(raw: Any) -> str | None:
    """YYYY-MM from "2024-03", "2024-3", "2024年3月", "2024/3", "2024.03", "202403" or a date."""
    if isinstance(raw, datetime | date):
        return f"{raw.year:04d}-{raw.month:02d}"
    return _period_of_text(_nfkc(raw))


@lru_cache(maxsize=4096)
def _period_of_text(text: str) -> str | None:
    m = re.fullmatch(r"(20\d{2})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?(?:[-/.]0?1日?)?", text)
    if not m:
        m = re.fullmatch(r"(20\d{2})(0[1-9]|1[0-2])", text)
    if not m:
        return None
    month = int(m.group(2))
    return f"{m.group(1)}-{month:02d}" if 1 <= month <= 12 else None


def parse_value(raw: Any, indicator: Indicator) -> tuple[float | None, str | None]:
    """The number in a cell, or None when the cell is blank ("not reported").

    Returns ``(value, None)`` or ``(None, expected)`` where ``expected`` says in
    Chinese what the cell should have held.
    """
    if not isinstance(raw, str):
        return _parse_value(raw, indicator)
    # Remembered: the same few hundred cell texts make up most of a province's files.
    key = (raw, indicator.kind, indicator.unit, indicator.upper_bound)
    found = _TEXT_VALUES.get(key)
    if found is None:
        if len(_TEXT_VALUES) >= 100_000:
            _TEXT_VALUES.clear()
        found = _TEXT_VALUES[key] = _parse_value(raw, indicator)
    return found


_TEXT_VALUES: dict[tuple[str, str, str, float], tuple[float | None, str | None]] = {}


def _parse_value(raw: Any, indicator: Indicator) -> tuple[float | None, str | None]:
    percent = indicator.kind == "percent"
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        return None, "数字"
    had_percent_sign = False
    if isinstance(raw, CellNote):
        return None, _expected(indicator)
    if isinstance(raw, int | float):
        try:
            number = float(raw)
        except OverflowError:  # an integer of hundreds of digits
            number = math.inf
    else:
        text = _nfkc(raw).replace(" ", "")
        if text.lower() in BLANK_VALUES:
            return None, None
        if text.endswith("%"):
            had_percent_sign = True
            text = text[:-1]
            if not percent:
                return None, f"{indicator.unit}数（不带 %）"
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
        if len(text) > 30 or not re.fullmatch(r"-?\d+(\.\d+)?", text):
            return None, _expected(indicator)
        number = float(text)
    if not math.isfinite(number):
        return None, f"有限的{_expected(indicator)}"
    if number < 0:
        return None, f"不小于 0 的{_expected(indicator)}"
    if percent:
        if number > 100:
            return None, "0 到 100 之间的百分数"
        if 0 < number <= 1 and not had_percent_sign:
            return None, "百分数，例如 98.5 或 98.5%（0 到 1 之间的小数含义不明确，请改写为百分数）"
    elif indicator.kind == "count" and number != int(number):
        return None, _expected(indicator)
    if number > indicator.upper_bound:
        return None, (
            f"不大于 {indicator.upper_bound:,.0f}{indicator.unit}（该指标每月的合理上限；"
            "数值确实如此时请联系主管部门）"
        )
    return number, None


def _expected(indicator: Indicator) -> str:
    if indicator.kind == "count":
        return f"整数（单位：{indicator.unit}）"
    if indicator.kind == "amount":
        return "金额数字（单位：元），如 12500 或 12,500.50"
    return "0 到 100 之间的百分数，如 98.5 或 98.5%"


def _cell_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class _FileChecker:
    """Checks one file; accumulates problems and canonical rows."""

    def __init__(self, registry: Registry, sub: Submission, today: date):
        self.registry = registry
        self.sub = sub
        self.today = today
        self.seen: dict[tuple[str, str, str], int] = {}
        self.campaign_months = {m for c in registry.campaigns for m in c.months()}
        self.named_other = False  # warned that the file names another institution

    def problem(self, code: str, message: str, **kw: Any) -> None:
        if kw.get("value") is not None:
            kw["value"] = shown_value(kw["value"])
        self.sub.problems.append(Problem(file=self.sub.file, code=code, message=message, **kw))

    def institution(self, raw: Any, **where: Any) -> str | None:
        inst_id = _nfkc(raw).lower() if not _cell_blank(raw) else self.sub.institution_id
        if inst_id is None:
            self.problem(
                "missing_institution",
                "缺少机构编号",
                expected="机构名录中的编号（表中加「机构编号」列，或检查时用 --institution 指定）",
                **where,
            )
            return None
        inst = self.registry.institutions.get(inst_id)
        if inst is None:
            self.problem(
                "unknown_institution",
                "机构编号不在机构名录中",
                value=str(raw),
                expected="机构名录中的编号",
                **where,
            )
            return None
        if self.sub.institution_id and inst_id != self.sub.institution_id:
            self.problem(
                "other_institution",
                "文件中含有其他机构的数据",
                value=inst_id,
                expected=f"本机构编号 {self.sub.institution_id}",
                **where,
            )
            return None
        return inst.id  # the registry's string, not a copy per row

    def same_name(self, inst_id: str, raw: Any, **where: Any) -> None:
        """Warn when the file names another institution than the one it is checked for
        (a file sent for the wrong institution is judged against the wrong staff count)."""
        if _cell_blank(raw) or self.named_other:
            return  # once a file is enough
        inst = self.registry.institutions[inst_id]
        written = _nfkc(raw)
        known = {_nfkc(inst.name), _nfkc(inst.short_name)} - {""}
        if not any(written == k or written in k or k in written for k in known):
            self.named_other = True
            self.problem(
                "other_name",
                "机构名称与报送机构不符，请核实是否选错了机构或文件",
                value=str(raw),
                expected=inst.name,
                severity="warning",
                **where,
            )

    def period(self, raw: Any, inst_id: str, **where: Any) -> str | None:
        period = parse_period(raw)
        if period is None:
            self.problem(
                "bad_period",
                "月份无法识别",
                value=str(raw),
                expected="如 2025-03、2025年3月、2025/3",
                **where,
            )
            return None
        current = f"{self.today.year:04d}-{self.today.month:02d}"
        if period > self.sub.latest_month:
            self.sub.latest_month = period
        if period >= current:  # a month is reported once it has ended
            self.problem(
                "future_period",
                "月份尚未结束" if period == current else "月份晚于当前月份",
                value=period,
                expected=f"已经结束的月份（{current} 之前）",
                **where,
            )
            return None
        months = self.campaign_months
        if months and period not in months:
            self.problem(
                "period_outside_campaign",
                "月份不在专项行动期间",
                value=period,
                expected="专项行动起止月份之内",
                **where,
            )
            return None
        inst = self.registry.institutions[inst_id]
        if not inst.active_in(period):
            self.problem(
                "institution_inactive",
                "该机构在此月份不在报送范围内",
                value=period,
                expected=f"{inst.active_from} 至 {inst.active_to or '今'}",
                **where,
            )
            return None
        return period

    def value(self, inst_id: str, period: str, code: str, raw: Any, **where: Any) -> None:
        ind = self.registry.indicators[code]
        number, expected = parse_value(raw, ind)
        if isinstance(raw, CellNote):
            self.problem(
                "cell_error" if raw.reason == "error" else "formula_without_value",
                f"「{ind.label}」不是数值：{raw}"
                + ("（公式没有保存计算结果）" if raw.reason == "formula" else ""),
                value=str(raw),
                expected=f"{expected}；请在 Excel 中修正后保存，或直接填写数值",
                **where,
            )
            return
        if expected is not None:
            self.problem(
                "bad_value",
                f"「{ind.label}」的数值无效",
                value=_as_written(raw),
                expected=expected,
                **where,
            )
            return
        if number is None:
            return
        key = (inst_id, period, code)
        if key in self.seen:
            self.problem(
                "duplicate",
                f"「{ind.label}」在 {period} 重复填报",
                value=str(raw),
                expected=f"每月一个数值（另见第{self.seen[key]}行）",
                **where,
            )
            return
        self.seen[key] = where.get("row") or 0
        self.sub.rows.append(
            Row(
                inst_id,
                period,
                code,
                number,
                where.get("row"),
                where.get("column"),
                where.get("sheet"),
            )
        )

    def table(self, rows: list[list[Any]], sheet: str | None) -> None:
        header_at, layout = self._find_header(rows)
        if header_at is None:
            self.problem(
                "no_header",
                "找不到表头行",
                sheet=sheet,
                expected="含“月份”和指标名称（或 institution_id, period, indicator, value）的表头",
            )
            return
        header = [_nfkc(c) if not _cell_blank(c) else "" for c in rows[header_at]]
        columns: dict[int, str] = {}
        for i, name in enumerate(header):
            if not name:
                continue
            key = LONG_HEADERS.get(name.lower()) or LONG_HEADERS.get(name)
            if key:
                columns[i] = "@" + key
            elif code := self.registry.indicator_code(name):
                columns[i] = code
            elif name in ("机构名称", "institution_name"):
                columns[i] = "@institution_name"  # not read: compared with the institution
            elif name in IGNORED_HEADERS:
                continue
            else:
                self.problem(
                    "unknown_column",
                    "无法识别的列名",
                    sheet=sheet,
                    row=header_at + 1,
                    column=_column_letter(i),
                    value=name,
                    expected="模板中的指标名称或指标代码",
                )
        if layout == "wide" and "@period" not in columns.values():
            self.problem("missing_period_column", "缺少“月份”列", sheet=sheet, row=header_at + 1)
            return
        # (index, indicator, where it is told) of each figure column: one label per column,
        # not one string per cell.
        figures = [
            (i, code, f"{_column_letter(i)}（{self.registry.indicators[code].label}）")
            for i, code in columns.items()
            if not code.startswith("@")
        ]
        for r in range(header_at + 1, len(rows)):
            cells = rows[r]
            if all(_cell_blank(c) for c in cells):
                continue
            first = next((_nfkc(c) for c in cells if not _cell_blank(c)), "")
            if any(word in re.sub(r"\s", "", first) for word in TOTAL_WORDS):  # 合 计
                continue  # a total row is recomputed by the portal, never read
            get = {v: cells[i] if i < len(cells) else None for i, v in columns.items()}
            if layout == "wide" and all(
                _cell_blank(v) for k, v in get.items() if not k.startswith("@")
            ):
                continue  # a month of the template not filled in yet
            where = {"sheet": sheet, "row": r + 1}
            inst_id = self.institution(get.get("@institution_id"), **where)
            if inst_id is None:
                continue
            self.same_name(inst_id, get.get("@institution_name"), **where)
            period = self.period(get.get("@period"), inst_id, **where)
            if period is None:
                continue
            if layout == "long":
                code = self.registry.indicator_code(_nfkc(get.get("@indicator")))
                if code is None:
                    self.problem(
                        "unknown_indicator",
                        "未知指标",
                        value=str(get.get("@indicator")),
                        expected="指标代码或模板中的指标名称",
                        **where,
                    )
                    continue
                self.value(inst_id, period, code, get.get("@value"), column="value", **where)
            else:
                for i, code, column in figures:
                    cell = cells[i] if i < len(cells) else None
                    self.value(inst_id, period, code, cell, column=column, **where)

    def _find_header(self, rows: list[list[Any]]) -> tuple[int | None, str]:
        for r, cells in enumerate(rows[:15]):
            names = {_nfkc(c) for c in cells if not _cell_blank(c)}
            long_keys = {LONG_HEADERS.get(n.lower()) or LONG_HEADERS.get(n) for n in names}
            if {"period", "indicator", "value"} <= long_keys:
                return r, "long"
            if (
                "period" in long_keys
                and sum(bool(self.registry.indicator_code(n)) for n in names) >= 1
            ):
                return r, "wide"
        return None, ""

    def json(self, content: bytes) -> None:
        try:
            doc = read_json(content, self.registry.config.limits)
        except UnicodeDecodeError:
            self.problem("bad_encoding", "JSON 文件应为 UTF-8 编码", expected="UTF-8 编码的 JSON")
            return
        except json.JSONDecodeError as exc:
            self.problem(
                "json_invalid",
                f"JSON 格式错误：第{exc.lineno}行第{exc.colno}个字符附近（{exc.msg}）",
                expected="有效的 JSON",
            )
            return
        records = doc.get("records") if isinstance(doc, dict) else doc
        if isinstance(records, list) and len(records) > self.registry.config.limits.max_rows:
            self.problem(
                "too_many_rows",
                f"记录过多（{len(records)} 条）",
                expected=f"不超过 {self.registry.config.limits.max_rows} 条",
            )
            return
        if not isinstance(records, list):
            self.problem(
                "json_shape",
                "JSON 应为记录列表，或含 records 列表的对象",
                expected='[{"institution_id": ..., "period": ..., "indicator": ..., "value": ...}]',
            )
            return
        default_inst = doc.get("institution_id") if isinstance(doc, dict) else None
        for n, rec in enumerate(records, start=1):
            where = {"row": n}
            if not isinstance(rec, dict):
                self.problem("json_shape", "记录应为对象", **where)
                continue
            inst_id = self.institution(rec.get("institution_id", default_inst), **where)
            if inst_id is None:
                continue
            period = self.period(rec.get("period"), inst_id, **where)
            if period is None:
                continue
            code = self.registry.indicator_code(str(rec.get("indicator", "")))
            if code is None:
                self.problem(
                    "unknown_indicator", "未知指标", value=str(rec.get("indicator")), **where
                )
                continue
            self.value(inst_id, period, code, rec.get("value"), column="value", **where)


def check_file(
    registry: Registry,
    content: bytes,
    name: str,
    institution_id: str | None = None,
    snapshot: Snapshot | None = None,
    today: date | None = None,
) -> Submission:
    """Check one submission file (its bytes and its name) against the registries.

    Never raises for what a file holds: whatever goes wrong while reading or checking
    it makes this one file refused, with a problem that says so (无法读取)."""
    sub = Submission(snapshot=snapshot, file=name, institution_id=institution_id)
    checker = _FileChecker(registry, sub, today or periods.today())
    try:
        _check_content(checker, content, Path(name).suffix.lower())
    except ReadRefused as exc:
        checker.problem(exc.code, exc.message, expected=exc.expected)
    except Exception as exc:
        _unreadable(checker, exc)
    except BaseException as exc:
        # A native reader's panic arrives as a BaseException; an interrupt is not a file's fault.
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        _unreadable(checker, exc)
    if not sub.rows and sub.accepted:
        checker.problem("no_data", "文件中没有可读取的数据")
    return sub


def _as_written(raw: Any) -> str:
    """A cell's value as the office wrote it: 105, not the 105.0 a spreadsheet reader
    gives for a whole number."""
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def _unreadable(checker: _FileChecker, exc: BaseException) -> None:
    checker.sub.rows = Rows()  # what was read before the failure is not to be trusted
    detail = str(exc)[:200] or type(exc).__name__
    checker.problem(
        "unreadable",
        f"无法读取：{Path(checker.sub.file).name}（{type(exc).__name__}：{detail}）",
        expected="可正常打开的 .csv、.xlsx 或 .json 文件；请用模板重新导出后报送",
    )


def _check_content(checker: _FileChecker, content: bytes, suffix: str) -> None:
    if not content.strip():
        checker.problem("empty_file", "文件为空")
    elif suffix == ".json":
        checker.json(content)
    elif suffix in (".csv", ".xlsx"):
        try:
            sheets = read_sheets(content, suffix, checker.registry.config.limits)
        except UnicodeDecodeError:
            checker.problem(
                "bad_encoding", "无法识别文件编码", expected="UTF-8 或 GB18030/GBK 编码的 CSV"
            )
            return
        except ReadRefused:
            raise
        except Exception as exc:  # calamine raises its own error types for broken files
            checker.problem(
                "unreadable",
                f"无法读取 Excel 文件：{str(exc)[:200]}",
                expected="有效的 .xlsx 文件",
            )
            return
        data_sheets = [(s, rows) for s, rows in sheets if checker._find_header(rows)[0] is not None]
        for sheet, rows in data_sheets or sheets[:1]:
            checker.table(rows, sheet)
    else:
        checker.problem(
            "bad_format", "不支持的文件格式", value=suffix, expected=".csv、.xlsx 或 .json"
        )


def check_stored(
    registry: Registry, snap: Snapshot, name: str, today: date | None = None
) -> Submission:
    """Check a stored snapshot; a file that cannot be read from the store is refused."""
    try:
        content = snap.path(registry.data_dir).read_bytes()
    except OSError as exc:
        sub = Submission(snapshot=snap, file=name, institution_id=snap.institution_id)
        sub.problems.append(
            Problem(
                name,
                "snapshot_unreadable",
                f"无法读取已保存的文件：{exc.strerror or exc}",
                expected="数据目录 snapshots/ 中完整的快照",
            )
        )
        return sub
    return check_file(registry, content, name, snap.institution_id, snap, today)


# Rules over an institution's months together, checked over the accepted files.
ACROSS_MONTHS = ("cumulative_at_most", "non_decreasing_in_year")


def check_rules(
    registry: Registry, submissions: list[Submission], frame: pd.DataFrame | None = None
) -> None:
    """Rules between indicators (same month, running totals, staff).

    Rules within one month are checked in every file, refused or not, so an office
    sees all its problems at once. Running totals are checked over the accepted
    files together: a violation is attached to the file that holds the offending
    value, which then leaves the accepted set, and the rules run again on what
    remains, so one bad month does not condemn the months after it. A running
    total that breaks after a month that was not reported cannot be blamed on one
    file: it is a warning.

    ``frame``: the rows of ``submissions`` as :func:`_frame` gives them, if at hand.
    """
    df = _frame(submissions) if frame is None else frame
    if df.empty:
        return
    within = ("at_most", "at_most_staff", "needs_positive")
    _apply_rules(registry, submissions, df, within, set(), by_file=True)
    warned: set[tuple[str, str, str]] = set()
    sub_of_row = df["_sub"].to_numpy()
    for _ in range(len(submissions) + 1):
        accepted = np.array([s.accepted for s in submissions], dtype=bool)[sub_of_row]
        if not accepted.any() or not _apply_rules(
            registry, submissions, df[accepted], ACROSS_MONTHS, warned
        ):
            return


def _apply_rules(
    registry: Registry,
    submissions: list[Submission],
    df: pd.DataFrame,
    kinds: tuple[str, ...],
    warned: set[tuple[str, str, str]],
    by_file: bool = False,
) -> bool:
    """Check ``kinds`` of rules over the rows ``df`` of ``submissions``; True when a file
    was refused. ``by_file`` checks each file on its own (rules within a month), all in
    one table."""
    if by_file:  # a figure is once in a file (a repeated one is refused as it is read)
        keys = ["_sub", "institution_id", "period"]
        origin = df
    else:  # the last row of a figure wins (files are in the order they were sent)
        keys = ["institution_id", "period"]
        origin = df.drop_duplicates([*keys, "indicator"], keep="last")
    origin = origin.set_index([*keys, "indicator"])
    wide = origin["value"].unstack("indicator")
    blamed = False
    for ind in registry.indicators.values():
        for rule in ind.rules:
            if not any(k in rule for k in kinds):
                continue
            for v in _violations(registry, wide, ind, rule):
                where = origin.loc[(*v.key, ind.code)]
                sub = submissions[int(v.key[0] if by_file else where["_sub"])]
                if v.after_gap and (sub.file, ind.code, v.key[-1]) in warned:
                    continue
                sub.problems.append(
                    Problem(
                        file=sub.file,
                        code="rule",
                        message=(v.message or f"「{ind.label}」超出允许范围")
                        + ("（此前有未报送的月份，请核实）" if v.after_gap else ""),
                        row=int(where["row"]) if pd.notna(where["row"]) else None,
                        column=where["column"] if isinstance(where["column"], str) else None,
                        value=f"{v.value:g}",
                        expected=v.expected
                        if math.isnan(v.limit)
                        else f"{v.expected}（{v.limit:g}）",
                        sheet=where["sheet"] if isinstance(where["sheet"], str) else None,
                        severity="warning" if v.after_gap else "error",
                    )
                )
                if v.after_gap:
                    warned.add((sub.file, ind.code, v.key[-1]))
                else:
                    blamed = True
    return blamed


def _frame(submissions: list[Submission]) -> pd.DataFrame:
    """The rows of ``submissions`` as one table, with ``_sub``: the index of the
    submission each row came from. The text columns are categories (sorted): the rules
    and the canonical table group on them; ``row`` is a float (NaN where none)."""
    table = gather([s.rows for s in submissions])
    columns: dict[str, Any] = {}
    for name in Row._fields:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            columns[name] = _categorical(column)
        else:
            columns[name] = column.to_numpy().astype(np.float64, copy=False)
    columns["_sub"] = np.repeat(
        np.arange(len(submissions), dtype=np.int64), [len(s.rows) for s in submissions]
    )
    return pd.DataFrame(columns)


def dictionary_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[Any]]:
    """A dictionary-encoded column as codes (-1 where null) and the texts they stand for."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return array.indices.fill_null(-1).to_numpy().astype(np.int64), array.dictionary.to_pylist()


def _categorical(column: pa.ChunkedArray) -> pd.Categorical:
    """A dictionary-encoded column as ``pd.Categorical`` of its values gives it: the
    values present, sorted, as categories."""
    codes, words = dictionary_codes(column)
    present = np.unique(codes[codes >= 0])
    names = sorted(words[p] for p in present.tolist())
    rank = {name: i for i, name in enumerate(names)}
    lookup = np.full(len(words) + 1, -1, dtype=np.int64)  # (the last: null stays -1)
    lookup[present] = [rank[words[p]] for p in present.tolist()]
    return pd.Categorical.from_codes(lookup[codes], categories=names)


@dataclass(frozen=True)
class _Violation:
    key: tuple[Any, ...]  # ([file index,] institution id, month)
    value: float
    limit: float
    expected: str
    after_gap: bool = False
    message: str = ""  # what is wrong, where "超出允许范围" would not say it


def _violations(
    registry: Registry, wide: pd.DataFrame, ind: Indicator, rule: dict[str, Any]
) -> list[_Violation]:
    if ind.code not in wide:
        return []
    out = []
    if (other := rule.get("at_most")) and other in wide:
        label = registry.indicators[other].label
        both = wide[[ind.code, other]].dropna()
        for key, row in both[both[ind.code] > both[other]].iterrows():
            out.append(_Violation(key, row[ind.code], row[other], f"不大于当月「{label}」"))
    if (other := rule.get("cumulative_at_most")) and other in wide:
        label = registry.indicators[other].label
        pair = wide[[ind.code, other]]
        cum = pair.fillna(0).groupby(level=0).cumsum()
        broken = cum[(cum[ind.code] > cum[other]) & pair[ind.code].notna()]
        # Only the first month where an institution's running totals break is to blame.
        # A month not sent (or refused) before it makes the totals short: a warning to
        # check, not an error, so that one bad file does not refuse every later one.
        start = min((f"{c.start:%Y-%m}" for c in registry.campaigns), default="9999-12")
        for key, row in broken.groupby(level=0).head(1).iterrows():
            inst = registry.institutions[str(key[0])]
            present = [m for m in pair.loc[key[0]].index if m <= key[1]]
            first = min(start, present[0])
            expected = [m for m in month_range(first, key[1]) if inst.active_in(m)]
            gap = len(expected) > len(present)
            out.append(
                _Violation(
                    key, row[ind.code], row[other], f"累计不大于累计「{label}」", after_gap=gap
                )
            )
    if (other := rule.get("needs_positive")) and other in wide:
        # An amount or a rate with nothing under it: 上缴红包金额 with 0 红包, a
        # satisfaction rate from 0 responses.
        label = registry.indicators[other].label
        both = wide[[ind.code, other]].dropna()
        empty = both[other] == 0
        if ind.kind == "percent":  # any rate from nothing
            fix = f"「{label}」为 0 时「{ind.label}」留空；请核实「{label}」"
        else:  # an amount of nothing is 0
            empty &= both[ind.code] > 0
            fix = f"「{label}」为 0 时「{ind.label}」应为 0 或留空；请核实两者"
        message = f"「{ind.label}」与当月「{label}」（0）不符"
        for key, row in both[empty].iterrows():
            out.append(_Violation(key, row[ind.code], math.nan, fix, message=message))
    if rule.get("non_decreasing_in_year"):
        # A year-to-date figure never goes down within a year.
        values = wide[ind.code].dropna()
        inst, month = values.index.names[-2], values.index.names[-1]
        frame = values.rename("value").reset_index()
        frame["year"] = frame[month].astype(str).str[:4]
        frame = frame.sort_values([inst, month])
        before = frame.groupby([inst, "year"])["value"].shift()
        down = frame["value"] < before
        message = f"「{ind.label}」比本年上月报送的少（本年累计数不会减少）"
        fix = "不小于本年上月的数值；若上月报错，请一并更正上月的文件"
        for (_, row), limit in zip(frame[down].iterrows(), before[down], strict=True):
            key = tuple(row[name] for name in values.index.names)
            out.append(_Violation(key, row["value"], limit, fix, message=message))
    if rule.get("at_most_staff"):
        values = wide[ind.code].dropna()
        staff_of = {i.id: i.staff for i in registry.institutions.values()}
        staff = values.index.get_level_values(-2).map(staff_of).to_numpy()
        over = values.to_numpy() > staff
        for key, value, limit in zip(values.index[over], values[over], staff[over], strict=True):
            out.append(_Violation(key, value, limit, "不大于机构在岗人数"))
    return out


# A file name as offices usually write it (2026-09.csv, 2026年9月月报.xlsx): no name or
# number of a person can be in it, and the PII gate need not read it.
_PLAIN_NAME = re.compile(
    r"[0-9A-Za-z_.\- ()（）年月日季度报表统计数据月报年报第一二三四季半上下全汇总"
    r"行风建设新版修订更正]+"
)


def file_label(snap: Snapshot) -> str:
    """A stored file as the site, the open data and the reports name it: the
    institution and the file's name, unless the name identifies a person
    (2026-09-院长王建军-13800138000.csv), which is shown as 文件名含个人信息-<digest>."""
    label = f"{snap.institution_id}/{snap.name}"
    stem = snap.name.rsplit("/", 1)[-1]
    if _PLAIN_NAME.fullmatch(stem) and not re.search(r"\d{7,}", stem):
        return label
    return _label_unless_personal(label, stem, snap.sha256)


@lru_cache(maxsize=4096)
def _label_unless_personal(label: str, stem: str, sha256: str) -> str:
    if not find_pii(normalise_for_gate(stem)):
        return label
    folder = label.rsplit("/", 1)[0]
    return f"{folder}/文件名含个人信息-{sha256[:8]}{Path(stem).suffix}"


class EarlierResults(Protocol):
    """What :func:`check_all` asks of the results of files checked by earlier builds: the
    parsed layer (:class:`pipeline.check.layer.Layer`), which keeps this module's rows and so
    imports it (this module does not import the layer)."""

    def take(self, snap: Snapshot, file: str) -> Submission | None: ...

    def keep(self, snap: Snapshot, file: str, sub: Submission) -> None: ...

    def save(self) -> None: ...


def check_all(
    registry: Registry,
    snapshots: list[Snapshot],
    today: date | None = None,
    layer: EarlierResults | None = None,
) -> CheckResult:
    """Check the newest version of every file; return the accepted canonical table and all
    submissions checked.

    ``snapshots`` may hold every version of a file (oldest first): when the newest is
    refused, it is listed as quarantined and the newest version that passes is published
    instead, so a bad resubmission never takes a good month off the site.

    ``layer``: the results of files checked by earlier builds (:mod:`pipeline.check.layer`):
    only the files it does not hold are read and checked, and their results are added
    to it. The outcome is the same with or without it.
    """
    today = today or periods.today()
    versions: dict[tuple[str, str], list[Snapshot]] = {}
    for snap in snapshots:
        versions.setdefault((snap.institution_id, snap.name), []).append(snap)
    histories = list(versions.values())
    # Every version of each file, newest first (the punctuality history reads the older
    # ones too), with the name its problems give.
    files = [(s, file_label(s)) for h in histories for s in reversed(h)]
    known: list[Submission | None] = [layer.take(*o) if layer else None for o in files]
    todo = [i for i, sub in enumerate(known) if sub is None]

    def check_batch(batch: list[int]) -> tuple[list[Submission], list[int], pa.Table]:
        """Check a batch of files; their rows come back as one table."""
        subs = [check_stored(registry, *files[i], today) for i in batch]
        counts = [len(sub.rows) for sub in subs]
        table = rows_table(chain.from_iterable(sub.rows for sub in subs))
        for sub in subs:
            sub.snapshot = None  # known to the parent: not sent back
            sub.rows = Rows()  # sent in the table
        return subs, counts, table

    stored = [files[i][0].path(registry.data_dir) for i in todo]
    # A few hundred batches: enough to share among the processes, few enough tables.
    size = max(1, len(todo) // 256)
    batches = [todo[k : k + size] for k in range(0, len(todo), size)]
    fresh = pmap(check_batch, batches, meanwhile=lambda: read_ahead(stored))
    for batch, (subs, counts, table) in zip(batches, fresh, strict=True):
        at = 0
        for i, new, n in zip(batch, subs, counts, strict=True):
            new.rows = Rows.of_table(table, at, n)
            at += n
            known[i] = new
            if layer:
                layer.keep(*files[i], new)
    if layer:
        layer.save()

    done = [sub for sub in known if sub is not None]
    assert len(done) == len(files)
    submissions: list[Submission] = []
    parsed: dict[tuple[str, str, str], Rows | None] = {}
    position = 0
    for history in histories:
        checked = done[position : position + len(history)]
        position += len(history)
        for sub, snap in zip(checked, reversed(history), strict=True):
            sub.snapshot = snap  # this process's own, not a copy sent back for each file
            key = (snap.sha256, snap.institution_id, snap.name)
            parsed[key] = sub.rows if sub.accepted else None
        # Published: the newest version that passes; listed: it and every newer one.
        newest_good = next((i for i, sub in enumerate(checked) if sub.accepted), len(checked))
        submissions.extend(checked[: newest_good + 1])
    frame = _frame(submissions)
    # What writing the new segment and gathering the rows freed is mostly Arrow's, which
    # the rules (pandas) would not reuse: given back, their peak is 170 MB lower at 3,000.
    give_back_free_memory()
    check_rules(registry, submissions, frame)
    # The accepted rows, in the order their files were sent.
    sent = np.array([s.snapshot.fetched_at if s.snapshot else "" for s in submissions])
    accepted = np.array([s.accepted for s in submissions], dtype=bool)
    origin = frame["_sub"].to_numpy()
    keep = accepted[origin]
    order = np.argsort(sent[origin[keep]], kind="stable")
    table = frame.loc[keep, ["institution_id", "period", "indicator", "value"]]
    table = table.iloc[order].reset_index(drop=True)
    origin = origin[keep][order]
    # The file of each row as categories (a text per row took 233 MB at 3,000 institutions).
    table["sha256"] = _per_row(
        [s.snapshot.sha256 if s.snapshot else "" for s in submissions], origin
    )
    table["file"] = _per_row([s.file for s in submissions], origin)
    # (Its keys are categories, from _frame: later groupings and sorts work on codes.)
    keys = ["institution_id", "period", "indicator"]
    # The newest accepted submission of a figure wins (a corrected month replaces the old one).
    older = table.duplicated(keys, keep="last")
    if older.any():
        _note_superseded(submissions, table[~older], table[older])
        table = table[~older]
    table = table[TABLE_COLUMNS].sort_values(["institution_id", "period", "indicator"])
    return CheckResult(
        table=table.reset_index(drop=True),
        submissions=submissions,
        parsed=parsed,
        files_checked=len(todo),
        files_from_layer=len(files) - len(todo),
    )


def _per_row(values: list[str], origin: np.ndarray) -> pd.Categorical:
    """``values`` (one per submission) for each row, ``origin`` giving its submission."""
    codes, names = pd.factorize(np.array(values, dtype=object))
    return pd.Categorical.from_codes(codes[origin], categories=names)


def check_as_sent(
    registry: Registry,
    content: bytes,
    name: str,
    institution_id: str | None = None,
    today: date | None = None,
) -> Submission:
    """What a build would decide of this file if the institution sent it now: the same
    file checks, then the same rules between indicators and months over the
    institution's stored history, with this file as the newest (it replaces an earlier
    file of the same name). ``portal check FILE`` is this function."""
    sub = check_file(registry, content, name, institution_id, today=today)
    institution = institution_id or _only_institution(sub)
    if institution is None:
        check_rules(registry, [sub])
        return sub
    same = f"statistics/{Path(name).name}"
    stored = [
        s
        for s in read_manifest(registry.data_dir)
        if s.kind == "statistics" and s.institution_id == institution and s.name != same
    ]
    history = check_all(registry, stored, today) if stored else None
    earlier = [s for s in history.submissions if s.accepted] if history else []
    check_rules(registry, [*earlier, sub])
    return sub


def _only_institution(sub: Submission) -> str | None:
    ids = set(sub.rows.table().column("institution_id").to_pylist())
    return next(iter(ids)) if len(ids) == 1 else None


def read_ahead(paths: Iterable[Path]) -> None:
    """Ask the kernel to start reading ``paths`` (in the background, in this order): the
    worker processes then find them in memory instead of waiting for one small read
    after another when the stored files are not in the page cache (a cold check at
    3,000 institutions took 9 s longer). Without ``posix_fadvise`` it does nothing."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # the worker reading it says what is wrong
        try:
            advise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        finally:
            os.close(fd)


def _note_superseded(
    submissions: list[Submission], newest: pd.DataFrame, older: pd.DataFrame
) -> None:
    """Tell the office which figures of an older file a newer file replaced."""
    keys = ["institution_id", "period", "indicator"]
    pairs = older[[*keys, "file"]].merge(newest[[*keys, "file"]], on=keys, suffixes=("", "_new"))
    counts = pairs.groupby(["file", "file_new"], sort=False).size()
    by_file = {s.file: s for s in submissions}
    for (old, new), n in counts.items():
        by_file[str(old)].problems.append(
            Problem(
                old,
                "superseded",
                f"其中 {n} 个数值已由较新的文件 {new} 更新，采用较新的数值",
                severity="warning",
            )
        )
