"""A child process created by fork() after the parent used assay's threads must not hang.

GCC's OpenMP runtime cannot be used in such a child (its thread pool is not copied by fork);
assay detects the fork and runs serially there, with the same results.
"""

import multiprocessing
import os
import sys

import assay
import numpy as np
import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork start method (Linux)")


def _table(seed=0):
    rng = np.random.default_rng(seed)
    return {f"c{i}": rng.normal(size=20_000) for i in range(8)}


def _profile_means(n_jobs):
    profile = assay.profile(_table(), n_jobs=n_jobs)
    return [profile[f"c{i}"]["mean"] for i in range(8)]


def _child(queue, n_jobs):
    queue.put(_profile_means(n_jobs))


@pytest.mark.parametrize("child_jobs", [None, 1, 2])
def test_fork_child_after_parallel_call_finishes_with_the_same_result(child_jobs):
    expected = _profile_means(n_jobs=2)  # the parent starts OpenMP threads
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, child_jobs))
    process.start()
    process.join(timeout=120)
    if process.is_alive():
        process.kill()
        pytest.fail("the forked child hung in its first assay call")
    assert process.exitcode == 0
    assert queue.get(timeout=10) == expected


def test_os_fork_then_parallel_calls_in_child_and_grandchild():
    expected = _profile_means(n_jobs=2)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: also fork a grandchild after using assay itself
        status = 0
        try:
            ok = _profile_means(n_jobs=None) == expected
            grandchild = os.fork()
            if grandchild == 0:
                os._exit(0 if _profile_means(n_jobs=2) == expected else 3)
            _, grand_status = os.waitpid(grandchild, 0)
            status = 0 if ok and grand_status == 0 else 4
        finally:
            os.write(write_end, bytes([status]))
            os._exit(status)
    os.close(write_end)
    import select

    ready, _, _ = select.select([read_end], [], [], 120)
    if not ready:
        os.kill(pid, 9)
        pytest.fail("the forked child hung")
    assert os.read(read_end, 1) == b"\x00"
    os.waitpid(pid, 0)


def test_pool_workers_after_parallel_call():
    expected = _profile_means(n_jobs=2)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        result = pool.map_async(_profile_means, [None, 1, 2])
        assert result.get(timeout=120) == [expected] * 3
