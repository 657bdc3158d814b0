"""Rates never above 100 % as a success, annual targets judged after the year, the
coverage groups of the campaign and the annual summary (issue 17)."""

import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.aggregate import aggregate
from pipeline.privacy.suppression import suppress
from pipeline.site.figures import Figures
from tests.test_build import page


def table(rows):
    return pd.DataFrame(
        [
            {"institution_id": i, "period": p, "indicator": c, "value": v, "sha256": "", "file": ""}
            for i, p, c, v in rows
        ]
    )


BIG = "yunxi-central-qinglan"


def test_resolution_rate_counts_the_backlog_carried_in(registry):
    rows = [
        (BIG, "2024-09", "complaints_received", 10),
        (BIG, "2024-09", "complaints_resolved", 6),
        (BIG, "2024-10", "complaints_received", 2),
        (BIG, "2024-10", "complaints_resolved", 5),  # 3 of September's, 2 of its own
        (BIG, "2024-11", "complaints_received", 4),
        (BIG, "2024-11", "complaints_resolved", 5),
    ]
    agg = aggregate(registry, table(rows), registry.campaigns[0], "2024-11")

    def rate(period_type, period):
        return agg.cell("complaint_resolution_rate", period_type, period)["value"]

    assert rate("month", "2024-09") == pytest.approx(60)
    assert rate("month", "2024-10") == pytest.approx(5 / (2 + 4) * 100)
    assert rate("month", "2024-11") == pytest.approx(5 / (4 + 1) * 100)
    # A quarter carries in only what was open when it began.
    assert rate("quarter", "2024-Q4") == pytest.approx(10 / (6 + 4) * 100)
    assert rate("year", "2024") == pytest.approx(16 / 16 * 100)
    assert agg.table[agg.table.indicator == "complaint_resolution_rate"].value.max() <= 100


def _figures(registry, rows, until):
    agg = aggregate(registry, table(rows), registry.campaigns[0], until)
    agg.table = suppress(agg.table, registry)
    return Figures(registry, agg)


def test_a_rate_above_100_is_never_met(registry):
    # More resolved than ever received (a month not sent before): 150 %.
    rows = [
        (BIG, "2024-09", "complaints_received", 2),
        (BIG, "2024-09", "complaints_resolved", 3),
    ]
    r = _figures(registry, rows, "2024-09")
    (t,) = [t for t in r.targets("2024-09", "month") if t["target"].measure.startswith("compl")]
    assert t["met"] is False and t["status"] == "check"
    assert "待核实" in t["actual"]
    assert "待核实" in r.show("complaint_resolution_rate", "month", "2024-09")


def test_annual_targets_are_progress_until_the_year_is_over(registry):
    rows = [(BIG, m, "staff_trained", 1348) for m in ("2024-11", "2024-12")]
    rows += [(BIG, m, "warning_education_sessions", 1) for m in ("2024-11", "2024-12")]
    done = {t["target"].measure: t for t in _figures(registry, rows, "2024-12").targets("2024")}
    going = {
        t["target"].measure: t
        for t in _figures(registry, [x for x in rows if x[1] == "2024-11"], "2024-11").targets(
            "2024"
        )
    }
    for code in ("training_coverage", "warning_education_sessions"):
        assert done[code]["met"] and done[code]["status"] == "met"
        assert going[code]["status"] == "partial" and not going[code]["met"]
        assert going[code]["actual"].startswith("进行中，已完成 ")


ROW = re.compile(r"<tr>.*?</tr>|<div class=\"portal-figure\">.*?</div>", re.S)


def test_no_published_rate_above_100_is_marked_met(site: Path):
    for html in site.rglob("*.html"):
        for row in ROW.findall(html.read_text(encoding="utf-8")):
            shown = re.sub(r"<[^>]+>", " ", row)
            rates = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?)%", shown)]
            if any(x > 100 for x in rates):
                assert "已达标" not in row, (html, row)
                assert "待核实" in row, (html, row)


def test_this_year_s_annual_targets_are_in_progress_and_a_quarter_partial(site: Path):
    home = page(site, "").text
    assert "全员廉洁从业培训覆盖率达到100% 进行中，已完成" in home
    assert "办结率＝本期办结件数÷（本期受理件数＋期初尚未办结的件数）" in home
    assert "阶段性数据" in page(site, "campaigns/xingfeng-2024/2026-Q4/").text
    assert "阶段性数据" not in page(site, "campaigns/xingfeng-2024/2026-Q3/").text
    assert "进行中" not in page(site, "campaigns/xingfeng-2024/2025/").text.split("目标完成情况")[2]


def test_every_hospital_public_or_private_is_in_the_100_percent_group(site: Path):
    text = page(site, "campaigns/xingfeng-2024/2025/").text
    assert "综合医院、中医医院、妇幼保健院、专科医院、民营医院 " in text
    assert re.search(r"社区卫生服务中心、乡镇卫生院、门诊部、诊所 \d+ \d+ [\d.]+% 50%", text)


def test_the_annual_summary_reads_as_one(site: Path):
    text = page(site, "campaigns/xingfeng-2024/2025/").text
    headings = ("全年主要数据", "问题查处和整改", "本年典型案例", "年度工作总结和下一年度工作计划")
    for heading in headings:
        assert heading in text
    assert "2026年工作计划" in text  # the authority's own text, written by hand
    assert "尚未发布本年度的工作总结" in page(site, "campaigns/xingfeng-2024/2026/").text


def test_the_data_dictionary_gives_the_resolution_rate_as_computed(site):
    """A journalist who recomputes 办结率 from the dictionary on /data/ gets the published
    figure: the backlog carried in is in the denominator there too."""
    html = (site / "data" / "index.html").read_text(encoding="utf-8")
    row = next(r for r in html.split("<tr>") if "complaint_resolution_rate" in r)
    assert "期初尚未办结" in row and "受理投诉举报" in row and "办结投诉举报" in row


def test_a_total_row_written_with_a_space_is_not_read(registry):
    from pipeline.check import check_file

    text = "月份,受理投诉举报\n2026-03,3\n合 计,3\n"
    sub = check_file(registry, text.encode(), "2026-03.csv", "qinglan-renmin")
    assert sub.accepted and not sub.problems, sub.problems
