"""The publication ledger of case notices (``data/cases/ledger.csv``).

Publishing, correcting and retracting a case are explicit acts of the press
office (``portal publish`` / ``correct`` / ``retract``). Each one appends a row
with the digest of the case file as it then stood. A published case whose file
no longer matches its last row was changed without a correction: the checks
refuse it, so no change of a published case reaches the public without an
entry in the corrections log. The same holds for a published case set back to
draft or deleted: to take a case down, retract it.

Each act also keeps the file as it was recorded (``data/cases/recorded/<id>.md``). When
a published case's file is changed without a correction, set back to draft or deleted,
the site goes on showing the recorded version (and the checks name the change), so a
careless edit neither goes live nor takes the published notice off the site.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Literal

from pipeline.base.problems import Problem
from pipeline.store import atomic_write

Action = Literal["published", "corrected", "retracted"]
LEDGER = Path("cases") / "ledger.csv"
RECORDED = Path("cases") / "recorded"
# The codes of the problems :func:`audit` finds.
CODES = frozenset({"not_recorded", "unpublished", "unrecorded_change", "case_deleted"})


@dataclass(frozen=True)
class Entry:
    """One act of the press office on one case."""

    case_id: str
    action: Action
    recorded_at: str
    by: str
    sha256: str
    corrections: int = 0
    note: str = ""


def read(data_dir: Path) -> list[Entry]:
    path = data_dir / LEDGER
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Entry(**{**row, "corrections": int(row["corrections"])})  # type: ignore[arg-type]
            for row in csv.DictReader(f)
        ]


def append(data_dir: Path, entry: Entry) -> None:
    path = data_dir / LEDGER
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[x.name for x in fields(Entry)])
        if new:
            writer.writeheader()
        writer.writerow(asdict(entry))


def keep(data_dir: Path, case_id: str, text: str) -> None:
    """Keep ``text``, the case file as just recorded, as the version the site shows."""
    path = data_dir / RECORDED / f"{case_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))


def recorded(data_dir: Path, case_id: str) -> Path:
    """Where the recorded version of a case is kept (it may not exist: cases recorded
    before versions were kept)."""
    return data_dir / RECORDED / f"{case_id}.md"


def latest(entries: list[Entry]) -> dict[str, Entry]:
    """The last entry of each case."""
    return {e.case_id: e for e in entries}


def audit(
    data_dir: Path,
    statuses: Mapping[str, tuple[str | None, str]],
    last: Mapping[str, Entry] | None = None,
) -> list[Problem]:
    """Compare the case files with the ledger. ``statuses`` maps each case file's id to
    its status (None when its front matter cannot be read: already refused) and the
    digest of its file. Returns one blocking problem per case whose published state is
    not what the ledger recorded."""
    last = latest(read(data_dir)) if last is None else last
    problems = []
    for case_id, (status, sha) in statuses.items():
        name = f"cases/{case_id}.md"
        entry = last.get(case_id)
        if status is None:
            continue
        if entry is None:
            if status != "draft":
                problems.append(
                    Problem(
                        name,
                        "not_recorded",
                        f"状态为 {status}，但发布记录（cases/ledger.csv）中没有这个案例",
                        column="status",
                        value=status,
                        expected=f"草稿用 portal publish {case_id} 发布，发布才会被记录",
                    )
                )
        elif status == "draft":
            problems.append(
                Problem(
                    name,
                    "unpublished",
                    "已发布的案例不能改回草稿",
                    column="status",
                    value=status,
                    expected=f"要撤下，用 portal retract {case_id} --reason …（页面保留撤回说明）",
                )
            )
        elif entry.sha256 != sha:
            problems.append(
                Problem(
                    name,
                    "unrecorded_change",
                    f"案例在 {entry.recorded_at} {_ACTIONS[entry.action]}后被修改，但没有记为更正",
                    expected=(
                        f"用 portal correct {case_id} --note '更正说明' --by '部门或岗位' 记录"
                        "（说明公开显示在"
                        "案例页和更正记录中），或撤销这次修改"
                    ),
                )
            )
    for case_id in sorted(last.keys() - statuses.keys()):
        problems.append(
            Problem(
                f"cases/{case_id}.md",
                "case_deleted",
                "已发布的案例文件不见了",
                expected=f"恢复文件；要撤下，用 portal retract {case_id} --reason …",
            )
        )
    return problems


_ACTIONS = {"published": "发布", "corrected": "更正", "retracted": "撤回"}
