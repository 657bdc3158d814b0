"""Transparency portal for medical-sector integrity campaigns.

A folder per stage, in the order the data flows, with the base they share below them:

- :mod:`pipeline.base`: periods and Beijing time, problems, the readers of untrusted
  files, the registries, the process pool helpers; :mod:`pipeline.store`: the snapshots
  and their manifest, which every stage reads. :mod:`pipeline.engine`, the SQL engine
  the aggregation and the suppression run in, is base too.
- :mod:`pipeline.collect` -> :mod:`pipeline.check` (with the reports for the offices) ->
  :mod:`pipeline.aggregate` -> the suppression (:mod:`pipeline.privacy.suppression`) ->
  :mod:`pipeline.site` (the pages, open data and feed, the MkDocs build); beside the
  figures, :mod:`pipeline.cases` (the case notices, their PII gate with the detector
  of :mod:`pipeline.privacy.pii`, and the press office's workflow) and
  :mod:`pipeline.history` (punctuality and the channels, each stored version in order).

On top of the stages: :mod:`pipeline.build` (the steps in order), :mod:`pipeline.serve`
(the local preview) and :mod:`pipeline.cli` with its words in :mod:`pipeline.clitext`
(the command line, the only place that prints and sets exit codes). Apart,
:mod:`pipeline.demo` (the demo's and synthetic data's generators) is imported by none
of them. ``tests/test_imports.py`` holds the graph to one way.
"""

__version__ = "0.1.0"
