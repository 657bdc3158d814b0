"""One bad file never stops the portal: hostile and careless inputs fail alone, with a
clear Chinese problem, and the rest is published."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build import build
from pipeline.cases import load_case
from pipeline.check import Submission, check_file
from pipeline.history.channels import parse_channels
from tests.conftest import NOW, ROOT, portal_here
from tests.hostile import CORPUS, INST, xlsx

TODAY = NOW.date()


@pytest.mark.parametrize("kind", sorted(CORPUS))
def test_a_hostile_file_is_refused_with_a_clear_problem(demo_registry, kind):
    name, make, word = CORPUS[kind]
    started = time.perf_counter()
    sub = check_file(demo_registry, make(), f"{INST}/{name}", INST, today=TODAY)
    assert time.perf_counter() - started < 20
    assert not sub.accepted
    text = "\n".join(str(p) for p in sub.problems)
    assert word in text, text
    assert f"{INST}/{name}" in text  # the problem names the file
    assert "Traceback" not in text and "Error:" not in text.replace("Excel", "")


def test_error_cells_are_reported_at_their_cell(demo_registry):
    _, make, _ = CORPUS["xlsx-error-cells"]
    sub = check_file(demo_registry, make(), "2026.xlsx", INST, today=TODAY)
    found = {(p.row, p.column, p.value) for p in sub.problems if p.code == "cell_error"}
    assert found == {(2, "B（受理投诉举报）", "#DIV/0!"), (2, "C（办结投诉举报）", "#N/A")}


def test_row_numbers_are_the_ones_excel_shows_after_blank_leading_rows(demo_registry):
    def sheet(ws):
        ws["B3"], ws["C3"], ws["B4"], ws["C4"] = "月份", "受理投诉举报", "2026-01", "约5"

    sub = check_file(demo_registry, xlsx(sheet), "2026.xlsx", INST, today=TODAY)
    [bad] = [p for p in sub.problems if p.code == "bad_value"]
    assert (bad.row, bad.column) == (4, "C（受理投诉举报）")


def test_a_plausible_file_still_passes(demo_registry):
    text = "月份,受理投诉举报,追回资金\n2026-01,100000,9999999999\n"
    sub = check_file(demo_registry, text.encode(), "2026-01.csv", INST, today=TODAY)
    assert sub.accepted, sub.problems


# Arbitrary bytes: the result is always rows or problems, never an exception.


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".json"]))
def test_arbitrary_bytes_give_rows_or_problems(demo_registry, content, suffix):
    sub = check_file(demo_registry, content, f"x{suffix}", INST, today=TODAY)
    assert isinstance(sub, Submission)
    assert sub.accepted == bool(sub.rows) or sub.problems


_VALID_XLSX = xlsx(lambda ws: (ws.append(["月份", "受理投诉举报"]), ws.append(["2026-01", 5])))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    edits=st.lists(st.tuples(st.integers(0, len(_VALID_XLSX) - 1), st.integers(0, 255)), min_size=1)
)
def test_a_damaged_xlsx_gives_rows_or_problems(demo_registry, edits):
    content = bytearray(_VALID_XLSX)
    for at, byte in edits:
        content[at] = byte
    sub = check_file(demo_registry, bytes(content), "2026.xlsx", INST, today=TODAY)
    assert isinstance(sub, Submission)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=st.text(max_size=400), body=st.text(max_size=200))
def test_arbitrary_front_matter_gives_a_case_or_problems(demo_registry, tmp_path, front, body):
    path = tmp_path / "x.md"
    path.write_text(f"---\n{front}\n---\n{body}", encoding="utf-8")
    case = load_case(path, demo_registry)
    assert case.notice is not None or case.problems


@settings(max_examples=100)
@given(content=st.binary(max_size=2000))
def test_arbitrary_channel_files_give_channels_or_problems(content):
    channels, problems = parse_channels(content, INST, "channels.csv")
    assert channels or problems


# Case notices fail alone.

CASE = """---
id: x
title: 某医院医生收受红包被处理
date: {date}
category: red_envelope
status: published
{extra}---

