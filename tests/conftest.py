"""Shared fixtures: a private copy of the demo data and one build of the demo portal."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import settings

from pipeline.build import build
from pipeline.periods import BEIJING
from pipeline.registry import Registry, load_registry

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


def record_edit(case: Path) -> None:
    """Record an edit of a published case in the ledger, as ``portal correct`` does."""
    from pipeline.cases import digest, ledger

    last = ledger.latest(ledger.read(case.parent.parent))[case.stem]
    sha = digest(case.read_text(encoding="utf-8"))
    ledger.append(case.parent.parent, replace(last, action="corrected", sha256=sha))


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test remembers source hashes in its own cache folder, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the demo data directory."""
    target = tmp_path / "data"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture
def processes(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Set how many processes the pipeline uses (``PORTAL_JOBS``); with more than one,
    worker pools start even for the demo's few institutions."""
    from pipeline import parallel

    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    return lambda n: monkeypatch.setenv("PORTAL_JOBS", str(n))


@pytest.fixture
def registry(data_dir: Path) -> Registry:
    return load_registry(data_dir)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portal, built once for the whole session."""
    base = tmp_path_factory.mktemp("demo")
    data = base / "data"
    shutil.copytree(DEMO, data)
    out = base / "public"
    # The source hashes and the parsed layer in the session's own cache, never the user's.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(base / "cache"))
        build(data, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    return out


@pytest.fixture(scope="session")
def site_data(site: Path) -> Path:
    """The data directory the session's site was built from."""
    return site.parent / "data"
