"""One set of rules: `portal check FILE` (what an office runs before sending) decides
with exactly the rules the build applies, over the institution's stored history."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.build import prepare
from pipeline.check import check_as_sent
from tests.conftest import NOW

INST = "chengdong-chc"  # 95 staff; 参训（本年累计）95 in 2026-09
HEADER = "月份,受理投诉举报,办结投诉举报,上级转办（含12320/12345）,参训人数（本年累计）"


def _key(p):
    return (p.code, p.message, p.row, p.column, p.value, p.expected, p.severity)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # 上级转办 20 > 受理 12, 参训 500 > 在岗 95: rules within the month.
        ("2026-10,12,1,20,500", ["不大于当月「受理投诉举报」", "不大于机构在岗人数"]),
        # 办结 beyond everything ever received: the running totals over the history.
        ("2026-10,12,90,0,95", ["累计不大于累计「受理投诉举报」"]),
    ],
)
def test_a_file_the_build_refuses_is_refused_by_check_with_the_same_messages(
    data_dir, registry, tmp_path, row, expected
):
    text = f"{HEADER}\n{row}\n"
    sent = tmp_path / "2026-10.csv"
    sent.write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "pipeline", "check", "--data", str(data_dir)]
    command += ["--institution", INST, "--reports", str(tmp_path / "r"), str(sent)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "未通过校验" in run.stdout + run.stderr
    local = check_as_sent(registry, text.encode(), "2026-10.csv", INST, today=NOW.date())
    # The same file reaches the store as the office sends it; the build decides.
    (data_dir / "sources" / INST / "statistics" / "2026-10.csv").write_text(text, "utf-8")
    built = next(
        s
        for s in prepare(data_dir, NOW).checked.submissions
        if s.file == f"{INST}/statistics/2026-10.csv"
        and s.snapshot
        and s.snapshot.size == len(text.encode())
    )
    assert not local.accepted and not built.accepted
    assert sorted(map(_key, local.problems)) == sorted(map(_key, built.problems))
    said = " ".join(p.expected or "" for p in local.problems)
    assert all(e in said for e in expected), said


@pytest.mark.parametrize(
    ("header", "row", "expected"),
    [
        ("月份,查处案件,查处案件：红包", "2026-10,1,3", "不大于当月「查处案件」"),
        ("月份,上缴红包,上缴红包金额", "2026-10,0,500", "应为 0 或留空；请核实两者"),
        ("月份,满意度评价样本数,门诊满意度", "2026-10,0,95%", "留空；请核实「满意度评价样本数」"),
        ("月份,参训人数（本年累计）", "2026-10,40", "不小于本年上月的数值"),
        ("月份,受理投诉举报", "2026-11,3", None),
    ],
)
def test_the_rules_a_careful_office_would_expect(registry, header, row, expected):
    sub = check_as_sent(registry, f"{header}\n{row}\n".encode(), "x.csv", INST, today=NOW.date())
    assert not sub.accepted, sub.problems
    if expected is None:  # a month that has not ended yet
        assert any(p.code == "future_period" and "尚未结束" in p.message for p in sub.problems)
    else:
        assert any(expected in (p.expected or "") for p in sub.problems), sub.problems


def test_a_plausible_month_passes_against_its_history(registry):
    sub = check_as_sent(
        registry, f"{HEADER}\n2026-10,3,1,1,95\n".encode(), "2026-10.csv", INST, today=NOW.date()
    )
    assert sub.accepted, sub.problems


def test_a_file_naming_another_institution_is_questioned(registry):
    other = registry.institutions["qinglan-second"].name
    text = f"机构名称,月份,受理投诉举报\n{other},2026-10,3\n{other},2026-09,2\n"
    sub = check_as_sent(registry, text.encode(), "2026.csv", "qinglan-renmin", today=NOW.date())
    [warning] = [p for p in sub.problems if p.code == "other_name"]
    assert not warning.blocking and warning.value == other
    assert warning.expected == registry.institutions["qinglan-renmin"].name
    mine = registry.institutions["qinglan-renmin"]
    text = f"机构名称,月份,受理投诉举报\n{mine.name},2026-10,3\n"
    sub = check_as_sent(registry, text.encode(), "2026.csv", "qinglan-renmin", today=NOW.date())
    assert not [p for p in sub.problems if p.code == "other_name"]
