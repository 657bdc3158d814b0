"""Open data beside the CSV files: Parquet copies of the two figure tables and the
Frictionless Data Package descriptor (``datapackage.json``) of every file in ``/data/``.

The Parquet files hold exactly what the CSV files publish (the same rows in the same
order, the same column names), typed: a figure is a number, a count an integer, and a
cell the CSV leaves blank or writes as the suppression marker (``<5``) is null, never
the hidden value. Periods stay text (``YYYY-MM``; ``statistics`` also has ``YYYY-Qn``,
``YYYY`` and the campaign id), as in the CSV, so that a join between the two works and a
spreadsheet does not show a month as a day.

The same data gives the same bytes: no time stamp or random id is written, compression
and encodings are fixed, and the writer's version (pyarrow, pinned) is the only
provenance in the footer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.base.registry import Registry, vocabulary

# Snappy: the codec every Parquet reader has (pandas, R arrow, DuckDB, Spark, Power Query).
PARQUET_COMPRESSION = "snappy"
PARQUET_MEDIATYPE = "application/vnd.apache.parquet"

# Column -> (title, description) in Chinese, for the data package. Indicator columns
# take theirs from the indicator registry.
FIELDS: dict[str, tuple[str, str]] = {
    "level": (
        "汇总层级",
        "authority：全区（主管部门）；district：片区；type：机构类别",
    ),
    "entity_id": ("汇总对象代码", "全区为主管部门的机构代码，片区、机构类别为其名称"),
    "entity_name": ("汇总对象名称", ""),
    "period_type": ("期间类型", "month：月；quarter：季度；year：年度；campaign：专项行动期间"),
    "period": (
        "期间",
        "文本：月为 YYYY-MM，季度为 YYYY-Qn，年度为 YYYY，专项行动期间为其代码",
    ),
    "indicator": ("指标代码", "见开放数据页面的数据字典"),
    "indicator_label": ("指标名称", ""),
    "unit": ("单位", ""),
    "value": (
        "数值",
        "不公开（status 为 suppressed）或无法计算（如分母为 0 的比率）时为空",
    ),
    "status": ("状态", "reported：已公开；suppressed：数值小于公开阈值或为防推算而隐去"),
    "reporting": ("已报送数", "月度为已报送的机构数，其他期间为已报送的机构月报份数"),
    "expected": ("应报送数", "月度为应报送的机构数，其他期间为应报送的机构月报份数"),
    "institution_id": ("机构代码", "见 institutions.csv"),
    "institution_name": ("机构名称", ""),
    "source_file": (
        "来源文件",
        "数据所依据的报送文件（多个时以“ ; ”分隔），其 SHA-256 校验值见 provenance.csv",
    ),
    "id": ("机构代码", ""),
    "name": ("机构名称", ""),
    "short_name": ("简称", ""),
    "type": ("机构类别", ""),
    "ownership": ("所有制", ""),
    "district": ("所在片区", ""),
    "address": ("地址", ""),
    "website": ("网站", ""),
    "staff": ("在岗人数", ""),
    "active_from": ("起报月份", "YYYY-MM"),
    "active_to": ("停报月份", "YYYY-MM；为空表示仍在报送"),
    "owner": ("渠道所属", "national：全国统一热线；其他为机构代码（见 institutions.csv）"),
    "kind": ("渠道类型", ""),
    "department": ("受理部门", ""),
    "hours": ("受理时间", ""),
    "postcode": ("邮政编码", ""),
    "verified_on": ("核实日期", "最近一次核实该渠道可用的日期"),
    "note": ("说明", ""),
    "due": ("截止日期", "该月报表的报送截止日期"),
    "arrived": ("收到日期", "首次收到该月报表的日期（北京时间）；未收到时为空"),
    "file": ("文件", "报送文件在数据目录中的路径"),
    "sha256": ("SHA-256 校验值", "文件内容的 SHA-256，可用于核对原始文件"),
    "size": ("文件大小（字节）", ""),
    "fetched_at": ("获取时间", "平台首次取得该文件的时间（UTC）"),
    "received_at": (
        "收到时间",
        "有更早证据（如提交记录、经办人登记）表明收到该文件的时间（UTC）；无则为空",
    ),
    "last_modified": ("服务器标注的修改时间", "机构服务器返回的 Last-Modified，仅供参考"),
    "accepted": ("是否通过校验", "yes：通过，数据已采用；no：未通过，未予采用"),
}
FIELD_TYPES: dict[str, dict[str, Any]] = {
    "reporting": {"type": "integer"},
    "expected": {"type": "integer"},
    "staff": {"type": "integer"},
    "size": {"type": "integer"},
    "verified_on": {"type": "date"},
    "due": {"type": "date"},
    "arrived": {"type": "date"},
    "fetched_at": {"type": "datetime"},
    "received_at": {"type": "datetime"},
    "accepted": {"type": "boolean", "trueValues": ["yes"], "falseValues": ["no"]},
}
# Per table: columns that hold a month (YYYY-MM).
MONTH_FIELDS = {
    "institution-months": {"period"},
    "punctuality": {"period"},
    "institutions": {"active_from", "active_to"},
}


def integer_codes(registry: Registry) -> set[str]:
    """Indicators whose institution-month figures are whole numbers (counts)."""
    return {c for c, i in registry.indicators.items() if i.kind == "count"}


def write_parquet(path: Path, table: pa.Table) -> None:
    """``table`` as Parquet, the same bytes for the same table: fixed compression,
    dictionary encoding and row groups; no time stamp (pyarrow writes none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        table,
        path,
        compression=PARQUET_COMPRESSION,
        use_dictionary=True,
        write_statistics=True,
        row_group_size=1 << 20,
        version="2.6",
    )


