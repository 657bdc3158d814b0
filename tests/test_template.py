"""The blank template: what the portal hands out is exactly what it reads back."""

import io
from datetime import date

from openpyxl import load_workbook

from pipeline.check import check_file
from pipeline.check.template import HEADER_ROW, template_csv, template_xlsx

TODAY = date(2026, 11, 22)


def test_filled_xlsx_template_is_accepted(registry):
    book = load_workbook(io.BytesIO(template_xlsx(registry, 2026, "qinglan-renmin")))
    sheet = book["2026年月报"]
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header[:2] == ["机构编号", "月份"]
    assert len(header) == 2 + len(registry.indicators)
    assert "受理投诉举报（件）" in header and "九项准则知晓率（%）" in header
    col = {name: i + 1 for i, name in enumerate(header)}
    sheet.cell(HEADER_ROW + 1, col["受理投诉举报（件）"], 7)
    sheet.cell(HEADER_ROW + 1, col["九项准则知晓率（%）"], 96.5)
    sheet.cell(HEADER_ROW + 3, col["追回资金（元）"], 1200.5)
    buf = io.BytesIO()
    book.save(buf)
    # Months not yet filled in (including future ones) are ignored, not refused.
    sub = check_file(registry, buf.getvalue(), "2026.xlsx", None, today=TODAY)
    assert sub.accepted, [str(p) for p in sub.problems]
    got = {(r.period, r.indicator): r.value for r in sub.rows}
    assert got == {
        ("2026-01", "complaints_received"): 7,
        ("2026-01", "code_awareness_pct"): 96.5,
        ("2026-03", "funds_recovered_yuan"): 1200.5,
    }


def test_xlsx_template_validates_input_and_explains_every_column(registry):
    book = load_workbook(io.BytesIO(template_xlsx(registry, 2026)))
    sheet = book["2026年月报"]
    rules = {
        (dv.type, dv.operator, dv.formula1, dv.formula2)
        for dv in sheet.data_validations.dataValidation
    }
    assert ("whole", "greaterThanOrEqual", "0", None) in rules
    assert ("decimal", "between", "0", "100") in rules
    assert len(sheet.data_validations.dataValidation) == len(registry.indicators)
    notes = book["填报说明"]
    codes = {row[1] for row in notes.iter_rows(values_only=True)}
    assert set(registry.indicators) <= codes
    text = " ".join(str(c) for row in notes.iter_rows(values_only=True) for c in row if c)
    assert "不要填 0" in text and "累计不大于累计「受理投诉举报」" in text


def test_csv_template_round_trips(registry):
    content = template_csv(registry, 2025, "qinglan-tcm").decode("utf-8-sig")
    lines = content.splitlines()
    assert len(lines) == 13
    lines[4] = lines[4] + ",5"  # April: the first indicator column
    sub = check_file(
        registry, "\n".join(lines).encode("utf-8"), "2025.csv", "qinglan-tcm", today=TODAY
    )
    assert sub.accepted, [str(p) for p in sub.problems]
    assert [(r.period, r.indicator, r.value) for r in sub.rows] == [
        ("2025-04", "complaints_received", 5)
    ]


def test_template_command(tmp_path):
    from tests.conftest import run_portal as portal

    out = tmp_path / "t.xlsx"
    done = portal(
        "template", "--year", "2026", "--institution", "qinglan-renmin", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert load_workbook(out)["2026年月报"].cell(HEADER_ROW + 1, 1).value == "qinglan-renmin"
    assert portal("template", "--institution", "nobody", "--out", str(out)).returncode == 2
    csv_out = tmp_path / "t.csv"
    assert portal("template", "--format", "csv", "--out", str(csv_out)).returncode == 0
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
