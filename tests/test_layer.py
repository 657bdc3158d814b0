"""The parsed layer: a stored file is read and checked once; later builds take its rows
and problems from the layer, and the outcome is what checking every file again gives."""

from __future__ import annotations

import csv
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.base.registry import load_registry
from pipeline.build import build
from pipeline.check import CheckResult, check_all
from pipeline.check import layer as layer_module
from pipeline.check.layer import Layer, layer_dir
from pipeline.demo import generate
from pipeline.store import read_manifest, write_manifest
from tests.conftest import NOW, ROOT

TODAY = NOW.date()


def check(data: Path, folder: Path | None, today: date = TODAY) -> CheckResult:
    """Check every stored file of ``data`` as a build does, with the layer in ``folder``
    (None: no layer, every file read)."""
    registry = load_registry(data)
    snaps = [s for s in read_manifest(data) if s.kind == "statistics"]
    layer = Layer(folder, registry, today) if folder is not None else None
    return check_all(registry, snaps, today, layer)


def outcome(result: CheckResult) -> tuple[object, ...]:
    """What the checks decide: the published table, every problem of every file in order,
    the files listed, and the rows of every version (the punctuality history)."""
    parsed = {k: None if v is None else list(v) for k, v in result.parsed.items()}
    return (
        result.table.to_dict("list"),
        [str(p) for p in result.problems],
        [(s.file, s.accepted) for s in result.submissions],
        parsed,
    )


def statistics(data: Path) -> int:
    return sum(1 for s in read_manifest(data) if s.kind == "statistics")


def test_a_second_check_reads_no_file_and_decides_the_same(data_dir, tmp_path):
    folder = tmp_path / "layer"
    cold = check(data_dir, None)
    first = check(data_dir, folder)
    assert (first.files_checked, first.files_from_layer) == (statistics(data_dir), 0)
    second = check(data_dir, folder)
    assert (second.files_checked, second.files_from_layer) == (0, statistics(data_dir))
    assert outcome(first) == outcome(cold)
    assert outcome(second) == outcome(cold)
    # The demo has refused files, within a file and between months: all kept.
    codes = {p.code for p in second.problems}
    assert {"rule", "bad_value"} <= codes, codes
    assert any(not s.accepted for s in second.submissions)


def test_only_the_files_of_a_new_month_are_read(data_dir, tmp_path):
    every = read_manifest(data_dir)
    november = [s for s in every if s.fetched_at >= "2026-11"]
    assert 10 < len([s for s in november if s.kind == "statistics"]) < statistics(data_dir) / 10
    write_manifest(data_dir, [s for s in every if s not in november])
    folder = tmp_path / "layer"
    before = check(data_dir, folder)
    assert (before.files_checked, before.files_from_layer) == (statistics(data_dir), 0)
    write_manifest(data_dir, every)  # the month's files arrive
    after = check(data_dir, folder)
    assert after.files_checked == len([s for s in november if s.kind == "statistics"])
    assert after.files_from_layer == before.files_checked
    assert outcome(after) == outcome(check(data_dir, None))


def edit_institution(data: Path, inst_id: str, **fields: str) -> None:
    path = data / "registry" / "institutions.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["id"] == inst_id:
            row.update(fields)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_registry_change_the_checks_read_rechecks_what_it_touches(data_dir, tmp_path):
    folder = tmp_path / "layer"
    check(data_dir, folder)
    # Renamed: the institution's files only (the checks compare the name a file gives).
    edit_institution(data_dir, "qinglan-second", name="青岚区第二医院", short_name="二院")
    mine = len([s for s in read_manifest(data_dir) if s.institution_id == "qinglan-second"])
    result = check(data_dir, folder)
    assert result.files_checked == mine > 0
    assert outcome(result) == outcome(check(data_dir, None))
    # The staff count is read by the rules between files, which run on the layer's rows:
    # nothing is read again, and a count below the figures refuses them as it would.
    edit_institution(data_dir, "qinglan-second", staff="1")
    result = check(data_dir, folder)
    assert result.files_checked == 0
    assert outcome(result) == outcome(check(data_dir, None))
    assert any("在岗人数" in str(p) for p in result.problems)
    # An indicator's bound: every file is read again, and a figure above it refused.
    indicators = data_dir / "registry" / "indicators.yaml"
    text = indicators.read_text(encoding="utf-8")
    bounded = text.replace(
        "kind: count, aggregate: sum, max: 100000, group: 投诉举报}",
        "kind: count, aggregate: sum, max: 3, group: 投诉举报}",
        1,
    )
    assert bounded != text
    indicators.write_text(bounded, encoding="utf-8")
    result = check(data_dir, folder)
    assert result.files_checked == statistics(data_dir)
    assert outcome(result) == outcome(check(data_dir, None))
    assert any("不大于 3件" in str(p) for p in result.problems)


