"""Collect: copy every file an institution publishes into the immutable snapshot store.

A source is a folder of ``data/`` or an https URL, laid out the same way:
``statistics/<file>`` (one file per month or per year). A URL source also serves
``index.json`` listing its files, since HTTP cannot list a folder. Each file obtained
is sniffed (an error page is not data) and stored once in the snapshot store
(:mod:`pipeline.store`) under ``snapshots/<institution>/<sha256>.<ext>`` with a manifest
row of provenance before anything parses it. Nothing already stored is ever rewritten or
removed, whatever a server does.

Each institution is collected on its own: whatever goes wrong with one (a missing
folder, a misbehaving server, an error nobody foresaw) becomes a failure with a reason
in its :class:`CollectResult`, and the others go on. The manifest is shared with other
processes (``portal build`` collects folder sources too): rows are added under a lock
on a file beside it, after re-reading it there.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from pipeline.base.parallel import pmap
from pipeline.base.periods import BEIJING
from pipeline.base.problems import Problem, printable
from pipeline.base.readers import decode_text
from pipeline.base.registry import Institution, Registry
from pipeline.collect.fetch import Fetched, Fetcher, FetchError, sniff
from pipeline.store import (
    Snapshot,
    add_to_manifest,
    atomic_write,
    beijing_time,
    cache_path,
    due_date,
    hold_case_notices,
    period_of,
    read_manifest,
    store_file,
)

REMOTE = ("http://", "https://")
NOT_REACHED = "本次采集时间已用完，未采集"


@dataclass
class CollectResult:
    """What happened to one institution's source in one collection run."""

    institution_id: str
    received: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    late: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """One word for the report: 失败, 新收到, 未变化 or 无文件."""
        if self.failed:
            return "失败"
        return "新收到" if self.received else ("未变化" if self.unchanged else "无文件")


NAME_PATTERN = re.compile(
    r"^(statistics/[A-Za-z0-9\u4e00-\u9fff._-]{1,100}\.(csv|xlsx|json)"
    r"|cases/[a-z0-9][a-z0-9-]{0,63}\.md|channels\.csv)$"
)


def kind_of(name: str) -> str:
    """What a source file is: statistics, case (a case notice) or channels."""
    return "case" if name.startswith("cases/") else name.split("/")[0].removesuffix(".csv")


def _wanted(name: str, month: str | None) -> bool:
    """Whether a file belongs to the collection of ``month``: its month's or year's
    statistics, and every case notice and the channel list."""
    if month is None or kind_of(name) != "statistics":
        return True
    return period_of(name) in (month, month[:4])


def _local_files(folder: Path, month: str | None) -> list[tuple[str, Path]]:
    """The files of a source folder to collect, and those under statistics/ or cases/
    whose names the portal cannot take (told to the office, never silently left out:
    张建华.md, cases/2026/x.md, a .txt); hidden files and Excel's lock files (~$…) aside."""
    files = []
    candidates = [*(folder / "statistics").rglob("*"), *(folder / "cases").rglob("*")]
    candidates.append(folder / "channels.csv")
    for path in sorted(candidates, key=str):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        if not NAME_PATTERN.match(name) or _wanted(name, month):
            files.append((name, path))
    return files


def _index(fetcher: Fetcher, base: str, until: float | None = None) -> list[str]:
    """The file names a URL source lists in its index.json, each once."""
    got = fetcher.get(urljoin(base, "index.json"), until=until)
    try:
        doc = json.loads(got.content.decode("utf-8-sig"))
        names = doc["files"] if isinstance(doc, dict) else doc
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TypeError
    except RecursionError as exc:
        raise FetchError("index.json 嵌套层数过深，不是文件列表") from exc
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise FetchError(
            'index.json 格式错误，应为 {"files": ["statistics/2025-03.csv", ...]}'
        ) from exc
    return list(dict.fromkeys(names))


def _unexpected(exc: BaseException) -> str:
    """The reason recorded for an error nobody foresaw: its type and message."""
    message = printable(str(exc).strip().replace("\n", " ")[:300])
    detail = f"{type(exc).__name__}：{message}" if message else type(exc).__name__
    return f"采集时出错（{detail}）"


