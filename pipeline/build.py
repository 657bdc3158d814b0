"""Build: the whole pipeline from a data directory to a static site, written atomically.

collect -> check -> aggregate -> suppress -> render -> MkDocs (the case notices and
their PII gate beside the collection and the check, the channel directory beside the
check). The new site is built next to the output folder and swapped in only when
everything succeeded, so a failed build leaves the previous site untouched.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from pipeline.aggregate import Aggregates, aggregate
from pipeline.base.parallel import beside, give_back_free_memory
from pipeline.base.periods import BEIJING
from pipeline.base.problems import DataError, Problem
from pipeline.base.registry import Registry, load_registry
from pipeline.cases import Case, gate, load_cases
from pipeline.check import CheckResult, check_all
from pipeline.check.layer import Layer
from pipeline.collect import collect
from pipeline.history.channels import Directory, directory
from pipeline.history.punctuality import Punctuality, punctuality
from pipeline.privacy.suppression import suppress
from pipeline.site import Site, Touched, copy_tree, render, uptodate
from pipeline.store import read_manifest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class BuildRefused(DataError):
    """There is nothing that can be published (no campaign, no accepted figures)."""


class UnsafeOutput(ValueError):
    """An output folder the build must not replace; the message says why, in Chinese."""


# Folders of the project a build must never replace or write into.
SOURCE_FOLDERS = (".git", ".github", ".ci", "pipeline", "site", "tests", "bench", "docs", "data")


def check_output_dir(out_dir: Path, data_dir: Path) -> Path:
    """``out_dir`` resolved, if a build may replace it; else :class:`UnsafeOutput`.

    The site replaces its output folder whole, so the folder must not be, hold or lie
    inside the data directory, a source folder of the project or the current
    directory, and a folder that exists already must be a site this program built
    (it holds the file list :data:`FILE_LIST`)."""
    out = Path(out_dir).resolve()
    # Never to be replaced, nor written into (./public inside the project and the
    # current directory is the usual place).
    sealed = [Path(data_dir).resolve(), *(PROJECT_ROOT / name for name in SOURCE_FOLDERS)]
    for folder in [Path.cwd().resolve(), PROJECT_ROOT, *sealed]:
        if out == folder or out in folder.parents:
            raise UnsafeOutput(f"输出目录 {out} 包含或就是 {folder}，生成网站会删除其中的内容")
    for folder in sealed:
        if folder in out.parents:
            raise UnsafeOutput(f"输出目录 {out} 位于 {folder} 之内；请另选目录，如 ./public")
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"输出目录 {out} 是一个文件")
    if out.is_dir() and any(out.iterdir()):
        listed = _listed_files(out)
        foreign = sorted(
            p.relative_to(out).as_posix()
            for p in out.rglob("*")
            if not p.is_dir() and p.relative_to(out).as_posix() not in listed
        )
        if not listed or foreign:
            shown = "、".join(foreign[:3]) + ("……" if len(foreign) > 3 else "")
            raise UnsafeOutput(
                f"输出目录 {out} 已有内容，但不是本程序生成的网站"
                + (f"（其中有不是生成的文件：{shown}）" if listed else f"（缺少 {FILE_LIST}）")
                + "；为免误删，不予覆盖。请指定新的目录或先清空它"
            )
    return out


def _listed_files(site: Path) -> set[str]:
    """The files a site this program built lists in :data:`FILE_LIST` (with the list)."""
    try:
        lines = (site / FILE_LIST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return set()
    names = {line.split("  ", 1)[1] for line in lines if "  " in line}
    return names | {FILE_LIST} if names else set()


@dataclass
class Prepared:
    """Everything the pipeline knows before rendering."""

    registry: Registry
    checked: CheckResult
    cases: list[Case]
    # The channels to publish (worked out while the files are checked).
    directory: Directory
    # The problems of the channel lists (a refused list fails alone: the last good one
    # or the authority's channels are published), known once the build has computed.
    channel_problems: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        """The problems of the case notices left out of the site. Like a refused
        submission, a refused case fails alone: the rest is published."""
        return [p for c in self.cases for p in c.problems if p.blocking]

    @property
    def left_out(self) -> list[Case]:
        """Case notices that cannot be published as they are (a name, a broken file)."""
        return [c for c in self.cases if c.refused]


def find_config(config: Path | None = None) -> Path:
    """The MkDocs configuration: the one given, ./mkdocs.yml, or the project's own."""
    if config is not None:
        return config
    here = Path.cwd() / "mkdocs.yml"
    return here if here.exists() else PROJECT_ROOT / "mkdocs.yml"


