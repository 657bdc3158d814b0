"""The PII gate against a labelled corpus of 120+ texts (tests/pii_corpus.yaml)."""

from pathlib import Path

import yaml

from pipeline.pii_corpus import measure

CORPUS = Path(__file__).with_name("pii_corpus.yaml")


def test_corpus_is_big_and_balanced():
    texts = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["texts"]
    planted = [t for t in texts if t["pii"]]
    assert len(texts) >= 100 and len(planted) >= 50 and len(texts) - len(planted) >= 50
    kinds = {k for t in planted for k in t["pii"]}
    assert kinds == {
        "person_name",
        "resident_id",
        "mobile",
        "bank_card",
        "medical_record",
        "home_address",
    }


def test_recall_and_false_positive_targets():
    m = measure(CORPUS, frozenset({"000081230001"}))
    for kind in ("resident_id", "mobile", "bank_card"):
        assert m.caught[kind] == m.planted[kind], m.misses
    assert m.caught["person_name"] / m.planted["person_name"] >= 0.95, m.misses
    assert m.flagged / m.clean <= 0.05, m.false_positives
