"""Readers: the cells of a submission file, read within fixed bounds.

A file an institution sends is untrusted. Before any parser sees it, its size
and shape are checked against :class:`ReadLimits` (``limits:`` in
``config.yaml``), so that reading any accepted file stays under a fixed memory
ceiling whatever it holds: an XLSX is a zip of XML whose declared dimensions,
cell positions, sheet count, uncompressed size and shared strings are checked
here; JSON depth and number length are bounded; CSV rows, columns and cell
length too. Anything beyond a limit is a :class:`ReadRefused` with a Chinese
message for the office that sent it; it never reaches the parser.

Excel error cells (``#DIV/0!``) and formulas saved without a computed value are
not blanks: the spreadsheet library reads them as empty, so they are put back
as :class:`CellNote` values that the checks report at their cell.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

from pydantic import BaseModel, ConfigDict, Field


class ReadLimits(BaseModel):
    """Bounds on one submission file; the defaults fit any real monthly or yearly file
    many times over (a yearly file has 12 rows and about 35 columns)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    max_file_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_rows: int = Field(default=10_000, ge=100)
    max_columns: int = Field(default=200, ge=40)
    max_cell_chars: int = Field(default=10_000, ge=100)
    xlsx_max_sheets: int = Field(default=20, ge=1)
    xlsx_max_parts: int = Field(default=500, ge=10)
    xlsx_max_unzipped_bytes: int = Field(default=50 * 1024 * 1024, ge=1024 * 1024)
    xlsx_max_shared_strings_bytes: int = Field(default=20 * 1024 * 1024, ge=1024 * 1024)
    json_max_depth: int = Field(default=10, ge=3)
    json_max_number_chars: int = Field(default=30, ge=16)


