"""Local sources become immutable snapshots with provenance; nothing is lost."""

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from pipeline.cases import gate
from pipeline.collect import collect
from pipeline.collect import collection as collect_module
from pipeline.store import latest_snapshots, read_manifest

T1 = datetime(2026, 11, 1, tzinfo=UTC)
T2 = datetime(2026, 11, 2, tzinfo=UTC)


def test_every_source_file_is_snapshotted_once_with_provenance(registry):
    stats = registry.data_dir / "sources" / "qinglan-renmin" / "statistics"
    before = len(read_manifest(registry.data_dir))
    results = collect(registry, local_only=True, now=T1, gate=gate)
    assert all(not r.received for r in results)  # the demo's snapshots are committed
    new = stats / "2026-11.csv"
    new.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    results = collect(registry, local_only=True, now=T1, gate=gate)
    got = {r.institution_id: r.received for r in results if r.received}
    assert got == {"qinglan-renmin": ["statistics/2026-11.csv"]}
    manifest = read_manifest(registry.data_dir)
    assert len(manifest) == before + 1
    snap = manifest[-1]
    content = new.read_bytes()
    assert snap.sha256 == hashlib.sha256(content).hexdigest()
    assert snap.size == len(content) and snap.period == "2026-11"
    assert snap.fetched_at == "2026-11-01T00:00:00Z"
    assert snap.path(registry.data_dir).read_bytes() == content
    # Re-running is idempotent: nothing new, nothing rewritten.
    assert all(not r.received for r in collect(registry, local_only=True, now=T2, gate=gate))
    assert len(read_manifest(registry.data_dir)) == before + 1


def test_a_corrected_file_keeps_both_snapshots_and_the_newest_is_used(registry):
    stats = registry.data_dir / "sources" / "qinglan-renmin" / "statistics"
    f = stats / "2026-11.csv"
    f.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    collect(registry, local_only=True, now=T1, gate=gate)
    first = latest_snapshots(registry.data_dir)
    f.write_text("月份,受理投诉举报\n2026-11,4\n", encoding="utf-8")
    collect(registry, local_only=True, now=T2, gate=gate)
    mine = [s for s in read_manifest(registry.data_dir) if s.name == "statistics/2026-11.csv"]
    assert len(mine) == 2 and all(s.path(registry.data_dir).exists() for s in mine)
    latest = {
        s.name: s
        for s in latest_snapshots(registry.data_dir)
        if s.institution_id == "qinglan-renmin"
    }
    assert latest["statistics/2026-11.csv"].sha256 == mine[1].sha256
    assert len(latest_snapshots(registry.data_dir)) == len(first)
    # Deleting the source file loses nothing already stored.
    f.unlink()
    collect(registry, local_only=True, now=T2, gate=gate)
    assert mine[0].path(registry.data_dir).exists() and mine[1].path(registry.data_dir).exists()


def test_a_missing_source_folder_is_reported_not_fatal(registry):
    import shutil

    shutil.rmtree(registry.data_dir / "sources" / "anhe-clinic")
    results = {r.institution_id: r for r in collect(registry, local_only=True, now=T1, gate=gate)}
    assert results["anhe-clinic"].failed
    assert not results["qinglan-renmin"].failed


def test_source_folders_hashed_by_several_processes_collect_the_same(data_dir, tmp_path, processes):
    import shutil

    from pipeline.base.registry import load_registry

    seen = {}
    for jobs in (1, 2):
        processes(jobs)
        copy = tmp_path / f"data-{jobs}"
        shutil.copytree(data_dir, copy)
        stats = copy / "sources" / "qinglan-renmin" / "statistics"
        (stats / "2026-11.csv").write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
        (stats / "2026-10.csv").write_text("月份,受理投诉举报\n2026-10,4\n", encoding="utf-8")
        results = collect(load_registry(copy), local_only=True, now=T1, gate=gate)
        seen[jobs] = [(r.institution_id, r.received, r.unchanged, r.failed) for r in results]
        assert len(read_manifest(copy)) == len(read_manifest(data_dir)) + 2
    assert seen[2] == seen[1]
    received = {i: got for i, got, _, _ in seen[2] if got}
    assert received == {"qinglan-renmin": ["statistics/2026-10.csv", "statistics/2026-11.csv"]}


