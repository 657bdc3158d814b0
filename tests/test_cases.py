"""Case notices: statuses, embargo, sanitised bodies, and the PII gate on files."""

from datetime import datetime

from pipeline.base.periods import BEIJING
from pipeline.cases import listed, load_case, load_cases, visible

NOTICE = """---
id: {id}
title: 某医院医生收受红包被处理
date: 2026-01-05
category: red_envelope
status: {status}
{extra}
---

{body}
"""


def write_case(
    folder, body="医生王某收受红包。", status="published", extra="", case_id="test-case"
):
    path = folder / f"{case_id}.md"
    path.write_text(
        NOTICE.format(id=case_id, status=status, extra=extra, body=body), encoding="utf-8"
    )
    return path


def test_demo_cases_cover_every_category_and_pass_the_gate(registry):
    cases = load_cases(registry)
    assert all(not c.problems for c in cases), [str(p) for c in cases for p in c.problems]
    now = datetime(2026, 11, 22, tzinfo=BEIJING)
    shown = [c for c in cases if listed(c, now)]
    assert len(shown) >= 15
    assert {c.notice.category for c in shown} >= {
        "red_envelope",
        "kickback",
        "overtreatment",
        "insurance_fraud",
        "illegal_practice",
        "advertising",
        "conduct",
        "bribery_enterprise",
        "commendation",
        "other",
    }


def test_status_and_embargo_decide_what_the_public_sees(tmp_path, registry):
    now = datetime(2026, 11, 22, 12, 0, tzinfo=BEIJING)
    draft = load_case(write_case(tmp_path, status="draft"), registry)
    assert not visible(draft, now)
    embargoed = load_case(write_case(tmp_path, extra="embargo: 2026-11-22 13:00"), registry)
    assert not visible(embargoed, now)
    assert visible(embargoed, datetime(2026, 11, 22, 13, 0, tzinfo=BEIJING))  # Beijing time
    retracted = load_case(
        write_case(
            tmp_path,
            status="retracted",
            extra="retraction: {date: 2026-02-01, reason: 经复核与事实不符}",
        ),
        registry,
    )
    assert visible(retracted, now) and not listed(retracted, now)


def test_body_cannot_inject_html_or_script(tmp_path, registry):
    body = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[点我](javascript:alert(3)) [网站](https://example.org/) <a href='data:text/html,x'>x</a>"
        " [明文](http://example.org/plain) [电话](tel:12345) [邮件](mailto:jb@example.org)"
    )
    html = load_case(write_case(tmp_path, body=body), registry).body_html()
    assert "<script" not in html and "onerror" not in html and "<img" not in html
    assert "javascript:" not in html and "data:text" not in html
    assert 'href="https://example.org/"' in html
    assert 'href="tel:12345"' in html and 'href="mailto:jb@example.org"' in html
    assert "http://example.org/plain" not in html  # https, mailto and tel only


def test_the_gate_names_file_line_column_text_and_suggestion(tmp_path, registry):
    body = "经查，\n医生张建华收受红包，联系电话13912345678。"
    case = load_case(write_case(tmp_path, body=body), registry, "cases/test-case.md")
    assert case.refused
    found = {p.code: p for p in case.problems}
    name = found["pii_person_name"]
    assert name.file == "cases/test-case.md" and name.value == "张建华" and name.expected == "张某"
    assert name.row == 11 and name.column == "第3字"
    assert found["pii_mobile"].value == "13912345678"
    assert "人名" in str(name)


def test_pii_in_front_matter_is_refused_too(tmp_path, registry):
    case = load_case(write_case(tmp_path, extra="role: 医生刘德明"), registry)
    assert "pii_person_name" in {p.code for p in case.problems}


def test_a_category_may_be_written_as_its_label_or_a_part_of_one():
    from pydantic import ValidationError

    from pipeline.cases import CaseNotice

    base = {"id": "a-b", "title": "某医院医生收受红包", "district": "城东街道", "role": "医生"}
    base |= {"date": "2026-01-01", "status": "draft"}
    for written, code in [
        ("收受回扣", "kickback"),
        ("回扣", "kickback"),
        ("骗保", "insurance_fraud"),
    ]:
        assert CaseNotice.model_validate({**base, "category": written}).category == code
    try:
        CaseNotice.model_validate({**base, "category": "收受"})  # two labels hold it
        raise AssertionError("an ambiguous category was taken")
    except ValidationError as exc:
        assert "kickback（收受回扣）" in str(exc)


def test_a_yaml_mistake_is_told_in_chinese_with_its_line(registry):
    path = registry.data_dir / "cases" / "2025-mch-conduct.md"
    text = path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: 说明: ", 1)
    path.write_text(text, encoding="utf-8")
    [problem] = [p for p in load_case(path, registry).problems if p.code == "yaml_invalid"]
    assert "第" in problem.message and "加引号" in problem.message, problem.message
    assert "mapping values" not in problem.message
