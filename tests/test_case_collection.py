"""Case notices institutions send: stored, gated on arrival, queued for review, never
published by themselves."""

import hashlib
import subprocess
from datetime import UTC, datetime

from pipeline.cases import gate, review_queue
from pipeline.collect import collect
from pipeline.store import read_manifest

CASE = """---
id: {id}
title: 区人民医院医生收受红包被处理
date: 2026-11-10
category: red_envelope
status: published
---

{body}
"""


def send(registry, case_id, body):
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{case_id}.md").write_text(CASE.format(id=case_id, body=body), encoding="utf-8")


def test_cases_from_an_institution_are_gated_and_queued_not_published(registry, tmp_path):
    send(registry, "2026-renmin-clean", "医生王某收受红包2000元，已退还。")
    send(registry, "2026-renmin-named", "医生张建华收受红包2000元。")
    results = collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    renmin = next(r for r in results if r.institution_id == "qinglan-renmin")
    assert sorted(renmin.received) == ["cases/2026-renmin-clean.md", "cases/2026-renmin-named.md"]
    assert [n for n, why in renmin.failed if "已退回" in why] == ["cases/2026-renmin-named.md"]
    kinds = {s.name: s.kind for s in read_manifest(registry.data_dir, held=True)}
    assert kinds["cases/2026-renmin-clean.md"] == "case"
    queue = {case.notice.id: case for _inst, case in review_queue(registry)}
    assert not queue["2026-renmin-clean"].problems
    assert [p.value for p in queue["2026-renmin-named"].problems] == ["张建华"]

    from pipeline.build import build
    from tests.conftest import NOW, ROOT

    build(registry.data_dir, tmp_path / "out", now=NOW, config_file=ROOT / "mkdocs.yml")
    assert not (tmp_path / "out" / "cases" / "2026-renmin-clean").exists()
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.html"))
    assert "2026-renmin-clean" not in html


