"""How many BLAS threads a piece of work should use.

On a 2-core machine small matrix products run faster on one thread than on two (thread
start-up and hand-off cost more than the product), and far slower when the other core is busy.
``limit_for(multiply_adds)`` picks one thread below a measured size and leaves BLAS alone above
it. threadpoolctl is imported only here and only if installed; without it nothing changes.
"""
import contextlib

# Multiply-adds of one training step's forward pass below which one thread is faster here
# (benchmarks/bench_threads.py measures the crossover).
ONE_THREAD_BELOW = 4_000_000


def limit_for(multiply_adds, threads=None):
    """A context manager limiting BLAS to ``threads`` (default: 1 for small work, else all)."""
    if threads is None:
        threads = 1 if multiply_adds < ONE_THREAD_BELOW else None
    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="blas")