def test_a_change_to_the_reading_code_rechecks_every_file(data_dir, tmp_path, monkeypatch):
    folder = tmp_path / "layer"
    check(data_dir, folder)
    assert check(data_dir, folder).files_checked == 0
    edited = tmp_path / "readers.py"
    edited.write_bytes((ROOT / "pipeline" / "base" / "readers.py").read_bytes() + b"\n# edited\n")
    sources = tuple(edited if p.name == "readers.py" else p for p in layer_module.SOURCES)
    monkeypatch.setattr(layer_module, "SOURCES", sources)
    result = check(data_dir, folder)
    assert result.files_checked == statistics(data_dir)
    assert outcome(result) == outcome(check(data_dir, None))


def test_a_month_not_yet_ended_is_never_served_from_the_layer(data_dir, tmp_path):
    folder = tmp_path / "layer"
    october = date(2026, 10, 25)  # the October files hold a month not yet ended
    early = check(data_dir, folder, october)
    assert any(p.code == "future_period" for p in early.problems)
    assert outcome(early) == outcome(check(data_dir, None, october))
    # A month later October has ended: those files are read again and accepted.
    late = check(data_dir, folder, TODAY)
    assert not any(p.code == "future_period" for p in late.problems)
    assert 0 < late.files_checked < statistics(data_dir)
    assert outcome(late) == outcome(check(data_dir, None, TODAY))
    # A clock set back (a build dated earlier) never takes a result of a later day.
    back = check(data_dir, folder, october)
    assert back.files_checked > 0
    assert outcome(back) == outcome(check(data_dir, None, october))


