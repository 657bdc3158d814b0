"""Whether a build would write the site that is already there.

A site is a function of its inputs: the data directory's registries, case notices and
snapshot manifest (which names every stored file by its SHA-256), the site's templates
and assets, the MkDocs configuration, the code and the installed packages, the build
clock and ``PORTAL_SITE_URL``. ``portal build`` records a digest of them beside the
site it wrote (in the user's cache, never in the site), with the site's file list and
what the build reported. When the next build finds the same inputs and the site as it
was left, it leaves the site alone and repeats the report.

This is a shortcut, fenced here: ``portal build --rebuild`` (or ``PORTAL_REBUILD=1``)
always builds, and a test checks that a site left alone is byte for byte the one a
full build writes. A record that cannot be read, or any doubt, means a full build.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.base.problems import Problem
from pipeline.store import atomic_write, cache_path, snapshot_dir

# Record format: a change here makes every earlier record a mismatch.
FORMAT = "uptodate-1"
PACKAGE = Path(__file__).resolve().parent.parent
# Folders of a data directory a build does not read as such: the sources are read by
# the collection, which records what it stored in the manifest, and the stored files
# are named there by their SHA-256; the reports are the check's output.
NOT_READ = {"sources", "snapshots", "reports", ".git"}


@dataclass
class Outcome:
    """What a build reports: the case notices left out, the problems that made them so,
    the problems of institutions' files and how many files were refused."""

    left_out: list[str]
    blocking: list[Problem]
    problems: list[Problem]
    quarantined: int

    def to_json(self) -> dict[str, object]:
        return {
            "left_out": self.left_out,
            "blocking": [p.as_dict() for p in self.blocking],
            "problems": [p.as_dict() for p in self.problems],
            "quarantined": self.quarantined,
        }

    @classmethod
    def from_json(cls, value: dict[str, object]) -> Outcome:
        def problems(key: str) -> list[Problem]:
            items = value[key]
            assert isinstance(items, list)
            return [Problem(**p) for p in items]

        left_out = value["left_out"]
        quarantined = value["quarantined"]
        assert isinstance(left_out, list) and isinstance(quarantined, int)
        return cls(
            [str(n) for n in left_out], problems("blocking"), problems("problems"), quarantined
        )


def rebuild_forced() -> bool:
    return os.environ.get("PORTAL_REBUILD", "").strip() not in ("", "0")


def inputs_digest(data_dir: Path, config_file: Path, now: datetime) -> str:
    """A digest of everything a build of ``data_dir`` reads (call it after collecting)."""
    h = hashlib.sha256(FORMAT.encode())
    h.update(now.isoformat().encode())
    h.update((os.environ.get("PORTAL_SITE_URL") or "").encode())
    data_dir = Path(data_dir)
    read: list[Path] = []
    for entry in sorted(data_dir.iterdir()):  # sources/ and snapshots/ are never walked
        if entry.is_file():
            read.append(entry)
        elif entry.name not in NOT_READ:
            read += _files(entry)
    manifest = snapshot_dir(data_dir) / "manifest.csv"
    _add_files(h, data_dir, [*read, manifest])
    _add_files(h, config_file.parent, [config_file, *_files(config_file.parent / "site")])
    _add_files(h, PACKAGE, _files(PACKAGE))
    h.update(_packages().encode())
    return h.hexdigest()


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder``, in a stable order (none if it is missing)."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(root) / n for n in sorted(names)]
    return found


def _add_files(h: hashlib._Hash, base: Path, paths: Iterable[Path]) -> None:
    for path in paths:
        h.update(path.relative_to(base).as_posix().encode() + b"\0")
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            h.update(b"missing")


def _packages() -> str:
    """The installed distributions and their versions (the site's bytes depend on
    MkDocs, Material, jieba, plotly and others). This project's own is left out: its
    code is hashed file by file, and an editable install is not seen from every
    ``sys.path`` (pytest's, for one)."""
    own = set(importlib.metadata.packages_distributions().get(__package__ or "", []))
    names = sorted(
        f"{d.metadata['Name']}=={d.version}"
        for d in importlib.metadata.distributions()
        if d.metadata["Name"] not in own
    )
    return "\n".join(names)


def site_signature(site: Path) -> str:
    """The files of a built site as they lie: names, sizes and modification times (a
    site edited, added to or partly deleted afterwards has another signature)."""
    h = hashlib.sha256()
    for path in _files(site):
        st = path.stat()
        h.update(f"{path.relative_to(site).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _record_path(out_dir: Path) -> Path:
    return cache_path("site", out_dir, ".json")


def lookup(out_dir: Path, inputs: str) -> Outcome | None:
    """The outcome recorded for ``out_dir`` if it was built from ``inputs`` and is as it
    was left; else None."""
    try:
        record = json.loads(_record_path(out_dir).read_text(encoding="utf-8"))
        if record["inputs"] != inputs or record["site"] != site_signature(out_dir):
            return None
        return Outcome.from_json(record["outcome"])
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        return None


def remember(out_dir: Path, inputs: str, outcome: Outcome) -> None:
    """Record that ``out_dir`` was just built from ``inputs`` (a failure to record only
    costs the next build its shortcut)."""
    record = {"inputs": inputs, "site": site_signature(out_dir), "outcome": outcome.to_json()}
    path = _record_path(out_dir)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def forget(out_dir: Path) -> None:
    """Drop the record for ``out_dir`` (before a build replaces the site)."""
    with contextlib.suppress(OSError):
        _record_path(out_dir).unlink()
