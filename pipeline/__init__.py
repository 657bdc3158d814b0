"""Transparency portal for medical-sector integrity campaigns.

The data flows through one module per stage, in this order:
collect -> check -> privacy -> aggregate -> render -> build.
"""

__version__ = "0.1.0"