def test_a_damaged_or_foreign_segment_is_ignored_and_its_files_read(data_dir, tmp_path, caplog):
    folder = tmp_path / "layer"
    cold = outcome(check(data_dir, None))
    check(data_dir, folder)
    (rows,) = folder.glob("*.rows.parquet")
    rows.write_bytes(rows.read_bytes()[: rows.stat().st_size // 2])  # truncated
    (folder / "0-foreign.json").write_text('{"format": "something else"}', encoding="utf-8")
    (folder / "1-broken.json").write_text('{"format": "portal-parsed', encoding="utf-8")
    # Rows whose entries never came (a build stopped between the two files): removed
    # once no build can still be writing them.
    stale, fresh = folder / "2-stale.rows.parquet", folder / "3-fresh.rows.parquet"
    for orphan in (stale, fresh):
        orphan.write_bytes(b"PAR1")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    with caplog.at_level(logging.WARNING, logger="portal.layer"):
        result = check(data_dir, folder)
    assert result.files_checked == statistics(data_dir)
    assert outcome(result) == cold
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "0-foreign.json" in warned and "1-broken.json" in warned and "校验和不符" in warned
    # The files read again were saved in a new segment, and the damaged ones removed:
    # the next check reads nothing and warns of nothing.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal.layer"):
        assert check(data_dir, folder).files_checked == 0
    assert not caplog.records
    assert len(list(folder.glob("*.json"))) == 1
    assert not (folder / "0-foreign.json").exists() and not rows.exists()
    assert not stale.exists() and fresh.exists()
    # Entries that point past the rows are not trusted either.
    for seg in folder.glob("*.json"):
        seg.write_text(seg.read_text(encoding="utf-8").replace("[0,", "[99999999,"), "utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="portal.layer"):
        result = check(data_dir, folder)
    assert result.files_checked > 0 and outcome(result) == cold


def test_a_segment_whose_columns_have_other_types_is_ignored(data_dir, tmp_path, caplog):
    import hashlib
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "layer"
    cold = outcome(check(data_dir, None))
    check(data_dir, folder)
    (rows,) = folder.glob("*.rows.parquet")
    table = pq.read_table(rows)
    at = table.schema.get_field_index("value")
    table = table.set_column(at, "value", table.column("value").cast(pa.string()))
    pq.write_table(table, rows)
    # Its checksum as the segment says: only the types are wrong.
    (entries,) = folder.glob("*.json")
    doc = json.loads(entries.read_text(encoding="utf-8"))
    doc["rows_sha256"] = hashlib.sha256(rows.read_bytes()).hexdigest()
    entries.write_text(json.dumps(doc), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="portal.layer"):
        result = check(data_dir, folder)
    assert result.files_checked == statistics(data_dir)
    assert outcome(result) == cold
    assert "列类型不符" in " ".join(r.getMessage() for r in caplog.records)


def test_segments_are_merged_when_they_pile_up(data_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(layer_module, "MAX_SEGMENTS", 2)
    folder = tmp_path / "layer"
    every = read_manifest(data_dir)
    stats = [s for s in every if s.kind == "statistics"]
    others = [s for s in every if s.kind != "statistics"]
    # The files arrive in four parts, one check after each.
    for part in range(1, 5):
        write_manifest(data_dir, others + stats[: len(stats) * part // 4])
        check(data_dir, folder)
        assert len(list(folder.glob("*.json"))) <= 2
    assert len(list(folder.glob("*.rows.parquet"))) == len(list(folder.glob("*.json")))
    result = check(data_dir, folder)
    assert result.files_checked == 0
    assert outcome(result) == outcome(check(data_dir, None))


def site_list(data: Path, out: Path) -> tuple[str, list[str]]:
    """The file list of the site built from ``data``, and what the build said."""
    said: list[str] = []
    build(data, out, now=NOW, config_file=ROOT / "mkdocs.yml", progress=said.append)
    return (out / "site-files.sha256").read_text(encoding="utf-8"), said


@pytest.mark.parametrize("kind", ["demo", "synthetic"])
def test_the_site_is_the_same_with_an_empty_a_warm_and_a_deleted_layer(kind, tmp_path):
    if kind == "demo":
        data = tmp_path / "data"
        shutil.copytree(ROOT / "data", data)
    else:
        data = generate(tmp_path / "data", 24, 6, 8, until=NOW - timedelta(days=1))
    folder = layer_dir(data)
    assert not folder.exists()
    n = statistics(data)
    empty, said = site_list(data, tmp_path / "empty")
    assert f"校验了 {n} 个文件，0 个文件的结果取自解析层（此前已校验，内容未变）" in said
    assert any(folder.glob("*.rows.parquet"))
    warm, said = site_list(data, tmp_path / "warm")
    assert f"校验了 0 个文件，{n} 个文件的结果取自解析层（此前已校验，内容未变）" in said
    shutil.rmtree(folder)
    deleted, said = site_list(data, tmp_path / "deleted")
    assert f"校验了 {n} 个文件，0 个文件的结果取自解析层（此前已校验，内容未变）" in said
    assert empty == warm == deleted
    assert empty.count("\n") > 50


def test_two_builds_at_once_leave_a_layer_that_serves_the_same(data_dir, tmp_path):
    env_cache = tmp_path / "shared-cache"

    def start(out: str) -> subprocess.Popen[str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "XDG_CACHE_HOME": str(env_cache),
            "SOURCE_DATE_EPOCH": str(int(NOW.timestamp())),
            "TZ": "UTC",
            # Each build in one process: what is shared is the layer, which a build
            # writes from its main process whatever the number of processes.
            "PORTAL_JOBS": "1",
        }
        command = [sys.executable, "-m", "pipeline", "build", "--data", str(data_dir)]
        return subprocess.Popen(
            [*command, "--out", str(tmp_path / out)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    first, second = start("one"), start("two")
    for proc in (first, second):
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "解析层片段" not in err  # no segment found damaged
    third = start("three")
    _, err = third.communicate(timeout=600)
    assert third.returncode == 0, err
    assert f"校验了 0 个文件，{statistics(data_dir)} 个文件的结果取自解析层" in err
    lists = [(tmp_path / n / "site-files.sha256").read_bytes() for n in ("one", "two", "three")]
    assert lists[0] == lists[1] == lists[2]


def test_a_layer_that_cannot_be_written_costs_time_only(data_dir, tmp_path, caplog):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="portal.layer"):
        result = check(data_dir, blocked / "layer")
    assert result.files_checked == statistics(data_dir)
    assert outcome(result) == outcome(check(data_dir, None))
    assert "解析层未能保存" in caplog.text


def test_the_gate_reads_a_case_text_once_across_builds(data_dir, monkeypatch):
    from pipeline import cases as cases_module
    from pipeline.cases import load_cases

    def verdicts(registry):
        return {c.path.name: c.problems for c in load_cases(registry, TODAY)}

    registry = load_registry(data_dir)
    first = verdicts(registry)
    folder = layer_dir(data_dir)
    assert list(folder.parent.glob(folder.name.replace("layer-", "gate-") + "-*.json"))

    def unread(*_args, **_kwargs):
        raise AssertionError("the gate read a text it had read before")

    # A new build (a new process: nothing remembered in memory) reads no text again.
    cases_module.pii_gate._gate.cache_clear()
    monkeypatch.setattr(cases_module.pii_gate, "find_pii", unread)
    assert verdicts(load_registry(data_dir)) == first
    # A name written into a case is read, and found.
    monkeypatch.undo()
    case = data_dir / "cases" / "2025-mch-conduct.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n护士许文静收受红包。\n", "utf-8")
    again = verdicts(load_registry(data_dir))
    assert any(p.value == "许文静" for p in again["2025-mch-conduct.md"])
    assert {k: v for k, v in again.items() if k != case.name} == {
        k: v for k, v in first.items() if k != case.name
    }
    # The layer's own folder holds only the layer: no build warns of a foreign file.
    assert not list(folder.glob("gate-*"))
