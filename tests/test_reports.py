"""Reports an office gets back, and figures a newer file replaces."""

from datetime import date

from pipeline.cases import gate
from pipeline.check import check_all, check_file
from pipeline.check.reports import write_reports
from pipeline.collect import collect
from pipeline.store import read_manifest

TODAY = date(2026, 11, 22)


def test_a_report_per_refused_file_says_where_what_and_how(registry, tmp_path):
    text = "月份,受理投诉举报,门诊满意度\n2026-03,约12,0.97\n"
    sub = check_file(registry, text.encode(), "2026-03.csv", "qinglan-renmin", today=TODAY)
    [path] = write_reports(registry, [sub], tmp_path)
    assert path == tmp_path / "qinglan-renmin" / "2026-03.txt"
    report = path.read_text(encoding="utf-8")
    assert "青岚区人民医院" in report and "未通过校验" in report
    assert "单元格 B2（受理投诉举报）" in report and "读到的值：约12" in report
    assert "门诊满意度" in report and "百分数" in report
    ok = check_file(
        registry, "月份,受理投诉举报\n2026-03,3\n".encode(), "b.csv", "qinglan-renmin", today=TODAY
    )
    assert write_reports(registry, [ok], tmp_path / "none") == []
    # The office fixes the file and checks it again: the old report goes, unless another
    # version of the month still fails.
    fixed = check_file(
        registry, "月份,受理投诉举报\n2026-03,3\n".encode(), "2026-03.csv", "qinglan-renmin"
    )
    assert write_reports(registry, [sub, fixed], tmp_path) == [path] and path.exists()
    assert write_reports(registry, [fixed], tmp_path) == [] and not path.exists()


def test_a_newer_file_replaces_figures_of_an_older_one_and_says_so(registry):
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "statistics"
    (folder / "2026-10-correction.csv").write_text(
        "月份,受理投诉举报\n2026-10,99\n", encoding="utf-8"
    )
    collect(registry, local_only=True, gate=gate)
    statistics = [s for s in read_manifest(registry.data_dir) if s.kind == "statistics"]
    checked = check_all(registry, statistics, TODAY)
    t = checked.table
    value = t[
        (t.institution_id == "qinglan-renmin")
        & (t.period == "2026-10")
        & (t.indicator == "complaints_received")
    ]
    assert value.value.tolist() == [99]
    assert value.file.tolist() == ["qinglan-renmin/statistics/2026-10-correction.csv"]
    yearly = next(
        s for s in checked.submissions if s.file.endswith("qinglan-renmin/statistics/2026.xlsx")
    )
    notes = [p for p in yearly.problems if p.code == "superseded"]
    assert notes and "2026-10-correction.csv" in notes[0].message and yearly.accepted


def test_check_command_writes_reports(data_dir, tmp_path):
    from tests.conftest import portal_here as portal

    out = tmp_path / "reports"
    done = portal("check", "--data", str(data_dir), "--reports", str(out))
    assert done.returncode == 0
    assert (out / "heyue-eye" / "2026-08.txt").exists()


def test_check_run_inside_the_data_directory_writes_no_report_into_it(data_dir):
    """The data directory is published with the site's sources, and a report quotes what
    a refused file holds: run from inside it, the reports go beside it; asked for inside
    it, the command refuses before checking anything."""
    from tests.conftest import portal_here as portal

    done = portal("check", cwd=data_dir)  # inside it, --data defaults to it
    assert done.returncode == 0, done.stderr
    assert not (data_dir / "reports").exists()
    beside = data_dir.parent / "reports"
    assert (beside / "heyue-eye" / "2026-08.txt").exists() and str(beside) in done.stderr
    refused = portal("check", "--data", str(data_dir), "--reports", str(data_dir / "out"))
    assert refused.returncode == 2 and "位于数据目录" in refused.stderr
    assert not (data_dir / "out").exists()


def test_a_refused_resubmission_does_not_take_a_good_month_off_the_site(registry):
    folder = registry.data_dir / "sources" / "qinglan-tcm" / "statistics"
    good = folder / "2026-10-extra.csv"
    good.write_text("月份,约谈\n2026-10,4\n", encoding="utf-8")
    collect(registry, local_only=True, gate=gate)
    good.write_text("月份,约谈\n2026-10,约4\n", encoding="utf-8")
    collect(registry, local_only=True, gate=gate)
    statistics = [s for s in read_manifest(registry.data_dir) if s.kind == "statistics"]
    checked = check_all(registry, statistics, TODAY)
    t = checked.table
    mine = t[
        (t.institution_id == "qinglan-tcm")
        & (t.indicator == "interviews")
        & (t.period == "2026-10")
    ]
    assert mine.value.tolist() == [4]
    refused = [s.file for s in checked.quarantined if s.file.endswith("2026-10-extra.csv")]
    assert refused == ["qinglan-tcm/statistics/2026-10-extra.csv"]


def test_a_build_lists_the_first_problems_and_counts_the_rest(capsys):
    from pipeline.base.problems import Problem
    from pipeline.cli import BUILD_PROBLEMS_SHOWN, _report

    problems = [
        Problem(f"inst-{n}/2026-10.csv", "invalid_number", "数值无效", row=2, value="约12")
        for n in range(BUILD_PROBLEMS_SHOWN + 7)
    ]
    _report(problems, limit=BUILD_PROBLEMS_SHOWN)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == BUILD_PROBLEMS_SHOWN + 1
    assert "inst-0/2026-10.csv" in lines[0] and "约12" in lines[0]
    assert "另有 7 个问题" in lines[-1] and "portal check" in lines[-1]


def test_two_files_of_one_month_with_problems_share_one_report_and_lose_nothing(registry, tmp_path):
    """Found when tried as an office would (2026-11-27): two files of the same month each
    wrote the month's report, and the second replaced the first."""
    folder = registry.data_dir / "sources" / "qinglan-tcm" / "statistics"
    (folder / "2026-09-a.csv").write_text("月份,约谈\n2026-09,约4\n", encoding="utf-8")
    (folder / "2026-09-b.csv").write_text("月份,受理投诉举报\n2026-09,大约5\n", encoding="utf-8")
    collect(registry, local_only=True, gate=gate)
    statistics = [s for s in read_manifest(registry.data_dir) if s.kind == "statistics"]
    checked = check_all(registry, statistics, TODAY)
    written = write_reports(registry, checked.submissions, tmp_path)
    [path] = [p for p in written if p.parent.name == "qinglan-tcm" and p.stem == "2026-09"]
    report = path.read_text(encoding="utf-8")
    assert "2026-09-a.csv" in report and "2026-09-b.csv" in report
    assert "约4" in report and "大约5" in report
