"""Print the PII gate's recall and false-positive rate on the labelled corpus.

python bench/pii_corpus.py
"""

from pathlib import Path

from pipeline.pii_corpus import measure

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    result = measure(ROOT / "tests" / "pii_corpus.yaml", frozenset({"000081230001"}))
    print(result.table())
    for line in result.misses + [f"flagged: {t}" for t in result.false_positives]:
        print(line)
