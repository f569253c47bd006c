"""The BLAS-thread policy: one thread for small work or a busy machine, BLAS alone otherwise."""
import numpy as np
import pytest

import glassnet
from glassnet import threads

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads():
    return {info["num_threads"] for info in threadpoolctl.threadpool_info()
            if info["user_api"] == "blas"}


def test_small_work_gets_one_thread():
    assert threads.threads_for(threads.ONE_THREAD_BELOW - 1) == 1
    assert threads.threads_for(0) == 1


def test_large_work_leaves_blas_alone_whatever_the_load_by_default(monkeypatch):
    """The default choice depends on the size only: the same run, the same bits."""
    assert threads.ADAPT_TO_LOAD is False
    for busy in (False, True):
        monkeypatch.setattr(threads, "other_cores_busy", lambda busy=busy: busy)
        assert threads.threads_for(threads.ONE_THREAD_BELOW) is None


def test_adapting_to_load_gives_large_work_one_thread_on_a_busy_machine(monkeypatch):
    monkeypatch.setattr(threads, "ADAPT_TO_LOAD", True)
    monkeypatch.setattr(threads, "other_cores_busy", lambda: False)
    assert threads.threads_for(threads.ONE_THREAD_BELOW) is None
    monkeypatch.setattr(threads, "other_cores_busy", lambda: True)
    assert threads.threads_for(threads.ONE_THREAD_BELOW) == 1


def test_limit_for_limits_numpys_blas_inside_and_restores_it_after():
    before = _blas_threads()
    with threads.limit_for(10):
        assert _blas_threads() == {1}
    assert _blas_threads() == before


def test_an_explicit_count_wins_over_the_policy():
    before = _blas_threads()
    with threads.limit_for(10, threads=2):
        assert _blas_threads() == {2}
    assert _blas_threads() == before


def test_nested_limits_restore_in_order():
    before = _blas_threads()
    with threads.limit_for(10, threads=2):
        with threads.limit_for(10):
            assert _blas_threads() == {1}
        assert _blas_threads() == {2}
    assert _blas_threads() == before


def test_other_cores_busy_reads_the_kernels_count():
    assert threads.other_cores_busy() in (True, False)


def test_fit_runs_small_work_on_one_thread():
    seen = []

    class Spy(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen.append(_blas_threads())

    model = glassnet.Sequential([glassnet.Input(shape=(4,)), glassnet.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((8, 4), dtype="float32")
    model.fit(x, np.zeros((8, 3), dtype="float32"), epochs=1, verbose=0, callbacks=[Spy()])
    assert seen == [{1}]
