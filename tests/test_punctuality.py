"""Reporting punctuality: on time, late, not at all, not yet due."""

from datetime import UTC, date, datetime

from pipeline.cases import gate
from pipeline.collect import collect
from pipeline.history.punctuality import LATE, MISSING, NOT_DUE, ON_TIME, punctuality
from pipeline.store import due_date


def test_due_date_is_the_due_day_of_the_next_month():
    assert due_date("2025-12", 20) == date(2026, 1, 20)
    assert due_date("2026-02", 20) == date(2026, 3, 20)


def test_statuses_follow_arrival_dates(registry):
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "statistics"
    (folder / "2026-11.csv").write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    # Collected on the due day, 23:30 Beijing time (15:30 UTC): still on time.
    first = collect(
        registry, local_only=True, now=datetime(2026, 12, 20, 15, 30, tzinfo=UTC), gate=gate
    )
    assert not next(r for r in first if r.institution_id == "qinglan-renmin").late
    (registry.data_dir / "sources" / "qinglan-tcm" / "statistics" / "2026-11.csv").write_text(
        "月份,受理投诉举报\n2026-11,4\n", encoding="utf-8"
    )
    late = collect(
        registry, local_only=True, now=datetime(2026, 12, 21, 1, 0, tzinfo=UTC), gate=gate
    )
    assert next(r for r in late if r.institution_id == "qinglan-tcm").late == [
        "statistics/2026-11.csv"
    ]
    table = punctuality(registry, ["2026-11", "2026-12"], date(2026, 12, 22)).table
    status = {(r.institution_id, r.period): r.status for r in table.itertuples()}
    assert status[("qinglan-renmin", "2026-11")] == ON_TIME
    assert status[("qinglan-tcm", "2026-11")] == LATE
    assert status[("qinglan-mch", "2026-11")] == MISSING
    assert status[("qinglan-renmin", "2026-12")] == NOT_DUE
    assert ("xinyuan-clinic", "2026-11") not in status  # closed in 2026-03: not expected


def test_pages_show_punctuality(site, site_data):
    import re

    from pipeline.base.registry import load_registry
    from tests.conftest import NOW
    from tests.test_build import page

    registry = load_registry(site_data)
    table = punctuality(registry, ["2026-10"], NOW.date()).table
    counts = table.status.value_counts()
    text = page(site, "statistics/").text
    row = re.search(
        r"2026年10月 (\d+) (\d+) (\d+)", text.split("报送及时情况（家机构）")[1]
    ).groups()
    assert tuple(map(int, row)) == (
        counts.get(ON_TIME, 0),
        counts.get(LATE, 0),
        counts.get(MISSING, 0),
    )
    assert (site / "data" / "punctuality.csv").read_text(encoding="utf-8-sig").count("\n") > 400


def test_a_corrected_figure_is_in_the_corrections_log(site, site_data):
    from pipeline.base.registry import load_registry
    from pipeline.history.punctuality import history
    from tests.conftest import NOW
    from tests.test_build import page

    _first, changes = history(load_registry(site_data), NOW.date())
    [change] = [c for c in changes if c.institution_id == "qinglan-second"]
    assert (change.period, change.indicator, change.new - change.old) == (
        "2026-09",
        "complaints_received",
        2,
    )
    text = page(site, "about/").text
    expected = (
        f"{change.date} 青岚区第二人民医院 2026年9月 受理投诉举报 {change.old:.0f} {change.new:.0f}"
    )
    assert expected in text


def test_a_sanctioned_count_is_never_shown_in_a_correction(data_dir, tmp_path):
    from pipeline.base.registry import load_registry
    from pipeline.build import build
    from pipeline.history.punctuality import history
    from tests.conftest import NOW, ROOT

    registry = load_registry(data_dir)
    folder = data_dir / "sources" / "qinglan-renmin" / "statistics"
    for n, value in enumerate((2, 3)):
        (folder / "2026-10-fix.csv").write_text(
            f"月份,处理人数：批评教育\n2026-10,{value}\n", encoding="utf-8"
        )
        collect(registry, local_only=True, now=datetime(2026, 11, 22, 1 + n, tzinfo=UTC), gate=gate)
    _first, changes = history(registry, NOW.date())
    assert [(c.old, c.new) for c in changes if c.indicator == "sanctioned_education"][-1] == (2, 3)
    build(data_dir, tmp_path / "out", now=NOW, config_file=ROOT / "mkdocs.yml")
    about = (tmp_path / "out" / "about" / "index.html").read_text(encoding="utf-8")
    rows = [r for r in about.split("<tr>")[1:] if "处理人数：批评教育" in r]
    assert rows
    for row in rows:
        assert row.count("不公开") == 2 and ">2<" not in row and ">3<" not in row


def test_every_correction_is_listed_in_the_order_files_arrived(registry):
    from pipeline.history.punctuality import history

    folder = registry.data_dir / "sources" / "qinglan-tcm" / "statistics"
    sends = [
        ("2026-10-a.csv", "月份,受理投诉举报,办结投诉举报\n2026-10,5,1\n"),
        ("2026-10-a.csv", "月份,受理投诉举报,办结投诉举报\n2026-10,6,1\n"),  # 5 -> 6
        ("2026-10-a.csv", "月份,受理投诉举报,办结投诉举报\n2026-10,abc,1\n"),  # refused
        ("2026-10-a.csv", "月份,受理投诉举报,办结投诉举报\n2026-10,5,2\n"),  # 6 -> 5, 1 -> 2
        # Another file with the same month: it changes nothing it repeats, and 2 -> 4.
        ("2026-10-b.csv", "月份,受理投诉举报,办结投诉举报\n2026-10,5,4\n"),
    ]
    for hour, (name, text) in enumerate(sends):
        (folder / name).write_text(text, encoding="utf-8")
        collect(registry, local_only=True, now=datetime(2026, 11, 10, hour, tzinfo=UTC), gate=gate)
    first, changes = history(registry, date(2026, 11, 22))
    mine = [
        (c.indicator, c.old, c.new, c.file)
        for c in changes
        if c.institution_id == "qinglan-tcm" and c.period == "2026-10"
    ]
    a, b = "qinglan-tcm/statistics/2026-10-a.csv", "qinglan-tcm/statistics/2026-10-b.csv"
    assert mine[-4:] == [
        ("complaints_received", 5, 6, a),
        ("complaints_received", 6, 5, a),
        ("complaints_resolved", 1, 2, a),
        ("complaints_resolved", 2, 4, b),
    ]
    assert first[("qinglan-tcm", "2026-10")] < date(2026, 11, 10)  # the workbook had it
