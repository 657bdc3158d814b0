"""The store: what the collection keeps and every later stage reads back.

- :mod:`pipeline.store.snapshots`: the snapshot store (``data/snapshots/``), each file
  an institution sent kept once under its SHA-256, and the manifest that gives each its
  provenance (:class:`Snapshot`, :func:`read_manifest`, :func:`write_manifest`,
  :func:`add_to_manifest`, :func:`latest_snapshots`); case notices held apart in
  ``data/held/``, never committed (:func:`held_dir`, :func:`hold_case_notices`); its time
  stamps read in Beijing time (:func:`beijing_time`) and the day a month's report is due
  (:func:`due_date`).
- :mod:`pipeline.store.files`: a file written whole or not at all
  (:func:`atomic_write`), and where this machine keeps what it derives from a folder
  (:func:`cache_path`: source hashes, the parsed layer, the gate's verdicts, the
  channel lists' findings, build records), keyed by the code that derived it
  (:func:`code_version`).

Fetching and choosing what to store is the collection's (:mod:`pipeline.collect`).
May import only the base's periods, problems and registry types
(:mod:`pipeline.base`; today it needs only the periods), never a stage or the command
line, so that every stage can import it; ``tests/test_imports.py`` holds it to that.
"""

from pipeline.store.files import atomic_write, cache_path, code_version
from pipeline.store.snapshots import (
    HELD_KINDS,
    MANIFEST_FIELDS,
    Snapshot,
    add_to_manifest,
    beijing_time,
    due_date,
    held_dir,
    hold_case_notices,
    latest_snapshots,
    period_of,
    read_manifest,
    snapshot_dir,
    store_file,
    write_manifest,
)

__all__ = [
    "HELD_KINDS",
    "MANIFEST_FIELDS",
    "Snapshot",
    "add_to_manifest",
    "atomic_write",
    "beijing_time",
    "cache_path",
    "code_version",
    "due_date",
    "held_dir",
    "hold_case_notices",
    "latest_snapshots",
    "period_of",
    "read_manifest",
    "snapshot_dir",
    "store_file",
    "write_manifest",
]