def prepare(
    data_dir: Path,
    now: datetime | None = None,
    run_collect: bool = True,
    preview: bool = False,
) -> Prepared:
    """Load registries, snapshot local sources, check submissions and load case notices.
    ``preview``: case files as they are now, even a published one edited without a
    correction (the site shows the version last recorded)."""
    registry = load_registry(data_dir)
    today = (now or datetime.now(BEIJING)).date()
    # The case notices are read and screened by another process meanwhile.
    with beside(lambda: load_cases(registry, today, as_recorded=not preview)) as cases:
        if run_collect:  # (what was collected is in the manifest and the store)
            collect(registry, local_only=True, gate=gate)
        # The channel directory reads the lists just collected and needs nothing checked:
        # another process works it out during the check, forked before the check's
        # rows are in this process (beside the roll-up, from the process that held
        # them, it added 300-500 MB to the compute stage's peak at 3,000 institutions).
        with beside(lambda: directory(registry, today)) as worked_out:
            every = read_manifest(registry.data_dir)
            # Files checked by an earlier build are taken from the parsed layer.
            layer = Layer.of(registry, today)
            checked = check_all(
                registry, [s for s in every if s.kind == "statistics"], today, layer
            )
            return Prepared(registry, checked, cases(), worked_out())


def latest_month(checked: CheckResult, now: datetime) -> str | None:
    """The newest month with accepted figures, never the current (unfinished) month."""
    current = f"{now.year:04d}-{now.month:02d}"
    months = [m for m in checked.table.period.unique() if m < current]
    return max(months) if months else None


@dataclass
class Computed:
    """What the pages are made from, besides the case notices."""

    aggregates: Aggregates
    punctuality: Punctuality
    directory: Directory


def compute(prep: Prepared, now: datetime, progress: Callable[[str], None]) -> Computed:
    """Aggregate and suppress the figures, and derive reporting history and channels;
    raise :class:`BuildRefused` when there is nothing to publish. The rows read from
    each file are released once the reporting history is known (see
    :meth:`CheckResult.release_rows`), and the canonical table once it is aggregated
    (:meth:`CheckResult.release_table`)."""
    registry = prep.registry
    if not registry.campaigns:
        raise BuildRefused([Problem("registry/campaigns.yaml", "no_campaign", "没有专项行动")])
    until = latest_month(prep.checked, now)
    if until is None:
        raise BuildRefused([Problem("sources", "no_data", "没有任何通过校验的报送数据")])
    progress(f"汇总至 {until}，隐藏小数值")
    campaign = registry.campaigns[0]
    # The reporting history first, here: it gathers the rows of every stored file (+300
    # MB for a second at 3,000 institutions), which beside the roll-up came on top of
    # the roll-up's own peak. It is the last to read the rows. (What the rules between
    # files freed is given back first.)
    give_back_free_memory()
    on_time = punctuality(registry, campaign.months(until), now.date(), prep.checked.parsed)
    prep.checked.release_rows()
    # What the rows and the history freed (300 MB at 3,000), before the roll-up and the
    # suppression allocate (forking a process beside the roll-up used to do it).
    give_back_free_memory()
    aggregates = aggregate(registry, prep.checked.table, campaign, until)
    # The pages read only which files each institution-month came from.
    prep.checked.release_table()
    give_back_free_memory()
    # Each figure's numerator and denominator (what a rate is summed from) are read
    # neither by the suppression nor by the pages: two numbers per row of the table,
    # 57 MB at 3,000 institutions, held through the render. The counts of reports fit
    # in 32 bits (28 MB less).
    aggregates.table = (
        suppress(aggregates.table, registry)
        .drop(columns=["numerator", "denominator"])
        .astype({"reporting": np.int32, "expected": np.int32})
    )
    return Computed(aggregates, on_time, prep.directory)


def render_docs(
    prep: Prepared,
    computed: Computed,
    now: datetime,
    docs: Path,
    site_dir: Path,
    touched: Touched | None = None,
) -> None:
    """Write every page and data file into ``docs`` (with ``touched``, only the pages a
    case edit can change). A refused case is not among them (see :func:`visible`)."""
    # plotly.js comes from site/assets/js/plotly-basic.min.js: the basic partial bundle
    # (scatter, bar, pie) of the plotly.js version plotly.py ships, a third of the full one.
    copy_tree(site_dir / "assets", docs / "assets")
    render(
        Site(
            prep.registry,
            prep.checked,
            computed.aggregates,
            computed.punctuality,
            computed.directory,
            prep.cases,
            docs,
            site_dir,
            now,
            touched,
        )
    )
    # The pages' state refers to itself (the templates see the site): with the cycle
    # collector paused for the command it would stay, every figure with it, through
    # MkDocs and into each of its workers.
    gc.collect()


