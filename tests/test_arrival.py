"""Arrival dates that hold under the real schedule: collection runs every day, a file's
arrival is the day it was first seen (or the evidence that it came earlier), and late or
corrected files of earlier months are collected. The clock is moved with Debian's
faketime, for the whole process tree; nothing is dated by writing it into a fixture."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import run_portal

ON_TIME, LATE, MISSING = "chengdong-chc", "chengnan-chc", "chengxi-chc"


@pytest.fixture(autouse=True)
def needs_faketime():
    if not shutil.which("faketime"):
        if os.environ.get("CI"):
            pytest.fail("faketime is not installed: CI must install Debian's faketime package")
        pytest.skip("faketime is not installed (apt-get install faketime)")


@pytest.fixture
def web(tmp_path):
    """Institutions' own websites: a folder served over HTTP on 127.0.0.1."""
    root = tmp_path / "web"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def publish(root: Path, inst: str, files: dict[str, str]) -> None:
    """An institution puts files on its website (and lists them in index.json)."""
    folder = root / inst
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    listed = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.csv"))
    (folder / "index.json").write_text(json.dumps({"files": listed}), encoding="utf-8")


def portal(when: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``portal`` run with the clock at ``when`` (UTC)."""
    run = run_portal(*args, faketime=when)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def serve_from(data_dir: Path, base: str, institutions: list[str]) -> None:
    path = data_dir / "registry" / "institutions.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for row in rows:
        if row["id"] in institutions:
            row["source"] = f"{base}/{row['id']}/"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def read(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_daily_collection_dates_arrivals_and_picks_up_late_and_corrected_files(
    data_dir, web, tmp_path
):
    root, base = web
    serve_from(data_dir, base, [ON_TIME, LATE, MISSING])
    data = ("--data", str(data_dir))
    # 15 December: one institution publishes November's figures; a daily run sees them.
    publish(root, ON_TIME, {"statistics/2026-11.csv": "月份,受理投诉举报\n2026-11,3\n"})
    portal("2026-12-15 02:00:00", "collect", *data)
    portal("2026-12-18 02:00:00", "collect", *data)  # nothing new: nothing stored
    # 22 December: the second publishes late; the first corrects September.
    publish(root, LATE, {"statistics/2026-11.csv": "月份,受理投诉举报\n2026-11,4\n"})
    publish(root, ON_TIME, {"statistics/2026-09.csv": "月份,受理投诉举报\n2026-09,2\n"})
    portal("2026-12-22 02:00:00", "collect", *data)
    manifest = read(data_dir / "snapshots" / "manifest.csv")
    new = [r for r in manifest if r["institution_id"] in (ON_TIME, LATE)]
    assert sorted((r["institution_id"], r["name"], r["fetched_at"][:10]) for r in new[-3:]) == [
        (ON_TIME, "statistics/2026-09.csv", "2026-12-22"),
        (ON_TIME, "statistics/2026-11.csv", "2026-12-15"),
        (LATE, "statistics/2026-11.csv", "2026-12-22"),
    ]
    assert all(r["last_modified"] for r in new[-3:])  # the server's word, kept as evidence
    out = tmp_path / "site"
    portal("2026-12-26 02:00:00", "build", *data, "--out", str(out), "--quiet")
    status = {
        r["institution_id"]: (r["status"], r["arrived"])
        for r in read(out / "data" / "punctuality.csv")
        if r["period"] == "2026-11"
    }
    assert status[ON_TIME] == ("按时报送", "2026-12-15")
    assert status[LATE] == ("逾期报送", "2026-12-22")
    assert status[MISSING] == ("未报送", "")
    about = (out / "about" / "index.html").read_text(encoding="utf-8")
    assert "2026-12-22" in about and "2026年9月" in about  # the correction, with its date
    assert "第一次收到" in about  # the rule the site uses, in words


def test_a_file_dropped_into_a_folder_source_arrives_with_its_commit(data_dir, tmp_path):
    """A file that came by e-mail is filed by an officer: it arrived when it entered
    the data directory (its commit), or on the day the officer recorded."""
    git = ["git", "-C", str(data_dir)]
    env = {**os.environ, "GIT_AUTHOR_NAME": "office", "GIT_AUTHOR_EMAIL": "o@example.org"}
    env |= {"GIT_COMMITTER_NAME": "office", "GIT_COMMITTER_EMAIL": "o@example.org"}
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "data"], check=True, env=env)
    filed = data_dir / "sources" / ON_TIME / "statistics" / "2026-11.csv"
    filed.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    second = data_dir / "sources" / LATE / "statistics" / "2026-11.csv"
    second.write_text("月份,受理投诉举报\n2026-11,5\n", encoding="utf-8")
    (data_dir / "sources" / LATE / "received.csv").write_text(
        "file,received_on,note\n2026-11.csv,2026-12-10,邮件收到\n", encoding="utf-8"
    )
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    dated = env | {"GIT_COMMITTER_DATE": "2026-12-16T09:00:00+08:00"}
    subprocess.run([*git, "commit", "-qm", "November"], check=True, env=dated)
    # The next run that sees them is ten days later.
    out = tmp_path / "site"
    portal("2026-12-26 02:00:00", "build", "--data", str(data_dir), "--out", str(out), "--quiet")
    status = {
        r["institution_id"]: (r["status"], r["arrived"])
        for r in read(out / "data" / "punctuality.csv")
        if r["period"] == "2026-11"
    }
    assert status[ON_TIME] == ("按时报送", "2026-12-16")  # the commit
    assert status[LATE] == ("按时报送", "2026-12-10")  # the officer's record
    provenance = {r["file"]: r for r in read(out / "data" / "provenance.csv")}
    row = provenance[f"{ON_TIME}/statistics/2026-11.csv"]
    assert (
        row["fetched_at"].startswith("2026-12-26") and row["received_at"] == "2026-12-16T01:00:00Z"
    )


def test_check_counts_the_month_in_beijing_time(data_dir, tmp_path):
    """At 07:00 on 1 December in Beijing (23:00 on 30 November in UTC, the clock of a CI
    machine) November has ended: a November file passes, as the build would take it; at
    23:00 on 30 November in Beijing it is refused as a month not yet ended."""
    sent = tmp_path / "2026-11.csv"
    sent.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    args = ("check", "--data", data_dir, "--institution", ON_TIME, sent)
    ended = run_portal(*args, cwd=tmp_path, faketime="2026-11-30 23:00:00")
    assert ended.returncode == 0, ended.stdout + ended.stderr
    assert "通过" in ended.stderr
    not_yet = run_portal(*args, cwd=tmp_path, faketime="2026-11-30 15:00:00")
    assert not_yet.returncode == 1
    assert "月份尚未结束" in not_yet.stdout
