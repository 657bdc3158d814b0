"""No careless case goes live: the checks a careful press officer makes, the same in
`portal check`, `portal publish` and the build; drafts in the preview; a retraction
takes the allegation down; case dates in Beijing time."""

from __future__ import annotations

import os
import shutil
from datetime import date

import pytest

from pipeline.base.registry import vocabulary
from pipeline.cases import load_case
from pipeline.serve import Preview
from tests.conftest import ROOT, portal_here, run_portal

DRAFT = "2026-second-red-envelope-draft"
PUBLISHED = "2025-mch-conduct"


def _edit(registry, case_id, old, new):
    path = registry.data_dir / "cases" / f"{case_id}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _codes(case):
    return {p.code: p for p in case.problems}


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("district: 城东街道", "district: 不存在镇", "unknown_district"),
        ("date: '2025-09-09'", "date: '2026-12-01'", "future_date"),
    ],
)
def test_a_careless_published_case_is_refused(registry, old, new, code):
    path = _edit(registry, PUBLISHED, old, new)
    case = load_case(path, registry, today=date(2026, 11, 22))
    assert code in _codes(case) and _codes(case)[code].blocking, case.problems


def test_a_case_in_another_district_than_its_institution_is_refused(registry):
    path = registry.data_dir / "cases" / f"{PUBLISHED}.md"
    case = load_case(path, registry)
    assert case.notice is not None and case.notice.district
    other = next(
        d for d in {i.district for i in registry.institutions.values()} if d != case.notice.district
    )
    _edit(registry, PUBLISHED, f"district: {case.notice.district}", f"district: {other}")
    refused = load_case(path, registry)
    assert _codes(refused)["district_mismatch"].expected == case.notice.district


def test_the_placeholder_refuses_a_published_case_and_warns_on_a_draft(registry):
    placeholder = "（在此写明基本情况：时间、机构和科室。）"
    path = _edit(registry, PUBLISHED, "\n---\n", f"\n---\n{placeholder}\n")
    assert _codes(load_case(path, registry))["placeholder"].blocking
    draft = _edit(registry, DRAFT, "\n---\n", f"\n---\n{placeholder}\n")
    problem = _codes(load_case(draft, registry))["placeholder"]
    assert not problem.blocking  # a draft is work in progress
    # Where the office finds it: the line of the file.
    lines = draft.read_text(encoding="utf-8").split("\n")
    assert lines[problem.row - 1] == placeholder


def test_the_chinese_category_label_is_accepted(registry):
    label = vocabulary()["case_categories"]["red_envelope"]
    path = _edit(registry, DRAFT, "category: red_envelope", f"category: {label}")
    case = load_case(path, registry)
    assert case.notice is not None and case.notice.category == "red_envelope"
    assert not case.refused


def test_a_new_case_is_dated_in_beijing_and_cannot_be_published_as_scaffolded(data_dir):
    if not shutil.which("faketime"):
        if os.environ.get("CI"):
            pytest.fail("faketime is not installed: CI must install Debian's faketime package")
        pytest.skip("faketime is not installed (apt-get install faketime)")
    args = ["--data", str(data_dir), "--id", "2026-night-case", "--title", "某医院收受红包问题通报"]
    args += ["--category", "red_envelope", "--district", "城东街道", "--role", "医生"]
    # 20:30 in UTC on the 26th is 04:30 on the 27th in Beijing.
    made = run_portal("new-case", *args, faketime="2026-11-26 20:30:00")
    assert made.returncode == 0, made.stderr
    text = (data_dir / "cases" / "2026-night-case.md").read_text(encoding="utf-8")
    assert "date: '2026-11-27'" in text
    run = run_portal(
        "publish",
        "--data",
        str(data_dir),
        "2026-night-case",
        "--by",
        "宣传科",
        faketime="2026-11-27 02:00:00",
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert "模板" in run.stdout + run.stderr
    assert "status: draft" in (data_dir / "cases" / "2026-night-case.md").read_text("utf-8")


def test_drafts_show_in_the_preview_only_when_asked_and_marked(data_dir, tmp_path, request):
    page = ("cases", DRAFT, "index.html")
    plain = Preview(data_dir, tmp_path / "a", ROOT / "mkdocs.yml")
    request.addfinalizer(plain.close)
    plain.rebuild()
    assert not plain.site.joinpath(*page).exists()
    drafts = Preview(data_dir, tmp_path / "b", ROOT / "mkdocs.yml", drafts=True)
    request.addfinalizer(drafts.close)
    drafts.rebuild()
    html = drafts.site.joinpath(*page).read_text(encoding="utf-8")
    assert "草稿预览" in html and "【草稿】" in html


def test_a_retracted_case_keeps_its_notice_and_drops_the_allegation(site):
    html = (site / "cases" / "2025-nanxi-conduct" / "index.html").read_text(encoding="utf-8")
    assert "南溪镇卫生院工作人员态度生硬问题通报" in html  # the title stays
    assert "撤回" in html and "与事实不符" in html
    assert "收费窗口工作人员态度生硬" not in html  # the facts are gone
    assert "批评教育" not in html  # and the sanctions


def test_a_refused_draft_shows_what_to_fix_in_the_drafts_preview(data_dir, tmp_path, request):
    case = data_dir / "cases" / f"{DRAFT}.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n医生张建华收受红包。\n", "utf-8")
    drafts = Preview(data_dir, tmp_path / "b", ROOT / "mkdocs.yml", drafts=True)
    request.addfinalizer(drafts.close)
    drafts.rebuild()
    html = drafts.site.joinpath("cases", DRAFT, "index.html").read_text(encoding="utf-8")
    assert "未通过检查" in html and "人名" in html and "张某" in html
    assert "收受红包。" not in html.split("portal-problems")[0]  # the body is not shown
    # Fixed and saved: the preview follows the edit and shows the draft itself.
    case.write_text(case.read_text(encoding="utf-8").replace("张建华", "张某"), "utf-8")
    assert drafts.poll(wait=10) is not None
    html = drafts.site.joinpath("cases", DRAFT, "index.html").read_text(encoding="utf-8")
    assert "草稿预览" in html and "未通过检查" not in html


