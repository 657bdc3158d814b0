"""Closed institutions (``active_to`` in the registry): no month after the last one is
missing or expected; the page and the directory say 已停业 with the date; the channels
leave the report page, which names the institutions instead and sends reports about
them to the authority.

The demo's 馨园诊所 closed after 2026-03. A copy of the demo also closes 安和诊所 after
its last file (2026-08; in the demo its 2026-09 and 2026-10 are 未报送) and gives
区康复医院 a closure still to come (2026-12)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from pipeline.aggregate import aggregate
from pipeline.base.registry import load_registry
from pipeline.build import build, prepare
from pipeline.history.channels import closed_by, directory
from pipeline.history.punctuality import MISSING, punctuality
from pipeline.site.figures import month_after
from tests.conftest import NOW, ROOT
from tests.test_build import page

CLOSED = "xinyuan-clinic"  # the demo's: active_to 2026-03
CLOSED_PHONE = "0000-84490487"
ANHE, ANHE_PHONE = "anhe-clinic", "0000-83208061"
REHAB = "qinglan-rehab"


def rows(site: Path, name: str) -> list[dict[str, str]]:
    with (site / "data" / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def article(site: Path, url: str) -> str:
    """The page's own content (no navigation), as text."""
    text = html(site, url)
    return page_text(text[text.index("<article") : text.index("</article>")])


def page_text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))


def authority_month(site: Path, period_type: str, period: str) -> tuple[int, int]:
    """(reporting, expected) of the whole authority in statistics.csv."""
    [row] = {
        (r["reporting"], r["expected"])
        for r in rows(site, "statistics.csv")
        if r["level"] == "authority" and r["period_type"] == period_type and r["period"] == period
    }
    return int(row[0]), int(row[1])


