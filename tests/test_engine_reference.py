"""The SQL engine against the pandas code it replaced (tests/reference_aggregate.py):
every published figure, every completeness count and every hidden cell the same, and
the same site, byte for byte, on the demo and on 300 synthetic institutions x 36 months."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from pipeline import build as build_module
from pipeline.aggregate import aggregate
from pipeline.build import Prepared, compute, latest_month, prepare, render_docs
from pipeline.privacy.suppression import suppress
from tests import reference_aggregate as reference
from tests.conftest import NOW, ROOT, portal_here


def both(prep: Prepared) -> tuple[object, object]:
    """The aggregates of ``prep`` computed by the engine and by the reference, suppressed."""
    registry = prep.registry
    campaign = registry.campaigns[0]
    until = latest_month(prep.checked, NOW)
    assert until is not None
    new = aggregate(registry, prep.checked.table, campaign, until)
    new.table = suppress(new.table, registry)
    old = reference.aggregate(registry, prep.checked.table, campaign, until)
    old.table = reference.suppress(old.table, registry)
    return new, old


def assert_same(new, old) -> None:  # type: ignore[no-untyped-def]
    # Every row, in the same order, with the same columns and types (the pages and the
    # open data read the table as it is): values, numerators, denominators, counts and
    # which cells are hidden. Floating-point columns to 1e-12, the others exactly (pandas
    # compares a categorical column cell by cell in Python unless asked to be exact:
    # 12 s of the test at 300 institutions).
    assert list(new.table.columns) == list(old.table.columns)
    floats = [c for c in old.table.columns if pd.api.types.is_float_dtype(old.table[c].dtype)]
    rest = [c for c in old.table.columns if c not in floats]
    pd.testing.assert_frame_equal(new.table[rest], old.table[rest], check_exact=True)
    pd.testing.assert_frame_equal(
        new.table[floats], old.table[floats], check_exact=False, rtol=1e-12
    )
    assert new.months == old.months
    assert new.authority_id == old.authority_id
    # Completeness as the pages ask for it, for every entity and period there is.
    keys = old.table.drop_duplicates(["level", "entity", "period_type", "period"])
    for level, entity, period_type, period in zip(
        *(keys[k].tolist() for k in ("level", "entity", "period_type", "period")), strict=True
    ):
        assert new.completeness(period_type, period, level, entity) == old.completeness(
            period_type, period, level, entity
        ), (level, entity, period_type, period)
    # A look-up of something that does not exist answers None in both.
    assert new.cell("complaints_received", "month", "1999-01") is None
    assert new.completeness("month", "1999-01") is None


def site_digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def synthetic_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """300 synthetic institutions x 36 months (their 10,800 files removed when the module
    is done, not left for the end of the run)."""
    base = tmp_path_factory.mktemp("synthetic")
    data = base / "data"
    made = portal_here(
        "demo", "--institutions", "300", "--months", "36", "--cases", "20", "--out", data
    )
    assert made.returncode == 0, made.stderr
    yield data
    shutil.rmtree(base, ignore_errors=True)


def module_cache(synthetic_data: Path) -> Path:
    """The module's own cache for the synthetic data: their 10,800 files are read and
    checked once, by the first prepare; the later ones take them from the parsed layer
    (tests/test_layer.py shows it decides what reading every file decides)."""
    return synthetic_data.parent / "cache"


@pytest.fixture(scope="module")
def synthetic(synthetic_data: Path) -> Prepared:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(module_cache(synthetic_data)))
        return prepare(synthetic_data, NOW)


def test_demo_figures_and_hidden_cells_are_the_reference_s(site_data):
    prep = prepare(site_data, NOW, run_collect=False)
    new, old = both(prep)
    assert old.table.suppressed.sum() > 0  # the demo hides cells: the comparison means something
    assert_same(new, old)


def test_synthetic_figures_and_hidden_cells_are_the_reference_s(synthetic):
    new, old = both(synthetic)
    hidden = old.table[old.table.suppressed]
    # Primary and secondary suppression both happen, at every level.
    assert (hidden.value >= 5).any() or (hidden.value == 0).any()
    assert set(hidden.level) == {"institution", "district", "type", "authority"}
    assert_same(new, old)


def test_the_demo_site_is_the_same_byte_for_byte(site, site_data, tmp_path, monkeypatch):
    """The whole build, MkDocs included, with the reference instead of the engine."""
    monkeypatch.setattr(build_module, "aggregate", reference.aggregate)
    monkeypatch.setattr(build_module, "suppress", reference.suppress)
    data = tmp_path / "data"
    shutil.copytree(site_data, data)
    out = tmp_path / "public"
    build_module.build(data, out, now=NOW, config_file=ROOT / "mkdocs.yml")
    listed = (out / build_module.FILE_LIST).read_text(encoding="utf-8")
    assert listed == (site / build_module.FILE_LIST).read_text(encoding="utf-8")


def test_the_synthetic_pages_and_open_data_are_the_same(synthetic_data, tmp_path, monkeypatch):
    """Every page source and open-data file of 300 institutions (MkDocs turns the same
    sources into the same site: the demo test above covers that step)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(module_cache(synthetic_data)))
    written = {}
    for name, engine in (("engine", None), ("reference", reference)):
        if engine is not None:
            monkeypatch.setattr(build_module, "aggregate", engine.aggregate)
            monkeypatch.setattr(build_module, "suppress", engine.suppress)
        prep = prepare(synthetic_data, NOW)  # compute() releases the rows it read
        computed = compute(prep, NOW, lambda _m: None)
        docs = tmp_path / name
        render_docs(prep, computed, NOW, docs, ROOT / "site")
        written[name] = site_digests(docs)
    assert len(written["engine"]) > 300
    assert written["engine"] == written["reference"]


def test_the_same_data_give_the_same_bits_whatever_the_threads_do(synthetic, monkeypatch):
    """Sums of floating-point numbers depend on the order of their terms, which parallel
    threads do not keep; the figures are summed exactly, so two runs agree to the bit."""
    monkeypatch.setenv("PORTAL_JOBS", "2")
    registry = synthetic.registry
    until = latest_month(synthetic.checked, NOW)
    assert until is not None
    first, second = (
        aggregate(registry, synthetic.checked.table, registry.campaigns[0], until).table
        for _ in range(2)
    )
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_the_engine_takes_its_share_of_the_machine(monkeypatch):
    from pipeline.engine import connect

    monkeypatch.setenv("PORTAL_JOBS", "3")
    monkeypatch.setenv("PORTAL_ENGINE_MEMORY", "1GB")
    with connect() as con:
        ((threads, memory),) = con.sql(
            "SELECT current_setting('threads'), current_setting('memory_limit')"
        ).fetchall()
    assert int(threads) == 3
    assert memory.replace(" ", "").lower().startswith(("1.0gib", "953.6mib", "1gb", "1.0gb"))
