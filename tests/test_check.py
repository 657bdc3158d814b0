"""Reading real files the way offices make them, and the rules between indicators."""

import io
import json
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from pipeline.check import check_file, check_rules, parse_period, parse_value

TODAY = date(2026, 11, 22)
INST = "qinglan-renmin"


def xlsx(rows, merge_title=True) -> bytes:
    book = Workbook()
    sheet = book.active
    for r in rows:
        sheet.append(r)
    if merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[2]))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def values(sub):
    return {(r.period, r.indicator): r.value for r in sub.rows}


@pytest.mark.parametrize(
    "raw",
    [
        "2025-03",
        "2025-3",
        "2025年3月",
        "2025/3",
        "2025.03",
        "202503",
        "２０２５年３月",
        datetime(2025, 3, 1),
        date(2025, 3, 15),
    ],
)
def test_period_forms(raw):
    assert parse_period(raw) == "2025-03"


@pytest.mark.parametrize("raw", ["2025-13", "3月", "25-03", "2025", "", "45352"])
def test_ambiguous_or_broken_periods_are_refused(raw):
    assert parse_period(raw) is None


def test_values(demo_registry):
    count = demo_registry.indicators["complaints_received"]
    amount = demo_registry.indicators["funds_recovered_yuan"]
    pct = demo_registry.indicators["code_awareness_pct"]
    assert parse_value("１２", count) == (12.0, None)
    assert parse_value("1,234", count) == (1234.0, None)
    assert parse_value("12,500.50", amount) == (12500.5, None)
    assert parse_value("98.5%", pct) == (98.5, None)
    assert parse_value("98.5", pct) == (98.5, None)
    assert parse_value(97, pct) == (97.0, None)
    assert parse_value("", count) == (None, None)  # not reported, not zero
    assert parse_value(None, count) == (None, None)
    assert parse_value("-", count) == (None, None)
    for bad, ind in [
        ("约12", count),
        ("-3", count),
        ("2.5", count),
        ("101", pct),
        ("0.985", pct),
        ("12%", count),
        ("1,23", count),
    ]:
        value, expected = parse_value(bad, ind)
        assert value is None and expected, bad


@given(st.integers(min_value=0, max_value=10**9))
def test_counts_round_trip_through_every_written_form(n):
    from pipeline.base.registry import load_registry
    from tests.conftest import DEMO

    ind = load_registry(DEMO).indicators["complaints_received"]
    full_width = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for text in (str(n), f"{n:,}", full_width, f" {n} "):
        if n <= ind.upper_bound:
            assert parse_value(text, ind) == (float(n), None)
        else:  # an implausible figure is refused, naming the bound
            value, expected = parse_value(text, ind)
            assert value is None and f"{ind.upper_bound:,.0f}" in expected


def test_xlsx_with_merged_title_notes_units_and_total_row(demo_registry):
    rows = [
        ["区人民医院2025年行风建设工作月报表", None, None],
        ["填报单位：区人民医院（盖章）", None, None],
        ["月份", "受理投诉举报（件）", "九项准则知晓率（%）"],
        ["2025年1月", 12, 97.5],
        [None, None, None],
        [datetime(2025, 2, 1), 8, None],
        ["合计", 20, None],
    ]
    sub = check_file(demo_registry, xlsx(rows), "2025.xlsx", INST, today=TODAY)
    assert sub.accepted, [str(p) for p in sub.problems]
    assert values(sub) == {
        ("2025-01", "complaints_received"): 12,
        ("2025-01", "code_awareness_pct"): 97.5,
        ("2025-02", "complaints_received"): 8,
    }  # the blank awareness in February is "not reported": no row at all


def test_gbk_csv_with_chinese_headers(demo_registry):
    text = (
        '机构名称,月份,受理投诉举报,追回资金,门诊满意度\r\n区人民医院,2025/4,7,"12,500",96.5%\r\n'
    )
    sub = check_file(demo_registry, text.encode("gb18030"), "2025-04.csv", INST, today=TODAY)
    assert sub.accepted, [str(p) for p in sub.problems]
    assert values(sub)[("2025-04", "funds_recovered_yuan")] == 12500
    assert values(sub)[("2025-04", "satisfaction_outpatient_pct")] == 96.5


def test_long_csv_with_bom_and_json(demo_registry):
    text = "\ufeffinstitution_id,period,indicator,value\nqinglan-renmin,2025-05,interviews,3\n"
    sub = check_file(demo_registry, text.encode("utf-8"), "2025-05.csv", INST, today=TODAY)
    assert values(sub) == {("2025-05", "interviews"): 3}
    doc = {
        "institution_id": INST,
        "records": [{"period": "2025-05", "indicator": "约谈", "value": 3}],
    }
    sub = check_file(demo_registry, json.dumps(doc).encode(), "2025-05.json", INST, today=TODAY)
    assert values(sub) == {("2025-05", "interviews"): 3}


def test_every_problem_is_listed_with_place_value_and_expectation(demo_registry):
    rows = [
        ["标题", None, None, None],
        ["说明", None, None, None],
        ["月份", "受理投诉举报（件）", "上级转办（含12320/12345）", "神秘列"],
        ["2025年1月", "约12", 3, 1],
        ["2027年1月", 5, 1, 1],
        ["2025年2月", 4, 9, 1],
        ["2025年2月", 4, None, 1],
    ]
    sub = check_file(demo_registry, xlsx(rows), "2025.xlsx", INST, today=TODAY)
    check_rules(demo_registry, [sub])
    assert not sub.accepted
    by_code = {}
    for p in sub.problems:
        by_code.setdefault(p.code, []).append(p)
    assert by_code["unknown_column"][0].value == "神秘列"
    bad = by_code["bad_value"][0]
    assert (bad.row, bad.value) == (4, "约12") and "受理投诉举报" in bad.message
    assert "B" in bad.column and "整数" in bad.expected
    assert by_code["future_period"][0].row == 5
    assert by_code["duplicate"][0].row == 7
    rule = by_code["rule"][0]  # transferred 9 > received 4 in February
    assert rule.row == 6 and rule.value == "9" and "上级转办" in rule.message
    text = str(rule)
    assert "2025.xlsx" in text and "单元格 C6（上级转办（含12320/12345））" in text


