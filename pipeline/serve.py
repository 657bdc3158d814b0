"""Local preview for the press office: the site served on 127.0.0.1, rebuilt when a file
of the data directory or of ``site/`` changes.

A change to case notices only re-renders pages from the figures already computed; any
other change re-runs the pipeline. Either way MkDocs rebuilds only the pages whose
Markdown changed (a dirty build), so a case edit shows in seconds. The preview's search
index covers only rebuilt pages until the next full build.

Changes are noticed by the system's file events (watchdog), not by reading every file's
time. The pages are served by a process of their own, started fresh (not forked): the
stages fork worker processes, and a process that forks must have no other thread (a
lock another thread holds at the fork stays held in the child for ever). So the watch
is stopped while the site is rebuilt, and what changed meanwhile is found by the files'
times once, afterwards.
"""

from __future__ import annotations

import functools
import gc
import http.server
import multiprocessing
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from pipeline.base.problems import DataError
from pipeline.build import (
    Computed,
    Prepared,
    build_clock,
    compute,
    find_config,
    mkdocs_site,
    prepare,
    render_docs,
)
from pipeline.cases import Case, ledger, load_cases, visible
from pipeline.site import Touched

# What the pipeline itself writes into the data directory while it builds.
_OWN_OUTPUT = "snapshots"
# File events that change nothing (the build reads every file it watches).
_READS = ("opened", "closed_no_write")


