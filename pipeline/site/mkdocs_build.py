"""MkDocs's full build, with the pages shared out over worker processes.

MkDocs builds one page after another: at 3,000 institutions that was a third of the
build on one core while the other waited. This is the loop of
``mkdocs.commands.build.build`` (MkDocs 1.6, pinned) with its two page loops, reading
and writing, run by forked processes on shares of the pages instead. Everything a
page leaves for the rest of the build comes back to this process: its search entries
(the search plugin writes the index at the end), its anchors and its links to anchors
(checked at the end, as MkDocs does), and whatever it logged (so a warning still
fails a strict build). The pages of the navigation are read here first, because
every page shows their titles. A test builds the demo both ways and compares every
byte of the two sites.

Plugins that need every page read before ``on_env``, or that keep per-page state for
``on_post_build`` other than the search plugin's index, would see only this
process's pages; the portal uses neither (``mkdocs.yml``: search and the hooks).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from mkdocs import utils
from mkdocs.commands.build import (
    _build_extra_template,
    _build_page,
    _build_theme_template,
    _populate_page,
)
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from pipeline.base.parallel import pmap

log = logging.getLogger("mkdocs")


class _Kept(logging.Handler):
    """Keeps what a worker logged, to be logged again by the parent."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def _search_plugins(config: MkDocsConfig) -> list[Any]:
    """The plugins that collect a search index page by page (Material's and MkDocs's
    own search plugins keep it as ``search_index.entries``)."""
    return [
        p
        for p in config.plugins.values()
        if isinstance(getattr(getattr(p, "search_index", None), "entries", None), list)
    ]


def build(config: MkDocsConfig, processes: int | None = None) -> None:
    """Build the site as ``mkdocs build`` would (a full build, strict if configured),
    its pages read and written by ``processes`` forked workers (default
    :func:`pipeline.base.parallel.jobs`; a few pages are all written here, as
    :func:`pipeline.base.parallel.pmap` decides)."""
    counter = utils.CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict:
        log.addHandler(counter)
    try:
        _build(config, processes)
        if counts := counter.get_counts():
            msg = ", ".join(f"{v} {k.lower()}s" for k, v in counts)
            raise Abort(f"Aborted with {msg} in strict mode!")
    except Exception as e:
        config.plugins.on_build_error(error=e)
        if isinstance(e, BuildError):
            log.error(str(e))
            raise Abort("Aborted with a BuildError!") from e
        raise
    finally:
        log.removeHandler(counter)


def _build(config: MkDocsConfig, processes: int | None) -> None:
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    utils.clean_directory(config.site_dir)
    files = get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)

    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    for file in doc_files:
        if file.page is None and file.inclusion.is_not_in_nav():
            Page(None, file, config)
    pages: list[Page] = [file.page for file in doc_files if file.page is not None]
    searches = _search_plugins(config)

    def write(page: Page) -> list[list[dict[str, Any]]]:
        """Build one page; return the search entries it added, per search plugin."""
        before = [len(s.search_index.entries) for s in searches]
        _build_page(page, config, doc_files, nav, env, excluded=page.file.inclusion.is_excluded())
        return [s.search_index.entries[n:] for s, n in zip(searches, before, strict=True)]

    parent = os.getpid()

    def work(i: int) -> tuple[Any, ...]:
        """Read and write page ``i``; return what the parent needs of it."""
        kept = _Kept()
        if os.getpid() != parent:  # in a worker: the parent logs it, once
            log.handlers, log.propagate = [kept], False
        page = pages[i]
        _populate_page(page, config, files)
        found = write(page)
        links = {to.src_uri: dict(anchors) for to, anchors in (page.links_to_anchors or {}).items()}
        return found, page.present_anchor_ids, links, kept.records

    # Every page shows the titles of the navigation's pages: read those here, first.
    in_nav = {id(p) for p in nav.pages}
    for page in pages:
        if id(page) in in_nav:
            _populate_page(page, config, files)
    env = config.plugins.on_env(env, config=config, files=files)
    entries: dict[int, list[list[dict[str, Any]]]] = {}
    # The home page is written before the workers start: the search plugin loads its
    # Chinese dictionary then, once, and the workers inherit it.
    first = [i for i, p in enumerate(pages) if id(p) in in_nav]
    if first:
        entries[first[0]] = write(pages[first[0]])

    def meanwhile() -> None:
        files.copy_static_files(inclusion=InclusionLevel.is_included)
        for template in config.theme.static_templates:
            _build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            _build_extra_template(template, files, config, nav)
        for i in first[1:]:
            entries[i] = write(pages[i])

    rest = [i for i, p in enumerate(pages) if id(p) not in in_nav]
    results = pmap(work, rest, processes, meanwhile)
    for i, (found, anchors, links, records) in zip(rest, results, strict=True):
        for name, level, message in records:
            logging.getLogger(name).log(level, message)
        page = pages[i]
        page.present_anchor_ids = anchors
        page.links_to_anchors = {files.src_uris[uri]: a for uri, a in links.items()}
        entries[i] = found
    # The index lists the pages in MkDocs's order, whichever process wrote them.
    for k, s in enumerate(searches):
        s.search_index.entries = [e for i in sorted(entries) for e in entries[i][k]]

    log_level = config.validation.links.anchors
    for page in pages:
        page.validate_anchor_links(files=files, log_level=log_level)
    config.plugins.on_post_build(config=config)