def test_a_file_cannot_carry_another_institutions_figures(demo_registry):
    text = "institution_id,period,indicator,value\nqinglan-tcm,2025-05,interviews,3\n"
    sub = check_file(demo_registry, text.encode(), "x.csv", INST, today=TODAY)
    assert [p.code for p in sub.problems] == ["other_institution"]


@pytest.mark.parametrize(
    "content, name, code",
    [
        (b"", "2025-01.csv", "empty_file"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "2025-01.csv", "no_header"),
        (b"\x81\x30\xff\xfe\x00garbage", "2025-01.xlsx", "unreadable"),
        (b"{not json", "2025-01.json", "json_invalid"),
        (b"a,b\n1,2\n", "2025-01.txt", "bad_format"),
    ],
)
def test_files_that_are_not_data_are_refused_clearly(demo_registry, content, name, code):
    sub = check_file(demo_registry, content, name, INST, today=TODAY)
    assert not sub.accepted
    assert code in [p.code for p in sub.problems]


def test_a_bad_month_does_not_condemn_the_months_after_it(registry):
    def month(period, received, resolved):
        text = f"月份,受理投诉举报,办结投诉举报\n{period},{received},{resolved}\n"
        return check_file(registry, text.encode(), f"{period}.csv", INST, today=TODAY)

    # The institution reports from 2025-01 on; its running totals start there.
    inst = registry.institutions[INST]
    registry.institutions[INST] = inst.model_copy(update={"active_from": "2025-01"})
    subs = [month("2025-01", 5, 5), month("2025-02", 2, 9), month("2025-03", 4, 3)]
    check_rules(registry, subs)
    assert [s.accepted for s in subs] == [True, False, True]
    assert "累计" in subs[1].problems[0].expected


def test_totals_short_of_a_month_never_sent_are_a_warning(demo_registry):
    """The campaign starts in 2024-09; a first report in 2024-10 cannot be blamed for
    running totals that lack September."""
    text = "月份,受理投诉举报,办结投诉举报\n2024-10,2,3\n"
    sub = check_file(demo_registry, text.encode(), "2024-10.csv", INST, today=TODAY)
    check_rules(demo_registry, [sub])
    assert sub.accepted
    assert [p.severity for p in sub.problems] == ["warning"]
    assert "此前有未报送的月份" in sub.problems[0].message


def test_demo_quarantines_exactly_its_bad_file(site_data):
    from pipeline.build import prepare
    from tests.conftest import NOW

    prep = prepare(site_data, NOW, run_collect=False)
    assert [s.file for s in prep.checked.quarantined] == ["heyue-eye/statistics/2026-08.csv"]
    for problem in prep.checked.problems:
        assert "nan" not in str(problem) and "None" not in str(problem), str(problem)
    # The other institutions' data of that month is published.
    august = prep.checked.table[prep.checked.table.period == "2026-08"]
    assert august.institution_id.nunique() >= 17


def test_files_checked_in_two_processes_give_what_one_process_gives(
    site_data, monkeypatch, tmp_path
):
    from pipeline.base import parallel
    from pipeline.build import prepare
    from tests.conftest import NOW

    def run(jobs, cache="empty"):
        monkeypatch.setenv("PORTAL_JOBS", str(jobs))
        # Each run with its own parsed layer (empty: every file is read).
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"{cache}-{jobs}"))
        checked = prepare(site_data, NOW, run_collect=False).checked
        return checked, [str(p) for p in checked.problems], [s.file for s in checked.submissions]

    calls = []
    monkeypatch.setattr(parallel, "ProcessPoolExecutor", _counting(calls))
    alone, alone_problems, alone_files = run(1)
    assert not calls
    split, split_problems, split_files = run(2)
    assert calls == [2], "the demo's files are enough to be checked by two processes"
    assert len(alone.parsed) > len(alone_files) / 2
    assert split.table.equals(alone.table)
    assert split_problems == alone_problems
    assert split_files == alone_files
    assert split.parsed == alone.parsed
    # And from the parsed layer the two processes left: the same again, nothing read.
    calls.clear()
    warm, warm_problems, warm_files = run(2)
    assert not calls and warm.files_checked == 0
    assert warm.table.equals(alone.table)
    assert (warm_problems, warm_files) == (alone_problems, alone_files)
    assert warm.parsed == alone.parsed


def _counting(calls):
    from concurrent.futures import ProcessPoolExecutor

    def pool(n, **kwargs):
        calls.append(n)
        return ProcessPoolExecutor(n, **kwargs)

    return pool


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=12))
def test_every_written_form_of_a_month_reads_the_same(year, month):
    expected = f"{year}-{month:02d}"
    for text in (
        f"{year}-{month:02d}",
        f"{year}-{month}",
        f"{year}年{month}月",
        f"{year}/{month}",
        f"{year}.{month:02d}",
        f"{year}{month:02d}",
        date(year, month, 1),
    ):
        assert parse_period(text) == expected, text
