"""The four file styles of :mod:`pipeline.demo.submissions`, written straight from
strings.

``portal demo`` writes a file per institution and month, 100,000 of them at 3,000
institutions and 36 months; the writers of :mod:`pipeline.demo.submissions` (the csv
module, ``json.dumps`` with indentation, openpyxl) cost more there than everything else. These
make the same bytes from a row of values (tests/test_synthetic.py compares the two on
every shape): the yearly workbook is openpyxl's own, laid out once per indicator set
and year, with only its title and figures written here.
"""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pipeline.base.periods import label as period_label
from pipeline.base.registry import Registry
from pipeline.check.template import HEADER_ROW, monthly_sheet
from pipeline.demo.submissions import stable_bytes, zip_parts

# A row of figures: one value per code of the shape, None where the institution has none.
Values = Sequence[int | float | None]
_TITLE = "@@title@@"


def _cell(text: str) -> str:
    """A CSV field as the csv module writes it (minimal quoting)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _number(value: int | float) -> str:
    return repr(value) if isinstance(value, float) else str(value)


class Shape:
    """What the files of an institution share: its indicators, their headers and kinds."""

    def __init__(self, registry: Registry, codes: Sequence[str]) -> None:
        self.registry = registry
        self.codes = list(codes)
        inds = [registry.indicators[c] for c in self.codes]
        self.kinds = [i.kind for i in inds]
        self.sums = [i.aggregate == "sum" for i in inds]
        self.letters = [get_column_letter(col) for col in range(3, len(codes) + 3)]
        labels = ",".join(_cell(i.label) for i in inds)
        self.gbk_header = f"机构名称,月份,{labels}\r\n"
        self.json_codes = [json.dumps(c) for c in self.codes]

    def csv_gbk_month(self, name: str, period: str, values: Values) -> bytes:
        """:func:`submissions.csv_gbk_month`: GB18030, Chinese headers, 98.5%, 1,234."""
        cells = []
        for value, kind in zip(values, self.kinds, strict=True):
            if value is None:
                cells.append("")
            elif kind == "percent":
                cells.append(f"{value}%")
            elif kind == "amount":
                cells.append(_cell(f"{value:,}"))
            else:
                cells.append(str(value))
        line = f"{_cell(name)},{period[:4]}/{int(period[5:])},{','.join(cells)}\r\n"
        return (self.gbk_header + line).encode("gb18030")

    def csv_long_month(self, institution_id: str, period: str, values: Values) -> bytes:
        """:func:`submissions.csv_long_month`: UTF-8 with BOM, a row per indicator."""
        head = f"{_cell(institution_id)},{period},"
        lines = [
            f"{head}{code},{_number(value)}\n"
            for code, value in zip(self.codes, values, strict=True)
            if value is not None
        ]
        text = "\ufeffinstitution_id,period,indicator,value\n" + "".join(lines)
        return text.encode("utf-8")

    def json_month(self, institution_id: str, period: str, values: Values) -> bytes:
        """:func:`submissions.json_month`: ``json.dumps(..., indent=1)``."""
        head = f'  {{\n   "period": {json.dumps(period)},\n   "indicator": '
        records = ",\n".join(
            f'{head}{code},\n   "value": {_number(value)}\n  }}'
            for code, value in zip(self.json_codes, values, strict=True)
            if value is not None
        )
        body = f"[\n{records}\n ]" if records else "[]"
        ident = json.dumps(institution_id, ensure_ascii=False)
        return f'{{\n "institution_id": {ident},\n "records": {body}\n}}\n'.encode()

    def xlsx_year(self, name: str, year: str, rows: Sequence[tuple[str, Values]]) -> bytes:
        """:func:`submissions.xlsx_year`: the year's months so far, a row each, under a
        merged title, a notes row and the headers, and the 合计 row offices add."""
        parts, head, top, tail = self._xlsx_template(year)
        out = [top.replace(_TITLE, escape(f"{name}{year}年行风建设工作月报表"))]
        totals: list[int | float] = [0] * len(self.codes)
        r = HEADER_ROW
        for period, values in rows:
            r += 1
            out.append(f'<row r="{r}"><c r="B{r}" t="inlineStr"><is><t>')
            out.append(f"{period_label(period)}</t></is></c>")
            for i, value in enumerate(values):
                if value is not None:
                    out.append(f'<c r="{self.letters[i]}{r}" t="n"><v>{value:.16g}</v></c>')
                    totals[i] += value
            out.append("</row>")
        r += 1
        out.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>合计</t></is></c>')
        for i, total in enumerate(totals):
            if self.sums[i]:
                out.append(f'<c r="{self.letters[i]}{r}" t="n"><v>{total:.16g}</v></c>')
        out.append("</row>")
        dimension = f'<dimension ref="A1:{get_column_letter(len(self.codes) + 2)}{r}" />'
        sheet = head.replace("\x00dimension\x00", dimension) + "".join(out) + tail
        made = [(n, sheet.encode() if n == "xl/worksheets/sheet1.xml" else b) for n, b in parts]
        return zip_parts(made, datetime(int(year), 1, 1))

    @functools.cache  # noqa: B019 - a few shapes live as long as the process
    def _xlsx_template(self, year: str) -> tuple[list[tuple[str, bytes]], str, str, str]:
        """The parts openpyxl writes for this shape and year with a placeholder title and
        no month; the sheet split around its rows (the title, notes and header rows kept)."""
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = f"{year}年月报"
        monthly_sheet(sheet, self.registry, self.codes, _TITLE, [])
        with zipfile.ZipFile(io.BytesIO(stable_bytes(book, datetime(int(year), 1, 1)))) as z:
            parts = [(info.filename, z.read(info)) for info in z.infolist()]
        xml = dict(parts)["xl/worksheets/sheet1.xml"].decode()
        head, rest = xml.split("<sheetData>", 1)
        rows, tail = rest.split("</sheetData>", 1)
        head = re.sub(r"<dimension [^>]*/>", "\x00dimension\x00", head) + "<sheetData>"
        return parts, head, rows, "</sheetData>" + tail
