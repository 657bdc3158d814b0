"""Shared fixtures: a private copy of the demo data and one build of the demo portal."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.base.periods import BEIJING
from pipeline.base.registry import Registry, load_registry
from pipeline.build import build

# No per-example deadline: a busy machine took 288 ms over an example whose patterns
# were compiling, and failed a correct test. Speed is for the benchmarks under bench/.
settings.register_profile("portal", deadline=None)
settings.load_profile("portal")

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data"
# Builds in tests use a fixed clock so embargoes and "future month" checks do not drift.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=BEIJING)


def run_portal(
    *args: str | Path, cwd: Path = ROOT, faketime: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``portal`` as a person runs it: a separate process, from ``cwd``, optionally with
    the clock at ``faketime`` (UTC, Debian's faketime for the whole process tree)."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env |= {"PYTHONPATH": str(ROOT), "TZ": "UTC"}
    command = [sys.executable, "-m", "pipeline", *map(str, args)]
    if faketime:
        command = ["faketime", faketime, *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def portal_here(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``portal`` run in this process (click's test runner), from ``cwd``: the exit code
    and what it printed on stdout and stderr, as :func:`run_portal` returns them, without
    starting Python and loading the PII detector's models again (about 2 s of CPU a
    command). What only a separate process shows (the module entry, a terminal, the
    clock moved by faketime, a fresh hash seed) stays with :func:`run_portal`."""
    from click.testing import CliRunner

    from pipeline.cli import main

    runner = CliRunner(env={"SOURCE_DATE_EPOCH": None})
    words = [str(a) for a in args]
    with contextlib.chdir(cwd):
        # Errors the command does not expect propagate, as a traceback would end a process.
        result = runner.invoke(main, words, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["portal", *words], result.exit_code, result.stdout, result.stderr
    )


def record_edit(case: Path) -> None:
    """Record an edit of a published case in the ledger, as ``portal correct`` does."""
    from pipeline.cases import digest, ledger

    last = ledger.latest(ledger.read(case.parent.parent))[case.stem]
    sha = digest(case.read_text(encoding="utf-8"))
    ledger.append(case.parent.parent, replace(last, action="corrected", sha256=sha))


@pytest.fixture(scope="session", autouse=True)
def detector_loaded() -> None:
    """The PII detector's dictionary and model loaded once in each test process, before
    any build forks: the processes a build forks for the gate inherit them instead of
    loading them again (1-2 s of CPU each time)."""
    from pipeline.privacy.pii import find_pii

    assert find_pii("经查，外科医生张建华收受红包3000元。")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test remembers source hashes in its own cache folder, never the user's.

    And the pipeline runs in one process (``PORTAL_JOBS=1``), its commands included,
    unless the test asks for more (the ``processes`` fixture): the two test processes
    already keep the cores busy, and forking inside them only adds work. The session's
    demo site is built with the machine's own number of processes, so the tests that
    compare a build with it compare the two ways too."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PORTAL_JOBS", "1")
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def _demo_files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This test process's own copy of the demo data, whose files each test's
    :func:`data_dir` links to. At the end of the run it must still be the demo data."""
    files = tmp_path_factory.mktemp("demo-files") / "data"
    shutil.copytree(DEMO, files)
    yield files
    changed = [
        p.relative_to(files).as_posix()
        for p in files.rglob("*")
        if p.is_file() and p.read_bytes() != (DEMO / p.relative_to(files)).read_bytes()
    ]
    assert not changed, f"data_dir's shared files changed and were not put back: {changed}"


@pytest.fixture
def data_dir(tmp_path: Path, _demo_files: Path) -> Iterator[Path]:
    """A writable copy of the demo data directory.

    Its files are hard links to this process's copy of the demo data (:func:`_demo_files`),
    not copies: a copy of the 935 files cost 0.1-0.7 s of system time a test on this
    machine's disk, and removing it again as much. The pipeline replaces a file whole (a
    new file renamed over the old: a new inode, the shared one untouched), but a test, or
    the ledger's append, may write into a file in place, and so into the shared copy:
    after the test every shared file whose inode changed (its ctime: writing, appending,
    truncating, ``chmod`` or ``utime`` all set it, and no one can set it back) is put back
    from the demo data, before the next test links to it."""
    target = tmp_path / "data"
    shutil.copytree(_demo_files, target, copy_function=os.link)
    shared = [(p, p.stat()) for p in _demo_files.rglob("*") if p.is_file()]
    yield target
    for path, before in shared:
        now = path.stat()
        if (now.st_ctime_ns, now.st_mtime_ns, now.st_size) != (
            before.st_ctime_ns,
            before.st_mtime_ns,
            before.st_size,
        ):
            path.unlink()
            shutil.copy2(DEMO / path.relative_to(_demo_files), path)


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Set how many processes the pipeline uses (``PORTAL_JOBS``); with more than one,
    worker pools start even for the demo's few institutions."""
    from pipeline.base import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    return lambda n: monkeypatch.setenv("PORTAL_JOBS", str(n))


@pytest.fixture
def registry(data_dir: Path) -> Registry:
    return load_registry(data_dir)


@pytest.fixture(scope="session")
def demo_registry(tmp_path_factory: pytest.TempPathFactory) -> Registry:
    """The demo's registries, loaded once in each test process from a copy of the demo
    data of their own (read them, never change them, nor their data directory): for
    tests that only check a file or a case notice against the registries."""
    data = tmp_path_factory.mktemp("demo-registry") / "data"
    shutil.copytree(DEMO, data)
    return load_registry(data)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) while the block runs."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the session's demo build: ``data`` (a copy of the demo data),
    ``public`` (the portal built from it) and ``cache`` (the build's source hashes and
    parsed layer). Built once for the whole run: the first worker process to ask builds
    it, the others wait and read the same files."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the run's workers
    base = root / "demo"
    with _locked(root / "demo.lock"):
        if not (base / "built").exists():
            shutil.rmtree(base, ignore_errors=True)  # a build that failed half-way
            data = base / "data"
            shutil.copytree(DEMO, data)
            # The source hashes and the parsed layer in the session's own cache, never
            # the user's; as many processes as the machine gives a build.
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
                patch.delenv("PORTAL_JOBS", raising=False)
                build(data, base / "public", now=NOW, config_file=ROOT / "mkdocs.yml")
            (base / "built").touch()
    return base


@pytest.fixture(scope="session")
def site(demo_build: Path) -> Path:
    """The demo portal, built once for the whole run (read it, never change it)."""
    return demo_build / "public"


@pytest.fixture
def site_data(demo_build: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory the session's site was built from (read it, never change it),
    with the build's cache: its files are not read and checked again (the parsed layer;
    tests/test_layer.py shows that what the layer serves is what checking every file
    again decides)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(demo_build / "cache"))
    return demo_build / "data"