王某收受患者红包，已退还并批评教育。
"""

BOMB = "".join(
    f"{a}: &{a} [{', '.join(['*' + p] * 9)}]\n" for p, a in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.parametrize(
    ("date", "extra", "word"),
    [
        ("2026-02-30", "", "日期不存在：2026-02-30"),
        ("2026-01-05", "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB, "别名"),
        ("2026-01-05", "role: !!python/object/apply:os.system ['true']\n", "YAML 标签"),
        ("2026-01-05", "amount_yuan: -5\n", "不能小于 0"),
        ("2026-01-05", "amount_yuan: 很多\n", "应为数字"),
        ("2026-01-05", "title2: x\n", "未知字段"),
        ("next tuesday", "", "应为日期"),
        ("2026-01-05", f"amount_yuan: {'9' * 5000}\n", "无法读取的值"),
        ("2026-01-05", "amount_yuan: .inf\n", "有限"),
    ],
)
def test_a_careless_case_notice_gets_one_clear_problem(demo_registry, tmp_path, date, extra, word):
    path = tmp_path / "x.md"
    path.write_text(CASE.format(date=date, extra=extra), encoding="utf-8")
    # The work it costs, not the wall clock: on a machine shared with other work a
    # notice that takes 2 s of CPU took 5.8 s, and an alias bomb or a huge integer would
    # still take far more than 5 s of CPU.
    started = time.process_time()
    case = load_case(path, demo_registry)
    assert time.process_time() - started < 5
    assert case.refused
    assert any(word in str(p) for p in case.problems), case.problems


def test_a_case_file_that_is_not_a_regular_file_is_refused_unread(demo_registry, tmp_path):
    link = tmp_path / "zero.md"
    link.symlink_to("/dev/zero")
    folder = tmp_path / "folder.md"
    folder.mkdir()
    for path in (link, folder):
        case = load_case(path, demo_registry)
        assert case.refused and "不是普通文件" in str(case.problems[0])


def test_a_lone_surrogate_is_reported_not_a_traceback(data_dir, tmp_path):
    bad = tmp_path / "2026-10.json"
    bad.write_text(
        '{"institution_id": "\\ud800", "records": [{"period": "2026-10", '
        '"indicator": "complaints_received", "value": 1}]}',
        encoding="utf-8",
    )
    run = portal_here(
        "check", "--data", str(data_dir), "--reports", str(tmp_path / "r"), str(bad), cwd=tmp_path
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_hostile_files_and_cases_fail_alone_in_the_build(data_dir, tmp_path):
    sources = data_dir / "sources"
    hostile = {
        "chengdong-chc/statistics/2026-10.csv": CORPUS["csv-1e300"][1]().replace(
            INST.encode(), b"chengdong-chc"
        ),
        "songling-thc/statistics/2026-10.json": CORPUS["json-infinity"][1]().replace(
            INST.encode(), b"songling-thc"
        ),
        "renhe-tcm-outpatient/statistics/2026-10.json": CORPUS["json-400-digits"][1]().replace(
            INST.encode(), b"renhe-tcm-outpatient"
        ),
        "qinglan-tcm/statistics/2026.xlsx": CORPUS["xlsx-cell-XFD1048576"][1](),
        "kangning-hospital/statistics/2026.xlsx": CORPUS["xlsx-hidden-size-bomb"][1](),
    }
    for name, content in hostile.items():
        (sources / name).write_bytes(content)
    cases = data_dir / "cases"
    (cases / "bad-date.md").write_text(
        CASE.format(date="2026-02-30", extra="").replace("id: x", "id: bad-date"),
        encoding="utf-8",
    )
    (cases / "bomb.md").write_text(
        CASE.format(date="2026-01-05", extra="a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    prep = build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    assert (out / "index.html").exists()
    refused = {s.file for s in prep.checked.quarantined}
    assert set(hostile) <= refused
    assert {c.path.name for c in prep.left_out} == {"bad-date.md", "bomb.md"}
    # A refused resubmission never takes the good month off the site.
    published = _published(out)
    assert ("chengdong-chc", "2026-10") in published
    assert ("qinglan-tcm", "2026-06") in published
    # The institution sends a corrected file: the next build uses it.
    (sources / "chengdong-chc/statistics/2026-10.csv").write_text(
        "月份,受理投诉举报\n2026-10,7\n", encoding="utf-8"
    )
    build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    assert _published(out)[("chengdong-chc", "2026-10")]["complaints_received"] == "7"


def _published(site: Path) -> dict[tuple[str, str], dict[str, str]]:
    """Institution-month figures of the open data."""
    text = (site / "data" / "institution-months.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    return {(r["institution_id"], r["period"]): r for r in rows}


# Output paths are safe.


@pytest.mark.parametrize("out", ["data", ".", "data/sources", "..", "stuff", "forged"])
def test_build_refuses_an_output_folder_it_must_not_replace(data_dir, out):
    work = data_dir.parent
    for folder in ("stuff", "forged"):
        (work / folder).mkdir()
        (work / folder / "notes.txt").write_text("mine", encoding="utf-8")
    (work / "forged" / "site-files.sha256").write_text("", encoding="utf-8")
    before = sorted(p.relative_to(work) for p in work.rglob("*"))
    run = portal_here("build", "--data", "data", "--out", out, cwd=work)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "输出目录" in run.stderr
    assert sorted(p.relative_to(work) for p in work.rglob("*")) == before


def test_an_institution_id_never_becomes_a_path(data_dir, tmp_path):
    work = data_dir.parent
    bad = work / "2026-10.csv"
    bad.write_text("月份,受理投诉举报\n2026-10,-1\n", encoding="utf-8")
    run = portal_here(
        "check", "--data", "data", "--institution", "../../x", "--reports", "r", str(bad), cwd=work
    )
    assert run.returncode == 2
    assert not (work / "r").exists() and not (work.parent / "x").exists()
    near = portal_here("check", "--data", "data", "--institution", "chengdong", str(bad), cwd=work)
    assert near.returncode == 2 and "chengdong-chc" in near.stderr


def test_a_file_name_that_names_a_person_is_never_published(data_dir, tmp_path):
    folder = data_dir / "sources" / "chengdong-chc" / "statistics"
    hostile = folder / "2026-09-院长王建军-13800138000.csv"
    (folder / "2026-09.csv").rename(hostile)
    out = tmp_path / "out"
    prep = build(data_dir, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    labels = {s.file for s in prep.checked.quarantined} | set(prep.checked.sources().file)
    assert any(label.startswith("chengdong-chc/statistics/文件名含个人信息-") for label in labels)
    for f in out.rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml", ".csv", ".txt", ".parquet"):
            data = f.read_bytes()
            for needle in ("王建军", "13800138000"):
                assert needle.encode() not in data, (f, needle)
            if f.suffix in (".html", ".json", ".xml", ".csv", ".txt"):
                shown = data.decode("utf-8", errors="replace")
                assert "\\u738b\\u5efa\\u519b" not in shown, f  # JSON-escaped 王建军
