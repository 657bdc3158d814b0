"""The base: what every stage shares, below all of them.

- :mod:`pipeline.base.periods`: months, quarters and years as the portal names them,
  and the time zone every date is counted in (Beijing time).
- :mod:`pipeline.base.problems`: a problem in data as a value (file, row, column, value,
  expected), until the command line turns it into an exit code; validation errors
  turned into problems.
- :mod:`pipeline.base.readers`: the cells of an untrusted file read within fixed bounds
  (:class:`ReadLimits`), and the one decoder of every text a person writes.
- :mod:`pipeline.base.registry`: the authority's settings, institutions, channels,
  campaigns and indicators, loaded once from ``data/`` and validated (the fixed
  vocabulary beside it in ``schemas/``).
- :mod:`pipeline.base.parallel`: the process pool helpers and their one contract (the
  process that calls them runs no other thread meanwhile), and the cycle collector
  paused at a command's entry.

Imports nothing of the package outside itself, so that the store, the engine, every
stage, the build and the command line can import it; ``tests/test_imports.py`` holds
it to that.
"""
