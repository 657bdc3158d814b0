"""`portal build` leaves a site alone only when nothing it is built from changed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.build import build_site
from tests.conftest import NOW, ROOT

UP_TO_DATE = "网站已是最新"


def _tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))


def _build(data_dir: Path, out: Path, rebuild: bool = False) -> tuple[bool, object]:
    said: list[str] = []
    outcome = build_site(data_dir, out, ROOT / "mkdocs.yml", said.append, rebuild=rebuild)
    return any(UP_TO_DATE in s for s in said), outcome


def test_an_unchanged_build_leaves_the_site_as_a_full_build_writes_it(data_dir, tmp_path, clock):
    out = tmp_path / "public"
    skipped, first = _build(data_dir, out)
    assert not skipped
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    skipped, again = _build(data_dir, out)
    assert skipped
    # The same report as the build that wrote the site, and not one file touched.
    assert again.problems == first.problems and again.quarantined == first.quarantined == 1
    assert again.left_out == first.left_out and again.blocking == first.blocking
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == stamps
    # What was left alone is what a full build writes.
    full = tmp_path / "full"
    skipped, _ = _build(data_dir, full, rebuild=True)
    assert not skipped
    assert _tree(out) == _tree(full)


def _edit_case(data: Path, out: Path) -> None:
    case = data / "cases" / "2025-mch-conduct.md"
    case.write_text(case.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")


def _new_source_file(data: Path, out: Path) -> None:
    folder = data / "sources" / "chengdong-chc" / "statistics"
    (folder / "2026-10.csv").write_text("月份,受理投诉举报\n2026-10,7\n", encoding="utf-8")


def _edit_registry(data: Path, out: Path) -> None:
    config = data / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n# 注释\n", encoding="utf-8")


def _edit_site(data: Path, out: Path) -> None:
    page = out / "index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<!-- x -->", encoding="utf-8")


def _delete_from_site(data: Path, out: Path) -> None:
    (out / "404.html").unlink()


def _other_clock(data: Path, out: Path) -> None:
    os.environ["SOURCE_DATE_EPOCH"] = str(int(NOW.timestamp()) + 60)


def test_any_change_builds_again(
    data_dir: Path, tmp_path: Path, clock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each change in turn, to a site left up to date by the build before it (one site
    for all: a build of the demo each, not two)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))  # restored after
    out = tmp_path / "public"
    _build(data_dir, out)
    for change in (
        _edit_case,
        _new_source_file,
        _edit_registry,
        _edit_site,
        _delete_from_site,
        _other_clock,
    ):
        change(data_dir, out)
        skipped, _ = _build(data_dir, out)
        assert not skipped, change.__name__
        # The rebuilt site is again a site as built (the edit or deletion is gone).
        assert "<!-- x -->" not in (out / "index.html").read_text(encoding="utf-8")
        assert (out / "404.html").exists()
        assert _build(data_dir, out)[0], change.__name__


def test_the_switch_and_the_command(data_dir, tmp_path, monkeypatch):
    out = tmp_path / "public"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    _build(data_dir, out)
    monkeypatch.setenv("PORTAL_REBUILD", "1")
    assert not _build(data_dir, out)[0]
    monkeypatch.delenv("PORTAL_REBUILD")
    # As a person runs it: the same clock and data, then --rebuild.
    command = [sys.executable, "-m", "pipeline", "build", "--data", str(data_dir)]
    command += ["--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for extra, expected in (([], True), (["--rebuild"], False)):
        done = subprocess.run(command + extra, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert (UP_TO_DATE in done.stderr) is expected
        # The problems are reported either way.
        assert "约12" in done.stdout and "1 个报送文件未通过校验" in done.stderr