def test_check_lists_the_queue_and_writes_the_refusal(data_dir, tmp_path):
    from pipeline.base.registry import load_registry
    from tests.conftest import portal_here as portal

    registry = load_registry(data_dir)
    send(registry, "2026-renmin-named", "医生张建华收受红包2000元。")
    collect(registry, local_only=True, gate=gate)
    done = portal("check", "--data", str(data_dir), "--reports", str(tmp_path / "r"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "待审核案例" in done.stdout and "已退回" in done.stdout
    assert "2026-renmin-named.md（含个人信息 1 处" in done.stdout  # which file, not its title
    assert "张建华" not in done.stdout and "收受红包被处理" not in done.stdout  # logs travel
    report = (tmp_path / "r" / "qinglan-renmin" / "case-2026-renmin-named.txt").read_text(
        encoding="utf-8"
    )
    assert "张建华" in report and "张某" in report


def test_a_case_an_institution_saved_in_gbk_is_read_not_garbled(registry):
    """Many offices' editors save Chinese text as GBK: the gate must read the names in
    it (decoding with replacement characters hid them), and the review queue shows it."""
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    text = CASE.format(id="2026-renmin-gbk", body="医生张建华收受红包2000元。")
    (folder / "2026-renmin-gbk.md").write_bytes(text.encode("gb18030"))
    results = collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    renmin = next(r for r in results if r.institution_id == "qinglan-renmin")
    assert [n for n, why in renmin.failed if "已退回" in why] == ["cases/2026-renmin-gbk.md"]
    queue = {case.notice.id: case for _inst, case in review_queue(registry)}
    assert [p.value for p in queue["2026-renmin-gbk"].problems] == ["张建华"]


def test_a_press_office_case_saved_in_gbk_is_checked_like_any_other(registry):
    from pipeline.cases import load_case

    path = registry.data_dir / "cases" / "2026-gbk-case.md"
    text = CASE.format(id="2026-gbk-case", body="医生王某收受红包2000元，已退还。")
    path.write_bytes(text.replace("status: published", "status: draft").encode("gb18030"))
    case = load_case(path, registry, "cases/2026-gbk-case.md")
    assert case.notice is not None and "王某" in case.body, case.problems


def git(folder, *args):
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_case_notices_never_reach_the_data_repository(registry):
    """The monthly workflow commits the data directory's snapshots, and the repository
    may be public: a notice an institution sent (refused for a name, or not yet
    reviewed) and its file name stay on the machine that collected them."""
    data = registry.data_dir
    git(data, "init", "--quiet")
    git(data, "add", "-A")
    git(data, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "data")
    folder = data / "sources" / "qinglan-renmin" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    named = "zhang-jianhua-hongbao"
    (folder / f"{named}.md").write_text(
        CASE.format(id="2026-renmin-x", body="医生邝振邦收受红包2000元。"), encoding="utf-8"
    )
    send(registry, "2026-renmin-clean", "医生王某收受红包2000元，已退还。")
    collect(registry, local_only=True, now=datetime(2026, 11, 22, tzinfo=UTC), gate=gate)
    # Kept, and in the review queue: nothing is lost.
    queue = {case.path.name for _inst, case in review_queue(registry)}
    assert len(queue) == 2
    # What the workflow and a careless officer would add: nothing of either notice.
    git(data, "add", "snapshots")
    git(data, "add", "-A")
    staged = git(data, "diff", "--cached", "--name-only")
    assert "held" not in staged and "cases/" not in staged, staged
    everything = b"".join(
        subprocess.run(
            ["git", "-C", str(data), "show", f":{name}"], capture_output=True, check=True
        ).stdout
        for name in git(data, "ls-files").splitlines()
    )
    for told in (named, "邝振邦", "2026-renmin-clean", "王某收受红包"):
        assert told.encode() not in everything, told


def test_notices_an_earlier_version_kept_in_snapshots_move_to_held(registry):
    """A data directory collected by an earlier version has case notices (and their
    manifest rows) in snapshots/: the next collection moves them, losing none."""
    data = registry.data_dir
    text = CASE.format(id="2026-renmin-old", body="医生张建华收受红包2000元。").encode()
    digest = hashlib.sha256(text).hexdigest()
    (data / "snapshots" / "qinglan-renmin").mkdir(parents=True, exist_ok=True)
    (data / "snapshots" / "qinglan-renmin" / f"{digest}.md").write_bytes(text)
    manifest = data / "snapshots" / "manifest.csv"
    before = read_manifest(data)
    with manifest.open("a", encoding="utf-8") as f:  # the row as an earlier version wrote it
        f.write(
            "qinglan-renmin,case,cases/2026-renmin-old.md,"
            "sources/qinglan-renmin/cases/2026-renmin-old.md,"
            f"2026-10-02T01:00:00Z,,{digest},{len(text)},,,,\n"
        )
    from tests.conftest import portal_here

    done = portal_here("collect", "--data", str(data))
    assert "已把 1 篇机构报送的案例从 snapshots/ 移到本机的 held/" in done.stderr, done.stderr
    assert "2026-renmin-old" not in manifest.read_text(encoding="utf-8")
    assert read_manifest(data) == before
    assert not (data / "snapshots" / "qinglan-renmin" / f"{digest}.md").exists()
    (held,) = read_manifest(data, held=True)
    assert held.fetched_at == "2026-10-02T01:00:00Z"  # its provenance kept
    assert held.path(data).read_bytes() == text
    assert [c.notice.id for _i, c in review_queue(registry) if c.notice] == ["2026-renmin-old"]


def test_a_notice_the_portal_cannot_take_is_told_not_skipped(registry):
    """A notice saved under a Chinese name, in a subfolder or as .txt was left out
    without a word: the office thought it had sent it."""
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "cases"
    (folder / "2026").mkdir(parents=True)
    for name in ("欧阳振华红包.md", "2026/2026-renmin-sub.md", "2026-renmin-txt.txt"):
        (folder / name).write_text(CASE.format(id="x", body="医生王某。"), encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\0")  # what a Mac leaves: no file of the office's
    results = collect(registry, local_only=True, gate=gate)
    renmin = next(r for r in results if r.institution_id == "qinglan-renmin")
    told = sorted(n for n, why in renmin.failed if "文件名不符合要求" in why)
    assert told == [
        "cases/2026-renmin-txt.txt",
        "cases/2026/2026-renmin-sub.md",
        "cases/欧阳振华红包.md",
    ]
    assert all("小写字母" in why for _n, why in renmin.failed)


def test_a_public_log_does_not_name_a_notice_by_a_persons_name(registry, monkeypatch):
    """The publishing workflow's log may be public (PORTAL_PUBLIC_LOG=1): a notice saved
    under a person's name is told there by its folder and extension, by name elsewhere."""
    from tests.conftest import run_portal

    folder = registry.data_dir / "sources" / "qinglan-renmin" / "cases"
    folder.mkdir(parents=True)
    (folder / "欧阳振华红包.md").write_text(CASE.format(id="x", body="医生王某。"), "utf-8")
    monkeypatch.setenv("PORTAL_PUBLIC_LOG", "1")
    done = run_portal("collect", "--data", str(registry.data_dir))
    assert "欧阳振华" not in done.stdout + done.stderr
    assert "cases/***.md：文件名不符合要求" in done.stdout, done.stdout
    monkeypatch.delenv("PORTAL_PUBLIC_LOG")
    done = run_portal("collect", "--data", str(registry.data_dir))
    assert "cases/欧阳振华红包.md" in done.stdout  # on the office's own terminal, whole


def test_an_older_data_gitignore_is_completed_when_a_notice_is_stored(registry):
    """A data directory from before held/ has a .gitignore without its lines: a notice that
    came by e-mail (sources/<institution>/cases/) would be committed by `git add -A`."""
    data = registry.data_dir
    (data / ".gitignore").write_text("# our own\n/tmp/\n", encoding="utf-8")
    git(data, "init", "--quiet")
    send(registry, "2026-renmin-named", "医生邝振邦收受红包2000元。")
    collect(registry, local_only=True, gate=gate)
    lines = (data / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["# our own", "/tmp/"] and "/held/" in lines
    git(data, "add", "-A")
    staged = git(data, "diff", "--cached", "--name-only")
    assert "cases/2026-renmin-named.md" not in staged and "held/" not in staged, staged
