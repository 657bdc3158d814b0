"""The command line speaks Chinese: click's own words (usage, errors, help sections) and
help texts without a space where a source line broke."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.clitext import CHINESE, MODULES, NOT_SHOWN

CJK_SPACE = re.compile(
    r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f] [\u3400-\u9fff\uff00-\uffef\u3000-\u303f]"
)
ENGLISH = re.compile(
    r"Usage|Options|Commands|Error|Try '|Show this|required|default|TEXT|INTEGER|FLOAT"
)


def _marked() -> set[str]:
    """Every message the installed click marks for translation in the modules bound."""
    found = set()
    for name in MODULES:
        source = Path(click.__file__).with_name(f"{name}.py").read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "ngettext")
            ):
                found |= {
                    a.value
                    for a in node.args
                    if isinstance(a, ast.Constant) and isinstance(a.value, str)
                }
    return found


def test_every_message_click_can_print_is_in_chinese():
    missing = _marked() - set(CHINESE) - NOT_SHOWN
    assert not missing, f"click prints these in English; add them to pipeline/clitext.py: {missing}"


def test_a_mistyped_command_line_is_answered_in_chinese():
    runner = CliRunner()
    cases = {
        ("check", "--bogus"): "没有选项 '--bogus'",
        ("nothing",): "没有命令 'nothing'",
        ("publish",): "缺少参数 '案例编号'",
        ("publish", "x"): "缺少选项 '--by'",
        ("demo", "--out", "o", "--institutions", "0"): "不在范围",
        ("check", "--reports", __file__): "是文件",
        ("serve", "--port", "99999"): "不在范围",
    }
    for args, expected in cases.items():
        result = runner.invoke(main, list(args), prog_name="portal")
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert "用法: portal" in result.output and "错误：" in result.output
        assert not ENGLISH.search(result.output), (args, result.output)


def test_the_installed_command_speaks_chinese_too():
    """As a user runs it: the entry point, not the test runner."""
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "check", "--bogus"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "错误：没有选项 '--bogus'" in done.stderr, done.stderr
    assert not ENGLISH.search(done.stderr), done.stderr


def test_help_reads_as_chinese():
    runner = CliRunner()
    for name in [None, *main.commands]:
        result = runner.invoke(main, [name, "--help"] if name else ["--help"])
        assert result.exit_code == 0, result.output
        assert "选项:" in result.output and "显示本帮助并退出。" in result.output
        assert not CJK_SPACE.search(result.output), (name, CJK_SPACE.search(result.output))
        assert not ENGLISH.search(result.output), (name, ENGLISH.search(result.output))


def test_a_new_case_with_bad_values_is_told_in_chinese(data_dir):
    args = ["new-case", "--data", str(data_dir), "--id", "Bad Id", "--title", "短"]
    args += ["--category", "kickback", "--district", "城东街道", "--role", "医生"]
    args += ["--date", "2026-02-30", "--amount", "-5"]
    result = CliRunner().invoke(main, args, prog_name="portal")
    assert result.exit_code == 2, result.output
    for said in ["--id：格式不符", "--title：内容过短", "--date：应为日期", "--amount：不能小于"]:
        assert said in result.output, result.output
    assert "should" not in result.output and "Input" not in result.output
