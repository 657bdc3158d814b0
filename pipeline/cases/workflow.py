"""The press office's acts on case notices, as a Python API: create a draft, publish,
correct, retract. ``portal new-case``, ``publish``, ``correct`` and ``retract`` are these
functions with arguments parsed and problems printed.

Every act checks the case file as it will be after the act with the same checks as the
build (the PII gate on what the public reads, the careless-case checks, the front
matter's model); only then does it write the file, append a row to the ledger
(``cases/ledger.csv``) and keep the file as recorded (:mod:`pipeline.cases.ledger`).

Two kinds of refusal, for the caller to tell apart:
:class:`NotPossible` (the act makes no sense as asked: no such case, published already,
nothing changed; the command line's usage error) and :class:`~pipeline.base.problems.DataError`
(the case as it would be has problems the build would refuse it for).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from pipeline.base.periods import BEIJING
from pipeline.base.problems import DataError, Problem, validation_problems
from pipeline.base.readers import decode_text
from pipeline.base.registry import ID_PATTERN, Registry, load_registry
from pipeline.cases import (
    Case,
    CaseNotice,
    body_start,
    careless,
    case_bodies,
    copied,
    digest,
    gate,
    ledger,
    load_case,
    scaffold,
    update_front_matter,
)


class NotPossible(ValueError):
    """The act cannot be done as asked; the message says why and what to do instead."""


def now() -> datetime:
    """The time an act is recorded at: Beijing time, to the second."""
    return datetime.now(BEIJING).replace(microsecond=0)


def new_case(data_dir: Path, notice: CaseNotice) -> tuple[Path, list[Problem]]:
    """Write a draft for ``notice`` (``cases/<id>.md``, the template's placeholder as its
    body). Returns its path and what the PII gate finds in it that does not refuse it.
    A draft whose fields identify a person (a name in the title) is not written: the
    cases folder is kept in the repository, drafts included."""
    registry = load_registry(data_dir)
    if notice.institution and notice.institution not in registry.institutions:
        raise NotPossible(f"机构名录中没有 {notice.institution}")
    path = data_dir / "cases" / f"{notice.id}.md"
    if path.exists():
        raise NotPossible(f"{path} 已存在；换一个 --id。")
    text = scaffold(notice)
    problems = gate(text, f"cases/{path.name}", registry)
    if any(p.blocking for p in problems):
        raise DataError(problems)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, problems


def publish(data_dir: Path, case_id: str, by: str, at: datetime | None = None) -> Case:
    """Publish a draft: status published, the publisher and the day in its front matter."""
    _said("发布人（--by）", by)
    registry = load_registry(data_dir)
    case = _case(registry, case_id)
    if case_id in ledger.latest(ledger.read(data_dir)):
        raise NotPossible(
            f"{case_id} 已经发布过；修改后用 portal correct {case_id} --note '更正说明' "
            "--by '部门或岗位' 记录更正。"
        )
    at = at or now()
    changes = {"status": "published", "published_by": by, "published_on": at.date()}
    copy = copied(case, case_bodies(data_dir), severity="error")
    return _act(registry, case, "published", by, at, changes, given={"--by": by}, more=[copy])


def correct(
    data_dir: Path, case_id: str, by: str, note: str = "", at: datetime | None = None
) -> str:
    """Record the edit of a published case as a correction. With ``note``, a dated entry
    is added to its corrections; without, the entries written by hand since the last
    act are the note. Returns the note recorded."""
    _said("更正人（--by）", by)
    registry = load_registry(data_dir)
    case = _case(registry, case_id, published=True)
    last = ledger.latest(ledger.read(data_dir))[case_id]
    recorded = last.corrections
    notice = case.notice
    assert notice is not None
    at = at or now()
    changes: dict[str, object] = {}
    if note and case.sha256 == last.sha256:
        raise NotPossible("案例文件没有改动：先修改案例，再用 portal correct 记录更正。")
    if note:
        fixes = [c.model_dump(mode="json") for c in notice.corrections]
        changes["corrections"] = [*fixes, {"date": at.date(), "note": note}]
    elif len(notice.corrections) <= recorded:
        raise NotPossible("没有新的更正说明：用 --note 写明改了什么。")
    elif case.sha256 == last.sha256:
        raise NotPossible("案例没有改动，无需更正。")
    given = {"--by": by, "--note": note}
    note = note or "；".join(c.note for c in notice.corrections[recorded:])
    _act(registry, case, "corrected", by, at, changes, note, given)
    return note


def retract(data_dir: Path, case_id: str, by: str, reason: str, at: datetime | None = None) -> Case:
    """Retract a published case: its page keeps the title, the dates and the reason."""
    _said("撤回人（--by）", by)
    _said("撤回原因（--reason）", reason)
    registry = load_registry(data_dir)
    case = _case(registry, case_id, published=True)
    at = at or now()
    changes = {"status": "retracted", "retraction": {"date": at.date(), "reason": reason}}
    given = {"--by": by, "--reason": reason}
    return _act(registry, case, "retracted", by, at, changes, reason, given)


# What an option's words should be, said when the gate refuses them, and what to write
# instead (by default, the gate's own suggestion: 张某).
_ASKED = {"--by": ("：请写部门或岗位", "部门或岗位（如：宣传科）")}


def _said(what: str, value: str) -> None:
    """Who acted, the note, the reason: published words, never empty."""
    if not value.strip():
        raise NotPossible(f"{what}不能为空")


def _case(registry: Registry, case_id: str, published: bool = False) -> Case:
    """The case an act is on; refused when it cannot be acted on."""
    data_dir = registry.data_dir
    if not re.match(ID_PATTERN, case_id):
        raise NotPossible(f"案例编号格式不对：{case_id!r}（小写字母、数字和连字符）")
    path = data_dir / "cases" / f"{case_id}.md"
    if not path.exists():
        raise NotPossible(f"没有这个案例：{path}")
    case = load_case(path, registry, f"cases/{path.name}")
    if published:
        last = ledger.latest(ledger.read(data_dir)).get(case_id)
        if case.notice is not None and case.notice.status == "retracted":
            raise NotPossible(f"{case_id} 已经撤回，不能再更正或撤回。")
        if case.notice is None or last is None or case.notice.status != "published":
            raise NotPossible(f"{case_id} 不是已发布的案例（草稿直接修改即可）。")
    if case.refused:
        raise DataError(case.problems)
    return case


def _act(
    registry: Registry,
    case: Case,
    action: ledger.Action,
    by: str,
    at: datetime,
    changes: Mapping[str, object],
    note: str = "",
    given: Mapping[str, str] | None = None,
    more: Iterable[Problem | None] = (),
) -> Case:
    """Apply ``changes`` to the case's front matter, check it again and record the act.
    ``given``: the words given on the command line, by option (--by, --note, --reason):
    what the gate finds in them is reported under the option's name, not at a line of a
    file the refused act never wrote."""
    data_dir = registry.data_dir
    name = f"cases/{case.path.name}"
    text, meta = update_front_matter(case.path, changes)
    # Who acted goes into the public ledger (cases/ledger.csv) as well as the file.
    in_options = [
        replace(
            p,
            message=f"{p.message}（{option} {value}{_ASKED.get(option, ('', ''))[0]}）",
            row=None,
            column=None,
            expected=_ASKED[option][1] if option in _ASKED else p.expected,
        )
        for option, value in (given or {}).items()
        if value
        for p in gate(value, name, registry)
    ]
    found = {p.value for p in in_options}
    # The same checks as the build, on the file as it will be after this act.
    problems = in_options + [p for p in gate(text, name, registry) if p.value not in found]
    problems += [p for p in more if p is not None]
    try:
        notice = CaseNotice.model_validate(meta)
        problems += careless(
            notice,
            case.body,
            name,
            registry,
            body_line=body_start(decode_text(case.path.read_bytes())[0]),
        )
    except ValidationError as exc:
        problems += validation_problems(exc, name, "case_invalid")
    if any(p.blocking for p in problems):
        raise DataError(problems)
    case.path.write_text(text, encoding="utf-8")
    entry = ledger.Entry(
        case_id=case.path.stem,
        action=action,
        recorded_at=at.isoformat(),
        by=by,
        sha256=digest(text),
        corrections=len(meta.get("corrections") or []),
        note=" ".join(note.split()),
    )
    ledger.append(data_dir, entry)
    ledger.keep(data_dir, case.path.stem, text)
    return load_case(case.path, registry, name)
