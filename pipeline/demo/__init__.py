"""Not the product: the demo authority's data, synthetic data of any size, and the PII
gate's measuring tool. No stage imports this package: only the command line (``portal
demo``), the tests and the benchmarks do (``tests/test_imports.py`` holds it to that).

- :mod:`pipeline.demo.submissions`: monthly submissions in the shapes real offices send
  (four file styles, plausible random figures), which wrote the committed demo's
  ``data/sources/`` and ``data/snapshots/``
  (``python -m pipeline.demo DATA_DIR FIRST_MONTH LAST_MONTH UNTIL``).
- :mod:`pipeline.demo.synthetic`: a whole synthetic data directory of any size, with
  the demo's shape and mess (:func:`generate`, which ``portal demo`` runs).
- :mod:`pipeline.demo.files`: the same bytes as the submissions' writers, written
  straight from strings, for speed at scale.
- :mod:`pipeline.demo.pii_corpus`: the PII gate's recall and false-positive rate on a
  labelled corpus (``bench/pii_corpus.py``, ``tests/test_pii_corpus.py``).

It may import any stage: it writes what the stages read.
"""

from pipeline.demo.synthetic import generate

__all__ = ["generate"]
