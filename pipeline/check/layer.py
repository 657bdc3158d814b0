"""The parsed layer: each stored file is read and checked once.

Checking a stored file gives its rows and its problems. They are kept here, under a
key made of everything the result depends on: the file's content (SHA-256), its name
and institution, the version of the code that reads and checks files (a hash of its
source, :func:`reader_version`), and the part of the registry the file checks read
(:func:`registry_digest`: indicators, campaign months, the ``limits:`` of config.yaml,
the institution's own names and active months). A later build takes the result from
here instead of reading the file again; a key that does not match means the file is
checked again, never that an old result is served.

The day of the build matters to one check: a month not yet ended is refused. A result
is kept only when every month the file holds had ended on the day it was checked, with
the latest such month; it is served again only while that month has still ended (a
clock set back re-checks). A file that names another institution's id (refused either
way) also depends on which ids the registry knows: that result is kept with a digest of
the ids, and served only while it matches.

On disk (``$XDG_CACHE_HOME/portal/layer-<data directory>/``, see :func:`layer_dir`) a
build that checked files adds one segment: ``<id>.rows.parquet`` with the rows of every
file it checked (an ``entry`` column says which file) and ``<id>.json`` with each file's
key, problems and place in the rows, written last, with the Parquet file's checksum.
Each is written to a temporary file and renamed, so two builds at once each add their
own segment. A segment that is truncated, corrupt or of another format is ignored with
a warning: its files are checked again. When segments pile up, or most of what they
hold is no longer asked for (an older code version), the segments are merged into one
holding what the last build used. It is derived data: deleting the folder changes
nothing but time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import logging
import os
import secrets
import time
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.base.problems import Problem
from pipeline.base.registry import Institution, Registry
from pipeline.check.checks import ROW_SCHEMA, Rows, Submission, gather
from pipeline.store import Snapshot, atomic_write, cache_path, code_version

FORMAT = "portal-parsed-layer/1"
# The modules whose code decides what reading and checking one file gives.
# (Not the PII detector: a file's label, which it decides, is part of each file's key.)
SOURCES = tuple(
    Path(__file__).parent.parent / name
    for name in (
        "base/readers.py",
        "check/checks.py",
        "base/problems.py",
        "base/registry.py",
        "check/layer.py",
    )
)
# Libraries that read the files' bytes.
READER_LIBRARIES = ("python-calamine",)
# Merge the segments when there are more than this many.
MAX_SEGMENTS = 8
_TEXT = ("institution_id", "period", "indicator", "column", "sheet")
_SCHEMA = pa.schema(
    [
        ("entry", pa.int32()),
        ("institution_id", pa.string()),
        ("period", pa.string()),
        ("indicator", pa.string()),
        ("value", pa.float64()),
        ("row", pa.int64()),
        ("column", pa.string()),
        ("sheet", pa.string()),
    ]
)
log = logging.getLogger("portal.layer")


def layer_dir(data_dir: Path) -> Path:
    """Where this machine keeps the parsed layer of a data directory: beside the source
    hashes, in the user's cache (``XDG_CACHE_HOME``, else ``~/.cache``)."""
    return cache_path("layer", data_dir)


def reader_version(sources: tuple[Path, ...] | None = None) -> str:
    """A hash of the code that reads and checks one file (and of the reading library's
    version): any change to it gives another version, and every file is checked again."""
    return _version(SOURCES if sources is None else sources)


@cache
def _version(sources: tuple[Path, ...]) -> str:
    return code_version(FORMAT, ((p.name, p) for p in sources), READER_LIBRARIES)[:32]


def registry_digest(registry: Registry) -> str:
    """A hash of what the file checks read from the registry for every file: the
    indicators (code, label, unit, kind, upper bound, in order: a label names the last
    indicator that has it), the campaigns' months and the reading limits."""
    indicators = [
        (i.code, i.label, i.unit, i.kind, i.upper_bound) for i in registry.indicators.values()
    ]
    months = sorted({m for c in registry.campaigns for m in c.months()})
    return _hash([indicators, months, registry.config.limits.model_dump(mode="json")])


