"""A corpus of hostile and careless submission files, generated (never committed as
binaries): what a hostile or careless institution might send. Shared by the tests and
``bench/hostile_bench.py``."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

import openpyxl

INST = "chengdong-chc"
LONG = "institution_id,period,indicator,value\n"


def xlsx(build: Callable[[openpyxl.worksheet.worksheet.Worksheet], object]) -> bytes:
    """An XLSX written by openpyxl, as Excel users' tools write them."""
    book = openpyxl.Workbook()
    build(book.active)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _template(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
    ws.append(["月份", "受理投诉举报", "办结投诉举报"])
    ws.append(["2026-01", 5, 3])


def rezip(content: bytes, change: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """The same package with some parts replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name in change:
                new = change[name]
                data = new(data) if callable(new) else new
            target.writestr(name, data)
        for name, new in change.items():
            if name not in source.namelist() and isinstance(new, bytes):
                target.writestr(name, new)
    return out.getvalue()


def huge_shared_strings(megabytes: int) -> bytes:
    """A small XLSX whose shared strings inflate to ``megabytes`` MB (a zip bomb)."""
    base = xlsx(_template)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in zipfile.ZipFile(io.BytesIO(base)).namelist():
            target.writestr(name, zipfile.ZipFile(io.BytesIO(base)).read(name))
        with target.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            part.write(b"<si><t>")
            chunk = b"a" * (1024 * 1024)
            for _ in range(megabytes):
                part.write(chunk)
            part.write(b"</t></si></sst>")
    return out.getvalue()


def lying_sizes(content: bytes, part: str, declared: int) -> bytes:
    """The package with ``part``'s uncompressed size in the central directory and local
    header replaced by ``declared`` (a bomb that hides its size)."""
    data = bytearray(content)
    name = part.encode()
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            start = at + 4
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + offset, declared)
    return bytes(data)


def many_sheets(n: int) -> bytes:
    book = openpyxl.Workbook()
    _template(book.active)
    for k in range(n - 1):
        book.create_sheet(f"表{k}")
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _far_cell(ref: str) -> bytes:
    return xlsx(lambda ws: (_template(ws), ws.__setitem__(ref, 1)))


def _cell_at(ref: str) -> bytes:
    """A cell whose position the file spells as ``ref`` (the dimension left as written)."""
    return rezip(
        xlsx(_template),
        {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b'r="C2"', f'r="{ref}"'.encode())},
    )


def _lying_dimension() -> bytes:
    """A cell at XFD1048576 behind a dimension that claims A1:C2."""
    return rezip(
        _far_cell("XFD1048576"),
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b'<dimension ref="A1:XFD1048576"', b'<dimension ref="A1:C2"'
            )
        },
    )


def _no_dimension_many_cells() -> bytes:
    """One row of 5,000 cells written without positions (the reader counts them)."""
    cells = b"".join(b"<c><v>1</v></c>" for _ in range(5000))
    return rezip(
        xlsx(_template),
        {
            "xl/worksheets/sheet1.xml": lambda xml: xml.replace(
                b"</sheetData>", b'<row r="3">' + cells + b"</row></sheetData>"
            )
        },
    )


def _json_record(value: str) -> bytes:
    record = (
        f'{{"institution_id": "{INST}", "period": "2026-01", '
        f'"indicator": "complaints_received", "value": {value}}}'
    )
    return f"[{record}]".encode()


# name -> (file name, bytes, a word the refusal must contain)
CORPUS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "json-infinity": ("2026-01.json", lambda: _json_record("Infinity"), "Infinity"),
    "json-nan": ("2026-01.json", lambda: _json_record("NaN"), "NaN"),
    "json-1e309": ("2026-01.json", lambda: _json_record("1e309"), "1e309"),
    "json-400-digits": ("2026-01.json", lambda: _json_record("1" + "0" * 400), "共 401 个字符"),
    "json-nested-100000": ("2026-01.json", lambda: b"[" * 100_000 + b"]" * 100_000, "嵌套"),
    "json-nested-record": (
        "2026-01.json",
        lambda: _json_record("[" * 50 + "1" + "]" * 50),
        "嵌套",
    ),
    "json-not-utf8": ("2026-01.json", lambda: _json_record("3").replace(b"3}", b"\xff}"), "UTF-8"),
    "csv-1e300": (
        "2026-01.csv",
        lambda: f"{LONG}{INST},2026-01,complaints_received,1{'0' * 300}\n".encode(),
        "数值无效",
    ),
    "csv-above-bound": (
        "2026-01.csv",
        lambda: f"{LONG}{INST},2026-01,complaints_received,100001\n".encode(),
        "100,000",
    ),
    "csv-amount-1e15": (
        "2026-01.csv",
        lambda: f"{LONG}{INST},2026-01,funds_recovered_yuan,1000000000000000\n".encode(),
        "合理上限",
    ),
    "csv-huge-field": (
        "2026-01.csv",
        lambda: f'{LONG}{INST},2026-01,complaints_received,"{"x" * 200_000}"\n'.encode(),
        "单元格内容过长",
    ),
    "csv-unclosed-quote": (
        "2026-01.csv",
        lambda: f'{LONG}{INST},2026-01,complaints_received,"3\n'.encode() + b"y" * 20_000,
        "单元格内容过长",
    ),
    "csv-too-many-rows": (
        "2026-01.csv",
        lambda: (LONG + f"{INST},2026-01,complaints_received,1\n" * 10_001).encode(),
        "行数过多",
    ),
    "csv-too-many-columns": (
        "2026-01.csv",
        lambda: ("月份," + ",".join(["受理投诉举报"] * 300) + "\n").encode(),
        "列数过多",
    ),
    "csv-nul-bytes": ("2026-01.csv", lambda: b"\x00" * 1000 + b"\n1,2\n", ""),
    "file-over-10mb": ("2026-01.csv", lambda: b"1," * (6 * 1024 * 1024), "文件过大"),
    "xlsx-cell-XFD1048576": ("2026.xlsx", lambda: _far_cell("XFD1048576"), "XFD1048576"),
    "xlsx-cell-ZZ100000": ("2026.xlsx", lambda: _far_cell("ZZ100000"), "ZZ100000"),
    "xlsx-lying-dimension": ("2026.xlsx", _lying_dimension, "XFD1048576"),
    "xlsx-cell-12-digit-row": ("2026.xlsx", lambda: _cell_at("C999999999999"), "C999999999999"),
    "xlsx-cell-long-letters": ("2026.xlsx", lambda: _cell_at("AAAAAAAAAA2"), "AAAAAAAAAA2"),
    "xlsx-cell-lower-case": ("2026.xlsx", lambda: _cell_at("xfd1048576"), "xfd1048576"),
    "xlsx-cell-wrapping-row": ("2026.xlsx", lambda: _cell_at("C4294967297"), "C4294967297"),
    "xlsx-nan-cell": (
        "2026.xlsx",
        lambda: rezip(
            xlsx(_template),
            {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<v>5</v>", b"<v>NaN</v>")},
        ),
        "数值无效",
    ),
    "xlsx-unpositioned-cells": ("2026.xlsx", _no_dimension_many_cells, "列数过多"),
    "xlsx-shared-strings-60mb": ("2026.xlsx", lambda: huge_shared_strings(60), "解压后过大"),
    "xlsx-shared-strings-25mb": ("2026.xlsx", lambda: huge_shared_strings(25), "文字内容过多"),
    "xlsx-hidden-size-bomb": (
        "2026.xlsx",
        lambda: lying_sizes(huge_shared_strings(30), "xl/sharedStrings.xml", 1000),
        "已损坏",
    ),
    "xlsx-21-sheets": ("2026.xlsx", lambda: many_sheets(21), "工作表过多"),
    "xlsx-not-a-zip": ("2026.xlsx", lambda: b"PK\x03\x04" + b"\x00" * 200, "不是有效的 Excel"),
    "xlsx-truncated": ("2026.xlsx", lambda: xlsx(_template)[:-300], "Excel"),
    "xlsx-doctype": (
        "2026.xlsx",
        lambda: rezip(
            xlsx(_template),
            {"xl/worksheets/sheet1.xml": lambda xml: b'<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml},
        ),
        "DOCTYPE",
    ),
    "xlsx-error-cells": (
        "2026.xlsx",
        lambda: xlsx(
            lambda ws: (
                ws.append(["月份", "受理投诉举报", "办结投诉举报"]),
                ws.append(["2026-01", "#DIV/0!", "#N/A"]),
            )
        ),
        "不是数值：#DIV/0!",
    ),
    "xlsx-formula-without-value": (
        "2026.xlsx",
        lambda: xlsx(
            lambda ws: (
                ws.append(["月份", "受理投诉举报", "办结投诉举报"]),
                ws.append(["2026-01", 5, "=B2-1"]),
            )
        ),
        "公式没有保存计算结果",
    ),
}