class ReadRefused(Exception):
    """A file beyond a limit, or not readable as its kind; ``message`` is for the office."""

    def __init__(self, code: str, message: str, expected: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.expected = expected


class CellNote(str):
    """A cell that holds no number although it looks filled in Excel: an error value
    (``#DIV/0!``) or a formula saved without its result (``=SUM(B2:B9)``). It is the
    text the office would see, so every check that reads it as text refuses it."""

    __slots__ = ("reason",)
    reason: str

    def __new__(cls, text: str, reason: str) -> CellNote:
        note = super().__new__(cls, text)
        note.reason = reason
        return note


Sheet = tuple[str | None, list[list[Any]]]


def decode_text(content: bytes) -> tuple[str, str]:
    """Decode a CSV exported by Excel: UTF-8 (with or without BOM), else GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", content, 0, 1, "neither UTF-8 nor GB18030")


def check_size(content: bytes, limits: ReadLimits) -> None:
    if len(content) > limits.max_file_bytes:
        raise ReadRefused(
            "too_large",
            f"文件过大（{len(content) / 1024 / 1024:.1f} MB）",
            f"不超过 {limits.max_file_bytes / 1024 / 1024:.0f} MB",
        )


def read_csv(content: bytes, limits: ReadLimits) -> list[Sheet]:
    """The rows of a CSV file (UTF-8 or GB18030), within the row, column and cell bounds."""
    check_size(content, limits)
    text, _ = decode_text(content)
    rows: list[list[Any]] = []
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            if len(rows) >= limits.max_rows:
                raise _too_many_rows(limits)
            if len(row) > limits.max_columns:
                raise _too_many_columns(limits, reader.line_num)
            rows.append(row)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ReadRefused(
                "cell_too_long",
                f"第{reader.line_num}行有单元格内容过长（或引号未闭合）",
                f"每个单元格不超过 {limits.max_cell_chars} 个字符，引号成对",
            ) from exc
        raise ReadRefused(
            "csv_invalid", f"第{reader.line_num}行 CSV 格式错误：{exc}", "有效的 CSV 文件"
        ) from exc
    return [(None, rows)]


def _too_many_rows(limits: ReadLimits) -> ReadRefused:
    return ReadRefused("too_many_rows", "行数过多", f"不超过 {limits.max_rows} 行")


def _too_many_columns(limits: ReadLimits, row: int) -> ReadRefused:
    return ReadRefused("too_many_columns", f"第{row}行列数过多", f"不超过 {limits.max_columns} 列")


def read_json(content: bytes, limits: ReadLimits) -> Any:
    """A JSON document, refusing deep nesting and over-long numbers; ``NaN`` and
    ``Infinity`` are kept as their text (the value checks refuse them at their record)."""
    check_size(content, limits)
    text = content.decode("utf-8-sig")
    depth = _json_depth(text)
    if depth > limits.json_max_depth:
        raise ReadRefused(
            "json_too_deep",
            f"JSON 嵌套层数过多（{depth} 层）",
            f"不超过 {limits.json_max_depth} 层",
        )

    def number(raw: str) -> Any:
        # Kept as text when too long or not finite (1e309): refused at its record.
        if len(raw) > limits.json_max_number_chars:
            return raw
        value = float(raw)
        return value if math.isfinite(value) else raw

    return json.loads(text, parse_int=number, parse_float=number, parse_constant=str)


_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (before parsing: the parser
    itself recurses and cannot be trusted with 100,000 levels)."""
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in ("]", "}"):
            depth -= 1
    return deepest


# --- XLSX ------------------------------------------------------------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([^"]*)"')
_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([^"]*)"')
_A1 = re.compile(rb"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_ROW_BLOCK = re.compile(rb"<(?:\w+:)?row\b.*?</(?:\w+:)?row>", re.S)


def column_index(letters: str) -> int:
    """0 for A, 25 for Z, 26 for AA."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(content: bytes, limits: ReadLimits) -> list[Sheet]:
    """The cells of every sheet of an XLSX file, row and column as in Excel (an empty
    first row stays an empty row, so a problem's row number is the one Excel shows)."""
    check_size(content, limits)
    sheets = inspect_xlsx(content, limits)
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    out: list[Sheet] = []
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for (r, c), note in sheets.get(name, {}).items():
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            while len(row) <= c:
                row.append("")
            row[c] = note
        out.append((name, rows))
    return out


def inspect_xlsx(content: bytes, limits: ReadLimits) -> dict[str, dict[tuple[int, int], CellNote]]:
    """Check an XLSX package against ``limits`` before any spreadsheet library opens it;
    return each sheet's error cells and formulas without a saved result, by position.

    Every part is decompressed here with a bounded read: zip's declared sizes are
    not trusted (a part that inflates past its declared size fails its checksum)."""
    try:
        package = zipfile.ZipFile(io.BytesIO(content))
        parts = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadRefused(
            "unreadable", "不是有效的 Excel（.xlsx）文件", "有效的 .xlsx 文件"
        ) from exc
    if len(parts) > limits.xlsx_max_parts:
        raise ReadRefused("xlsx_too_complex", f"Excel 文件内部部件过多（{len(parts)} 个）")
    declared = sum(p.file_size for p in parts)
    if declared > limits.xlsx_max_unzipped_bytes:
        raise _unzipped_too_large(declared, limits)
    data: dict[str, bytes] = {}
    total = 0
    for part in parts:
        if part.filename.endswith("/"):
            continue
        try:
            with package.open(part) as f:
                blob = f.read(limits.xlsx_max_unzipped_bytes - total + 1)
        except Exception as exc:  # a bad checksum, an encrypted part, a broken stream
            raise ReadRefused(
                "unreadable", "Excel 文件已损坏或已加密", "未加密的有效 .xlsx 文件"
            ) from exc
        total += len(blob)
        if total > limits.xlsx_max_unzipped_bytes:
            raise _unzipped_too_large(total, limits)
        data[part.filename] = blob
    for name, blob in data.items():
        if name.endswith((".xml", ".rels")) and b"<!DOCTYPE" in blob[:4096].upper():
            raise ReadRefused("xlsx_invalid", "Excel 文件含有不允许的 XML 声明（DOCTYPE）")
    strings = data.get("xl/sharedStrings.xml", b"")
    if len(strings) > limits.xlsx_max_shared_strings_bytes:
        raise ReadRefused(
            "xlsx_too_large",
            f"Excel 文件中的文字内容过多（{len(strings) / 1024 / 1024:.0f} MB）",
            f"不超过 {limits.xlsx_max_shared_strings_bytes / 1024 / 1024:.0f} MB",
        )
    sheets = _sheet_parts(data)
    if len(sheets) > limits.xlsx_max_sheets:
        raise ReadRefused(
            "too_many_sheets",
            f"工作表过多（{len(sheets)} 个）",
            f"不超过 {limits.xlsx_max_sheets} 个工作表",
        )
    notes: dict[str, dict[tuple[int, int], CellNote]] = {}
    for sheet, part_name in sheets:
        xml = data.get(part_name)
        if xml is None:
            raise ReadRefused("xlsx_invalid", f"工作表「{sheet}」缺失，文件已损坏")
        _check_shape(sheet, xml, limits)
        if b"<f" in xml or b't="e"' in xml:
            notes[sheet] = _cell_notes(xml)
    return notes


def _unzipped_too_large(size: int, limits: ReadLimits) -> ReadRefused:
    return ReadRefused(
        "xlsx_too_large",
        f"Excel 文件解压后过大（{size / 1024 / 1024:.0f} MB 以上）",
        f"解压后不超过 {limits.xlsx_max_unzipped_bytes / 1024 / 1024:.0f} MB",
    )


def _sheet_parts(data: dict[str, bytes]) -> list[tuple[str, str]]:
    """(sheet name, part name) of each worksheet, in the workbook's order."""
    try:
        book = ElementTree.fromstring(data["xl/workbook.xml"])
        rels = ElementTree.fromstring(data.get("xl/_rels/workbook.xml.rels", b"<r/>"))
    except (KeyError, ElementTree.ParseError) as exc:
        raise ReadRefused("xlsx_invalid", "Excel 文件结构损坏（缺少工作簿）") from exc
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels.findall("rel:Relationship", _NS)
    }
    out = []
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        out.append((sheet.get("name", ""), part))
    return out


def _check_shape(sheet: str, xml: bytes, limits: ReadLimits) -> None:
    """Refuse a sheet whose declared range or any cell lies beyond the row and column
    limits: the spreadsheet library would allocate the whole rectangle."""
    where = f"工作表「{sheet}」"
    expected = f"不超过 {limits.max_rows} 行、{limits.max_columns} 列"
    if m := _DIMENSION.search(xml):
        for letters, digits in re.findall(rb"\$?([A-Za-z]+)\$?(\d+)", m.group(1)):
            if (
                len(letters) > 3
                or len(digits) > 7
                or column_index(letters.upper().decode()) >= limits.max_columns
                or int(digits) > limits.max_rows
            ):
                raise ReadRefused(
                    "xlsx_too_large",
                    f"{where}的表格范围过大（{m.group(1).decode(errors='replace')}），"
                    "请删除多余的行列后重新保存",
                    expected,
                )
    # Any position the reader would place a cell at is checked, whatever its spelling:
    # lower case, long letters, many digits (which the reader wraps or allocates for).
    refs = _CELL_REF.findall(xml)
    for raw in refs:
        m = _A1.fullmatch(raw)
        if m is None or (
            column_index(m.group(1).upper().decode()) >= limits.max_columns
            or int(m.group(2)) > limits.max_rows
        ):
            shown = raw[:20].decode(errors="replace")
            raise ReadRefused(
                "xlsx_too_large", f"{where}有数据位于单元格 {shown}，超出表格范围", expected
            )
    for raw in _ROW.findall(xml):
        if not raw.isdigit() or len(raw) > 7 or int(raw) > limits.max_rows:
            shown = raw[:20].decode(errors="replace")
            raise ReadRefused("too_many_rows", f"{where}行数过多（第 {shown} 行有内容）", expected)
    if xml.count(b"<row") + xml.count(b":row") > limits.max_rows:
        raise ReadRefused("too_many_rows", f"{where}行数过多", expected)
    # Cells written without a position take the next column: count them per row.
    if xml.count(b"<c") + xml.count(b":c ") > len(refs) or b"<c>" in xml:
        for block in _ROW_BLOCK.findall(xml):
            if len(re.findall(rb"<(?:\w+:)?c[\s/>]", block)) > limits.max_columns:
                raise ReadRefused("too_many_columns", f"{where}有一行列数过多", expected)


def _cell_notes(xml: bytes) -> dict[tuple[int, int], CellNote]:
    notes: dict[tuple[int, int], CellNote] = {}
    for attrs, inner in _CELL.findall(xml):
        at = re.search(rb'\sr="([^"]*)"', attrs)
        ref = _A1.fullmatch(at.group(1)) if at else None
        if ref is None:
            continue  # positions were checked before (_check_shape)
        position = (int(ref.group(2)) - 1, column_index(ref.group(1).upper().decode()))
        value = _VALUE.search(inner or b"")
        text = _xml_text(value.group(1) or b"") if value else ""
        if re.search(rb'\st="e"', attrs):
            notes[position] = CellNote(text or "#错误", "error")
        elif not text and (formula := _FORMULA.search(inner or b"")):
            shown = _xml_text(formula.group(1) or b"")
            notes[position] = CellNote(f"={shown}" if shown else "=（公式）", "formula")
    return notes


def _xml_text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", errors="replace")).strip()


def read_sheets(content: bytes, suffix: str, limits: ReadLimits | None = None) -> list[Sheet]:
    """The cells of a CSV or XLSX file, one list of rows per sheet, within ``limits``."""
    limits = limits or ReadLimits()
    if suffix == ".xlsx":
        return read_xlsx(content, limits)
    return read_csv(content, limits)
