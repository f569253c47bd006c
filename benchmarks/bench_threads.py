"""Where two BLAS threads start to pay: the crossover that sets threads.ONE_THREAD_BELOW.

For dense stacks ``width -> width -> width -> 10`` at several widths and batch sizes, and for
W1's and W2's own models (ReLU, softmax, Adam, sparse CE), single glassnet training steps
(``train_on_batch``) are timed with NumPy's BLAS limited to 1 thread and to 2
(threadpoolctl), alternating, many times each; a figure is the best of its samples.
glassnet's own policy is off meanwhile, so the outer limit decides. Short samples, many of
them, in a random order over the sizes: on a machine shared with other work the best of
many short samples is the one that ran with both cores free, which is what the choice of
threads is about (the policy's load check covers the other case).

The size of a step is its forward multiply-adds, batch * (weights + biases): the quantity
``fit`` gives ``threads.limit_for``. The crossover printed is the threshold T ("one thread
below T multiply-adds, all threads from T on") that makes the measured steps fastest in total
relative terms: for each candidate T, the sum over sizes of (time with T's choice) / (faster
of the two times); T is then rounded to two significant digits at the geometric middle of the
gap it falls in. Printed twice: from the best times (a quiet machine) and from the medians
(the load of the moment).
"""
import math
import sys
import time

import numpy as np

import common
import peers

WIDTHS = (32, 64, 128, 256, 512, 1024)
BATCHES = (16, 32, 64, 128, 256)
BUDGET_SECONDS = 0.5          # per size: samples = budget / (time of a 1- and a 2-thread step)


class Config:
    """One model and batch size: its data and the training step to time."""

    def __init__(self, sizes, batch_size, label, quick):
        rng = np.random.default_rng(0)
        self.sizes, self.batch_size, self.label = sizes, batch_size, label
        self.x = rng.random((batch_size, sizes[0]), dtype=np.float32)
        self.y = rng.integers(0, sizes[-1], batch_size)
        self.model = peers.glassnet_model(sizes)
        self.multiply_adds = batch_size * self.model.count_params()
        self.times = {1: [], 2: []}
        for count in (1, 2):                                    # warm up, and size the budget
            self.time_step(count)
        step = sum(self.times[c][-1] for c in (1, 2))
        self.samples = 1 if quick else int(min(200, max(5, BUDGET_SECONDS / step)))
        self.times = {1: [], 2: []}

    def time_step(self, count):
        with common.blas_threads(count):
            start = time.perf_counter()
            self.model.train_on_batch(self.x, self.y)
            self.times[count].append(time.perf_counter() - start)

    def row(self, summary):
        one, two = summary(self.times[1]), summary(self.times[2])
        return {"label": self.label, "batch": self.batch_size,
                "multiply_adds": self.multiply_adds, "one": one, "two": two,
                "speedup": one / two, "samples": len(self.times[1])}


def time_configs(configs):
    """Each configuration's samples at 1 and 2 threads, alternating; rounds visit the
    configurations still short of samples in a fresh random order each time."""
    order = np.random.default_rng(1)
    with common.glassnet_policy_off():
        for round_ in range(max(c.samples for c in configs)):
            for index in order.permutation(len(configs)):
                config = configs[index]
                if round_ < config.samples:
                    for count in ((1, 2) if round_ % 2 == 0 else (2, 1)):
                        config.time_step(count)


def crossover(rows, tolerance=0.01):
    """The threshold T that minimizes the mean relative slowdown of the policy (see above),
    that slowdown, and the range of thresholds whose slowdown is within ``tolerance`` of it
    (how sharply the measurements fix T)."""
    rows = sorted(rows, key=lambda r: r["multiply_adds"])
    sizes = [r["multiply_adds"] for r in rows]
    candidates = sizes + [sizes[-1] * 2]

    def cost(index):
        return sum((r["one"] if r["multiply_adds"] < candidates[index] else r["two"])
                   / min(r["one"], r["two"]) for r in rows) / len(rows)

    def threshold(index):               # the rounded geometric middle of the gap below it
        lower = sizes[index - 1] if index > 0 else candidates[index] / 2
        middle = math.sqrt(lower * candidates[index])
        digits = 10 ** (int(math.floor(math.log10(middle))) - 1)
        return int(round(middle / digits) * digits)

    costs = [cost(i) for i in range(len(candidates))]
    best = min(range(len(candidates)), key=lambda i: (costs[i], i))
    near = [threshold(i) for i in range(len(candidates)) if costs[i] <= costs[best] + tolerance]
    return threshold(best), costs[best], (min(near), max(near))


def run(quick=False):
    """Rows by size (best times), the crossover from best times and from medians."""
    widths, batches = ((32, 256), (16, 64)) if quick else (WIDTHS, BATCHES)
    configs = [Config((w, w, w, 10), b, f"{w}-{w}-{w}-10", quick) for w in widths for b in batches]
    configs += [Config(common.W1_SIZES, 32, "W1 64-300-100-10", quick),
                Config(common.W2_SIZES, 128, "W2 784-300-100-10", quick)]
    time_configs(configs)
    rows = sorted((c.row(common.best) for c in configs), key=lambda r: r["multiply_adds"])
    medians = [c.row(common.median) for c in configs]
    return rows, crossover(rows), crossover(medians)


COLUMNS = [("multiply_adds", "multiply-adds", "{:,}"), ("label", "model", "{}"),
           ("batch", "batch", "{}"), ("one_ms", "1 thread ms", "{:.3f}"),
           ("two_ms", "2 threads ms", "{:.3f}"), ("speedup", "speed-up of 2", "{:.2f}"),
           ("samples", "samples", "{}")]


def report(result, quick=False):
    from glassnet import threads
    rows, (threshold, cost, near), (busy_threshold, busy_cost, busy_near) = result
    for row in rows:
        row["one_ms"], row["two_ms"] = row["one"] * 1e3, row["two"] * 1e3
    return "\n".join([
        "BLAS threads crossover: single glassnet training steps (train_on_batch), 1 vs 2 "
        "threads, best of many samples per size, sizes visited in random order",
        common.machine_line(), common.table(rows, COLUMNS),
        f"crossover (best times): one thread below {threshold:,} multiply-adds per step "
        f"(that policy is {100 * (cost - 1):.1f}% slower than the best choice, on average; "
        f"any threshold from {near[0]:,} to {near[1]:,} is within 1% of it)",
        f"crossover (median times, i.e. under the load of the moment): one thread below "
        f"{busy_threshold:,} ({100 * (busy_cost - 1):.1f}%; within 1%: {busy_near[0]:,} to "
        f"{busy_near[1]:,})",
        f"threads.ONE_THREAD_BELOW = {threads.ONE_THREAD_BELOW:,}"])


def summary(result):
    from glassnet import threads
    _, (threshold, _, _), (busy_threshold, _, _) = result
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