def rounded(values: np.ndarray) -> np.ndarray:
    """The figures as the CSV writes them (``files.number``: whole numbers as such,
    others to four decimals), as numbers: a reader of the Parquet file gets the same
    figure as one of the CSV file. NaN stays NaN."""
    out = values.astype(np.float64, copy=True)
    fraction = np.isfinite(out) & (out != np.round(out))
    # Correct decimal rounding, as text formatting does (np.round can differ in the last
    # digit): the cells with a fraction are few (rates and percentages).
    out[fraction] = [float(f"{v:.4f}") for v in out[fraction].tolist()]
    return out


def statistics_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> pa.Table:
    """``statistics.csv`` as a typed table: the rows as written (before the CSV's
    formula escaping), the figure a number (null where the CSV is blank)."""
    columns: dict[str, pa.Array] = {}
    for i, name in enumerate(header):
        cells = [r[i] for r in rows]
        if name == "value":
            columns[name] = pa.array([float(v) if v != "" else None for v in cells], pa.float64())
        elif name in ("reporting", "expected"):
            columns[name] = pa.array(cells, pa.int64())
        else:
            columns[name] = pa.array(cells, pa.string())
    return pa.table(columns)


def institution_months_table(
    keys: tuple[list[str], list[str], list[str]],
    codes: Sequence[str],
    values: np.ndarray,
    hidden: np.ndarray,
    files: list[str],
    integers: set[str],
) -> pa.Table:
    """``institution-months.csv`` as a typed table. ``keys`` are the rows' institution
    ids, names and months; ``values`` the figures (rows x ``codes``); ``hidden`` the
    suppressed cells, which become null (their values are not written at all)."""
    figures = rounded(np.where(hidden, np.nan, values))
    institution_ids, institution_names, periods = keys
    columns: dict[str, pa.Array] = {
        "institution_id": pa.array(institution_ids, pa.string()),
        "institution_name": pa.array(institution_names, pa.string()),
        "period": pa.array(periods, pa.string()),
    }
    for j, code in enumerate(codes):
        column = pa.array(figures[:, j], pa.float64(), from_pandas=True)  # NaN -> null
        columns[code] = column.cast(pa.int64()) if code in integers else column
    columns["source_file"] = pa.array(files, pa.string())
    return pa.table(columns)


