"""Peak memory of one training run: glassnet and its peers, each in its own fresh process.

Method. The parent writes the workload's data to .npy files and starts one child process per
contender (and per measurement), so no contender inherits another's allocator state, loaded
code or thread pools. Each child:

1. loads the data (np.load) and imports its library (glassnet, torch or scikit-learn) and
   nothing else of the others: the "imported but idle" state;
2. reads its resident set size (RSS, /proc/self/status VmRSS) as the baseline and resets the
   kernel's peak-RSS mark (writing 5 to /proc/self/clear_refs);
3. builds the model and trains it (the same run bench_w1 / bench_w2 time);
4. reads the peak RSS since the reset (VmHWM). Figure: peak RSS growth = VmHWM - baseline.

RSS growth counts everything the training run makes resident: weights, optimizer state,
activations, temporaries, and the library code pages and thread stacks it touches for the
first time (for PyTorch, its kernels and autograd engine). A second child per NumPy-based
contender runs the same training under ``tracemalloc``, which sees every NumPy array buffer
(NumPy reports its allocations to it) and Python object: its peak is the largest amount of
array memory alive at once. PyTorch allocates tensors outside Python's allocators, so
tracemalloc cannot see them ("-").

Goal (issue 2): on W1, glassnet's peak RSS growth at most half of PyTorch's.
"""
import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

import common
import peers

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["glassnet", "numpy loop", "torch eager", "torch fused Adam", "scikit-learn"]
QUICK_NAMES = ["glassnet", "torch eager"]
# What each child imports before its baseline. NumPy loads numpy.random lazily (~7 MB of RSS);
# glassnet's import loads it, so the loop's "imported" state includes it too.
LIBRARY = {"glassnet": "glassnet", "numpy loop": "numpy.random", "torch eager": "torch",
           "torch fused Adam": "torch", "scikit-learn": "sklearn"}
WORKLOADS = {  # name: (sizes, epochs, batch size, BLAS threads)
    "W1": (common.W1_SIZES, 30, 32, 1),
    "W2": (common.W2_SIZES, 1, 128, 2),
}


# -- child ---------------------------------------------------------------------------------------
def _status_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak():
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def child(name, data_dir, workload, traced):
    sizes, epochs, batch_size, threads = WORKLOADS[workload]
    x = np.load(os.path.join(data_dir, "x.npy"))
    y = np.load(os.path.join(data_dir, "y.npy"))
    epochs = int(os.environ.get("BENCH_EPOCHS", epochs))
    __import__(LIBRARY[name])
    if LIBRARY[name] == "torch":
        sys.modules["torch"].set_num_threads(threads)
    setup = peers.contenders(x, y, sizes, epochs, batch_size, [name])[name]
    gc.collect()
    result = {"name": name, "workload": workload}
    if traced:
        import tracemalloc
        tracemalloc.start()
        setup()()
        result["traced_peak"] = tracemalloc.get_traced_memory()[1]
    else:
        baseline = _status_kib("VmRSS")
        _reset_peak()
        setup()()
        result["rss_baseline"] = baseline * 1024
        result["rss_growth"] = (_status_kib("VmHWM") - baseline) * 1024
    print(json.dumps(result))


# -- parent --------------------------------------------------------------------------------------
def measure(name, data_dir, workload, traced, epochs=None):
    threads = str(WORKLOADS[workload][3])
    env = {**os.environ, "OMP_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads,
           "MKL_NUM_THREADS": threads}
    if epochs is not None:
        env["BENCH_EPOCHS"] = str(epochs)
    command = [sys.executable, os.path.join(HERE, "bench_memory.py"), "--child", name,
               "--data", data_dir, "--workload", workload] + (["--traced"] if traced else [])
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"memory child {name} {workload} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(quick=False, workloads=("W1", "W2")):
    """Rows: per workload and contender, peak RSS growth and tracemalloc peak (bytes)."""
    rows = []
    if quick:
        workloads = workloads[:1]
    for workload in workloads:
        if workload == "W1":
            x, y = common.digits_w1()
        else:
            x, y = common.synthetic_w2(n=2_000 if quick else 60_000)
        epochs = 1 if quick else None
        if quick:
            x, y = x[:256], y[:256]
        with tempfile.TemporaryDirectory() as data_dir:
            np.save(os.path.join(data_dir, "x.npy"), x)
            np.save(os.path.join(data_dir, "y.npy"), y)
            names = [n for n in (QUICK_NAMES if quick else NAMES)
                     if common.has(LIBRARY[n].split(".")[0])]
            for name in names:
                row = measure(name, data_dir, workload, traced=False, epochs=epochs)
                if LIBRARY[name] != "torch" and (name == "glassnet" or not quick):
                    row.update(measure(name, data_dir, workload, traced=True, epochs=epochs))
                rows.append(row)
        ours = next(r for r in rows if r["workload"] == workload and r["name"] == "glassnet")
        for row in rows:
            if row["workload"] == workload:
                row["ratio"] = ours["rss_growth"] / max(row["rss_growth"], 1)
                if workload == "W1" and row["name"] == "torch eager":
                    row["goal"], row["met"] = 0.5, row["ratio"] <= 0.5
    return rows


COLUMNS = [("workload", "workload", "{}"), ("name", "contender", "{}"),
           ("rss_baseline_mb", "idle RSS MB", "{:.1f}"),
           ("rss_growth_mb", "peak RSS growth MB", "{:.2f}"),
           ("traced_mb", "tracemalloc peak MB", "{:.2f}"),
           ("ratio", "glassnet / it", "{:.2f}"), ("goal", "goal <=", "{:.2f}"),
           ("met", "met", "{}")]


def with_megabytes(rows):
    for row in rows:
        if "rss_growth_mb" in row:
            continue
        row["rss_baseline_mb"] = row["rss_baseline"] / 2**20
        row["rss_growth_mb"] = row["rss_growth"] / 2**20
        if "traced_peak" in row:
            row["traced_mb"] = row["traced_peak"] / 2**20
    return rows


METHOD = ("Peak memory of one training run, each contender in its own fresh process "
          "(method: bench_memory.py's docstring):\n"
          "  peak RSS growth = peak RSS while building + training - RSS with the library "
          "imported and the data loaded, idle;\n"
          "  tracemalloc peak = most NumPy array + Python object memory alive at once "
          "(NumPy-based contenders only; PyTorch allocates outside Python's view).")


def report(rows, quick=False):
    note = " --quick: W1 only, 256 samples, 1 epoch, glassnet and PyTorch only." if quick else ""
    return "\n".join([METHOD + note,
                      common.machine_line(), common.table(with_megabytes(rows), COLUMNS)])


def summary(rows):
    """run.py's lines: glassnet's peak RSS growth against each peer's (MB)."""
    lines = []
    for row in with_megabytes(rows):
        ours = next(r for r in rows if r["workload"] == row["workload"] and r["name"] == "glassnet")
        if row is not ours:
            lines.append({"benchmark": f"{row['workload']} peak RSS growth (MB)",
                          "peer": row["name"], "glassnet": ours["rss_growth_mb"],
                          "theirs": row["rss_growth_mb"], "ratio": row["ratio"],
                          "goal": row.get("goal") and f"<= {row['goal']}", "met": row.get("met")})
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--workload", default=None, choices=sorted(WORKLOADS),
                        help="one workload only (default: W1 and W2)")
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.data, args.workload, args.traced)
    workloads = [args.workload] if args.workload else ["W1", "W2"]
    print(report(run(args.quick, workloads), args.quick))


if __name__ == "__main__":
    sys.exit(main())
