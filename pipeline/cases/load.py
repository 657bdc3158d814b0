"""Reading the case notices of a data directory: each file checked (model, care,
the PII gate), the ledger's verdict on published ones (a changed file shows the
version last recorded), and the notices institutions sent for review."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from pipeline.base.problems import Problem, validation_problems
from pipeline.base.readers import decode_text
from pipeline.base.registry import Registry
from pipeline.cases import ledger
from pipeline.cases.care import careless, copied, stand_in
from pipeline.cases.ledger import audit
from pipeline.cases.notice import (
    FRONT_MATTER,
    MAX_CASE_BYTES,
    Case,
    CaseNotice,
    FrontMatterError,
    body_start,
    content_digest,
    parse_case_text,
)
from pipeline.cases.pii_gate import gate, pinyin_name_in_id, remembered_verdicts
from pipeline.store import latest_snapshots


def load_case(
    path: Path,
    registry: Registry,
    display: str | None = None,
    expected_id: str | None = None,
    today: date | None = None,
) -> Case:
    """Read and validate one case file, and run the PII gate over all of it."""
    name = display or path.name
    expected_id = expected_id or path.stem
    try:
        if not path.is_file():  # a folder, a device, a link to one
            raise FrontMatterError("不是普通文件")
        with path.open("rb") as f:
            content = f.read(MAX_CASE_BYTES + 1)
        if len(content) > MAX_CASE_BYTES:
            raise FrontMatterError(
                f"文件过大（超过 {MAX_CASE_BYTES // 1024} KB），不是一篇案例通报"
            )
        text, _ = decode_text(content)
    except (OSError, UnicodeDecodeError, FrontMatterError) as exc:
        reason = exc if isinstance(exc, FrontMatterError) else "文件应为 UTF-8 或 GBK 编码的文本"
        case = Case(path=path, notice=None, body="")
        case.problems.append(Problem(name, "unreadable", f"无法读取：{reason}"))
        return case
    meta, body, error = parse_case_text(text.replace("\r\n", "\n"))
    case = Case(path=path, notice=None, body=body, sha256=content_digest(meta, body))
    if error is not None:
        code = "yaml_invalid" if FRONT_MATTER.match(text) else "no_front_matter"
        case.problems.append(Problem(name, code, str(error)))
    else:
        try:
            case.notice = CaseNotice.model_validate(meta or {})
        except ValidationError as exc:
            case.problems.extend(validation_problems(exc, name, "case_invalid"))
            # The other checks too, on the fields that are right: one wrong field (a
            # category) should not hide a wrong district or a future date.
            wrong = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if isinstance(meta, dict) and (rest := stand_in(meta, wrong, expected_id)):
                found = careless(rest, case.body, name, registry, today, body_start(text))
                case.problems.extend(p for p in found if p.column not in wrong)
    n = case.notice
    if n is not None:
        case.problems.extend(careless(n, case.body, name, registry, today, body_start(text)))
    if n is not None and (spelled := pinyin_name_in_id(n.id, text)):
        case.problems.append(
            Problem(
                name,
                "pii_person_name",
                "案例编号含有拼音写的姓名（编号会出现在网址中）",
                column="id",
                value=spelled,
                expected="编号用机构和事由（如 2026-renmin-red-envelope），不写人名",
            )
        )
    if n and n.institution and n.institution not in registry.institutions:
        case.problems.append(
            Problem(
                name,
                "unknown_institution",
                "机构编号不在机构名录中",
                column="institution",
                value=n.institution,
            )
        )
    if n and expected_id != n.id:
        case.problems.append(
            Problem(
                name,
                "id_mismatch",
                "文件名应与 id 一致",
                column="id",
                value=n.id,
                expected=f"{n.id}.md",
            )
        )
    case.problems.extend(gate(text, name, registry))
    return case


def load_cases(
    registry: Registry, today: date | None = None, as_recorded: bool = True
) -> list[Case]:
    """Every case notice of the press office (``data/cases/*.md``), sorted newest first.
    ``today`` (Beijing) is the build's day: a notice dated later is refused. A published
    case whose file was changed without a correction is the version last recorded, with
    the problems of the file as changed (``as_recorded``; the preview shows the file as
    it is, so the press office sees its edit before recording it)."""
    folder = registry.data_dir / "cases"
    with remembered_verdicts(registry.data_dir):
        cases = [
            load_case(p, registry, f"cases/{p.name}", today=today)
            for p in sorted(folder.glob("*.md"))
        ]
    ids: dict[str, Path] = {}
    for c in cases:
        if c.notice and c.notice.id in ids:
            c.problems.append(
                Problem(f"cases/{c.path.name}", "duplicate_id", "案例编号重复", value=c.notice.id)
            )
        elif c.notice:
            ids[c.notice.id] = c.path
    for c in cases:
        if c.notice and c.notice.status == "draft" and (problem := copied(c, cases)):
            c.problems.append(problem)
    statuses = {c.path.stem: (c.notice.status if c.notice else None, c.sha256) for c in cases}
    by_id = {c.path.stem: c for c in cases}
    last = ledger.latest(ledger.read(registry.data_dir))
    for problem in audit(registry.data_dir, statuses, last):
        stem = Path(problem.file).stem
        kept = (
            _recorded_version(registry, last[stem], today)
            if as_recorded and problem.code in _SHOWN_AS_RECORDED and stem in last
            else None
        )
        if kept is not None:
            problem = replace(problem, message=f"{problem.message}；网站继续显示记录的版本")
            edited = by_id[stem].problems if stem in by_id else []
            kept = replace(kept, of_the_edit=(problem, *edited))
            kept.problems += [*edited]
            cases = [c for c in cases if c.path.stem != stem] + [kept]
            by_id[stem] = kept
        elif stem not in by_id:  # a published case whose file was deleted
            by_id[stem] = Case(path=folder / f"{stem}.md", notice=None, body="")
            cases.append(by_id[stem])
        by_id[stem].problems.append(problem)
    return sorted(cases, key=lambda c: c.notice.date if c.notice else date.min, reverse=True)


# A published case whose file changed without a correction, went back to draft or was
# deleted: the site shows the version last recorded.
_SHOWN_AS_RECORDED = frozenset({"unrecorded_change", "unpublished", "case_deleted"})


def _recorded_version(registry: Registry, entry: ledger.Entry, today: date | None) -> Case | None:
    """The case as the press office last recorded it (``entry``), when that version is
    kept and is the one the ledger names (its digest)."""
    case_id = entry.case_id
    path = ledger.recorded(registry.data_dir, case_id)
    if not path.is_file():
        return None
    case = load_case(path, registry, f"cases/{case_id}.md", case_id, today=today)
    if case.sha256 != entry.sha256:
        return None
    return replace(case, path=registry.data_dir / "cases" / f"{case_id}.md")


def review_queue(registry: Registry) -> list[tuple[str, Case]]:
    """Case notices institutions sent, newest version of each, for the press office to
    review: (institution id, case). They are never published from here; publishing is
    copying one into ``data/cases/`` and running ``portal publish``."""
    queue = []
    for snap in latest_snapshots(registry.data_dir, held=True):
        if snap.kind == "case":
            display = f"{snap.institution_id}/{snap.name}"
            case = load_case(snap.path(registry.data_dir), registry, display, Path(snap.name).stem)
            # Named by the file the institution sent (cases/<id>.md), not the stored copy's
            # digest: that is what the office knows it by.
            queue.append((snap.institution_id, replace(case, path=Path(snap.name))))
    return queue