def _source_reads(monkeypatch, sources: Path) -> list[Path]:
    """Every read of a file under ``sources`` from now on."""
    reads: list[Path] = []
    read_bytes = Path.read_bytes

    def counted(self: Path) -> bytes:
        if self.is_relative_to(sources):
            reads.append(self)
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", counted)
    return reads


def test_unchanged_source_files_are_not_read_again(registry, monkeypatch, own_cache):
    monkeypatch.setattr(collect_module, "_RACY_NS", 0)
    sources = (registry.data_dir / "sources").resolve()
    reads = _source_reads(monkeypatch, sources)
    collect(registry, local_only=True, now=T1, gate=gate)
    assert len(reads) > 100  # the first run hashes every file
    assert list(own_cache.glob("portal/source-hashes-*.json"))
    reads.clear()
    assert all(not r.received for r in collect(registry, local_only=True, now=T2, gate=gate))
    assert reads == []


def test_a_file_edited_to_the_same_size_and_time_is_read_again(registry, monkeypatch):
    monkeypatch.setattr(collect_module, "_RACY_NS", 0)
    f = registry.data_dir / "sources" / "qinglan-renmin" / "statistics" / "2026-11.csv"
    f.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    collect(registry, local_only=True, now=T1, gate=gate)
    st = f.stat()
    f.write_text("月份,受理投诉举报\n2026-11,8\n", encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # the same size and mtime as before
    results = {r.institution_id: r for r in collect(registry, local_only=True, now=T2, gate=gate)}
    assert results["qinglan-renmin"].received == ["statistics/2026-11.csv"]
    newest = latest_snapshots(registry.data_dir)
    [snap] = [
        s
        for s in newest
        if s.institution_id == "qinglan-renmin" and s.name == f"statistics/{f.name}"
    ]
    assert snap.path(registry.data_dir).read_bytes() == f.read_bytes()


def test_a_file_written_just_now_is_hashed_again_next_time(registry, monkeypatch):
    f = registry.data_dir / "sources" / "qinglan-renmin" / "statistics" / "2026-11.csv"
    f.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    collect(registry, local_only=True, now=T1, gate=gate)
    reads = _source_reads(monkeypatch, (registry.data_dir / "sources").resolve())
    collect(registry, local_only=True, now=T2, gate=gate)
    # Written within the last two seconds: a coarse clock could hide a second edit.
    assert f.resolve() in reads


def test_an_unreadable_hash_cache_only_costs_reading_every_file(registry, own_cache, monkeypatch):
    monkeypatch.setattr(collect_module, "_RACY_NS", 0)
    collect(registry, local_only=True, now=T1, gate=gate)
    [cache] = own_cache.glob("portal/source-hashes-*.json")
    cache.write_text("{not json", encoding="utf-8")
    f = registry.data_dir / "sources" / "qinglan-renmin" / "statistics" / "2026-11.csv"
    f.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    results = {r.institution_id: r for r in collect(registry, local_only=True, now=T2, gate=gate)}
    assert results["qinglan-renmin"].received == ["statistics/2026-11.csv"]
    assert all(not r.failed for r in results.values())


def test_an_unexpected_error_in_one_source_fails_that_institution_only(registry):
    import shutil

    folder = registry.data_dir / "sources" / "anhe-clinic"
    shutil.rmtree(folder)
    folder.symlink_to(folder.name)  # a link to itself: resolving it raises RuntimeError
    f = registry.data_dir / "sources" / "qinglan-renmin" / "statistics" / "2026-11.csv"
    f.write_text("月份,受理投诉举报\n2026-11,3\n", encoding="utf-8")
    results = {r.institution_id: r for r in collect(registry, local_only=True, now=T1, gate=gate)}
    [(name, reason)] = results["anhe-clinic"].failed
    assert name == "sources/anhe-clinic"
    assert "RuntimeError" in reason and "loop" in reason
    assert results["qinglan-renmin"].received == ["statistics/2026-11.csv"]
    assert all(not r.failed for i, r in results.items() if i != "anhe-clinic")
    assert read_manifest(registry.data_dir)[-1].name == "statistics/2026-11.csv"


def test_two_collections_at_once_lose_no_manifest_row(data_dir):
    """Two processes collect different months of new files at the same time; each holds
    its copy of the manifest while a slow server answers, so their writes overlap."""
    import subprocess
    import sys

    from tests.test_fetch import Server, publish, remote_registry

    server = Server()
    try:
        registry = remote_registry(data_dir, server)
        slow = "月份,受理投诉举报\n{},3\n"
        publish(
            server,
            {
                f"statistics/{m}.csv": [("late", 2.0, slow.format(m).encode())]
                for m in ("2026-11", "2026-12")
            },
        )
        before = read_manifest(data_dir)
        sources = [
            data_dir / i.source
            for i in registry.reporting_institutions
            if i.source.startswith("sources/") and i.active_in("2026-11") and i.active_in("2026-12")
        ]
        for folder in sources:
            for month in ("2026-11", "2026-12"):
                (folder / "statistics" / f"{month}.csv").write_text(
                    f"月份,受理投诉举报\n{month},{len(folder.name)}\n", encoding="utf-8"
                )
        # A file both runs want (a yearly file): it must be recorded once.
        (sources[0] / "statistics" / "2026.csv").write_text(
            "月份,受理投诉举报\n2026-01,1\n", encoding="utf-8"
        )
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pipeline",
                    "collect",
                    "--data",
                    str(data_dir),
                    "--month",
                    month,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for month in ("2026-11", "2026-12")
        ]
        for p in runs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
    finally:
        server.close()
    after = read_manifest(data_dir)
    assert after[: len(before)] == before
    new = after[len(before) :]
    keys = [(s.institution_id, s.name) for s in new]
    assert len(keys) == len(set(keys))
    wanted = {
        (folder.name, f"statistics/{month}.csv")
        for folder in sources
        for month in ("2026-11", "2026-12")
    }
    wanted |= {("qinglan-renmin", f"statistics/{m}.csv") for m in ("2026-11", "2026-12")}
    wanted.add((sources[0].name, "statistics/2026.csv"))
    assert set(keys) == wanted
    listed = {(s.institution_id, s.sha256) for s in after}
    stored = {
        (p.parent.name, p.stem)
        for p in (data_dir / "snapshots").glob("*/*")
        if p.is_file() and not p.name.startswith(".")
    }
    assert stored <= listed


