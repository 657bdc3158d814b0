"""Local preview for the press office: the site served on 127.0.0.1, rebuilt when a file
of the data directory or of ``site/`` changes.

A change to case notices only re-renders pages from the figures already computed; any
other change re-runs the pipeline. Either way MkDocs rebuilds only the pages whose
Markdown changed (a dirty build), so a case edit shows in seconds. The preview's search
index covers only rebuilt pages until the next full build.
"""

from __future__ import annotations

import functools
import gc
import http.server
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pipeline import ledger
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
from pipeline.cases import Case, load_cases, visible
from pipeline.problems import DataError
from pipeline.render import Touched


def _stamps(folders: list[Path]) -> dict[Path, float]:
    out = {}
    for folder in folders:
        if folder.is_file():
            out[folder] = folder.stat().st_mtime
        elif folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    out[path] = path.stat().st_mtime
    return out


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
        self.seen = _stamps(self.watched)

    def rebuild(self, cases: set[Path] | None = None) -> float:
        """Bring the site up to date; return the seconds it took. With ``cases`` (the
        case files that changed, nothing else did) only the pages they touch are
        rendered again, from the figures already computed."""
        start = time.perf_counter()
        now = build_clock()
        touched = None
        if cases is not None and self.prep is not None and self.computed is not None:
            before = self.prep.cases
            self.prep.cases = load_cases(self.prep.registry, now.date(), as_recorded=False)
            self._preview_unrecorded()
            touched = _touched(cases, before + self.prep.cases)
        else:
            # The stages freeze what they leave (see parallel.batch): let the previous
            # full build's leftovers go before the next one.
            self.prep = self.computed = None
            gc.unfreeze()
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
        return time.perf_counter() - start

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

    def poll(self) -> float | None:
        """Rebuild if something changed since the last look; the seconds it took, or None."""
        stamps = _stamps(self.watched)
        changed = {p for p in stamps.keys() | self.seen.keys() if stamps.get(p) != self.seen.get(p)}
        # Collection writes snapshots during a rebuild: those are the pipeline's own output.
        changed = {p for p in changed if "snapshots" not in p.parts}
        self.seen = stamps
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
        self.seen = _stamps(self.watched)
        self.progress(
            f"已更新（{took:.1f} 秒）：{', '.join(sorted(p.name for p in changed))[:200]}"
        )
        return took

    def serve(self, port: int, interval: float = 0.5) -> None:
        """Serve the site on 127.0.0.1:``port`` and rebuild on changes until interrupted."""
        handler = functools.partial(_Pages, directory=str(self.site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.progress(f"预览：http://127.0.0.1:{server.server_address[1]}/ （Ctrl+C 结束）")
        try:
            while True:
                time.sleep(interval)
                self.poll()
        finally:
            server.shutdown()