BAD_NAME = (
    "文件名不符合要求（statistics/文件名.csv|xlsx|json、cases/编号.md 或 channels.csv；"
    "案例编号只用小写字母、数字和 -，如 cases/2026-renmin-01.md）"
)
# What became of one file: it was obtained, or the reason it was not.
Outcome = tuple[str, str, Fetched | str]
# The PII gate (:func:`pipeline.cases.gate`): a problem for each identifying piece of a
# text, given the text, the name its problems give and the registry. The caller passes
# it: the gate belongs to the case notices, a later stage the collection does not import.
CaseGate = Callable[[str, str, Registry], Sequence[Problem]]
# The checks of a list of reporting channels (:func:`pipeline.history.channels.check_channel_list`):
# the problems a build would find in it, given the registry, the bytes, the institution
# and the name its problems give. A later stage's too, passed by the caller.
ChannelCheck = Callable[[Registry, bytes, str, str], Sequence[Problem]]


def collect(
    registry: Registry,
    month: str | None = None,
    now: datetime | None = None,
    fetcher: Fetcher | None = None,
    local_only: bool = False,
    progress: Callable[[CollectResult], None] = lambda _r: None,
    *,
    gate: CaseGate,
    channels: ChannelCheck | None = None,
) -> list[CollectResult]:
    """Snapshot every active institution's source files (only ``month``'s, if given).

    Folder sources are read directly; URL sources are fetched (unless ``local_only``,
    which the build uses so that it never needs the network), several institutions at
    a time and within the run's time budget (:class:`~pipeline.collect.fetch.Fetcher` holds
    the settings and their defaults): institutions not reached in time are recorded
    as failed. Re-running is idempotent: a file whose bytes are already the newest
    snapshot of its name, or that the server says is unchanged, is reported as
    unchanged and nothing is written. A failure of any kind is recorded for that
    institution and never touches what was stored; only an error storing a file (the
    data directory cannot be written) ends the run, with an OSError.

    Each case notice is stored in ``held/``, never committed (see
    :mod:`pipeline.store.snapshots`), and put through ``gate``
    (:func:`pipeline.cases.gate`): one it flags, or cannot check, is kept for the press
    office's review queue and recorded as failed, to be sent back to the institution. A
    list of channels is put through ``channels``, when given: one the build would refuse
    (a personal mobile, say) is stored, recorded as failed and told, so that the office
    hears of it when it is collected (the site keeps the institution's last good list).

    ``progress`` is called in this thread with each institution's result when it is
    done; the results are returned in the registry's order.
    """
    data_dir = registry.data_dir
    started = time.monotonic()
    moment = now or datetime.now(UTC)
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    today = moment.astimezone(BEIJING).date()
    due_day = registry.campaigns[0].report_due_day if registry.campaigns else 20
    hold_case_notices(data_dir)  # stored in snapshots/ by an earlier version
    stored_before = read_manifest(data_dir) + read_manifest(data_dir, held=True)
    newest = {(s.institution_id, s.name): s for s in stored_before}
    institutions = [i for i in registry.reporting_institutions if not month or i.active_in(month)]
    remote = [] if local_only else [i for i in institutions if i.source.startswith(REMOTE)]
    # Local folders are listed and every file hashed by worker processes first: most
    # files are the ones already stored, and only new bytes are read again below.
    local = [i for i in institutions if i.source and not i.source.startswith(REMOTE)]
    remembered = _read_hashes(data_dir)
    listings = dict(
        zip(
            [i.id for i in local],
            pmap(lambda i: _listing(data_dir / i.source, month, remembered), local),
            strict=True,
        )
    )
    _write_hashes(data_dir, remembered, listings, whole=month is None)
    results = {i.id: CollectResult(i.id) for i in institutions}
    stored: dict[str, list[Snapshot]] = {}

    def take(inst: Institution, name: str, source: str, got: Fetched | str) -> None:
        """Record one file of ``inst``: stored if its bytes are new and look right."""
        result = results[inst.id]
        if isinstance(got, str):
            result.failed.append((name, got))
            return
        if got.unchanged:
            result.unchanged.append(name)
            return
        digest = hashlib.sha256(got.content).hexdigest()
        previous = newest.get((inst.id, name))
        if previous is not None and previous.sha256 == digest:
            # The bytes already stored (they passed the sniffing when they came).
            result.unchanged.append(name)
            return
        if reason := sniff(name, got.content):
            result.failed.append((name, reason))
            return
        snap = Snapshot(
            institution_id=inst.id,
            kind=kind_of(name),
            name=name,
            source=source,
            fetched_at=stamp,
            http_status=str(got.status) if inst.source.startswith(REMOTE) else "",
            sha256=digest,
            size=len(got.content),
            period=period_of(name),
            etag=got.etag,
            last_modified=got.last_modified,
        )
        store_file(data_dir, snap, got.content)
        stored.setdefault(inst.id, []).append(snap)
        newest[(inst.id, name)] = snap
        result.received.append(name)
        if (
            snap.kind == "statistics"
            and len(snap.period) == 7
            and today > due_date(snap.period, due_day)
        ):
            result.late.append(name)
        if snap.kind == "channels" and channels is not None:
            try:
                display = f"{inst.id}/{name}"
                told = channels(registry, got.content, inst.id, display)
                refused = sum(1 for p in told if p.blocking)
            except Exception as exc:
                why = f"渠道表无法完成检查，已退回机构修改；{_unexpected(exc)}"
                result.failed.append((name, why))
                return
            if refused:
                result.failed.append(
                    (
                        name,
                        f"渠道表未通过检查（{refused} 处，如个人手机号），整份不采用，"
                        "网站仍公布上一份；已退回机构修改",
                    )
                )
        if snap.kind == "case":
            try:
                text, _ = decode_text(got.content)  # sniff() let only text through
                found = len(gate(text, f"{inst.id}/{name}", registry))
            except Exception as exc:
                # Unchecked is not cleared: the office sees it, the institution fixes it.
                result.failed.append(
                    (name, f"案例无法完成个人信息检查，已退回机构修改；{_unexpected(exc)}")
                )
                return
            if found:
                # Stored for the press office's review queue, and sent back to the office.
                result.failed.append(
                    (name, f"案例含可识别个人的信息（{found} 处），已退回机构修改")
                )

    def record(inst: Institution, outcome: Outcome) -> None:
        name, source, got = outcome
        try:
            take(inst, name, source, got)
        except OSError:
            raise  # storing failed: the data directory, not the institution
        except Exception as exc:
            results[inst.id].failed.append((name, _unexpected(exc)))

    fetching = {i.id for i in remote}
    for inst in institutions:
        if inst.id in fetching:
            continue
        # No listing: no source, or a URL source in a local-only run.
        listing = listings.get(inst.id, [])
        if listing is None:
            record(inst, (inst.source, "", "来源目录不存在"))
        elif isinstance(listing, str):
            record(inst, (inst.source, "", listing))
        else:
            for name, path, digest, _entry in listing:
                if not NAME_PATTERN.match(name):
                    record(inst, (printable(name[:80]), "", BAD_NAME))
                    continue
                got = _read_local(path, digest, newest.get((inst.id, name)))
                record(inst, (name, f"{inst.source}/{name}", got))
            new = stored.get(inst.id, [])
            if new:
                paths = {name: path for name, path, _digest, _entry in listing}
                dated = _date_arrivals(data_dir, data_dir / inst.source, new, paths)
                stored[inst.id] = dated
                for snap in dated:
                    newest[(inst.id, snap.name)] = snap
                    arrived = beijing_time(snap.arrived_at).date()
                    if (
                        snap.name in results[inst.id].late
                        and snap.period
                        and (len(snap.period) == 7 and arrived <= due_date(snap.period, due_day))
                    ):
                        results[inst.id].late.remove(snap.name)
        progress(results[inst.id])
    if remote:
        client = fetcher or Fetcher()
        # Downloads stop a little before the budget ends: what came is still recorded.
        until = started + client.run_budget - min(2.0, client.run_budget / 20)
        previous: dict[str, dict[str, Snapshot]] = {}
        for (inst_id, name), snap in newest.items():
            previous.setdefault(inst_id, {})[name] = snap
        stop = threading.Event()
        # Workers only fetch; this thread records each file as it comes (so a worker
        # holds one file's bytes at a time) and an institution when its last file is in.
        outbox: queue.SimpleQueue[tuple[Institution, Outcome | None]] = queue.SimpleQueue()

        def work(inst: Institution) -> None:
            try:
                known = previous.get(inst.id, {})
                for outcome in _download(client, inst.source, month, known, until, stop):
                    outbox.put((inst, outcome))
            except Exception as exc:
                outbox.put((inst, (inst.source, "", _unexpected(exc))))
            finally:
                outbox.put((inst, None))

        pool = ThreadPoolExecutor(max(1, client.workers), thread_name_prefix="collect")
        try:
            for inst in remote:
                pool.submit(work, inst)
            done = 0
            while done < len(remote):
                inst, outcome = outbox.get()
                if outcome is None:
                    done += 1
                    progress(results[inst.id])
                else:
                    record(inst, outcome)
        finally:
            # On an error here, downloads not begun are dropped and those under way end
            # at their deadline.
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
    # Files first, manifest last: a crash in between leaves only unreferenced files.
    add_to_manifest(data_dir, [s for i in institutions for s in stored.get(i.id, [])])
    return [results[i.id] for i in institutions]


