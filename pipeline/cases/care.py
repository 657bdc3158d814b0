"""What a careful press officer would not publish: the template's placeholder, an
unknown district, an institution in another district, a date in the future, a
copy of another case; and what the page would show otherwise than written (a name
masked with asterisks, which Markdown reads as emphasis)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from pipeline.base import periods
from pipeline.base.problems import Problem
from pipeline.base.readers import decode_text
from pipeline.base.registry import Registry
from pipeline.cases.notice import (
    PLACEHOLDER,
    Case,
    CaseNotice,
    FrontMatterError,
    read_front_matter,
    render_body,
    shown_text,
)
from pipeline.privacy.pii import SURNAME_PATTERN

# A surname masked with asterisks (张**, 李*): Markdown reads two of them as emphasis.
_STAR_MASK = re.compile(f"{SURNAME_PATTERN}\\*{{1,3}}(?!\\*)")

# Values that pass validation, to stand in for the wrong ones while the rest is checked.
_STAND_INS: dict[str, Any] = {
    "title": "（标题）",
    "date": date(2000, 1, 1),
    "category": "other",
    "amount_yuan": None,
    "embargo": None,
    "published_on": None,
    "corrections": (),
    "retraction": None,
    "status": "draft",
}


def stand_in(meta: dict[str, Any], wrong: set[str], case_id: str) -> CaseNotice | None:
    """The front matter with each ``wrong`` field replaced by a value that passes
    (unknown fields dropped), or None when that does not validate either."""
    fields = CaseNotice.model_fields
    fixed = {k: v for k, v in meta.items() if k in fields and k not in wrong}
    fixed |= {k: _STAND_INS.get(k, "") for k in wrong if k in fields}
    fixed["id"] = fixed.get("id") if "id" not in wrong else case_id
    try:
        return CaseNotice.model_validate(fixed)
    except ValidationError:
        return None


def careless(
    notice: CaseNotice,
    body: str,
    name: str,
    registry: Registry,
    today: date | None = None,
    body_line: int | None = None,
) -> list[Problem]:
    """What a careful press officer would not publish: the template's placeholder still
    in the body, a district the registry does not know, an institution in another
    district than the case says, a notice dated in the future. ``body_line``: the line
    of the file the body starts on."""
    today = today or periods.today()
    # A draft is work in progress: told, not refused, until it is published.
    severity: Literal["error", "warning"] = "warning" if notice.status == "draft" else "error"
    found = []
    if PLACEHOLDER in body:
        found.append(
            Problem(
                name,
                "placeholder",
                "正文仍是模板中的提示文字，请写明基本情况后再发布",
                row=None
                if body_line is None
                else body_line + body.count("\n", 0, body.index(PLACEHOLDER)),
                severity=severity,
            )
        )
    if "*" in body and (lost := _masks_lost(body)):
        at = body.index(lost[0])
        found.append(
            Problem(
                name,
                "mask_as_emphasis",
                f"“{lost[0]}”中的星号在网页上会被当作加粗或斜体标记而不显示（页面上只剩姓氏）",
                row=None if body_line is None else body_line + body.count("\n", 0, at),
                value="、".join(lost),
                expected="姓名遮蔽写作“" + "、".join(m.rstrip("*") + "某" for m in lost) + "”",
                severity="warning",  # the page reads wrongly, but nothing leaks
            )
        )
    districts = {i.district for i in registry.institutions.values()}
    if notice.district and notice.district not in districts:
        found.append(
            Problem(
                name,
                "unknown_district",
                "片区不在机构名录中",
                column="district",
                value=notice.district,
                expected="、".join(sorted(districts)),
                severity=severity,
            )
        )
    inst = registry.institutions.get(notice.institution or "")
    if inst and notice.district and inst.district != notice.district:
        found.append(
            Problem(
                name,
                "district_mismatch",
                f"机构「{inst.name}」位于{inst.district}，与案例的片区不符",
                column="district",
                value=notice.district,
                expected=inst.district,
                severity=severity,
            )
        )
    if notice.date > today:
        found.append(
            Problem(
                name,
                "future_date",
                "通报日期晚于今天",
                column="date",
                value=str(notice.date),
                expected=f"不晚于 {today}（北京时间）",
                severity=severity,
            )
        )
    return found


def copied(
    case: Case, others: Iterable[Case], severity: Literal["error", "warning"] = "warning"
) -> Problem | None:
    """A draft whose facts are another case's, word for word: a notice started from a
    copy of another and not yet rewritten (told while a draft, refused at publishing)."""
    words = _facts(case.body)
    if not words:
        return None
    same = next(
        (o for o in others if o.path.stem != case.path.stem and _facts(o.body) == words), None
    )
    if same is None:
        return None
    return Problem(
        f"cases/{case.path.name}",
        "copied_case",
        f"正文与 cases/{same.path.name} 完全相同（复制后未改写？）",
        expected="写明本案的基本情况",
        severity=severity,
    )


def case_bodies(data_dir: Path) -> list[Case]:
    """The case files of ``data_dir``, their bodies only (to find a copy among them)."""
    cases = []
    for path in sorted((data_dir / "cases").glob("*.md")):
        try:
            _, body = read_front_matter(decode_text(path.read_bytes())[0].replace("\r\n", "\n"))
        except (FrontMatterError, UnicodeDecodeError):
            continue  # a broken file is its own problem, told by check and build
        cases.append(Case(path=path, notice=None, body=body))
    return cases


def _masks_lost(body: str) -> list[str]:
    """The masks written with asterisks (张**) whose asterisks the page would not show."""
    shown = shown_text(render_body(body))
    masks = dict.fromkeys(m.group() for m in _STAR_MASK.finditer(body))
    return [m for m in masks if m not in shown]


@lru_cache(maxsize=4096)
def _facts(body: str) -> str:
    """A body as compared for copies: its words, whitespace aside; none while it is still
    the template's placeholder."""
    return "" if PLACEHOLDER in body else " ".join(body.split())