def test_each_case_notice_stored_goes_through_the_gate_it_is_given(registry):
    folder = registry.data_dir / "sources" / "qinglan-renmin" / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    for case_id in ("2026-renmin-a", "2026-renmin-b"):
        (folder / f"{case_id}.md").write_text(f"---\nid: {case_id}\n---\n正文\n", encoding="utf-8")
    asked = []

    def flags_a_breaks_on_b(text, name, _registry):
        asked.append((name, text.splitlines()[1]))
        if name.endswith("-b.md"):
            raise ValueError("gate broken")
        return ["one", "two"]

    results = collect(registry, local_only=True, now=T1, gate=flags_a_breaks_on_b)
    renmin = next(r for r in results if r.institution_id == "qinglan-renmin")
    assert asked == [
        ("qinglan-renmin/cases/2026-renmin-a.md", "id: 2026-renmin-a"),
        ("qinglan-renmin/cases/2026-renmin-b.md", "id: 2026-renmin-b"),
    ]
    # Stored either way, for the press office's review queue; sent back to the office.
    assert renmin.received == ["cases/2026-renmin-a.md", "cases/2026-renmin-b.md"]
    assert renmin.failed == [
        ("cases/2026-renmin-a.md", "案例含可识别个人的信息（2 处），已退回机构修改"),
        (
            "cases/2026-renmin-b.md",
            "案例无法完成个人信息检查，已退回机构修改；采集时出错（ValueError：gate broken）",
        ),
    ]