@pytest.fixture(scope="module")
def closing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo with 安和诊所 closed after 2026-08 and 区康复医院 closing after 2026-12
    (removed when the module is done, not left for the end of the run)."""
    import shutil

    base = tmp_path_factory.mktemp("closing")
    data = base / "data"
    shutil.copytree(ROOT / "data", data)
    registry = data / "registry" / "institutions.csv"
    text = registry.read_text(encoding="utf-8")
    for inst, last in ((ANHE, "2026-08"), (REHAB, "2026-12")):
        text, n = re.subn(rf"^({inst},.*,2020-01),$", rf"\g<1>,{last}", text, flags=re.M)
        assert n == 1, inst
    registry.write_text(text, encoding="utf-8")
    out = base / "public"
    build(data, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    yield out
    shutil.rmtree(base, ignore_errors=True)


# -- what counts as closed -------------------------------------------------------------


def test_an_institution_is_closed_once_its_last_month_is_over(registry):
    assert registry.institutions[CLOSED].active_to == "2026-03"
    assert CLOSED not in closed_by(registry, date(2026, 3, 31))
    assert closed_by(registry, date(2026, 4, 1)) == {CLOSED}
    assert month_after("2026-03") == "2026年4月" and month_after("2026-12") == "2027年1月"


def test_a_closed_institution_s_channels_are_kept_apart(registry):
    before = directory(registry, date(2026, 3, 31))
    after = directory(registry, date(2026, 4, 1))
    assert [c.value for c in before.channels if c.owner == CLOSED] == [CLOSED_PHONE]
    assert not before.closed
    assert not [c for c in after.channels if c.owner == CLOSED]
    assert [c.value for c in after.closed] == [CLOSED_PHONE]
    assert len(after.channels) + len(after.closed) == len(before.channels)


# -- not missing, not expected ---------------------------------------------------------


def test_months_after_closing_are_neither_missing_nor_expected(registry):
    """On the functions: the punctuality table and the completeness denominators of the
    aggregates leave out every month after ``active_to``."""
    months = registry.campaigns[0].months("2026-10")
    prep = prepare(registry.data_dir, NOW, run_collect=False)
    reg = prep.registry
    table = punctuality(reg, months, NOW.date()).table
    mine = table[table.institution_id == CLOSED]
    assert mine.period.max() == "2026-03"
    assert len(mine) == months.index("2026-03") + 1  # every month until it closed
    agg = aggregate(reg, prep.checked.table, reg.campaigns[0], "2026-10")
    active = [i for i in reg.reporting_institutions if i.active_in("2026-10")]
    assert len(active) == len(reg.reporting_institutions) - 1
    assert agg.completeness("month", "2026-10")[1] == len(active)
    assert agg.completeness("month", "2026-03")[1] == len(active) + 1
    # Its own year: the three months it was open, all reported.
    assert agg.completeness("year", "2026", "institution", CLOSED) == (3, 3)

    # Closing 安和诊所 after 2026-08 turns its 未报送 2026-09 and 2026-10 into nothing.
    anhe = table[table.institution_id == ANHE].set_index("period").status
    assert anhe["2026-09"] == anhe["2026-10"] == MISSING
    inst = reg.institutions[ANHE]
    reg.institutions[ANHE] = inst.model_copy(update={"active_to": "2026-08"})
    closed = punctuality(reg, months, NOW.date()).table
    assert closed[closed.institution_id == ANHE].period.max() == "2026-08"
    assert len(closed) == len(table) - 2
    assert (closed.status == MISSING).sum() == (table.status == MISSING).sum() - 2
    agg2 = aggregate(reg, prep.checked.table, reg.campaigns[0], "2026-10")
    assert agg2.completeness("month", "2026-10") == (
        agg.completeness("month", "2026-10")[0],
        agg.completeness("month", "2026-10")[1] - 1,
    )
    assert agg2.completeness("month", "2026-08") == agg.completeness("month", "2026-08")


def test_open_data_has_no_missing_month_after_closing(site, closing):
    demo = [r for r in rows(site, "punctuality.csv") if r["institution_id"] == ANHE]
    assert [(r["period"], r["status"]) for r in demo][-2:] == [
        ("2026-09", MISSING),
        ("2026-10", MISSING),
    ]
    for built, inst, last in ((site, CLOSED, "2026-03"), (closing, ANHE, "2026-08")):
        mine = [r for r in rows(built, "punctuality.csv") if r["institution_id"] == inst]
        assert mine and max(r["period"] for r in mine) == last
    # The authority's completeness: one fewer expected after 安和诊所 closed, as many
    # reporting; unchanged while it was open.
    reporting, expected = authority_month(site, "month", "2026-10")
    assert authority_month(closing, "month", "2026-10") == (reporting, expected - 1)
    assert authority_month(closing, "month", "2026-08") == authority_month(site, "month", "2026-08")
    year = authority_month(site, "year", "2026")
    assert authority_month(closing, "year", "2026") == (year[0], year[1] - 2)
    # Its page counts two missing months fewer (2025-08, before it closed, stays).
    text = article(closing, f"institutions/{ANHE}/")
    missing = re.compile(r"未报送 (\d+) 个月")
    before = article(site, f"institutions/{ANHE}/")
    assert int(missing.findall(text)[0]) == int(missing.findall(before)[0]) - 2
    assert "2026年8月以后的月份不在报送范围内" in text and "2025年8月 未报送" in text
    assert not re.search(r"2026年(9|10)月 未报送", text)


# -- the pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("which", "inst", "last", "after", "phone"),
    [
        ("demo", CLOSED, "2026年3月", "2026年4月", CLOSED_PHONE),
        ("closing", ANHE, "2026年8月", "2026年9月", ANHE_PHONE),
    ],
)
def test_the_institution_page_says_closed_and_whom_to_contact(
    site, closing, which, inst, last, after, phone
):
    built = site if which == "demo" else closing
    page_html = html(built, f"institutions/{inst}/")
    text = article(built, f"institutions/{inst}/")
    # At the top, before the facts.
    assert text.index(f"已停业 （自{after}起不再报送）") < text.index("简称")
    assert f"最后报送的月份为{last}" in text
    assert f"状态 已停业（自{after}起不再报送）" in text
    # Whom to contact instead: the authority's channels, as links.
    assert "请向青岚区卫生健康委员会举报" in text
    assert 'href="tel:000081230001"' in page_html and "0000-81230001" in text
    # Its own channel is shown as out of use, never as a link to call.
    assert f"电话（已停止使用） {phone}" in text
    assert f'href="tel:{phone.replace("-", "")}"' not in page_html
    # Its figures stay.
    assert 'class="portal-figures"' in page_html and "报送完整度" in text


def test_the_directory_marks_closed_institutions_and_lists_them_last(site, closing):
    for built, closed in ((site, [CLOSED]), (closing, [ANHE, CLOSED])):
        table = html(built, "institutions/")
        ids = re.findall(r'<a href="\.\./institutions/([a-z0-9-]+)/">', table)
        assert set(ids[-len(closed) :]) == set(closed)  # still listed, after the others
        for inst in closed:
            row = re.search(
                rf'<tr class="([^"]*)" data-filter-text="([^"]*)">\s*'
                rf'<th scope="row"><a href="\.\./institutions/{inst}/">.*?</tr>',
                table,
                re.S,
            )
            assert row and "portal-institution-row" in row[1].split()
            assert "已停业" in row[2]  # a filter for 已停业 finds them
            assert "已停业（自" in page_text(row[0])
    text = article(site, "institutions/")
    assert "另有 1 家已停业" in text and "馨园诊所 已停业（自2026年4月起不再报送）" in text
    assert "另有 2 家已停业" in article(closing, "institutions/")
    # A closure still to come is said as such, not as closed.
    rehab = article(closing, "institutions/")
    assert "青岚区康复医院 （将停业：2026年12月为最后报送月份）" in rehab


def test_report_page_drops_closed_institutions_and_says_where_to_report(site, closing):
    both = {CLOSED: CLOSED_PHONE, ANHE: ANHE_PHONE}
    for built, closed in ((site, {CLOSED: CLOSED_PHONE}), (closing, both)):
        report = html(built, "report/")
        text = article(built, "report/")
        for inst, phone in closed.items():
            assert f'id="{inst}"' not in report
            assert phone not in report
        assert "已停业的机构不再列出举报渠道，原渠道已停止使用" in text
        assert "请向 青岚区卫生健康委员会 举报" in text and 'href="#qinglan-wjw"' in report
        # The finder and the district pages name them as closed, without their channels.
        finder = json.loads((built / "report" / "institutions.json").read_text(encoding="utf-8"))
        shut = {row[0]: row for row in finder["rows"] if row[-1]}
        assert set(shut) == set(closed) and all(row[-2] == "" for row in shut.values())
        districts = "".join(
            p.read_text(encoding="utf-8") for p in (built / "report/districts").glob("*/index.html")
        )
        for inst, phone in closed.items():
            assert f'id="{inst}"' in districts and phone not in districts
        assert "已停业，原渠道已停止使用" in districts
        # Open data: the channels are no longer listed as a way to report.
        owners = {r["owner"] for r in rows(built, "channels.csv")}
        assert not owners & set(closed)
    # Every channel of an institution in service is still on its page, as in the demo.
    registry = load_registry(closing.parent / "data")
    for ch in directory(registry, NOW.date()).channels:
        if ch.owner != "national" and ch.owner != registry.config.authority_id:
            assert ch.value in page(closing, f"institutions/{ch.owner}/").text, ch.value


def test_a_closure_still_to_come_changes_nothing_yet(site, closing):
    district = next(
        p.read_text(encoding="utf-8")
        for p in (closing / "report/districts").glob("*/index.html")
        if f'id="{REHAB}"' in p.read_text(encoding="utf-8")
    )
    assert 'href="tel:000088545140"' in district
    text = article(closing, f"institutions/{REHAB}/")
    assert "已停业" not in text and "将停业：2026年12月为最后报送月份" in text
    assert 'href="tel:000088545140"' in html(closing, f"institutions/{REHAB}/")
    # Its months up to the closure are expected as before.
    assert [r for r in rows(closing, "punctuality.csv") if r["institution_id"] == REHAB] == [
        r for r in rows(site, "punctuality.csv") if r["institution_id"] == REHAB
    ]
