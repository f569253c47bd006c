"""W2, an MNIST-sized epoch: training throughput of glassnet and its peers at 2 threads.

60,000 x 784 synthetic samples (seeded, ``common.synthetic_w2``), 784-300-100-10
ReLU/softmax, Adam(1e-3), batch 128, one epoch, float32, sparse cross-entropy. NumPy's BLAS
and PyTorch's intra-op pool both get 2 threads (glassnet's fit keeps both: W2's step is above
threads.ONE_THREAD_BELOW). "glassnet, adapting to load" turns on threads.ADAPT_TO_LOAD, which
gives fit one thread while other processes keep the other core busy. Contenders interleaved in this one process,
best of ``--repeats``; throughput = samples / best seconds.

Goal (issue 2): glassnet's throughput at least PyTorch eager's.
"""
import sys

import common
import peers

NAMES = ["glassnet", "glassnet, adapting to load", "numpy loop", "torch eager",
         "torch fused Adam"]


def run(quick=False, repeats=3):
    n = 1_024 if quick else 60_000
    repeats = 1 if quick else repeats
    x, y = common.synthetic_w2(n=n)
    contenders = peers.contenders(x, y, common.W2_SIZES, 1, 128, NAMES)
    # A smoke run takes 1 thread: two threads on a machine busy with other work can spin for
    # seconds, and a smoke run's numbers mean nothing anyway.
    with common.blas_threads(1 if quick else 2):
        times = common.time_interleaved(contenders, repeats)
    ours = common.best(times["glassnet"])
    rows = []
    for name, seconds in times.items():
        best = common.best(seconds)
        rows.append({"workload": "W2", "name": name, "best": best,
                     "median": common.median(seconds), "throughput": n / best,
                     "ratio": (n / ours) / (n / best),
                     "goal": 1.0 if name == "torch eager" else None,
                     "met": (best / ours >= 1.0) if name == "torch eager" else None})
    return rows


COLUMNS = [("name", "contender", "{}"), ("best", "best s", "{:.3f}"),
           ("median", "median s", "{:.3f}"), ("throughput", "samples/s", "{:,.0f}"),
           ("ratio", "glassnet's throughput / its", "{:.2f}"), ("goal", "goal >=", "{:.2f}"),
           ("met", "met", "{}")]


def report(rows, quick=False):
    head = ("W2: synthetic 60,000x784, 784-300-100-10, Adam 1e-3, batch 128, 1 epoch, float32, "
            f"2 threads; best of {1 if quick else 3} interleaved runs"
            + (" (--quick: 1,024 samples, 1 thread)" if quick else ""))
    return "\n".join([head, common.machine_line(), common.table(rows, COLUMNS)])


def summary(rows):
    """run.py's lines: glassnet's throughput against each peer's (samples/s)."""
    ours = next(r for r in rows if r["name"] == "glassnet")
    return [{"benchmark": "W2 throughput (samples/s, 2 threads)", "peer": r["name"],
             "glassnet": ours["throughput"], "theirs": r["throughput"], "ratio": r["ratio"],
             "goal": r["goal"] and f">= {r['goal']}", "met": r["met"]}
            for r in rows if r is not ours]


def main(argv=None):
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
