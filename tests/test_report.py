"""The report page (issue 17): the same light page at any size, with the national lines
and the authority's channels, a finder whose index loads on use and district pages
for readers without script; each institution's page carries its supervisor's and the
national channels; the channel kinds the seeds list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.base.registry import Channel, load_registry
from tests.conftest import portal_here, run_portal
from tests.test_build import _first_load_kb, page


def test_report_page_weighs_the_same_at_300_institutions_as_the_demo(site, tmp_path):
    data, out = tmp_path / "syn", tmp_path / "site"
    made = portal_here(
        "demo", "--institutions", "300", "--months", "4", "--cases", "10", "--out", str(data)
    )
    assert made.returncode == 0, made.stderr
    # In a process of its own: jieba loads its dictionary afresh there, and says nothing.
    built = run_portal("build", "--data", str(data), "--out", str(out), "--quiet")
    assert built.returncode == 0, built.stderr
    assert "prefix dict" not in built.stderr and "Loading model" not in built.stderr  # jieba
    demo, _ = _first_load_kb(site, "report")
    large, _ = _first_load_kb(out, "report")
    assert demo < 100 and large < 100, (demo, large)
    assert abs(large - demo) < 3, (demo, large)  # KB, gzip: the same page, not a bigger one
    # Every institution is in the finder's index and on its district's page.
    reg = load_registry(data)
    rows = json.loads((out / "report/institutions.json").read_text(encoding="utf-8"))["rows"]
    assert {r[0] for r in rows} == {i.id for i in reg.reporting_institutions}
    listed = "".join(p.read_text("utf-8") for p in (out / "report/districts").glob("*/index.html"))
    assert all(f'id="{i.id}"' in listed for i in reg.reporting_institutions)


def test_finder_index_is_small_and_searchable_by_name_district_type_and_initials(site):
    index = json.loads((site / "report/institutions.json").read_text(encoding="utf-8"))
    assert index["fields"] == [
        *("id", "name", "short", "district", "type", "initials", "phone", "closed")
    ]
    renmin = next(r for r in index["rows"] if r[0] == "qinglan-renmin")
    assert renmin[1:7] == [
        *("青岚区人民医院", "区人民医院", "城东街道", "综合医院", "qlqrmyy", "0000-81439563")
    ]
    html = (site / "report/index.html").read_text(encoding="utf-8")
    assert 'data-finder="../report/institutions.json"' in html
    assert "institutions.json" not in html.replace('data-finder="../report/institutions.json"', "")


def test_report_page_has_the_lines_the_guide_the_finder_and_districts(site):
    text = page(site, "report/").text
    html = (site / "report/index.html").read_text(encoding="utf-8")
    for line in ("12320", "12345", "12393"):
        assert f'href="tel:{line}"' in html
    assert "紧急或不知道找谁" not in text  # 12320 is not an emergency line
    assert "不是急救电话" in text and "欺诈骗保" in text and "不知道找哪个部门" in text
    assert "来访（信访接待）" in text and "接待时间" in text and 'href="sms:' in html
    for word in ("时间", "地点", "保密", "匿名", "实名", "诬告"):
        assert word in text, word
    assert "没有找到" in text and '<label for="finder-input">' in html
    assert 'href="../report/districts/chengdongjiedao/"' in html
    district = page(site, "report/districts/chengdongjiedao/")
    assert "青岚区人民医院" in district.text and "0000-81439563" in district.text
    # No institution's own channels on the report page: they are one click away.
    assert "0000-81439563" not in text


def test_institution_page_names_its_supervisor_with_its_and_the_national_channels(site):
    text = page(site, "institutions/qinglan-renmin/").text
    html = (site / "institutions/qinglan-renmin/index.html").read_text(encoding="utf-8")
    own, supervisor, national = (
        text.index("0000-81439563"),
        text.index("上级主管部门：青岚区卫生健康委员会"),
        text.index("全国统一热线"),
    )
    assert own < supervisor < national
    assert "监管部门 青岚区卫生健康委员会" in text
    for tel in ("000081230001", "12320", "12345", "12393"):
        assert f'href="tel:{tel}"' in html
    # Not search words: the same on every institution's page.
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    docs = [d for d in index["docs"] if d["location"].startswith("institutions/qinglan-renmin/")]
    assert docs and not any("12393" in d["text"] or "81230001" in d["text"] for d in docs)


def test_a_visit_channel_needs_its_address_and_reception_hours():
    ok = {"owner": "x", "value": "信访接待室", "verified_on": date(2026, 11, 1)}
    Channel(kind="visit", address="政和路8号", hours="工作日 9:00-17:00", **ok)
    Channel(kind="sms", **{**ok, "value": "0000-81230002"})
    for missing in ({"address": "政和路8号"}, {"hours": "工作日"}):
        with pytest.raises(ValidationError, match="接待地址"):
            Channel(kind="visit", **missing, **ok)


def test_demo_channels_cover_the_kinds_the_seeds_list():
    reg = load_registry(Path(__file__).resolve().parent.parent / "data")
    kinds = {c.kind for c in reg.channels}
    assert {"phone", "sms", "email", "letter", "visit", "web", "wechat"} <= kinds
    national = {c.value: c.note for c in reg.channels if c.owner == "national"}
    assert set(national) == {"12320", "12345", "12393"} and all(national.values())
