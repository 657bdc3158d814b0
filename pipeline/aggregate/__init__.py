"""Aggregate: the canonical table rolled up by place, institution type and time.

- :mod:`pipeline.aggregate.rollup`: every figure of a campaign by institution,
  district, type and the authority, by month, quarter, year and the whole campaign, in
  one SQL roll-up (``GROUPING SETS``; :func:`aggregate`); rates as summed numerators
  over summed denominators, never averages; each cell's completeness (how many
  institution-months reported, of those due); the table and its look-ups
  (:class:`Aggregates`).

The SQL runs in the engine, :mod:`pipeline.engine`, which is not in this package: the
suppression (:mod:`pipeline.privacy.suppression`) runs its SQL there too, so it is base
both stages rely on. Nor is it the store's: the store keeps what was collected and
imports only the periods, problems and registry, and the engine takes its share of the
machine from :mod:`pipeline.base.parallel`.

Imports the base (periods, the registry) and the engine, never a later stage (the
suppression, the site, the build) or the command line; no earlier stage imports it.
``tests/test_imports.py`` holds it to both.
"""

from pipeline.aggregate.rollup import (
    COLUMNS,
    LEVELS,
    PERIOD_TYPES,
    TABLE_LEVELS,
    Aggregates,
    aggregate,
)

__all__ = ["COLUMNS", "LEVELS", "PERIOD_TYPES", "TABLE_LEVELS", "Aggregates", "aggregate"]