def _read_local(path: Path, digest: str, previous: Snapshot | None) -> Fetched | str:
    if previous is not None and previous.sha256 == digest:
        return Fetched(str(path), 304, b"")  # the bytes already stored
    try:
        return Fetched(str(path), 200, path.read_bytes())
    except OSError as exc:  # gone or unreadable since it was listed
        return f"无法读取文件（{type(exc).__name__}：{exc.strerror or exc}）"


def _download(
    fetcher: Fetcher,
    source: str,
    month: str | None,
    previous: dict[str, Snapshot],
    until: float,
    stop: threading.Event,
) -> Iterator[Outcome]:
    """A URL source's index and the files wanted from it, one by one, fetched in a
    worker thread (nothing here writes: the caller's thread records what comes)."""
    base = source if source.endswith("/") else source + "/"
    if stop.is_set() or time.monotonic() >= until:
        yield ("index.json", "", NOT_REACHED)
        return
    try:
        names = _index(fetcher, base, until)
    except FetchError as exc:
        yield ("index.json", "", exc.reason)
        return
    except Exception as exc:
        yield ("index.json", "", _unexpected(exc))
        return
    for name in names:
        if not NAME_PATTERN.match(name):
            yield (printable(name[:80]), "", BAD_NAME)
    for name in names:
        if not NAME_PATTERN.match(name) or not _wanted(name, month):
            continue
        url = urljoin(base, name)
        got: Fetched | str
        if stop.is_set() or time.monotonic() >= until:
            got = NOT_REACHED
        else:
            known = previous.get(name)
            try:
                got = fetcher.get(
                    url, known.etag if known else "", known.last_modified if known else "", until
                )
            except FetchError as exc:
                got = exc.reason
            except Exception as exc:
                got = _unexpected(exc)
        yield (name, url, got)


