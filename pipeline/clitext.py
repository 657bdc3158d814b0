"""The command line's own words in Chinese: click's usage lines, errors and help sections.

click marks what it prints with gettext (``_`` and ``ngettext`` bound in each of its
modules) and reads the global catalogue, which would take a compiled catalogue file and
the user's locale. The people who run ``portal`` read Chinese whatever their machine's
locale, so :func:`speak_chinese` binds those names in click's modules to this table
instead, once, at the command's entry. click is pinned (requirements.lock); a test lists
every message the pinned click marks and requires each to be here or in
``NOT_SHOWN`` (messages only a programmer defining commands can meet).

Help texts are written in the source with line breaks; click joins a paragraph's lines
with a space, which Chinese does not have. :func:`joined` removes a line break between
two Chinese characters or punctuation marks before click sees the text.
"""

from __future__ import annotations

import re
from types import ModuleType

CHINESE: dict[str, str] = {
    "(dynamic)": "（动态）",
    "Aborted!": "已中止。",
    "Commands": "命令",
    "Missing command.": "缺少命令。",
    "Options": "选项",
    "Positional arguments": "位置参数",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "值必须是一组值。",
    "default: {default}": "默认：{default}",
    "deprecated": "已停用",
    "env var: {var}": "环境变量：{var}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": (
        "提示：命令 {name!r} 已停用。{extra_message}"
    ),
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": (
        "提示：{param_type} {name!r} 已停用。{extra_message}"
    ),
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Confirm the action without prompting.": "不再询问，直接确认。",
    "Do you want to continue?": "是否继续？",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "(Did you mean one of: {possibilities}?)": "（是否要用以下之一：{possibilities}？）",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
    "Error: {message}": "错误：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看帮助。",
    "unknown error": "未知错误",
    "required": "必填",
    "Usage:": "用法:",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "Repeat for confirmation": "再输入一次以确认",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "directory": "目录",
    "file": "文件",
    "path": "路径",
    "{len_type} values are required, but {len_value} was given.": (
        "需要 {len_type} 个值，给了 {len_value} 个。"
    ),
    "{len_type} values are required, but {len_value} were given.": (
        "需要 {len_type} 个值，给了 {len_value} 个。"
    ),
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是目录。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 不可执行。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合 {formats} 中任一格式。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} 不是有效的是/否值。可用：{states}"
    ),
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字（{number_type}）。",
    "{value!r} is not one of {choices}.": "{value!r} 不在可选值 {choices} 中。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
}

# Marked for translation by click, but only a programmer defining commands (or code
# the portal does not use: colours, standard-stream names) can meet them.
NOT_SHOWN = frozenset(
    {
        "Arguments take exactly one parameter declaration, got {length}: {decls}.",
        "Boolean option {decl!r} cannot use the same flag for true/false.",
        "Could not determine name for option with declarations {decls!r}",
        "Name '{name}' defined twice",
        "No options defined but a name was passed ({name}). Did you mean to declare an "
        "argument instead? Did you mean to pass '--{name}'?",
        "Invalid start character for option ({option})",
        "Choice({choices})",
        "Unknown color {colour!r}",
        "Unknown standard stream '{name}'",
    }
)

# The click modules that print what a user of ``portal`` can see.
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types")


# What an option's value is, shown after it in the help (click shows its type's name).
METAVARS = {"text": "文字", "integer": "整数", "integer range": "整数", "float": "数字"}


def metavar(type_name: str) -> str | None:
    """The Chinese word for an option's value of the click type ``type_name``."""
    return METAVARS.get(type_name)


def _gettext(message: str) -> str:
    return CHINESE.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def speak_chinese() -> None:
    """Make click print its own words in Chinese (idempotent)."""
    import importlib

    for name in MODULES:
        module: ModuleType = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext  # type: ignore[attr-defined]


_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_BREAK = re.compile(rf"(?<={_CJK})[ \t]*\n[ \t]*(?={_CJK})")


def joined(text: str | None) -> str | None:
    """``text`` with the line breaks inside Chinese sentences removed (a blank line,
    which separates paragraphs, stays)."""
    return None if text is None else _BREAK.sub("", text)
