"""The SQL engine the figures are computed in: an embedded DuckDB database in memory,
one per computation, closed afterwards (the page workers forked later inherit no
engine threads).

The SQL sticks to standard functions (window functions, ``GROUPING SETS``, ``CASE``,
``COALESCE``, ``GREATEST``) so that it could run on another engine; only the
connection set-up here is DuckDB's.

A base module, beside the stages rather than in one: the roll-up
(:mod:`pipeline.aggregate`) and the suppression (:mod:`pipeline.privacy.suppression`)
both run their SQL here. It imports only the pool helpers (its share of the machine),
never a stage; ``tests/test_imports.py`` holds it to that.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipeline.base.parallel import jobs

# What the engine may hold in memory before it spills to disk. With 2 GB the roll-up of
# 3,000 institutions x 36 months added 1.0 GB to the build process for a few seconds
# (the build's peak); within 512 MB, 0.6 GB; within 256 MB, 0.36 GB, in the same time
# (measured with the roll-up's table written to a file by the engine, not taken from it:
# see :func:`pipeline.aggregate.aggregate`). Larger authorities spill to disk instead of
# growing. ``PORTAL_ENGINE_MEMORY`` changes it (e.g. ``4GB``).
MEMORY_LIMIT = "256MB"


@contextmanager
def connect() -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh in-memory database using the pipeline's share of the machine: as many
    threads as the pipeline has processes (``PORTAL_JOBS``), a memory limit, and a
    private folder to spill into beyond it."""
    with tempfile.TemporaryDirectory(prefix="portal-engine-") as spill:
        con = duckdb.connect(
            config={
                "threads": jobs(),
                "memory_limit": os.environ.get("PORTAL_ENGINE_MEMORY", MEMORY_LIMIT),
                "temp_directory": spill,
                # The order of rows as written in each query's ORDER BY, nothing more.
                "preserve_insertion_order": False,
            }
        )
        try:
            yield con
        finally:
            con.close()
