"""Case notices (典型案例): the press office's Markdown files with YAML front matter.

- :mod:`pipeline.cases.notice`: a notice as a file: front matter read strictly and
  written back with the body untouched, the model of its fields (:class:`CaseNotice`,
  :class:`Case`), the body as the public sees it, the digest the ledger records, and
  when the public sees it (:func:`visible`, :func:`listed`).
- :mod:`pipeline.cases.pii_gate`: the PII gate (:func:`gate`) on every text of a notice as
  the public reads it, with the verdicts kept between builds.
- :mod:`pipeline.cases.care`: what a careful press officer would not publish
  (:func:`careless`, :func:`copied`).
- :mod:`pipeline.cases.load`: the notices of a data directory, each checked
  (:func:`load_case`, :func:`load_cases`), and those institutions sent for review.
- :mod:`pipeline.cases.ledger`: the publication ledger (``cases/ledger.csv``) and the
  files as recorded.
- :mod:`pipeline.cases.workflow`: the press office's acts as a Python API (new case,
  publish, correct, retract); ``portal`` parses and prints around it.

Imports the base (:mod:`pipeline.base`, the store) and the privacy
stage's detector; never the figures' stages, the site or the command line.
"""

from pipeline.cases.care import careless, case_bodies, copied
from pipeline.cases.load import load_case, load_cases, review_queue
from pipeline.cases.notice import (
    FRONT_MATTER,
    PLACEHOLDER,
    Case,
    CaseNotice,
    FrontMatterError,
    body_start,
    digest,
    listed,
    read_front_matter,
    render_body,
    scaffold,
    shown_text,
    update_front_matter,
    visible,
)
from pipeline.cases.pii_gate import (
    PII_LABELS,
    allowed_numbers,
    allowed_words,
    gate,
    pinyin_name_in_id,
    place_names,
    published_findings,
    remembered_verdicts,
)

__all__ = [
    "FRONT_MATTER",
    "PII_LABELS",
    "PLACEHOLDER",
    "Case",
    "CaseNotice",
    "FrontMatterError",
    "allowed_numbers",
    "allowed_words",
    "body_start",
    "careless",
    "case_bodies",
    "copied",
    "digest",
    "gate",
    "listed",
    "load_case",
    "load_cases",
    "pinyin_name_in_id",
    "place_names",
    "published_findings",
    "read_front_matter",
    "remembered_verdicts",
    "render_body",
    "review_queue",
    "scaffold",
    "shown_text",
    "update_front_matter",
    "visible",
]