def _date_arrivals(
    data_dir: Path, folder: Path, snapshots: list[Snapshot], paths: dict[str, Path]
) -> list[Snapshot]:
    """``snapshots`` of a folder source with ``received_at`` set where there is earlier
    evidence than this collection of when each file reached the authority: the commit
    that put its current content into the data directory's git history, or the date an
    officer recorded in the folder's ``received.csv`` (a file that came by e-mail)."""
    recorded = _recorded_dates(folder)
    committed = _committed_at(data_dir, [paths[s.name] for s in snapshots if s.name in paths])
    out = []
    for snap in snapshots:
        path = paths.get(snap.name)
        evidence = [recorded.get(snap.name), committed.get(path) if path else None]
        first = min((e for e in evidence if e), key=beijing_time, default="")
        if first and beijing_time(first) < beijing_time(snap.fetched_at):
            # Stored as the fetch times are (UTC), so that the two compare as text.
            stamp = beijing_time(first).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            snap = replace(snap, received_at=stamp)
        out.append(snap)
    return out


def _recorded_dates(folder: Path) -> dict[str, str]:
    """An officer's record of when files came (``received.csv``: file, received_on,
    note), as Beijing midnight of that day; rows that cannot be read are ignored (the
    file is then dated by when it entered the data directory)."""
    out: dict[str, str] = {}
    try:
        with (folder / "received.csv").open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return out
    for row in rows:
        name = (row.get("file") or "").strip()
        try:
            day = date.fromisoformat((row.get("received_on") or "").strip())
        except ValueError:
            continue
        if name and "/" not in name:
            name = f"statistics/{name}"
        out[name] = datetime(day.year, day.month, day.day, tzinfo=BEIJING).isoformat()
    return out


