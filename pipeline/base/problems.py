"""Problems found in data: values until the command line turns them into exit codes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Literal

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
        """Where, as the office would look for it: 单元格 C15（受理投诉举报） in a sheet,
        第3行第16字 in a text, 第2行「value」列 in a long table."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"工作表「{self.sheet}」")
        cell = re.fullmatch(r"([A-Z]{1,3})(（.*）)?", self.column or "")
        if cell and self.row is not None:
            parts.append(f"单元格 {cell.group(1)}{self.row}{cell.group(2) or ''}")
        elif self.column and self.column.startswith("第") and self.row is not None:
            parts.append(f"第{self.row}行{self.column}")
        else:
            if self.row is not None:
                parts.append(f"第{self.row}行")
            if self.column:
                parts.append(f"「{self.column}」")
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


def printable(text: str) -> str:
    """``text`` with what no terminal or file can take (a lone surrogate from a JSON or
    YAML escape) replaced: a hostile value is shown, never a reason to stop."""
    return text.encode("utf-8", "replace").decode("utf-8")


def shown_value(text: str) -> str:
    """A value as a problem echoes it: whole when short, else its start and its length
    (a 10 MB cell is not copied into every report)."""
    return text if len(text) <= 60 else f"{text[:40]}…（共 {len(text)} 个字符）"


class DataError(Exception):
    """Raised when data cannot be used at all (for example a broken registry)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# pydantic's error types, worded for the person who wrote the file.
_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（请检查拼写）",
    "date_type": "应为日期，如 2026-03-15",
    "date_parsing": "应为日期，如 2026-03-15",
    "date_from_datetime_parsing": "应为日期，如 2026-03-15",
    "date_from_datetime_inexact": "应为日期（不含时间），如 2026-03-15",
    "datetime_type": "应为日期和时间，如 2026-03-15 09:00",
    "datetime_parsing": "应为日期和时间，如 2026-03-15 09:00",
    "datetime_from_date_parsing": "应为日期和时间，如 2026-03-15 09:00",
    "string_type": "应为文字",
    "string_too_short": "内容过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不符",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "literal_error": "应为以下之一：{expected}",
    "dict_type": "应为“字段: 值”的列表",
    "model_type": "应为“字段: 值”的列表",
    "model_attributes_type": "应为“字段: 值”的列表",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
}


def validation_problems(
    exc: Any, file: str, code: str = "invalid", row: int | None = None
) -> list[Problem]:
    """One problem per error of a pydantic ``ValidationError``, in Chinese: the field in
    ``column``, the value seen, and what was expected."""
    out = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        template = _VALIDATION_MESSAGES.get(err["type"])
        if err["type"] == "value_error":  # our own validators already speak Chinese
            message = str(err["msg"]).removeprefix("Value error, ")
        elif template:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        else:
            message = f"格式不符（{err['msg']}）"
        raw = err.get("input")
        shown = None if raw is None or isinstance(raw, dict) else shown_value(str(raw))
        out.append(
            Problem(
                file,
                code,
                message,
                row=row,
                column=".".join(str(p) for p in err["loc"]) or None,
                value=shown,
            )
        )
    return out
