"""The blank monthly submission template that institutions fill in (XLSX or CSV).

Headers are the indicators' Chinese labels with their units, exactly what
:mod:`pipeline.check.checks` reads back; the XLSX adds Excel data validation and an
instructions sheet generated from the indicator registry.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.base.periods import label as period_label
from pipeline.base.periods import month_range
from pipeline.base.registry import Indicator, Registry

INSTITUTION_HEADER = "机构编号"
MONTH_HEADER = "月份"
HEADER_ROW = 3


def headers(registry: Registry, codes: list[str]) -> list[str]:
    """The template's header row: institution, month, then each indicator with its unit."""
    labels = [f"{registry.indicators[c].label}（{registry.indicators[c].unit}）" for c in codes]
    return [INSTITUTION_HEADER, MONTH_HEADER, *labels]


def rule_text(registry: Registry, ind: Indicator) -> str:
    """What an office must respect in a column, in Chinese."""
    parts = {
        "count": "不小于 0 的整数",
        "amount": "不小于 0 的金额（元），可带小数",
        "percent": "0 到 100 之间的百分数，如 98.5",
    }
    texts = [parts[ind.kind]]
    for rule in ind.rules:
        if other := rule.get("at_most"):
            texts.append(f"不大于当月「{registry.indicators[other].label}」")
        if other := rule.get("cumulative_at_most"):
            texts.append(f"累计不大于累计「{registry.indicators[other].label}」")
        if rule.get("at_most_staff"):
            texts.append("不大于本机构在岗人数")
    return "；".join(texts)


def monthly_sheet(
    sheet: Worksheet,
    registry: Registry,
    codes: list[str],
    title: str,
    months: list[str],
    institution_id: str = "",
) -> None:
    """Lay out a monthly sheet: merged title, a note row, the header, a row per month."""
    width = len(codes) + 2
    sheet.cell(1, 1, title).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(2, 1, "填报单位（盖章）：            未收集的数据请留空，不要填 0。")
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    for col, name in enumerate(headers(registry, codes), start=1):
        cell = sheet.cell(HEADER_ROW, col, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, month in enumerate(months, start=HEADER_ROW + 1):
        sheet.cell(r, 1, institution_id or None)
        sheet.cell(r, 2, period_label(month))


def template_xlsx(registry: Registry, year: int, institution_id: str = "") -> bytes:
    """The XLSX template for ``year``: a sheet to fill and a sheet of instructions."""
    codes = list(registry.indicators)
    months = month_range(f"{year}-01", f"{year}-12")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{year}年月报"
    monthly_sheet(
        sheet, registry, codes, f"{year}年医疗卫生行风建设工作月报表", months, institution_id
    )
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 3)
    sheet.row_dimensions[HEADER_ROW].height = 48
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 12
    last_row = HEADER_ROW + len(months)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for col, code in enumerate(codes, start=3):
        ind = registry.indicators[code]
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = 14
        sheet.cell(HEADER_ROW, col).fill = fill
        if ind.kind == "percent":
            dv = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        elif ind.kind == "amount":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        else:
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.errorTitle = "数值无效"
        dv.error = f"「{ind.label}」应为{rule_text(registry, ind)}。未收集请留空。"
        dv.promptTitle = ind.label
        dv.prompt = rule_text(registry, ind)
        dv.showInputMessage = True
        dv.add(f"{letter}{HEADER_ROW + 1}:{letter}{last_row}")
        sheet.add_data_validation(dv)

    notes = book.create_sheet("填报说明")
    intro = [
        "填报说明",
        "1. 每月20日前报送上月数据；可每月报送一个文件，也可在本年度表中逐月填写后整表报送。",
        "2. 未收集的数据请留空，不要填 0：空白表示“未报送”，0 表示“确实为零”。",
        "3. 百分数填 98.5 或 98.5%，不要填 0.985。",
        "4. 不要修改表头；标题行、空行和“合计”行会被忽略，合计由平台计算。",
        "5. 报送前可运行 portal check --institution 本机构编号 文件名 自行检查。",
        "",
    ]
    for r, text in enumerate(intro, start=1):
        notes.cell(r, 1, text)
    notes.cell(1, 1).font = Font(bold=True, size=14)
    start = len(intro) + 1
    for col, name in enumerate(["列名", "指标代码", "单位", "填写要求", "说明"], start=1):
        notes.cell(start, col, name).font = Font(bold=True)
    for r, code in enumerate(codes, start=start + 1):
        ind = registry.indicators[code]
        notes.cell(r, 1, f"{ind.label}（{ind.unit}）")
        notes.cell(r, 2, code)
        notes.cell(r, 3, ind.unit)
        notes.cell(r, 4, rule_text(registry, ind))
        notes.cell(r, 5, ind.description)
    for letter, width in zip("ABCDE", (34, 30, 8, 48, 48), strict=True):
        notes.column_dimensions[letter].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def template_csv(registry: Registry, year: int, institution_id: str = "") -> bytes:
    """The CSV template: the same header and a row per month, UTF-8 with BOM for Excel."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers(registry, list(registry.indicators)))
    for month in month_range(f"{year}-01", f"{year}-12"):
        writer.writerow([institution_id, period_label(month)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
