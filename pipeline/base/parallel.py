"""Use the machine well: spread independent work over its cores, and keep Python's
cycle collector out of the way while millions of figures are read.

The contract: :func:`pmap`, :func:`each` and :func:`beside` fork, so the process that
calls them must run no other thread meanwhile (``portal serve`` stops its watch while
it rebuilds); before forking they give freed memory back to the system.
:func:`collector_paused` is for a command's entry, never for a library function.

Reading thousands of submission files and writing thousands of institution pages are
each a loop over independent items. On Linux the worker processes are forked: they
start with the parent's registry and figures already in memory, nothing is pickled but
the items and the results. ``PORTAL_JOBS`` sets the number of processes (1: no
workers at all); the default is the number of cores, at most 4.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
import pickle
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar, cast

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
        give_back_free_memory()
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


@contextmanager
def beside(work: Callable[[], T]) -> Iterator[Callable[[], T]]:
    """Start ``work()`` in a forked process, for work of a stage that does not depend on
    what this process does meanwhile; yields a function that waits for its result.

        with beside(lambda: punctuality(...)) as on_time:
            ...  # this process's own part of the stage
            history = on_time()

    The process writes its result to a temporary file and ends as soon as ``work`` is
    done, so that what it holds (the PII models, a copy-on-write share of this process)
    is given back then, not when the result is asked for (through a pipe it waited,
    holding all of it, for this process to read: through the check's peak, for the
    case notices).

    With one process (``PORTAL_JOBS=1``) or no ``fork``, ``work`` runs here when its
    result is asked for. An error in ``work`` is raised again here; leaving the block
    without asking stops the process."""
    if jobs() <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield functools.cache(work)
        return
    context = multiprocessing.get_context("fork")
    give_back_free_memory()
    with tempfile.TemporaryFile() as out:
        # Not a daemon: work may start worker processes of its own.
        process = context.Process(target=_send_result, args=(work, out.fileno()))
        process.start()

        @functools.cache
        def result() -> T:
            process.join()
            out.seek(0)
            try:
                ok, value = pickle.load(out)
            except EOFError:
                raise RuntimeError(
                    f"后台进程异常退出（退出码 {process.exitcode}），没有返回结果"
                ) from None
            if not ok:
                raise value
            return cast(T, value)

        try:
            yield result
        finally:
            if process.is_alive():
                process.terminate()
            process.join()


def _send_result(work: Callable[[], Any], fd: int) -> None:
    try:
        outcome: tuple[bool, Any] = (True, work())
    except BaseException as exc:
        outcome = (False, exc)
    try:
        blob = pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception:  # the result or the error could not be pickled
        ok, value = outcome
        told = type(value).__name__ if ok else "".join(traceback.format_exception(value))
        blob = pickle.dumps((False, RuntimeError(f"后台进程的结果无法传回：{told}")))
    del outcome
    with os.fdopen(os.dup(fd), "wb") as f:  # (the file is the parent's, at its start)
        f.write(blob)


@contextmanager
def collector_paused() -> Iterator[None]:
    """A command's whole run with Python's cycle collector paused (the command's entry
    sets it: a process-wide setting, not a library's).

    A build creates millions of small objects (a row per figure) and frees few: the
    collector, triggered by allocations, walks them again and again for nothing (a third
    of the check stage at 3,000 institutions). Freed objects are still freed at once by
    reference counting; only reference cycles wait, and the stages make few. Processes
    forked meanwhile inherit the setting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _libc() -> Any:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): nothing to give back this way
        return None


def give_back_free_memory() -> None:
    """Return the memory freed so far to the system (glibc keeps freed heap memory for
    the process otherwise, and Arrow's allocator what it freed): before forking, so the
    forked processes share less (at 3,000 institutions after the checks: 200 MB of
    glibc's, 260 MB of Arrow's, left by reading the parsed layer), and before a step
    that allocates much once a large table is gone (the rules between files, the
    roll-up, the suppression), so the peak of the build falls."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
    arrow = sys.modules.get("pyarrow")  # (not imported for it)
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
