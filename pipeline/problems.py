"""Problems found in data: values until the command line turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one file, worded for the office that sent it.

    ``message`` says what is wrong and ``expected`` what would be accepted, in
    Chinese; ``code`` is a stable machine-readable name of the rule.
    """

    file: str
    code: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    sheet: str | None = None
    severity: Severity = "error"

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"「{self.column}」列")
        return " ".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}：{self.message}"
        if self.value is not None:
            text += f"（读到的值：{self.value!r}）"
        if self.expected:
            text += f"；应为：{self.expected}"
        return text

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class DataError(Exception):
    """Raised when data cannot be used at all (for example a broken registry)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
