"""Check: every stored file read into one canonical table, every problem found.

- :mod:`pipeline.check.checks`: a file read (CSV, XLSX, JSON; long or wide) into rows and
  problems (:func:`check_file`), the rules between files and months
  (:func:`check_rules`), every stored file checked and the canonical table built
  (:func:`check_all`, :class:`CheckResult`), and a file checked as if sent now
  (:func:`check_as_sent`).
- :mod:`pipeline.check.layer`: the parsed layer: each stored file's rows and problems
  kept once, under a key of everything they depend on (:class:`Layer`).
- :mod:`pipeline.check.template`: the blank monthly template the checks read back.
- :mod:`pipeline.check.reports`: a report in Chinese for each file an office sent that
  has problems (a submission, a case notice, a list of channels), to be sent back to it.

The readers of each format are the base's (:mod:`pipeline.base.readers`): the
collection and the registry read with them too. Imports the base, the store and the PII
detector (a file's name is screened), never a later stage or the command line.
"""

from pipeline.check.checks import (
    CheckResult,
    Row,
    Rows,
    Submission,
    check_all,
    check_as_sent,
    check_file,
    check_rules,
    check_stored,
    dictionary_codes,
    file_label,
    gather,
    parse_period,
    parse_value,
)

__all__ = [
    "CheckResult",
    "Row",
    "Rows",
    "Submission",
    "check_all",
    "check_as_sent",
    "check_file",
    "check_rules",
    "check_stored",
    "dictionary_codes",
    "file_label",
    "gather",
    "parse_period",
    "parse_value",
]
