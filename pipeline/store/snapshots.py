"""The snapshot store: every file an institution sent, stored once by its SHA-256 under
``snapshots/<institution>/``, and the manifest (``snapshots/manifest.csv``) that gives
each its provenance. Rows are only ever added; nothing stored is rewritten or removed
(once, :func:`hold_case_notices` moves case notices an earlier version kept there).

Case notices are held apart, in ``held/`` (the same layout, its own manifest): a notice
an institution sends is an allegation not yet reviewed and may still name people (the
gate refuses many), while ``snapshots/`` is committed to the data repository, which may
be public. ``held/`` carries a ``.gitignore`` that keeps git from adding any of it, so a
notice and its file name stay on the machine that collected them.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.base.periods import BEIJING
from pipeline.store.files import atomic_write

MANIFEST_FIELDS = [
    "institution_id",
    "kind",
    "name",
    "source",
    "fetched_at",
    "http_status",
    "sha256",
    "size",
    "period",
    "etag",
    "last_modified",
    "received_at",
]
MANIFEST_LOCK = ".manifest.lock"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One stored file with its provenance (a row of the manifest)."""

    institution_id: str
    kind: str
    name: str
    source: str
    fetched_at: str
    http_status: str
    sha256: str
    size: int
    period: str
    etag: str = ""
    last_modified: str = ""
    # When the file reached the authority, where that is earlier than ``fetched_at``:
    # the commit that put a folder source's file into data/, or the day an officer
    # recorded for a file that came by e-mail (sources/<institution>/received.csv).
    received_at: str = ""

    @property
    def arrived_at(self) -> str:
        """The arrival that decides on time or late: first seen by the portal, or the
        earlier evidence in ``received_at``. A server's Last-Modified is kept as
        evidence (``last_modified``) but never decides: a server can say anything."""
        return self.received_at or self.fetched_at

    def path(self, data_dir: Path) -> Path:
        folder = store_dir(data_dir, self.kind)
        return folder / self.institution_id / f"{self.sha256}{Path(self.name).suffix}"


# The kinds of file kept out of the repository (see the module's docstring).
HELD_KINDS = frozenset({"case"})
# Written into held/: git then ignores the folder, this file included.
_IGNORE_ALL = b"# Case notices institutions sent: kept on this machine, never committed.\n*\n"


def snapshot_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "snapshots"


def held_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "held"


def store_dir(data_dir: Path, kind: str) -> Path:
    """Where a file of ``kind`` is stored: ``held/`` or ``snapshots/``."""
    return held_dir(data_dir) if kind in HELD_KINDS else snapshot_dir(data_dir)


# What the data directory's own .gitignore must leave out (a notice that came by e-mail
# waits in sources/<institution>/cases/): added by the store if an older one lacks it.
_DATA_IGNORES = ("/held/", "/sources/*/cases/")


def _keep_out_of_git(folder: Path) -> None:
    if folder.name != "held":
        return
    if not (folder / ".gitignore").exists():
        atomic_write(folder / ".gitignore", _IGNORE_ALL)
    ignore = folder.parent / ".gitignore"
    try:
        lines = ignore.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    missing = [line for line in _DATA_IGNORES if line not in lines]
    if missing:
        note = "# Case notices institutions send stay on this machine (added by portal)"
        text = "\n".join([*lines, *([""] if lines else []), note, *missing]) + "\n"
        atomic_write(ignore, text.encode("utf-8"))


# The manifest as last read, by path, with the file's identity then: a build reads it in
# several stages (collection, checks, punctuality, channels), 100,000 rows at a province.
_manifests: dict[Path, tuple[tuple[int, int, int], tuple[Snapshot, ...]]] = {}


def read_manifest(data_dir: Path, *, held: bool = False) -> list[Snapshot]:
    """Every snapshot ever stored, oldest first: of ``snapshots/``, or of ``held/``."""
    path = ((held_dir if held else snapshot_dir)(data_dir) / "manifest.csv").resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return []
    # The manifest is only ever replaced whole (atomic_write): a new inode and mtime.
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _manifests.get(path)
    if cached is None or cached[0] != identity:
        cached = _manifests[path] = (identity, tuple(_parse_manifest(path)))
    return list(cached[1])


# Manifest columns that differ from row to row.
_UNIQUE = frozenset({"sha256", "source", "size"})


def _parse_manifest(path: Path) -> list[Snapshot]:
    out = []
    try:
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                # Columns added later (etag, last_modified) are absent from older
                # manifests. Texts that recur (ids, names, months, times) are kept once:
                # at 100,000 snapshots a copy of each took a third of the manifest's memory.
                fields: dict[str, Any] = {
                    k: (v if k in _UNIQUE else sys.intern(v)) if v else ""
                    for k, v in row.items()
                    if k in MANIFEST_FIELDS
                }
                fields["size"] = int(row["size"])
                out.append(Snapshot(**fields))
    except FileNotFoundError:
        return []
    return out