def institution_digest(inst: Institution | None) -> str:
    """What the file checks read of the institution a file is checked for."""
    if inst is None:
        return "none"
    return _hash([inst.id, inst.name, inst.short_name, inst.active_from, inst.active_to])


def ids_digest(registry: Registry) -> str:
    return _hash(sorted(registry.institutions))


def _hash(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _month(today: date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


@dataclass
class _Segment:
    """One segment of the layer on disk: its entries, and its rows once read."""

    name: str
    rows_file: str
    rows_sha256: str
    entries: dict[str, list[Any]]
    table: pa.Table | None = None
    broken: bool = False


@dataclass
class Layer:
    """The parsed layer of one data directory, for one build (one registry, one day).

    ``take`` gives the stored result of a file or None (check it); ``keep`` records a
    file just checked; ``save`` writes what was kept as one segment. ``served`` and
    ``checked`` count the files taken from the layer and checked in this build."""

    folder: Path | None
    registry: Registry
    today: date
    served: int = 0
    checked: int = 0
    _segments: list[_Segment] = field(default_factory=list)
    _index: dict[str, _Segment] = field(default_factory=dict)
    _new: list[tuple[str, Submission]] = field(default_factory=list)
    _used: list[tuple[str, _Segment]] = field(default_factory=list)
    _base: str = ""
    _ids: str = ""
    _own: dict[str, str] = field(default_factory=dict)
    _damaged: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.current = _month(self.today)
        self._base = _hash([reader_version(), registry_digest(self.registry)])
        self._ids = ids_digest(self.registry)
        if self.folder is not None:
            self._segments = self._read_index(self.folder, self._damaged)
        for seg in self._segments:
            for key in seg.entries:
                self._index[key] = seg  # the newest segment wins (the same result)

    @classmethod
    def of(cls, registry: Registry, today: date) -> Layer:
        """The layer of ``registry``'s data directory in its usual place (none when
        there is no cache folder to be had: every file is read, as without a layer)."""
        try:
            folder: Path | None = layer_dir(registry.data_dir)
        except (RuntimeError, KeyError):  # no home folder
            folder = None
        return cls(folder, registry, today)

    def key(self, snap: Snapshot, file: str) -> str:
        own = self._own.get(snap.institution_id)
        if own is None:
            inst = self.registry.institutions.get(snap.institution_id)
            own = self._own[snap.institution_id] = institution_digest(inst)
        return _hash([self._base, own, snap.sha256, snap.institution_id, file])

    # --- reading ---------------------------------------------------------------------

    def take(self, snap: Snapshot, file: str) -> Submission | None:
        """The result of checking ``snap`` (named ``file``) today, if the layer holds it."""
        key = self.key(snap, file)
        seg = self._index.get(key)
        if seg is None or seg.broken:
            return None
        try:
            at, n, latest, ids, problems = seg.entries[key]
            if not latest < self.current or (ids is not None and ids != self._ids):
                return None
            table = self._table(seg)
            if table is None:
                return None
            sub = Submission(
                snapshot=None,
                file=file,
                institution_id=snap.institution_id,
                rows=Rows.of_table(table, at, n),
                problems=[Problem(*p) for p in problems],
                latest_month=latest,
            )
        except (TypeError, ValueError, IndexError) as exc:
            self._broken(seg, f"条目无效（{exc}）")
            return None
        self._used.append((key, seg))
        self.served += 1
        return sub

    def _table(self, seg: _Segment) -> pa.Table | None:
        if seg.table is None and not seg.broken:
            assert self.folder is not None
            try:
                blob = (self.folder / seg.rows_file).read_bytes()
                if hashlib.sha256(blob).hexdigest() != seg.rows_sha256:
                    raise ValueError("校验和不符（文件被截断或改动）")
                table = pq.read_table(pa.BufferReader(blob), read_dictionary=list(_TEXT))
                if table.schema.names != _SCHEMA.names:
                    raise ValueError(f"列不符：{table.schema.names}")
                if not table.select(ROW_SCHEMA.names).schema.equals(ROW_SCHEMA):
                    raise ValueError(f"列类型不符：{table.schema}")
                # One chunk: the rows of a file are a slice of it.
                table = table.unify_dictionaries().combine_chunks()
                rows = table.num_rows
                if any(at < 0 or at + n > rows for at, n, *_ in seg.entries.values()):
                    raise ValueError("条目超出行数")
                seg.table = table
            except FileNotFoundError:  # merged away by another build meanwhile
                seg.broken = True
                seg.table = None
            except Exception as exc:  # any damage: the files are checked again
                self._broken(seg, str(exc)[:200] or type(exc).__name__)
        return seg.table

    def _broken(self, seg: _Segment, why: str) -> None:
        if not seg.broken:
            log.warning("解析层片段 %s 无法使用，已忽略，其中的文件将重新校验：%s", seg.name, why)
        seg.broken = True
        seg.table = None

    @staticmethod
    def _read_index(folder: Path, damaged: list[str]) -> list[_Segment]:
        """The segments in ``folder``, oldest first; one that cannot be used is left out
        with a warning, and its name added to ``damaged``."""
        try:
            names = sorted(p.name for p in folder.glob("*.json"))
        except OSError:
            return []
        out = []
        for name in names:
            try:
                doc = json.loads((folder / name).read_bytes())
                if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                    raise ValueError("不是本程序的解析层格式")
                entries = doc["entries"]
                if not isinstance(entries, dict) or not all(
                    isinstance(v, list)
                    and len(v) == 5
                    and isinstance(v[0], int)
                    and isinstance(v[1], int)
                    and isinstance(v[2], str)
                    and isinstance(v[4], list)
                    for v in entries.values()
                ):
                    raise ValueError("条目格式不符")
                rows_file = str(doc["rows"])
                if Path(rows_file).name != rows_file:
                    raise ValueError("行文件名无效")
                out.append(_Segment(name, rows_file, str(doc["rows_sha256"]), entries))
            except FileNotFoundError:
                continue  # merged away by another build meanwhile
            except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
                log.warning("解析层片段 %s 无法使用，已忽略：%s", name, str(exc)[:200])
                damaged.append(name)
        return out

    # --- writing ---------------------------------------------------------------------

    def keep(self, snap: Snapshot, file: str, sub: Submission) -> None:
        """Remember ``sub``, just checked, to be saved; a result that depends on the day
        (a month not yet ended), on the store (a snapshot missing) or on the machine (a
        reader that broke down) is not kept."""
        self.checked += 1
        if self.folder is None or not sub.latest_month < self.current:
            return
        for p in sub.problems:
            if p.code == "snapshot_unreadable" or (
                p.code == "unreadable" and p.message.startswith("无法读取：")
            ):
                return
        self._new.append((self.key(snap, file), sub))

    def save(self) -> None:
        """Write the results kept as one segment, and merge the segments when they pile
        up. Failing to write loses nothing but time (a warning says why)."""
        if self.folder is None:
            return
        try:
            if self._new:
                self._write_new()
            self._compact_if_due()
        except (OSError, pa.ArrowException, ValueError, UnicodeError) as exc:
            log.warning("解析层未能保存（不影响本次结果）：%s", str(exc)[:200])

    def _write_new(self) -> None:
        entries: dict[str, list[Any]] = {}
        at = 0
        for key, sub in self._new:
            n = len(sub.rows)
            ids = self._ids if _names_other_ids(sub) else None
            problems = [list(astuple(p)) for p in sub.problems]
            entries[key] = [at, n, sub.latest_month, ids, problems]
            at += n
        # Not kept: the submissions hold their rows, a merge reads the segment back.
        seg = self._write(entries, _encode([sub.rows for _, sub in self._new]))
        self._segments.append(seg)
        self._used.extend((key, seg) for key in entries)
        self._new = []

    def _write(self, entries: dict[str, list[Any]], table: pa.Table) -> _Segment:
        assert self.folder is not None
        name = f"{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}"
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd")
        blob = buffer.getvalue()
        rows_file = f"{name}.rows.parquet"
        sha = hashlib.sha256(blob).hexdigest()
        atomic_write(self.folder / rows_file, blob)
        doc = {"format": FORMAT, "rows": rows_file, "rows_sha256": sha, "entries": entries}
        # The entries last: a segment exists once they do, with its rows in place.
        atomic_write(self.folder / f"{name}.json", json.dumps(doc, separators=(",", ":")).encode())
        return _Segment(f"{name}.json", rows_file, sha, entries)

    def _compact_if_due(self) -> None:
        """Merge the segments into one holding what this build used, when there are too
        many or when most of the rows they hold were not asked for."""
        segments = list(self._segments)
        used = dict(self._used)
        stored = sum(len(s.entries) for s in segments)
        broken = self._damaged or any(s.broken for s in segments)
        if not broken and (
            len(segments) <= 1 or (len(segments) <= MAX_SEGMENTS and stored * 2 <= len(used) * 3)
        ):
            return
        assert self.folder is not None
        with _lock(self.folder) as locked:
            if not locked:
                return  # another build is merging
            pieces = []
            entries: dict[str, list[Any]] = {}
            at = 0
            for seg in segments:
                mine = [k for k, s in used.items() if s is seg]
                if not mine:
                    continue
                if self._table(seg) is None:
                    continue
                assert seg.table is not None
                take = []
                for key in mine:
                    old_at, n, *rest = seg.entries[key]
                    entries[key] = [at, n, *rest]
                    take.append(np.arange(old_at, old_at + n))
                    at += n
                idx = np.concatenate(take) if take else np.empty(0, np.int64)
                piece = seg.table.take(pa.array(idx, pa.int64()))
                pieces.append(_plain(piece))
            table = pa.concat_tables(pieces) if pieces else _encode([])
            counts = [n for _, n, *_ in entries.values()]
            number = np.repeat(np.arange(len(counts), dtype=np.int32), counts)
            table = table.set_column(0, "entry", pa.array(number, pa.int32()))
            merged = self._write(entries, table)
            gone = [n for s in segments for n in (s.name, s.rows_file)]
            gone += [n for d in self._damaged for n in (d, f"{d[:-5]}.rows.parquet")]
            # Rows whose entries were never written (a build stopped between the two),
            # once no build can still be writing them.
            for rows in self.folder.glob("*.rows.parquet"):
                stem = rows.name.removesuffix(".rows.parquet")
                if (
                    rows.name not in gone
                    and not (self.folder / f"{stem}.json").exists()
                    and time.time() - rows.stat().st_mtime > 3600
                ):
                    gone.append(rows.name)
            for name in gone:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder / name).unlink()
            merged.table = table
            self._segments = [merged]


def _names_other_ids(sub: Submission) -> bool:
    return any(p.code in ("unknown_institution", "other_institution") for p in sub.problems)


@contextlib.contextmanager
def _lock(folder: Path) -> Any:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".merge.lock", "a+b") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _encode(rows: list[Rows]) -> pa.Table:
    """The rows of several files as one table, an ``entry`` column saying which file
    (its text dictionary-encoded, as it is read back)."""
    counts = [len(r) for r in rows]
    entry = pa.array(np.repeat(np.arange(len(rows), dtype=np.int32), counts), pa.int32())
    return gather(rows).add_column(0, "entry", entry)


def _plain(table: pa.Table) -> pa.Table:
    """``table`` with its text columns as plain strings (to be concatenated)."""
    return table.cast(_SCHEMA)
