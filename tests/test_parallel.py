"""Work done beside a stage in another process: its result, its errors, its end."""

from __future__ import annotations

import os
import time

import pytest

from pipeline.base import parallel


def test_work_beside_runs_in_another_process_and_gives_its_result(processes):
    processes(2)
    with parallel.beside(lambda: (os.getpid(), {"rows": list(range(100_000))})) as later:
        here = os.getpid()
        pid, value = later()
        assert later() == (pid, value)  # asked twice, computed once
    assert pid != here
    assert value["rows"][-1] == 99_999


def test_with_one_process_the_work_runs_here_when_asked(processes):
    processes(1)
    ran = []
    with parallel.beside(lambda: ran.append(os.getpid()) or "done") as later:
        assert ran == []
        assert later() == "done"
        assert later() == "done"
    assert ran == [os.getpid()]


def test_an_error_beside_is_raised_here_with_its_message(processes):
    processes(2)

    def broken() -> None:
        raise ValueError("案例文件无法读取：cases/x.md")

    with pytest.raises(ValueError, match="案例文件无法读取"), parallel.beside(broken) as later:
        later()


def test_a_result_that_cannot_be_sent_back_is_an_error_not_a_hang(processes):
    processes(2)
    with (
        pytest.raises(RuntimeError, match="结果无法传回：generator"),
        parallel.beside(lambda: (x for x in range(3))) as later,
    ):
        later()


def test_leaving_without_asking_stops_the_process(processes):
    import multiprocessing

    processes(2)
    with parallel.beside(lambda: time.sleep(60)):
        (child,) = multiprocessing.active_children()
        assert child.is_alive()
    assert not child.is_alive()
    assert multiprocessing.active_children() == []


def test_work_meanwhile_runs_once_and_pool_results_keep_their_order(processes):
    # (MIN_ITEMS lowered by the fixture: 50 items suffice for a pool.)
    processes(2)
    done = []
    for jobs in (1, 2):
        out = parallel.pmap(
            lambda x: x * x, list(range(50)), jobs, lambda jobs=jobs: done.append(jobs)
        )
        assert out == [x * x for x in range(50)]
    assert done == [1, 2]
