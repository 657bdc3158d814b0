"""Print the PII gate's recall and false-positive rate on the labelled corpora: the
tuning set (``tests/pii_corpus.yaml``, which the rules are developed against) and the
held-out sets (``tests/pii_heldout*.yaml``, each written before it was first measured).

python bench/pii_corpus.py [--misses]

``--misses`` lists what the tuning set misses; the held-out sets' misses are not
printed, so that they are not tuned on by accident.
"""

import sys
from pathlib import Path

from pipeline.demo.pii_corpus import measure

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {"tuning": "pii_corpus.yaml", "held-out A": "pii_heldout.yaml"}
CORPORA["held-out E"] = "pii_heldout_e.yaml"
CORPORA["held-out F"] = "pii_heldout_f.yaml"
CORPORA["held-out G"] = "pii_heldout_g.yaml"

if __name__ == "__main__":
    for label, name in CORPORA.items():
        path = ROOT / "tests" / name
        if not path.exists():
            continue
        result = measure(path, frozenset({"000081230001"}))
        print(f"\n{label} ({name})\n")
        print(result.table())
        if "--misses" in sys.argv and label == "tuning":
            for line in result.misses + [f"flagged: {t}" for t in result.false_positives]:
                print(line)
