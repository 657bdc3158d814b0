"""portal demo: a synthetic data directory of any size, shaped and messy like the demo."""

import hashlib
from pathlib import Path

from pipeline.cases import load_cases
from pipeline.registry import load_registry, vocabulary
from tests.conftest import run_portal as portal

SIZE = ("--institutions", "40", "--months", "8", "--cases", "30")


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_demo_generates_the_size_asked_with_the_demo_s_mess(tmp_path):
    out = tmp_path / "syn"
    done = portal("demo", *SIZE, "--out", str(out))
    assert done.returncode == 0, done.stderr
    reg = load_registry(out)
    reporting = [i for i in reg.institutions.values() if i.id != reg.config.authority_id]
    assert len(reporting) == 40
    # Every type of the vocabulary; the authority is the one institution that is not 40.
    assert {i.type for i in reporting} | {"卫生健康行政部门"} == set(
        vocabulary()["institution_types"]
    )
    suffixes = {p.suffix for p in (out / "sources").rglob("*") if p.is_file()}
    assert {".xlsx", ".csv", ".json"} <= suffixes
    cases = load_cases(reg)
    assert len(cases) == 30
    assert all(not c.problems for c in cases), [c.problems for c in cases if c.problems]
    assert {c.notice.status for c in cases if c.notice} == {"draft", "published", "retracted"}
    # The same arguments give the same files; a folder with data in it is never overwritten.
    again = tmp_path / "again"
    assert portal("demo", *SIZE, "--out", str(again)).returncode == 0
    assert digests(again) == digests(out)
    refused = portal("demo", *SIZE, "--out", str(out))
    assert refused.returncode != 0 and "不是空目录" in refused.stderr


def test_a_synthetic_directory_checks_and_builds(tmp_path):
    data = tmp_path / "syn"
    assert portal("demo", *SIZE, "--out", str(data)).returncode == 0
    checked = portal("check", "--data", str(data), "--reports", str(tmp_path / "reports"))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    site = tmp_path / "site"
    built = portal("build", "--data", str(data), "--out", str(site))
    assert built.returncode == 0, built.stderr
    reg = load_registry(data)
    pages = {p.parent.name for p in (site / "institutions").glob("*/index.html")}
    assert pages == set(reg.institutions) - {reg.config.authority_id}