def mkdocs_site(
    config_file: Path,
    docs: Path,
    site: Path,
    registry: Registry,
    now: datetime,
    dirty: bool = False,
) -> None:
    """Build ``docs`` into ``site`` with MkDocs (strict: a warning is an error), its pages
    shared over worker processes (:mod:`pipeline.site.mkdocs_build`). A dirty build redoes only
    the pages whose source changed (the preview uses it), with MkDocs's own loop."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from .site.mkdocs_build import build as shared_build

    cfg = load_config(
        str(config_file),
        docs_dir=str(docs),
        site_dir=str(site),
        site_name=registry.config.site_name,
        # MkDocs warns that a dirty build may leave stale links: expected in a preview.
        strict=not dirty,
    )
    cfg.extra["demo"] = registry.config.demo
    if registry.config.public_url:
        cfg.site_url = registry.config.public_url
    logging.getLogger("mkdocs").setLevel(logging.ERROR if dirty else logging.WARNING)
    give_back_free_memory()  # what the figures and pages held, freed by now
    with _source_date(now):
        if dirty:
            mkdocs_build(cfg, dirty=True)
        else:
            shared_build(cfg)


def build_site(
    data_dir: Path,
    out_dir: Path,
    config_file: Path | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    rebuild: bool = False,
) -> uptodate.Outcome:
    """``portal build``: collect the folder sources, then build the site into ``out_dir``
    unless it was built from exactly these inputs and is as it was left
    (:mod:`pipeline.site.uptodate`; ``rebuild`` builds regardless). Raise
    :class:`BuildRefused` (nothing written) when the data cannot be published."""
    now = build_clock()
    out_dir = check_output_dir(out_dir, data_dir)
    config_file = find_config(config_file)
    progress("收集报送文件")
    collect(load_registry(data_dir), local_only=True, gate=gate)
    inputs = uptodate.inputs_digest(data_dir, config_file, now)
    if not (rebuild or uptodate.rebuild_forced()):
        done = uptodate.lookup(out_dir, inputs)
        if done is not None:
            progress(f"输入与上次构建完全相同，网站已是最新：{out_dir}（--rebuild 强制重新构建）")
            return done
    uptodate.forget(out_dir)
    prep = build(data_dir, out_dir, now, config_file, progress, collected=True)
    outcome = uptodate.Outcome(
        [c.path.name for c in prep.left_out],
        prep.blocking,
        prep.checked.problems + prep.channel_problems,
        len(prep.checked.quarantined),
    )
    uptodate.remember(out_dir, inputs, outcome)
    return outcome


def build(
    data_dir: Path,
    out_dir: Path,
    now: datetime | None = None,
    config_file: Path | None = None,
    progress: Callable[[str], None] = lambda _msg: None,
    collected: bool = False,
) -> Prepared:
    """Run the pipeline and write the site to ``out_dir``; raise :class:`BuildRefused`
    (nothing written) when the data cannot be published. ``collected``: the folder
    sources were collected just before."""
    now = now or build_clock()
    out_dir = check_output_dir(out_dir, data_dir)
    progress("读取名录、校验报送文件" if collected else "读取名录、收集并校验报送文件")
    prep = prepare(data_dir, now, run_collect=not collected)
    progress(
        f"校验了 {prep.checked.files_checked} 个文件，"
        f"{prep.checked.files_from_layer} 个文件的结果取自解析层（此前已校验，内容未变）"
    )
    config_file = find_config(config_file)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-docs-") as staging:
        docs = Path(staging) / "docs"
        computed = compute(prep, now, progress)
        prep.channel_problems = computed.directory.problems
        progress("生成页面")
        render_docs(prep, computed, now, docs, config_file.parent / "site")
        del computed  # MkDocs reads none of the figures
        progress("MkDocs 构建网站")
        new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
        try:
            mkdocs_site(config_file, docs, new, prep.registry, now)
            write_file_list(new)
            _swap(new, out_dir)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
    progress(f"完成：{out_dir}")
    return prep


FILE_LIST = "site-files.sha256"


def write_file_list(site: Path) -> None:
    """List every file of the built site with its SHA-256 (``sha256sum -c`` format)."""
    lines = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        if rel != FILE_LIST:
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {rel}\n")
    (site / FILE_LIST).write_text("".join(lines), encoding="utf-8")


@contextmanager
def _source_date(now: datetime) -> Iterator[None]:
    """MkDocs stamps the sitemap with SOURCE_DATE_EPOCH: make it the build's clock, so the
    same data and code give the same bytes."""
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(now.timestamp()))
    try:
        yield
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def build_clock() -> datetime:
    """The build's "now": SOURCE_DATE_EPOCH when set (CI sets the data's commit time), else
    the current time, in Beijing time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), BEIJING)
    return datetime.now(BEIJING)


def _swap(new: Path, out_dir: Path) -> None:
    """Put ``new`` in place of ``out_dir``; the old site is removed only afterwards."""
    os.chmod(new, 0o755)
    old = None
    if out_dir.exists():
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
        os.replace(out_dir, old)
    os.replace(new, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
