"""Collect: every file an institution publishes, copied into the immutable snapshot store.

- :mod:`pipeline.collect.collection`: each institution's source (a folder of the data
  directory, or an https URL with ``index.json``) listed, its new files sniffed and
  stored once under their SHA-256 with a manifest row of provenance, each institution on
  its own (:func:`collect`, :class:`CollectResult`); case notices an institution sends
  go through the PII gate the caller passes (:data:`CaseGate`), lists of channels through
  the checks it passes (:data:`ChannelCheck`).
- :mod:`pipeline.collect.fetch`: HTTP at the edge where servers misbehave: timeouts,
  retries, conditional requests, a size cap, redirects, content sniffing.

Imports the base and the store, never a later stage (the gate comes in as an argument)
or the command line.
"""

from pipeline.collect.collection import CaseGate, ChannelCheck, CollectResult, collect

__all__ = ["CaseGate", "ChannelCheck", "CollectResult", "collect"]
