"""What every benchmark shares: the workloads' data, interleaved best-of-N timing, the table.

Timing method: the contenders of one workload run in the same process, interleaved
(glassnet, peer, peer, ..., then again), ``repeats`` times; each contender's figure is its
best (minimum) time, because on a shared 2-core machine every other process can only add time.
The median is printed beside it so a noisy run shows as a wide gap between the two.
"""
import contextlib
import os
import statistics
import sys
import time

import numpy as np

W1_SIZES = (64, 300, 100, 10)
W2_SIZES = (784, 300, 100, 10)


# -- data --------------------------------------------------------------------------------------
def digits_w1(seed=0):
    """The notes' training split of scikit-learn's digits: pixels / 16, 1207 samples of 64.

    70/30 train/test split (``random_state=seed``), the first 50 training samples held out
    for validation, as the notes' ``load_mnist``. Returns (x float32, y int64).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    x_train, _, y_train, _ = train_test_split(x, digits.target, test_size=0.3, random_state=seed)
    return np.ascontiguousarray(x_train[50:]), y_train[50:].astype(np.int64)


def synthetic_w2(n=60_000, features=784, classes=10, seed=0):
    """Seeded MNIST-sized data: uniform pixels in [0, 1), labels from a random linear teacher."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, features), dtype=np.float32)
    teacher = rng.standard_normal((features, classes)).astype(np.float32)
    y = np.argmax((x - 0.5) @ teacher, axis=1).astype(np.int64)
    return x, y


def multiply_adds(sizes, batch_size):
    """Multiply-adds of one forward pass of a dense stack: batch * (sum of fan_in * fan_out)."""
    return batch_size * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


# -- threads -----------------------------------------------------------------------------------
@contextlib.contextmanager
def blas_threads(count):
    """NumPy's BLAS (and PyTorch's intra-op pool, when loaded) limited to ``count`` threads."""
    from threadpoolctl import threadpool_limits
    torch = sys.modules.get("torch")
    before = torch.get_num_threads() if torch is not None else None
    with threadpool_limits(limits=count):
        if torch is not None:
            torch.set_num_threads(count)
        try:
            yield
        finally:
            if torch is not None:
                torch.set_num_threads(before)


@contextlib.contextmanager
def glassnet_policy_off():
    """glassnet's own BLAS-thread choice switched off: its fit then runs on the threads the
    benchmark gives every contender."""
    from glassnet import threads
    saved = threads.ONE_THREAD_BELOW, threads.ADAPT_TO_LOAD
    threads.ONE_THREAD_BELOW, threads.ADAPT_TO_LOAD = 0, False
    try:
        yield
    finally:
        threads.ONE_THREAD_BELOW, threads.ADAPT_TO_LOAD = saved


def has(module_name):
    """True when ``module_name`` can be imported (peers are optional on a user's machine)."""
    import importlib.util
    return importlib.util.find_spec(module_name) is not None


# -- timing ------------------------------------------------------------------------------------
def time_interleaved(contenders, repeats):
    """``contenders``: name -> setup(); setup() returns the zero-argument run to time.

    Setup (building a fresh model, optimizer state) is not timed; the run is. Returns
    name -> list of seconds, one per repeat, the contenders interleaved within each repeat.
    """
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, setup in contenders.items():
            run = setup()
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def best(times):
    return min(times)


def median(times):
    return statistics.median(times)


# -- output ------------------------------------------------------------------------------------
def machine_line():
    """Cores and load average: how busy the shared machine was while timing."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return (f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} / {load[1]:.2f} / "
            f"{load[2]:.2f} (1/5/15 min); numpy {np.__version__}")


def table(rows, columns):
    """A plain-text table of dict ``rows`` with the given ``columns`` (key, header, format)."""
    header = [title for _, title, _ in columns]
    body = [[("-" if row.get(key) is None else fmt.format(row[key])) for key, _, fmt in columns]
            for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *body)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths)),
             "  ".join("-" * width for width in widths)]
    lines += ["  ".join(cell.ljust(width) for cell, width in zip(cells, widths)) for cells in body]
    return "\n".join(lines)


def quick_flag(argv=None):
    """The one option every benchmark takes: ``--quick`` for a smoke run of a few seconds."""
    import argparse
    parser = argparse.ArgumentParser(description=sys.modules["__main__"].__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of a few seconds (tiny sizes, one repeat): numbers "
                             "are meaningless, the code paths are exercised")
    return parser.parse_args(argv).quick
