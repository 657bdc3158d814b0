"""Check reports: one plain-text file per file an office sent that has problems (a
submission, a case notice, a list of reporting channels), in Chinese, that the integrity
office can be sent back and act on without any other tool.

Part of the check: it takes what the checks, the PII gate and the channel lists found as
plain values (a case notice as anything with a path and problems, a channel list as its
file and problems), so that it imports no later stage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pipeline.base.problems import Problem, printable
from pipeline.base.registry import ID_PATTERN, Registry
from pipeline.check.checks import Submission
from pipeline.store import atomic_write, beijing_time


class SentFile(Protocol):
    """A file an office sent, as the PII gate left it (a :class:`pipeline.cases.Case`)."""

    @property
    def path(self) -> Path: ...

    @property
    def problems(self) -> list[Problem]: ...


def report_text(registry: Registry, sub: Submission) -> str:
    """The report of one submission: what was checked, the verdict, every problem."""
    inst = registry.institutions.get(sub.institution_id or "")
    lines = ["报送文件校验报告", ""]
    if inst:
        lines.append(f"机构：{inst.name}（{inst.id}）")
    lines.append(f"文件：{sub.file}")
    if sub.snapshot:
        received = beijing_time(sub.snapshot.fetched_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"收到时间：{received}（北京时间）")
        lines.append(f"SHA-256：{sub.snapshot.sha256}")
    errors = [p for p in sub.problems if p.blocking]
    warnings = [p for p in sub.problems if not p.blocking]
    if errors:
        lines.append(
            f"结论：未通过校验，本文件未予采用（{len(errors)} 个错误，{len(warnings)} 条提示）。"
        )
        lines.append("请逐项修改后重新报送整个文件；其他月份和其他机构的数据不受影响。")
    else:
        lines.append(f"结论：通过校验，已采用（{len(warnings)} 条提示，请核实）。")
    for title, problems in (("错误（必须修改）", errors), ("提示（请核实）", warnings)):
        if not problems:
            continue
        lines += ["", title, *problem_lines(problems, "读到的值", "应为")]
    return "\n".join(lines) + "\n"


def problem_lines(problems: list[Problem], value_label: str, expected_label: str) -> list[str]:
    """Numbered problems, each with its place, what is wrong, the value and the fix."""
    lines = []
    for n, p in enumerate(problems, start=1):
        lines.append(f"{n}. 位置：{p.location().removeprefix(p.file).strip() or '整个文件'}")
        lines.append(f"   问题：{p.message}")
        if p.value is not None:
            lines.append(f"   {value_label}：{p.value}")
        if p.expected:
            lines.append(f"   {expected_label}：{p.expected}")
    return lines


def _report_path(folder: Path, institution_id: str | None, stem: str) -> Path:
    """``<folder>/<institution>/<stem>.txt``, never outside ``folder``: both parts are
    checked before they touch a path (an id or a file name could hold ``../``)."""
    inst = institution_id if re.fullmatch(ID_PATTERN, institution_id or "") else "unknown"
    if not re.fullmatch(r"[\w\u4e00-\u9fff][\w\u4e00-\u9fff.-]{0,99}", stem):
        stem = re.sub(r"[^\w\u4e00-\u9fff-]", "_", stem)[:100] or "file"
    return Path(folder) / str(inst) / f"{stem}.txt"


def write_reports(registry: Registry, submissions: list[Submission], folder: Path) -> list[Path]:
    """Write ``<folder>/<institution>/<file period or name>.txt`` for each submission
    with problems (the files of one month in one report), and remove the one a
    submission without problems may have left from an earlier check; return the paths
    written."""
    reports: dict[Path, list[str]] = {}
    clean = []
    for sub in submissions:
        stem = (sub.snapshot.period if sub.snapshot else "") or Path(sub.file).stem
        path = _report_path(folder, sub.institution_id, stem)
        if not sub.problems:
            clean.append(path)
            continue
        # Files of one month share its report, one after the other (none replaces another).
        reports.setdefault(path, []).append(report_text(registry, sub))
    written = []
    for path, texts in reports.items():
        atomic_write(path, printable(("\n" + "-" * 40 + "\n\n").join(texts)).encode("utf-8"))
        written.append(path)
    # A report of an earlier version that failed is no longer true once the file passes:
    # an office must not be sent it back (unless another version of it still fails).
    for path in set(clean) - set(written):
        path.unlink(missing_ok=True)
    return written


def write_case_reports(
    registry: Registry, queue: Sequence[tuple[str, SentFile]], folder: Path
) -> list[Path]:
    """A report for each case notice an institution sent that the PII gate refused
    (``queue``: the institution and the notice, as :func:`pipeline.cases.review_queue`
    gives them)."""
    written = []
    for institution_id, case in queue:
        if not case.problems:
            continue
        inst = registry.institutions.get(institution_id)
        lines = [
            "典型案例审核意见",
            "",
            f"机构：{inst.name if inst else institution_id}",
            f"文件：{Path(case.path).name}",
            "结论：未进入审核，请修改后重新报送。案例中的当事人只写姓加“某”（如 王某、欧阳某某）。",
            "",
        ]
        lines += problem_lines(case.problems, "内容", "建议")
        stem = Path(case.path).stem
        path = _report_path(folder, institution_id, f"case-{stem}")
        atomic_write(path, printable("\n".join(lines) + "\n").encode("utf-8"))
        written.append(path)
    return written


def write_channel_reports(
    registry: Registry, newest: Mapping[str, tuple[str, list[Problem]]], folder: Path
) -> list[Path]:
    """``<folder>/<institution>/channels.txt`` for each institution whose newest list of
    reporting channels was refused (the site keeps its last good list, or the
    authority's); the report of a list since replaced by a good one is removed.
    ``newest``: each institution's newest list, its file and its problems
    (:attr:`pipeline.history.channels.Directory.newest`)."""
    written = []
    for institution_id, (file, problems) in sorted(newest.items()):
        path = _report_path(folder, institution_id, "channels")
        if not problems:
            path.unlink(missing_ok=True)
            continue
        inst = registry.institutions.get(institution_id)
        lines = [
            "举报渠道表校验报告",
            "",
            f"机构：{inst.name if inst else institution_id}（{institution_id}）",
            f"文件：{file}",
            f"结论：未通过校验，整份渠道表不予采用（{len(problems)} 个问题）；"
            "网站继续显示上一份通过校验的渠道表（没有则显示主管部门登记的渠道）。",
            "请逐项修改后重新报送整份渠道表。",
            "",
            *problem_lines(problems, "读到的值", "应为"),
        ]
        atomic_write(path, printable("\n".join(lines) + "\n").encode("utf-8"))
        written.append(path)
    return written
