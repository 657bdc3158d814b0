"""Use the machine well: spread independent work over its cores, and keep Python's
cycle collector out of the way while millions of figures are read.

Reading thousands of submission files and writing thousands of institution pages are
each a loop over independent items. On Linux the worker processes are forked: they
start with the parent's registry and figures already in memory, nothing is pickled but
the items and the results. ``PORTAL_JOBS`` sets the number of processes (1: no
workers at all); the default is the number of cores, at most 4.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")

# Below this many items a pool costs more than it saves.
MIN_ITEMS = 200
_work: Callable[[Any], Any] | None = None


def jobs() -> int:
    """How many processes to use."""
    value = os.environ.get("PORTAL_JOBS", "").strip()
    if value:
        try:
            return max(1, int(value))
        except ValueError:
            raise SystemExit(f"PORTAL_JOBS 应为正整数，实际为 {value!r}") from None
    return max(1, min(os.cpu_count() or 1, 4))


def _call(chunk: Sequence[Any]) -> list[Any]:
    assert _work is not None
    return [_work(item) for item in chunk]


def pmap(
    work: Callable[[T], R],
    items: Sequence[T],
    processes: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """``[work(x) for x in items]``, in order, over several forked processes when there
    are enough items and ``fork`` is available. ``work`` may be any callable (a closure
    too): the workers inherit it and only items and results cross between processes.
    ``meanwhile`` runs in this process while the workers work (it must not need their
    results, and they do not see its effects)."""
    n = jobs() if processes is None else processes
    if n <= 1 or len(items) < MIN_ITEMS or "fork" not in multiprocessing.get_all_start_methods():
        results = [work(x) for x in items]
        if meanwhile:
            meanwhile()
        return results
    global _work
    _work = work
    try:
        # A few chunks per process keep both busy when some chunks take longer.
        size = max(1, len(items) // (n * 4))
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(n, mp_context=context) as pool:
            parts = pool.map(_call, chunks)  # the workers are forked and start here
            if meanwhile:
                meanwhile()
            return [r for part in parts for r in part]
    finally:
        _work = None


def each(
    work: Callable[[T], None],
    items: Iterable[T],
    processes: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> None:
    """Run ``work`` on every item for its effect (writing files), over several processes,
    and ``meanwhile`` here at the same time."""
    pmap(work, list(items), processes, meanwhile)


def batch(stage: Callable[P, T]) -> Callable[P, T]:
    """Run a pipeline stage with the cycle collector paused.

    A stage creates millions of small objects (a row per figure) and frees few: the
    collector, triggered by allocations, walks them again and again for nothing (a
    third of the check stage at 3,000 institutions). Whatever a stage leaves is kept
    by the next, so at its end the survivors are frozen (never walked again) rather
    than collected, which alone took over a second. Freed objects are still freed at
    once by reference counting; only reference cycles would wait, and the stages
    make few."""

    @functools.wraps(stage)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        if not gc.isenabled():
            return stage(*args, **kwargs)
        gc.disable()
        try:
            return stage(*args, **kwargs)
        finally:
            gc.freeze()
            gc.enable()

    return run
