"""Collect: copy every file an institution publishes into the immutable snapshot store.

A source is a folder (or, later, a URL) laid out as ``statistics/<file>``; each
file found there is stored once under ``snapshots/<institution>/<sha256>.<ext>``
with a manifest row of provenance before anything parses it. Nothing already
stored is ever rewritten or removed.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.registry import Registry

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
]
SUBMISSION_SUFFIXES = {".csv", ".xlsx", ".json"}


@dataclass(frozen=True)
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

    def path(self, data_dir: Path) -> Path:
        return (
            snapshot_dir(data_dir) / self.institution_id / f"{self.sha256}{Path(self.name).suffix}"
        )


@dataclass
class CollectResult:
    """What happened to one institution's source in one collection run."""

    institution_id: str
    received: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def snapshot_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "snapshots"


def read_manifest(data_dir: Path) -> list[Snapshot]:
    """Every snapshot ever stored, oldest first."""
    path = snapshot_dir(data_dir) / "manifest.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        rows: list[dict[str, Any]] = list(csv.DictReader(f))
    return [Snapshot(**{**row, "size": int(row["size"])}) for row in rows]


def latest_snapshots(data_dir: Path) -> list[Snapshot]:
    """The newest snapshot of each (institution, file name): what gets published."""
    latest: dict[tuple[str, str], Snapshot] = {}
    for snap in read_manifest(data_dir):
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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` so that ``path`` holds either nothing new or all of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def store_file(data_dir: Path, snap: Snapshot, content: bytes) -> None:
    """Store ``content`` under its checksum; an identical file is never written twice."""
    target = snap.path(data_dir)
    if not target.exists():
        atomic_write(target, content)


def write_manifest(data_dir: Path, snapshots: list[Snapshot]) -> None:
    """Rewrite the manifest atomically with ``snapshots`` (the old rows plus new ones)."""
    import io

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
    writer.writeheader()
    for s in snapshots:
        writer.writerow({f: getattr(s, f) for f in MANIFEST_FIELDS})
    atomic_write(snapshot_dir(data_dir) / "manifest.csv", buf.getvalue().encode("utf-8"))


def collect_local(registry: Registry, now: datetime | None = None) -> list[CollectResult]:
    """Snapshot every file in the local source folder of every institution.

    Re-running is idempotent: a file whose bytes are already the newest snapshot of
    its name is reported as unchanged and nothing is written.
    """
    data_dir = registry.data_dir
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    known = read_manifest(data_dir)
    newest = {(s.institution_id, s.name): s.sha256 for s in known}
    results = []
    added = False
    for inst in registry.reporting_institutions:
        result = CollectResult(inst.id)
        results.append(result)
        if not inst.source or inst.source.startswith(("http://", "https://")):
            continue  # fetched over HTTP by `portal collect`
        folder = (data_dir / inst.source).resolve()
        if not folder.is_dir():
            result.failed.append((inst.source, "来源目录不存在"))
            continue
        for path in sorted((folder / "statistics").glob("*")):
            if path.suffix.lower() not in SUBMISSION_SUFFIXES or path.name.startswith("."):
                continue
            name = f"statistics/{path.name}"
            content = path.read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            if newest.get((inst.id, name)) == digest:
                result.unchanged.append(name)
                continue
            snap = Snapshot(
                institution_id=inst.id,
                kind="statistics",
                name=name,
                source=f"{inst.source}/{name}",
                fetched_at=stamp,
                http_status="",
                sha256=digest,
                size=len(content),
                period=period_of(name),
            )
            store_file(data_dir, snap, content)
            known.append(snap)
            added = True
            newest[(inst.id, name)] = digest
            result.received.append(name)
    if added:
        # Files first, manifest last: a crash in between leaves only unreferenced files.
        write_manifest(data_dir, known)
    return results