def _committed_at(data_dir: Path, paths: list[Path]) -> dict[Path, str]:
    """The commit time of each file's current content, for files committed unchanged in
    the git history of the data directory (none where git or a repository is missing)."""
    import subprocess

    root = data_dir.resolve()
    names = {}
    for path in paths:
        try:
            names[path.resolve().relative_to(root).as_posix()] = path
        except ValueError:
            continue
    if not names:
        return {}

    def git(*args: str) -> str | None:
        try:
            run = subprocess.run(
                ["git", "-C", str(root), *args, "--", *names],
                capture_output=True,
                text=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return run.stdout if run.returncode == 0 else None

    changed = git("ls-files", "--modified", "--others", "-z")
    history = git("log", "--format=%x01%cI", "--name-only", "--relative")
    if changed is None or history is None:
        return {}
    dirty = set(changed.split("\0"))
    out: dict[Path, str] = {}
    for block in history.split("\x01")[1:]:
        stamp, *files = block.strip().split("\n")
        for name in files:
            if name in names and name not in dirty and names[name] not in out:
                out[names[name]] = stamp.strip()  # newest first: the current content's commit
    return out


# A file is known by its inode, size, modification and change times: any write to a
# file changes its change time, which no program can set back.
# A file changed this recently could change again within the same clock tick of a
# coarse file system: its hash is not remembered (git's "racily clean" rule).
_RACY_NS = 2_000_000_000


Listing = list[tuple[str, Path, str, list[Any] | None]]


def _listing(
    source: Path, month: str | None, remembered: dict[str, list[Any]]
) -> Listing | str | None:
    """:func:`_hashed_listing`, or why the folder could not be listed."""
    try:
        return _hashed_listing(source, month, remembered)
    except Exception as exc:
        return printable(f"来源目录无法读取（{type(exc).__name__}：{exc}）")


def _hashed_listing(
    source: Path, month: str | None, remembered: dict[str, list[Any]]
) -> Listing | None:
    """The files of a local source folder with the SHA-256 of each, and what to remember
    of each (its identity and hash); None: no folder. A file whose identity is the one
    ``remembered`` is not read again."""
    folder = source.resolve()
    if not folder.is_dir():
        return None
    out: list[tuple[str, Path, str, list[Any] | None]] = []
    for name, path in _local_files(folder, month):
        st = path.stat()
        identity = [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        known = remembered.get(str(path))
        if known is not None and known[:4] == identity:
            out.append((name, path, str(known[4]), known))
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        settled = time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > _RACY_NS
        out.append((name, path, digest, [*identity, digest] if settled else None))
    return out


def _hashes_path(data_dir: Path) -> Path:
    """Where this machine remembers the hashes of a data directory's source files: a
    cache outside the data (inodes and times mean nothing on another machine)."""
    return cache_path("source-hashes", data_dir, ".json")


def _read_hashes(data_dir: Path) -> dict[str, list[Any]]:
    """The remembered hashes; none when the cache is missing or unreadable (then every
    file is read and hashed, as on a first run)."""
    try:
        found = json.loads(_hashes_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError, RuntimeError):  # also: nested too deep, no home folder
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        k: v
        for k, v in found.items()
        if isinstance(v, list) and len(v) == 5 and all(isinstance(x, int) for x in v[:4])
    }


def _write_hashes(
    data_dir: Path,
    remembered: dict[str, list[Any]],
    listings: dict[str, Listing | str | None],
    whole: bool,
) -> None:
    """Remember the hashes of the files just listed (and, after a listing of only one
    month, those of the others too). Failing to write the cache loses nothing."""
    now = {} if whole else dict(remembered)
    for listing in listings.values():
        if not isinstance(listing, list):
            continue
        for _name, path, _digest, entry in listing:
            if entry is not None:
                now[str(path)] = entry
            else:
                now.pop(str(path), None)
    if now == remembered:
        return
    with contextlib.suppress(OSError, RuntimeError):
        atomic_write(_hashes_path(data_dir), json.dumps(now, separators=(",", ":")).encode())
