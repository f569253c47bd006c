"""Where two BLAS threads start to pay: the crossover that sets threads.ONE_THREAD_BELOW.

For dense stacks ``width -> width -> width -> 10`` (ReLU, softmax, Adam, sparse CE) at several
widths and batch sizes, glassnet's ``fit`` steps are timed with NumPy's BLAS limited to 1
thread and to 2 (threadpoolctl), interleaved, best of ``--repeats``; glassnet's own policy is
switched off meanwhile (``ONE_THREAD_BELOW = 0``) so the outer limit decides. The size of a
step is its forward multiply-adds, batch * (weights + biases), the quantity
``threads.limit_for`` is given by ``fit``.

The crossover printed is the threshold T ("one thread below T multiply-adds, all threads
from T on") that makes the measured steps fastest in total relative terms: for each candidate
T, the sum over configurations of (time with T's choice) / (faster of the two times); T is
then rounded to two significant digits at the geometric middle of the gap it falls in.
Printed twice: from the best times (a quiet machine) and from the medians (the load of the
moment).
"""
import math
import sys
import time

import numpy as np

import common

WIDTHS = (32, 64, 128, 256, 512, 1024)
BATCHES = (16, 32, 64, 128, 256)
TARGET_SECONDS = 0.04         # each timing runs about this long on one thread


def _model(width, keras):
    model = keras.Sequential([keras.Input(shape=(width,)),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(width, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


class Config:
    """One width and batch size: its model, data and the fit call to time."""

    def __init__(self, width, batch_size, quick):
        import glassnet as keras
        rng = np.random.default_rng(0)
        self.width, self.batch_size, self.batches = width, batch_size, 4
        self.x = rng.random((self.batches * batch_size, width), dtype=np.float32)
        self.y = rng.integers(0, 10, len(self.x))
        self.model = _model(width, keras)
        self.multiply_adds = batch_size * self.model.count_params()
        self.epochs = 1 if quick else max(1, min(50, round(
            TARGET_SECONDS / (self.multiply_adds * 2e-9) / self.batches)))
        self.times = {1: [], 2: []}
        self.model.fit(self.x, self.y, batch_size=batch_size, epochs=1, verbose=0)   # warm up

    def time_step(self, count):
        with common.blas_threads(count):
            start = time.perf_counter()
            self.model.fit(self.x, self.y, batch_size=self.batch_size, epochs=self.epochs,
                           shuffle=False, verbose=0)
            elapsed = time.perf_counter() - start
        self.times[count].append(elapsed / (self.epochs * self.batches))

    def row(self, summary):
        one, two = summary(self.times[1]), summary(self.times[2])
        return {"width": self.width, "batch": self.batch_size,
                "multiply_adds": self.multiply_adds, "one": one, "two": two,
                "speedup": one / two}


def time_configs(configs, repeats):
    """Every configuration at 1 and 2 threads, ``repeats`` rounds; each round visits all
    configurations in a fresh random order, so a burst of load from other processes is
    spread over many configurations instead of spoiling one."""
    from glassnet import threads
    order = np.random.default_rng(1)
    saved, threads.ONE_THREAD_BELOW = threads.ONE_THREAD_BELOW, 0
    try:
        for round_ in range(repeats):
            for index in order.permutation(len(configs)):
                counts = (1, 2) if (round_ + index) % 2 == 0 else (2, 1)
                for count in counts:
                    configs[index].time_step(count)
    finally:
        threads.ONE_THREAD_BELOW = saved


def crossover(rows):
    """The threshold T that minimizes the summed relative slowdown of the policy (see above)."""
    rows = sorted(rows, key=lambda r: r["multiply_adds"])
    sizes = [r["multiply_adds"] for r in rows]
    candidates = sizes + [sizes[-1] * 2]

    def cost(threshold):
        return sum((r["one"] if r["multiply_adds"] < threshold else r["two"])
                   / min(r["one"], r["two"]) for r in rows)

    best_index = min(range(len(candidates)), key=lambda i: (cost(candidates[i]), i))
    upper = candidates[best_index]
    lower = sizes[best_index - 1] if best_index > 0 else upper / 2
    middle = math.sqrt(lower * upper)
    digits = 10 ** (int(math.floor(math.log10(middle))) - 1)
    return int(round(middle / digits) * digits), cost(candidates[best_index]) / len(rows)


def run(quick=False, repeats=7):
    """Rows by size (best of ``repeats``), the crossover from best times and from medians."""
    widths, batches = ((32, 256), (16, 64)) if quick else (WIDTHS, BATCHES)
    configs = [Config(w, b, quick) for w in widths for b in batches]
    time_configs(configs, 1 if quick else repeats)
    rows = sorted((c.row(common.best) for c in configs), key=lambda r: r["multiply_adds"])
    medians = [c.row(common.median) for c in configs]
    return rows, crossover(rows), crossover(medians)


COLUMNS = [("multiply_adds", "multiply-adds", "{:,}"), ("width", "width", "{}"),
           ("batch", "batch", "{}"), ("one_ms", "1 thread ms", "{:.3f}"),
           ("two_ms", "2 threads ms", "{:.3f}"), ("speedup", "speed-up of 2", "{:.2f}")]


def report(result, quick=False):
    from glassnet import threads
    rows, (threshold, cost), (busy_threshold, busy_cost) = result
    for row in rows:
        row["one_ms"], row["two_ms"] = row["one"] * 1e3, row["two"] * 1e3
    return "\n".join([
        "BLAS threads crossover: glassnet fit steps of width-width-width-10 stacks, 1 vs 2 "
        f"threads, best of {1 if quick else 7} rounds over all sizes in random order",
        common.machine_line(), common.table(rows, COLUMNS),
        f"crossover (best times): one thread below {threshold:,} multiply-adds per step "
        f"(that policy is {100 * (cost - 1):.1f}% slower than the best choice, on average)",
        f"crossover (median times, i.e. under the load of the moment): one thread below "
        f"{busy_threshold:,} ({100 * (busy_cost - 1):.1f}%)",
        f"threads.ONE_THREAD_BELOW = {threads.ONE_THREAD_BELOW:,}"])


def summary(result):
    from glassnet import threads
    _, (threshold, _), (busy_threshold, _) = result
    return [{"benchmark": "BLAS threads crossover (multiply-adds)", "peer": "measured (best)",
             "glassnet": threads.ONE_THREAD_BELOW, "theirs": threshold,
             "ratio": threads.ONE_THREAD_BELOW / threshold, "goal": None, "met": None},
            {"benchmark": "BLAS threads crossover (multiply-adds)", "peer": "measured (median)",
             "glassnet": threads.ONE_THREAD_BELOW, "theirs": busy_threshold,
             "ratio": threads.ONE_THREAD_BELOW / busy_threshold, "goal": None, "met": None}]


def main(argv=None):
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
