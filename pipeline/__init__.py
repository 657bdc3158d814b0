"""Transparency portal for medical-sector integrity campaigns.

The data flows through one module (or package) per stage, in this order:
collect -> check -> privacy -> aggregate -> render (:mod:`pipeline.site`, which also
holds the MkDocs build) -> build.
Below the stages, :mod:`pipeline.store` (the snapshots and their manifest) is what every
stage reads; beside them, :mod:`pipeline.demo` (the demo's and synthetic data's
generators) is imported by none of them.
"""

__version__ = "0.1.0"