def _sentence(text: str) -> str:
    """``text`` ended with a full stop (a registry's description may lack one)."""
    return text if not text or text.endswith("。") else text + "。"


def _field(table: str, name: str, registry: Registry, integers: set[str]) -> dict[str, Any]:
    title, description = FIELDS.get(name, ("", ""))
    spec: dict[str, Any] = {"name": name, "type": "string"}
    if name in registry.indicators or name in registry.measures:
        if name in registry.indicators:
            ind = registry.indicators[name]
            title, unit = ind.label, ind.unit
            description = f"单位：{unit}。" + _sentence(ind.description)
            if ind.sensitive:
                description += (
                    f"涉及处理人数，小于 {registry.config.suppression_threshold} 时不公开"
                    f"（CSV 中写作“<{registry.config.suppression_threshold}”，Parquet 中为空值），"
                    "为防推算也可能一并隐去其他数值。"
                )
            description += "未报送时为空。"
        else:
            title, description = registry.measures[name].label, "单位：%。"
            description += _sentence(registry.measures[name].description)
            description += "未报送或分母为 0 时为空。"
        spec["type"] = "integer" if name in integers else "number"
    elif name in MONTH_FIELDS.get(table, ()):
        spec["type"] = "yearmonth"
        if name == "period":
            title, description = "月份", "YYYY-MM（文本）"
    elif (table, name) == ("statistics", "value"):
        spec["type"] = "number"
    else:
        spec |= FIELD_TYPES.get(name, {})
    codes = {"ownership": "ownership", "kind": "channel_kinds"}.get(name)
    if codes:
        description = "；".join(f"{k}：{v}" for k, v in vocabulary()[codes].items())
    if title:
        spec["title"] = title
    if description:
        spec["description"] = description
    return spec


def _nullable_integer(spec: dict[str, Any], registry: Registry) -> dict[str, Any]:
    """A field of a Parquet resource: a count column (int64 with nulls) is declared a
    number, because frictionless reads Parquet through pandas, where an integer column
    with nulls becomes a float column; the description says it holds whole numbers."""
    if spec["type"] != "integer" or spec["name"] not in registry.indicators:
        return spec
    return spec | {"type": "number", "description": spec["description"] + "整数（int64）。"}


# Per table: (title, description, primary key, references to institutions.csv).
TABLES: dict[str, tuple[str, str, list[str], list[str]]] = {
    "statistics": (
        "汇总统计",
        "全区、各片区、各类机构 × 月、季度、年度、专项行动期间的各项指标，每行一个数值；"
        "不含单个机构的数据（见 institution-months）。",
        ["level", "entity_id", "period_type", "period", "indicator"],
        [],
    ),
    "institution-months": (
        "机构月度数据",
        "每家机构每个已报送月份一行，每个指标一列，并注明来源文件。"
        "未报送的月份没有记录，不计为 0。",
        ["institution_id", "period"],
        ["institution_id"],
    ),
    "institutions": ("机构名录", "主管部门及其所属各医疗卫生机构。", ["id"], []),
    "channels": (
        "举报渠道",
        "在用的举报渠道：全国统一热线、主管部门及各机构的电话、邮箱、信件地址等。",
        [],
        [],
    ),
    "punctuality": (
        "报送情况",
        "每家机构每月报表的截止日期、收到日期及状态（按时报送、逾期报送、未报送、"
        "已提交但未通过校验）。",
        ["institution_id", "period"],
        ["institution_id"],
    ),
    "provenance": (
        "来源文件",
        "平台收到的每个报送文件（含同一文件的各个版本）：路径、SHA-256 校验值、大小、"
        "获取时间及是否通过校验。",
        [],
        [],
    ),
}
PARQUET_TABLES = ("statistics", "institution-months")
PARQUET_TYPES = {
    "statistics": "数值为浮点数（double），报送数、应报送数为整数（int64）",
    "institution-months": "件数、人数为整数（int64），金额、百分数和比率为浮点数（double）",
}