def test_one_wrong_field_does_not_hide_the_other_problems(registry):
    """A category the model refuses, and still the district and the date are checked."""
    path = _edit(registry, DRAFT, "category: red_envelope", "category: 回报")
    text = path.read_text(encoding="utf-8")
    district = next(line for line in text.split("\n") if line.startswith("district:"))
    path.write_text(text.replace(district, "district: 火星街道"), encoding="utf-8")
    codes = _codes(load_case(path, registry))
    assert {"case_invalid", "unknown_district"} <= set(codes), codes


def test_a_draft_copied_from_another_case_is_told_and_not_published(data_dir):
    """A press officer starts a notice from a copy of last month's and forgets to rewrite
    the facts: check tells it, publish refuses it, the build lists it; rewritten, it goes."""
    from pipeline.base.registry import load_registry
    from pipeline.cases import FRONT_MATTER, load_cases

    cases = data_dir / "cases"
    draft = cases / f"{DRAFT}.md"
    facts = FRONT_MATTER.sub("", (cases / f"{PUBLISHED}.md").read_text(encoding="utf-8"))
    mine = draft.read_text(encoding="utf-8")
    draft.write_text(FRONT_MATTER.match(mine).group(0) + facts, encoding="utf-8")
    checked = portal_here("check", "--data", data_dir, f"cases/{DRAFT}.md")
    said = checked.stdout + checked.stderr
    assert checked.returncode == 0 and f"cases/{PUBLISHED}.md 完全相同" in said, said
    assert "发布时会被拒绝" in said
    built = {c.path.stem: c for c in load_cases(load_registry(data_dir))}
    assert any(p.code == "copied_case" for p in built[DRAFT].problems)
    assert not any(p.code == "copied_case" for p in built[PUBLISHED].problems)
    refused = portal_here("publish", "--data", data_dir, DRAFT, "--by", "宣传科")
    assert refused.returncode == 1 and "完全相同" in refused.stdout + refused.stderr
    draft.write_text(draft.read_text(encoding="utf-8") + "\n经复核，另有一名护士长受到诫勉谈话。\n")
    done = portal_here("publish", "--data", data_dir, DRAFT, "--by", "宣传科")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_name_masked_with_asterisks_is_told_before_the_page_shows_it_as_bold(registry):
    """张**、李**二人 renders as 张<strong>、李</strong>二人: the page would say 张、李二人.
    check and publish tell the office where and what to write instead; nothing leaks, so
    it does not stop publishing. A mask the page keeps (one, alone) is not told."""
    path = _edit(registry, DRAFT, "\n---\n", "\n---\n药剂科张**、李**二人被给予警告处分。\n")
    problem = _codes(load_case(path, registry))["mask_as_emphasis"]
    assert not problem.blocking
    assert problem.value == "张**、李**" and problem.expected == "姓名遮蔽写作“张某、李某”"
    assert path.read_text(encoding="utf-8").split("\n")[problem.row - 1].startswith("药剂科张**")
    checked = portal_here("check", "--data", registry.data_dir, f"cases/{DRAFT}.md")
    assert checked.returncode == 0 and "张某、李某" in checked.stdout + checked.stderr
    kept = _edit(registry, DRAFT, "张**、李**二人", "张**一人")
    assert "mask_as_emphasis" not in _codes(load_case(kept, registry))
