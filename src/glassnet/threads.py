"""How many BLAS threads a piece of work should use.

On a 2-core machine a small matrix product runs faster on one thread than on two: handing
half of it to a second thread costs more than the half. So ``limit_for`` gives NumPy's BLAS
one thread when the work is small and leaves BLAS alone otherwise. The choice depends only on
the size of the work, so the same script makes the same choice every time it runs: OpenBLAS's
results differ in the last bits between 1 and 2 threads, and the same seed must give the same
training run, bit for bit.

When the other core is busy with another process, a second BLAS thread is far slower still
(measured here: an MNIST-sized epoch took 6-8 s on two threads against 1.5 s on one).
``ADAPT_TO_LOAD = True`` makes ``limit_for`` give one thread then, whatever the size: faster on
a shared machine, but the thread count, and so the last bits of the weights, then depend on
what else was running. Off by default.

The size of the work is the multiply-adds of one forward pass of a batch, batch_size * (number
of weights), which ``fit``, ``evaluate`` and ``predict`` pass in. ``ONE_THREAD_BELOW`` is where
two threads start to pay on this project's 2-core machines (benchmarks/bench_threads.py
measures it and prints the figures). threadpoolctl is imported only here and only if
installed; without it nothing changes.
"""
import contextlib
import os

# One BLAS thread below this many multiply-adds per step: the crossover measured by
# benchmarks/bench_threads.py on this project's 2 cores (single training steps of 32 sizes,
# 1 vs 2 threads, best of up to 200 samples each; 6,100,000 in two runs at load 1.4 and 4.3).
# Below ~4M two threads won by at most 5% and lost by up to 12%; from ~8M they win 5-10%,
# from ~34M (W2's step) 15-40%.
ONE_THREAD_BELOW = 6_100_000

# When True, work of any size gets one thread while other processes keep every other core
# busy (the kernel's count of runnable threads, sampled when the work starts; Linux only).
# Off by default: it trades bit-for-bit reproducibility of large models for speed.
ADAPT_TO_LOAD = False

_state = {"controller": None}


def threads_for(multiply_adds):
    """1 when one BLAS thread should do ``multiply_adds`` of work, None to leave BLAS alone."""
    if multiply_adds < ONE_THREAD_BELOW:
        return 1
    if ADAPT_TO_LOAD and other_cores_busy():
        return 1
    return None


def limit_for(multiply_adds, threads=None):
    """A context manager limiting NumPy's BLAS to ``threads`` threads (default:
    ``threads_for(multiply_adds)``); a no-op when that is None or threadpoolctl is missing."""
    if threads is None:
        threads = threads_for(multiply_adds)
    controller = _controller() if threads is not None else None
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=threads, user_api="blas")


def other_cores_busy():
    """True when other runnable threads would fill every core but the one we run on.

    Reads ``procs_running`` (threads runnable right now, this one included) from /proc/stat;
    False where that does not exist.
    """
    try:
        with open("/proc/stat", "rb") as stat:
            for line in stat:
                if line.startswith(b"procs_running"):
                    others = int(line.split()[1]) - 1
                    return others >= (os.cpu_count() or 1) - 1
    except (OSError, ValueError, IndexError):
        pass
    return False


def _controller():
    """threadpoolctl's controller, made once: finding the loaded BLAS libraries costs ~0.2 ms
    (more with PyTorch loaded), limiting through a kept controller ~10 us. NumPy's BLAS is
    loaded with NumPy, before glassnet, so the one snapshot sees it."""
    if _state["controller"] is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            return None
        _state["controller"] = ThreadpoolController()
    return _state["controller"]
