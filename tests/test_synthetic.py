"""portal demo: a synthetic data directory of any size, shaped and messy like the demo."""

import hashlib
import random
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from pipeline.base.periods import BEIJING, month_range
from pipeline.base.registry import load_registry, vocabulary
from pipeline.cases import load_cases
from pipeline.demo import submissions
from pipeline.demo.files import Shape
from pipeline.demo.synthetic import _figures, generate
from pipeline.store import latest_snapshots, read_manifest
from tests.conftest import DEMO, portal_here
from tests.conftest import run_portal as portal

SIZE = ("--institutions", "40", "--months", "8", "--cases", "30")


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_demo_generates_the_size_asked_with_the_demo_s_mess(tmp_path):
    out = tmp_path / "syn"
    done = portal("demo", *SIZE, "--out", str(out))
    assert done.returncode == 0, done.stderr
    reg = load_registry(out)
    reporting = [i for i in reg.institutions.values() if i.id != reg.config.authority_id]
    assert len(reporting) == 40
    # Every type of the vocabulary; the authority is the one institution that is not 40.
    assert {i.type for i in reporting} | {"卫生健康行政部门"} == set(
        vocabulary()["institution_types"]
    )
    suffixes = {p.suffix for p in (out / "sources").rglob("*") if p.is_file()}
    assert {".xlsx", ".csv", ".json"} <= suffixes
    cases = load_cases(reg)
    assert len(cases) == 30
    assert all(not c.problems for c in cases), [c.problems for c in cases if c.problems]
    assert {c.notice.status for c in cases if c.notice} == {"draft", "published", "retracted"}
    # The mess, even at this size: a guessed figure and full-width digits in GB18030.
    texts = [p.read_bytes().decode("gb18030") for p in (out / "sources").rglob("*.csv")]
    assert any("约12" in t for t in texts)
    assert any("０" in t or "１" in t for t in texts)
    # As collected: every source file is the newest snapshot of it, stored under its hash.
    latest = {(s.institution_id, s.name): s for s in latest_snapshots(out)}
    files = [p for p in (out / "sources").rglob("statistics/*") if p.is_file()]
    assert len(latest) == len(files) > 40 * 6
    for path in files:
        snap = latest[(path.parent.parent.name, f"statistics/{path.name}")]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == snap.sha256
    manifest = read_manifest(out)
    for snap in manifest:
        assert hashlib.sha256(snap.path(out).read_bytes()).hexdigest() == snap.sha256
    store = out / "snapshots"
    stored = {p for p in store.glob("*/*") if p.is_file()}
    assert stored == {snap.path(out) for snap in manifest}
    # The same arguments give the same files; a folder with data in it is never overwritten.
    again = tmp_path / "again"
    assert portal("demo", *SIZE, "--out", str(again)).returncode == 0
    assert digests(again) == digests(out)
    refused = portal("demo", *SIZE, "--out", str(out))
    assert refused.returncode != 0 and "不是空目录" in refused.stderr


def test_a_synthetic_directory_checks_and_builds(tmp_path):
    data = tmp_path / "syn"
    assert portal_here("demo", *SIZE, "--out", str(data)).returncode == 0
    checked = portal_here("check", "--data", str(data), "--reports", str(tmp_path / "reports"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # The one mess that is refused is the guessed figure: the figures themselves keep the
    # rules (running totals, institutions that start late), whatever their style.
    refused = [line for line in checked.stdout.splitlines() if line.startswith("[错误]")]
    assert refused and all("约12" in line for line in refused), refused
    site = tmp_path / "site"
    built = portal_here("build", "--data", str(data), "--out", str(site))
    assert built.returncode == 0, built.stderr
    reg = load_registry(data)
    pages = {p.parent.name for p in (site / "institutions").glob("*/index.html")}
    assert pages == set(reg.institutions) - {reg.config.authority_id}


def test_files_are_the_same_with_one_process_or_two(tmp_path, processes):
    until = datetime(2026, 11, 3, tzinfo=BEIJING)
    processes(1)
    generate(tmp_path / "one", 14, 5, 6, until=until, seed=7)
    processes(2)
    generate(tmp_path / "two", 14, 5, 6, until=until, seed=7)
    assert digests(tmp_path / "one") == digests(tmp_path / "two")
    assert len(digests(tmp_path / "one")) > 14 * 5 * 2


@pytest.mark.parametrize("institution_id", ["qinglan-renmin", "qinglan-mental", "anhe-clinic"])
def test_the_fast_writers_write_what_the_demo_s_writers_write(institution_id):
    # The demo's writers (csv, json, openpyxl) are the reference: the same rows give the
    # same bytes, for a hospital, another larger institution and a clinic's indicators.
    registry = load_registry(DEMO)
    inst = registry.institutions[institution_id]
    codes = submissions._codes(registry, inst)
    shape = Shape(registry, codes)
    rows = list(submissions.figures(inst, month_range("2024-11", "2026-02"), random.Random(3)))
    if "funds_recovered_yuan" in rows[1]:
        rows[1]["funds_recovered_yuan"] = 1_234_500  # thousands separators, quoted in CSV
    for i, row in enumerate(rows):
        period, values = row["period"], [row.get(c) for c in codes]
        assert shape.csv_gbk_month(inst.name, period, values) == submissions.csv_gbk_month(
            registry, inst, row
        )
        assert shape.csv_long_month(inst.id, period, values) == submissions.csv_long_month(
            registry, inst, row
        )
        assert shape.json_month(inst.id, period, values) == submissions.json_month(
            registry, inst, row
        )
        year = [r for r in rows[: i + 1] if r["period"][:4] == period[:4]]
        made = shape.xlsx_year(
            inst.name, period[:4], [(r["period"], [r.get(c) for c in codes]) for r in year]
        )
        assert made == submissions.xlsx_year(registry, inst, period[:4], year), period


def test_running_totals_start_with_an_institution_that_starts_late():
    registry = load_registry(DEMO)
    months = month_range("2024-01", "2025-12")
    reporting = [i for i in registry.institutions.values() if i.source]
    insts = [
        inst.model_copy(update={"active_from": f"2024-{k % 12 + 1:02d}"})
        for k, inst in enumerate(reporting * 3)
    ]
    codes = list(registry.indicators)
    figures = _figures(insts, months, codes, np.random.default_rng(5))
    col = {c: figures[:, :, codes.index(c)] for c in codes}
    for k, inst in enumerate(insts):
        start = months.index(inst.active_from)
        assert np.isnan(figures[k, :start]).all()
        assert not np.isnan(col["complaints_received"][k, start:]).any()
        for part, whole in (
            ("complaints_resolved", "complaints_received"),
            ("issues_rectified", "issues_found"),
        ):
            done, came = col[part][k, start:].cumsum(), col[whole][k, start:].cumsum()
            assert (done <= came).all(), (inst.id, inst.active_from, part)
        assert (col["staff_trained"][k, start:] <= inst.staff).all()
