"""W1, the notes' model: training time of glassnet and its peers, side by side.

digits / 16 (the notes' 1207 training samples), 64-300-100-10 ReLU/softmax, Adam(1e-3),
batch 32, 30 epochs, float32, sparse cross-entropy. Every contender runs on one BLAS / intra-op
thread (PyTorch's fastest setting here). The contenders run interleaved in this one process,
``--repeats`` times; the figure is each one's best time (median beside it).

Goals (issue 2): glassnet <= 0.5x PyTorch eager (default Adam) and <= 0.65x PyTorch with
Adam(fused=True).
"""
import sys

import common
import peers

NAMES = ["glassnet", "numpy loop", "numpy loop, per-array Adam", "torch eager",
         "torch fused Adam", "scikit-learn"]
GOALS = {"torch eager": 0.5, "torch fused Adam": 0.65}


def run(quick=False, repeats=5):
    """Rows: one per contender, with its best and median seconds and glassnet's ratio to it."""
    x, y = common.digits_w1()
    epochs = 30
    if quick:
        x, y, epochs, repeats = x[:128], y[:128], 1, 1
    contenders = peers.contenders(x, y, common.W1_SIZES, epochs, 32, NAMES)
    with common.blas_threads(1):
        times = common.time_interleaved(contenders, repeats)
    ours = common.best(times["glassnet"])
    rows = []
    for name, seconds in times.items():
        best = common.best(seconds)
        rows.append({"workload": "W1", "name": name, "best": best, "median": common.median(seconds),
                     "ratio": ours / best, "goal": GOALS.get(name),
                     "met": None if name not in GOALS else ours / best <= GOALS[name]})
    return rows


COLUMNS = [("name", "contender", "{}"), ("best", "best s", "{:.3f}"),
           ("median", "median s", "{:.3f}"), ("ratio", "glassnet / it", "{:.2f}"),
           ("goal", "goal <=", "{:.2f}"), ("met", "met", "{}")]


def report(rows, quick=False):
    head = (f"W1: digits 1207x64, 64-300-100-10, Adam 1e-3, batch 32, 30 epochs, float32, "
            f"1 thread; best of {1 if quick else 5} interleaved runs"
            + (" (--quick: 128 samples, 1 epoch)" if quick else ""))
    return "\n".join([head, common.machine_line(), common.table(rows, COLUMNS)])


def summary(rows):
    """run.py's lines: glassnet's time against each peer."""
    ours = next(r for r in rows if r["name"] == "glassnet")
    return [{"benchmark": "W1 time (s, 1 thread)", "peer": r["name"], "glassnet": ours["best"],
             "theirs": r["best"], "ratio": r["ratio"], "goal": r["goal"] and f"<= {r['goal']}",
             "met": r["met"]} for r in rows if r is not ours]


def main(argv=None):
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
