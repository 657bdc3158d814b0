"""Privacy: what the site must never show.

- :mod:`pipeline.privacy.suppression`: sensitive counts too small to publish, and the
  cells hidden with them so none can be worked out (the compute stage runs it).
- :mod:`pipeline.privacy.pii`: the detector the PII gate (:mod:`pipeline.cases`) runs on
  every text a person writes for the site: case notices, channel lists, file names.

Imports only the base (:mod:`pipeline.base`, the engine), never a later stage.
"""
