"""Where training time goes: glassnet's fit against the hand-written NumPy loop, by phase.

Both train W1 (the notes' model on digits, batch 32, 30 epochs, 1 thread) or, with
``--workload W2``, W2 (60,000 x 784, batch 128, one epoch, 2 threads). Phases are timed
by wrapping, on the instances, the methods each phase runs (a wrapper costs well under a
microsecond a call; the untimed total is printed beside the timed one):

- forward: every layer's ``forward`` (glassnet) / ``HandMLP.forward``;
- loss value: the loss's ``call`` / the clip-log-mean part of ``HandMLP.loss_and_delta``;
- loss gradient: ``logits_gradient`` (or ``gradient``) / the (p - y) / n part;
- backward: every layer's ``backward`` (with the activations' derivatives);
- optimizer: ``optimizer.apply`` / ``Adam.step``;
- the rest: what ``fit`` does around them (shuffling, batching, label checks, metrics,
  callbacks, thread limits) / the loop's own shuffling and batching.

Then cProfile's view of glassnet's fit (functions by own time) shows which lines to read.
Best of 5 runs (W1) or 3 (W2) for every figure. glassnet's own BLAS-thread policy is off, so
both run on the same threads.
"""
import cProfile
import io
import pstats
import sys
import time

import common
import numpy_mlp
import peers

PHASES = ["forward", "loss value", "loss gradient", "backward", "optimizer", "the rest"]


def _timed(owner, method, key, spent):
    original = getattr(owner, method)

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - start
    setattr(owner, method, timed)


def glassnet_phases(x, y, work):
    """(untimed total, timed total, phase -> seconds) of one glassnet fit."""
    model = peers.glassnet_model(work["sizes"])
    start = time.perf_counter()
    model.fit(x, y, batch_size=work["batch"], epochs=work["epochs"], verbose=0)
    plain = time.perf_counter() - start
    model = peers.glassnet_model(work["sizes"])
    spent = dict.fromkeys(PHASES, 0.0)
    for layer in model.layers:
        _timed(layer, "forward", "forward", spent)
        _timed(layer, "backward", "backward", spent)
    _timed(model.optimizer, "apply", "optimizer", spent)
    for method, key in (("call", "loss value"), ("logits_gradient", "loss gradient"),
                        ("gradient", "loss gradient")):
        if hasattr(model.loss, method):
            _timed(model.loss, method, key, spent)
    start = time.perf_counter()
    model.fit(x, y, batch_size=work["batch"], epochs=work["epochs"], verbose=0)
    total = time.perf_counter() - start
    spent["the rest"] = total - sum(spent.values())
    return plain, total, spent


class _TimedHandMLP(numpy_mlp.HandMLP):
    """The loop's model with its loss value and loss gradient timed apart."""

    spent = None

    def loss_and_delta(self, p, y):
        start = time.perf_counter()
        rows = numpy_mlp.np.arange(len(p))
        loss = -float(numpy_mlp.np.log(numpy_mlp.np.clip(p[rows, y], 1e-7, 1.0 - 1e-7)).mean())
        middle = time.perf_counter()
        p[rows, y] -= 1.0
        p *= self.dtype.type(1.0 / len(p))
        self.spent["loss value"] += middle - start
        self.spent["loss gradient"] += time.perf_counter() - middle
        return loss, p


def numpy_phases(x, y, work):
    """(untimed total, timed total, phase -> seconds) of one hand-written loop."""
    model, optimizer = numpy_mlp.build(work["sizes"])
    start = time.perf_counter()
    numpy_mlp.fit(model, optimizer, x, y, work["epochs"], work["batch"])
    plain = time.perf_counter() - start
    model, optimizer = numpy_mlp.build(work["sizes"])
    model.__class__ = _TimedHandMLP
    spent = model.spent = dict.fromkeys(PHASES, 0.0)
    _timed(model, "forward", "forward", spent)
    _timed(model, "backward", "backward", spent)
    _timed(optimizer, "step", "optimizer", spent)
    start = time.perf_counter()
    numpy_mlp.fit(model, optimizer, x, y, work["epochs"], work["batch"])
    total = time.perf_counter() - start
    spent["the rest"] = total - sum(spent.values())
    return plain, total, spent


def best_of(measure, repeats):
    runs = [measure() for _ in range(repeats)]
    plain = min(r[0] for r in runs)
    total, spent = min(((r[1], r[2]) for r in runs), key=lambda r: r[0])
    return plain, total, spent


def cprofile_top(x, y, work, count=15):
    model = peers.glassnet_model(work["sizes"])
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(x, y, batch_size=work["batch"], epochs=work["epochs"], verbose=0)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(count)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(line.replace(sys.prefix, "<venv>") for line in lines[start:] if line)


WORKLOADS = {
    "W1": {"sizes": common.W1_SIZES, "batch": 32, "epochs": 30, "threads": 1, "repeats": 5},
    "W2": {"sizes": common.W2_SIZES, "batch": 128, "epochs": 1, "threads": 2, "repeats": 3},
}


def run(quick=False, workload="W1"):
    work = dict(WORKLOADS[workload], name=workload)
    x, y = common.digits_w1() if workload == "W1" else common.synthetic_w2(
        n=1_024 if quick else 60_000)
    if quick:
        x, y = x[:128], y[:128]
        work.update(epochs=1, repeats=1, threads=1)
    steps = work["epochs"] * -(-len(x) // work["batch"])
    with common.blas_threads(work["threads"]), common.glassnet_policy_off():
        ours = best_of(lambda: glassnet_phases(x, y, work), work["repeats"])
        loop = best_of(lambda: numpy_phases(x, y, work), work["repeats"])
        top = cprofile_top(x, y, work)
    rows = []
    for phase in PHASES + ["total"]:
        a = ours[1] if phase == "total" else ours[2][phase]
        b = loop[1] if phase == "total" else loop[2][phase]
        rows.append({"phase": phase, "glassnet_us": a / steps * 1e6, "numpy_us": b / steps * 1e6,
                     "extra_s": a - b, "ratio": a / b if b > 0 else None})
    return {"rows": rows, "steps": steps, "glassnet_plain": ours[0], "numpy_plain": loop[0],
            "cprofile": top, "work": work}


COLUMNS = [("phase", "phase", "{}"), ("glassnet_us", "glassnet us/step", "{:.1f}"),
           ("numpy_us", "numpy loop us/step", "{:.1f}"), ("extra_s", "glassnet extra s", "{:+.3f}"),
           ("ratio", "glassnet / loop", "{:.2f}")]


def report(result, quick=False):
    return "\n".join([
        f"{result['work']['name']} profile, {result['work']['threads']} thread(s), "
        f"{result['steps']} steps, best of {result['work']['repeats']}"
        + (" (--quick: 128 samples, 1 epoch, 1 thread)" if quick else ""),
        common.machine_line(),
        f"untimed totals: glassnet {result['glassnet_plain']:.3f} s, numpy loop "
        f"{result['numpy_plain']:.3f} s (the phase timers add the difference to the totals below)",
        common.table(result["rows"], COLUMNS),
        "",
        "cProfile of glassnet's fit, by own time (cProfile's overhead inflates small calls):",
        result["cprofile"]])


def summary(result):
    return []


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--workload", default="W1", choices=sorted(WORKLOADS))
    args = parser.parse_args(argv)
    print(report(run(args.quick, args.workload), args.quick))


if __name__ == "__main__":
    sys.exit(main())