def latest_snapshots(data_dir: Path, *, held: bool = False) -> list[Snapshot]:
    """The newest snapshot of each (institution, file name): what gets published (of
    ``held/``: the case notices waiting for review)."""
    latest: dict[tuple[str, str], Snapshot] = {}
    for snap in read_manifest(data_dir, held=held):
        latest[(snap.institution_id, snap.name)] = snap
    return sorted(latest.values(), key=lambda s: (s.institution_id, s.name))


def period_of(name: str) -> str:
    """The month (YYYY-MM) or year a file name says it covers, or ''."""
    stem = Path(name).stem
    if m := re.search(r"(20\d{2})[-_.年]?(0[1-9]|1[0-2])(?!\d)", stem):
        return f"{m.group(1)}-{m.group(2)}"
    if m := re.search(r"(?<!\d)(20\d{2})(?!\d)", stem):
        return m.group(1)
    return ""


def store_file(data_dir: Path, snap: Snapshot, content: bytes) -> None:
    """Store ``content`` under its checksum; an identical file is never written twice."""
    target = snap.path(data_dir)
    if not target.exists():
        _keep_out_of_git(store_dir(data_dir, snap.kind))
        atomic_write(target, content)


@contextlib.contextmanager
def _manifest_lock(folder: Path) -> Iterator[None]:
    """Hold the manifest of ``folder`` (a store) for a read-modify-write. Another process
    doing the same (a collection beside a build) waits here; the lock goes with the
    process if it dies."""
    folder.mkdir(parents=True, exist_ok=True)
    _keep_out_of_git(folder)
    fd = os.open(folder / MANIFEST_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_rows(folder: Path, snapshots: list[Snapshot]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    for s in snapshots:
        writer.writerow({f: getattr(s, f) for f in MANIFEST_FIELDS})
    atomic_write(folder / "manifest.csv", buf.getvalue().encode("utf-8"))


def write_manifest(data_dir: Path, snapshots: list[Snapshot]) -> None:
    """Rewrite the manifest atomically with ``snapshots``, every row of it (the demo
    and synthetic data start one this way). To add rows, use :func:`add_to_manifest`."""
    assert not any(s.kind in HELD_KINDS for s in snapshots), "held files have their own"
    folder = snapshot_dir(data_dir)
    with _manifest_lock(folder):
        _write_rows(folder, snapshots)


def add_to_manifest(data_dir: Path, snapshots: list[Snapshot]) -> list[Snapshot]:
    """Add ``snapshots`` (their files already stored) to the manifest; return those added.

    The manifest is read again under the lock, so rows another process added since
    this one last read it are kept. A snapshot whose bytes are already the newest of
    its file (another collection of the same file got there first) is not added twice.
    """
    added = []
    for held in (False, True):
        mine = [s for s in snapshots if (s.kind in HELD_KINDS) == held]
        if mine:
            added += _add_rows(held_dir(data_dir) if held else snapshot_dir(data_dir), mine)
    return added


def _add_rows(folder: Path, snapshots: list[Snapshot]) -> list[Snapshot]:
    with _manifest_lock(folder):
        rows = _parse_manifest(folder / "manifest.csv")
        newest = {(s.institution_id, s.name): s.sha256 for s in rows}
        added = []
        for snap in snapshots:
            key = (snap.institution_id, snap.name)
            if newest.get(key) != snap.sha256:
                newest[key] = snap.sha256
                added.append(snap)
        if added:
            _write_rows(folder, rows + added)
    return added


def hold_case_notices(data_dir: Path) -> int:
    """Move the case notices an earlier version stored in ``snapshots/`` (files and
    manifest rows) to ``held/``; return how many rows moved. The repository's history
    still has them: the data directory's README says how to remove them from it."""
    public = snapshot_dir(data_dir)
    # Every collection asks: the manifest as last read answers, unless it holds a notice
    # (100,000 rows at a province are not parsed again under the lock for nothing).
    if not any(s.kind in HELD_KINDS for s in read_manifest(data_dir)):
        return 0
    with _manifest_lock(public):
        rows = _parse_manifest(public / "manifest.csv")
        moving = [s for s in rows if s.kind in HELD_KINDS]
        if not moving:
            return 0
        for snap in moving:  # files first: a crash leaves a copy, never a lost file
            old = public / snap.institution_id / snap.path(data_dir).name
            if old.exists():
                store_file(data_dir, snap, old.read_bytes())
        _add_rows(held_dir(data_dir), moving)
        _write_rows(public, [s for s in rows if s.kind not in HELD_KINDS])
        for snap in moving:
            (public / snap.institution_id / snap.path(data_dir).name).unlink(missing_ok=True)
    return len(moving)


# The store's time stamps are UTC; the campaign's days are Beijing's.
def beijing_time(stamp: str) -> datetime:
    """A time stamp of the store (``2026-11-25T23:45:44Z``, or with an offset) in
    Beijing time."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(BEIJING)


def due_date(month: str, due_day: int) -> date:
    """The day a month's report is due: ``due_day`` of the following month."""
    year, mon = int(month[:4]), int(month[5:7])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return date(year, mon, due_day)