def descriptor(
    registry: Registry,
    headers: Mapping[str, Sequence[str]],
    created: str,
) -> dict[str, Any]:
    """The Frictionless Data Package (v1) descriptor of every file in ``/data/``:
    ``headers`` gives each CSV table's columns, by table name."""
    threshold = registry.config.suppression_threshold
    integers = integer_codes(registry)
    csv_note = (
        "UTF-8 编码（带 BOM）。以 =、+、-、@、制表符或回车开头的文本已加前缀“'”，"
        "防止被表格软件当作公式执行（负数不加）。"
    )
    resources: list[dict[str, Any]] = []
    for name, (title, description, key, references) in TABLES.items():
        fields = [_field(name, f, registry, integers) for f in headers[name]]
        schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
        if name == "institution-months":
            schema["missingValues"] = ["", f"<{threshold}"]
        if key:
            schema["primaryKey"] = key
        if references:
            schema["foreignKeys"] = [
                {"fields": f, "reference": {"resource": "institutions", "fields": "id"}}
                for f in references
            ]
        resources.append(
            {
                "name": name,
                "title": title,
                "description": description + csv_note,
                "profile": "tabular-data-resource",
                "path": f"{name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "schema": schema,
            }
        )
        if name in PARQUET_TABLES:
            parquet_schema = {k: v for k, v in schema.items() if k != "missingValues"}
            parquet_schema["fields"] = [_nullable_integer(f, registry) for f in fields]
            resources.append(
                {
                    "name": f"{name}-parquet",
                    "title": f"{title}（Parquet）",
                    "description": (
                        f"与 {name}.csv 的行、列完全相同的 Parquet 文件（Snappy 压缩），"
                        f"列有类型：{PARQUET_TYPES[name]}，期间为文本；CSV 中为空"
                        f"或写作“<{threshold}”的单元格为空值（null）。"
                    ),
                    "path": f"{name}.parquet",
                    "format": "parquet",
                    "mediatype": PARQUET_MEDIATYPE,
                    "schema": parquet_schema,
                }
            )
        if name == "statistics":
            resources.append(
                {
                    "name": "statistics-json",
                    "title": "汇总统计（JSON）",
                    "description": (
                        "与 statistics.csv 内容相同的 JSON 文件："
                        "fields 为列名，rows 为各行（数值为文本，未加公式前缀；"
                        "字段说明同 statistics.csv）。"
                    ),
                    "path": "statistics.json",
                    "format": "json",
                    "mediatype": "application/json",
                    "encoding": "utf-8",
                }
            )
    resources.append(
        {
            "name": "cases",
            "title": "典型案例",
            "description": "已公开的典型案例通报（含更正、撤回说明），与网站案例页面内容一致。",
            "path": "cases.json",
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
        }
    )
    authority = registry.authority
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": f"{registry.config.authority_id}-integrity-portal",
        "title": registry.config.site_name,
        "description": (
            f"{authority.name}医疗卫生行风建设的开放数据：各机构按月报送的统计数据及其汇总、"
            "报送情况、来源文件、机构名录、举报渠道和典型案例。"
            f"涉及处理人数的数值小于 {threshold} 时不公开。"
            "data/charts/ 下为网站各图表所用数据的 CSV，取自上述数据，不另作说明。"
        ),
        "created": created,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "知识共享署名 4.0 国际许可协议",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "contributors": [{"title": authority.name, "role": "publisher"}],
        "sources": [
            {
                "title": (
                    "各医疗卫生机构按月报送的统计报表（每个文件的路径和 SHA-256 校验值见 "
                    "provenance.csv）"
                )
            }
        ],
        "resources": resources,
    }
    if registry.config.public_url:
        package["homepage"] = registry.config.public_url
    return package