def _watched_file(path: Path) -> bool:
    """Not the pipeline's own output, nor an editor's temporary file (.x.md.swp, x.md~,
    .x.md.4f2a.tmp, sedXYZ)."""
    name = path.name
    return _OWN_OUTPUT not in path.parts and not (
        name.startswith((".", "#"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", ".bak"))
        or re.fullmatch("sed[A-Za-z0-9]{6}", name) is not None
    )


def _modified_since(folders: list[Path], since: float) -> set[Path]:
    """The files under ``folders`` (not the pipeline's own output) changed after ``since``."""
    out = set()
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if d != _OWN_OUTPUT]  # not walked at all: the largest
            for name in files:
                path = Path(root, name)
                try:
                    if _watched_file(path) and path.stat().st_mtime > since:
                        out.add(path)
                except OSError:  # removed meanwhile
                    continue
    return out


class _Changes(FileSystemEventHandler):
    """The files created, changed, moved or removed under the watched folders, as the
    system reports them, until they are taken."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[Path] = set()
        self._last = 0.0

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in _READS:
            return
        # A file moved into place is the change (an editor's or sed's temporary file is not).
        moved = event.event_type == "moved"
        for raw in (getattr(event, "dest_path", ""),) if moved else (event.src_path,):
            if raw and _watched_file(path := Path(os.fsdecode(raw))):
                with self._lock:
                    self._paths.add(path)
                    self._last = time.monotonic()

    def add(self, paths: set[Path]) -> None:
        with self._lock:
            self._paths |= paths

    def take(self, wait: float = 0.0, settle: float = 0.2) -> set[Path]:
        """What changed, once ``settle`` seconds have passed without a new event (an
        editor saves a file in several steps); waits up to ``wait`` seconds for a first
        change."""
        end = time.monotonic() + wait
        while True:
            with self._lock:
                pending, last = bool(self._paths), self._last
            if pending and time.monotonic() - last >= settle:
                with self._lock:
                    taken, self._paths = self._paths, set()
                return taken
            if not pending and time.monotonic() >= end:
                return set()
            time.sleep(0.05)


def _serve_pages(site: str, port: int) -> None:
    """The preview's web server, in a process of its own: the site folder on
    127.0.0.1:``port``, until the process is stopped."""
    # Ctrl+C reaches every process of the terminal: the preview stops this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler = functools.partial(_Pages, directory=site)
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        server.serve_forever()


def _touched(paths: set[Path], cases: list[Case]) -> Touched:
    """The institutions and categories of the cases at ``paths``, as they were and are."""
    stems = {p.stem for p in paths}
    notices = [c.notice for c in cases if c.notice and c.path.stem in stems]
    return Touched(
        cases=frozenset(n.id for n in notices) | stems,
        institutions=frozenset(n.institution for n in notices if n.institution),
        categories=frozenset(n.category for n in notices),
    )


class _Pages(http.server.SimpleHTTPRequestHandler):
    """The built site, with its own page for a missing one (as the published site has),
    not the server's English error page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        missing = Path(str(self.directory)) / "404.html"
        if code != 404 or not missing.is_file():
            super().send_error(code, message, explain)
            return
        body = missing.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class Preview:
    """The preview's state: the prepared data and where the pages and the site live."""

    def __init__(
        self,
        data_dir: Path,
        root: Path,
        config_file: Path | None = None,
        progress: Callable[[str], None] = lambda _m: None,
        drafts: bool = False,
    ):
        self.data_dir = Path(data_dir)
        self.drafts = drafts
        self.config_file = find_config(config_file)
        self.site_src = self.config_file.parent / "site"
        self.docs, self.site = root / "docs", root / "site"
        self.progress = progress
        self.prep: Prepared | None = None
        self.computed: Computed | None = None
        self.watched = [self.data_dir, self.site_src]
        self.changes = _Changes()
        self._observer: BaseObserver | None = None
        self.watch()

    def watch(self) -> None:
        """Start noticing changes (again)."""
        if self._observer is None:
            self._observer = Observer()
            for folder in self.watched:
                if folder.is_dir():
                    self._observer.schedule(self.changes, str(folder), recursive=True)
            self._observer.start()

    def unwatch(self) -> None:
        """Stop noticing changes: no thread of the watch is left (see the module's notes)."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None

    close = unwatch

    def rebuild(self, cases: set[Path] | None = None) -> float:
        """Bring the site up to date; return the seconds it took. With ``cases`` (the
        case files that changed, nothing else did) only the pages they touch are
        rendered again, from the figures already computed."""
        start = time.perf_counter()
        began = time.time()
        watching = self._observer is not None
        self.unwatch()  # the stages fork: no other thread may run meanwhile
        try:
            self._rebuild(cases)
        finally:
            if watching:
                self.watch()
                # What changed during the rebuild, but the pipeline's own writes.
                self.changes.add(_modified_since(self.watched, began))
        return time.perf_counter() - start

    def _rebuild(self, cases: set[Path] | None) -> None:
        now = build_clock()
        touched = None
        if cases is not None and self.prep is not None and self.computed is not None:
            before = self.prep.cases
            self.prep.cases = load_cases(self.prep.registry, now.date(), as_recorded=False)
            self._preview_unrecorded()
            touched = _touched(cases, before + self.prep.cases)
        else:
            # The command pauses the cycle collector (parallel.collector_paused): let
            # the previous full build's leftovers go before the next one.
            self.prep = self.computed = None
            gc.collect()
            self.prep = prepare(self.data_dir, now, preview=True)
            self._preview_unrecorded()
            self.computed = compute(self.prep, now, self.progress)
        render_docs(self.prep, self.computed, now, self.docs, self.site_src, touched)
        for p in self.prep.blocking:
            self.progress(f"[错误] {p}（该案例未显示）")
        if touched is not None:
            # A case no longer shown (back to draft, embargoed, deleted) leaves the preview.
            shown = {
                c.notice.id
                for c in self.prep.cases
                if c.notice and (visible(c, now) or c.preview_draft)
            }
            for gone in touched.cases - shown:
                (self.docs / "cases" / f"{gone}.md").unlink(missing_ok=True)
                shutil.rmtree(self.site / "cases" / gone, ignore_errors=True)
        mkdocs_site(
            self.config_file,
            self.docs,
            self.site,
            self.prep.registry,
            now,
            dirty=self.site.exists(),
        )

    def _preview_unrecorded(self) -> None:
        """An edit of a published case not yet recorded as a correction is shown in the
        preview (that is how the press office checks it before recording it), with a
        reminder; the real build still refuses it. With ``drafts``, drafts are shown too,
        marked as drafts."""
        assert self.prep is not None
        for case in self.prep.cases:
            if self.drafts and case.notice is not None and case.notice.status == "draft":
                case.preview_draft = True
            for i, p in enumerate(case.problems):
                if p.code in ledger.CODES and p.blocking:
                    case.problems[i] = replace(p, severity="warning")
                    self.progress(f"[提示] {p}（预览中已显示；发布前必须记录）")

    def poll(self, wait: float = 0.0) -> float | None:
        """Rebuild if something changed since the last look (waiting up to ``wait``
        seconds for a change); the seconds it took, or None."""
        changed = self.changes.take(wait)
        if not changed:
            return None
        folder = self.data_dir / "cases"
        cases_only = all(folder in p.parents for p in changed)
        try:
            took = self.rebuild(changed if cases_only else None)
        except DataError as exc:
            for p in exc.problems:
                self.progress(f"[错误] {p}")
            self.progress("预览未更新：请修正上述问题。")
            return None
        self.progress(
            f"已更新（{took:.1f} 秒）：{', '.join(sorted(p.name for p in changed))[:200]}"
        )
        return took

    def serve(self, port: int, interval: float = 0.5) -> None:
        """Serve the site on 127.0.0.1:``port`` and rebuild on changes until interrupted."""
        # Started fresh, not forked: this process forks while it rebuilds.
        server = multiprocessing.get_context("spawn").Process(
            target=_serve_pages, args=(str(self.site), port), daemon=True
        )
        server.start()
        self.progress(f"预览：http://127.0.0.1:{port}/ （Ctrl+C 结束）")
        try:
            while server.is_alive():
                self.poll(wait=interval)
            raise SystemExit(f"预览的网页服务已退出（退出码 {server.exitcode}）")
        finally:
            self.unwatch()
            server.terminate()
            server.join()
