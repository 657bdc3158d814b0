"""Transparency portal for medical-sector integrity campaigns.

The data flows through one package per stage, in this order: collect -> check (with
the PII detector of :mod:`pipeline.privacy` for what people write) -> aggregate ->
suppress (:mod:`pipeline.privacy.suppression`) -> render (:mod:`pipeline.site`, which
also holds the MkDocs build) -> build; the case notices (:mod:`pipeline.cases`) and the
history (punctuality, channels) beside them.
Below the stages, :mod:`pipeline.store` (the snapshots and their manifest) is what every
stage reads; beside them, :mod:`pipeline.demo` (the demo's and synthetic data's
generators) is imported by none of them.
"""

__version__ = "0.1.0"
