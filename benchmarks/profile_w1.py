"""Where W1's training time goes: glassnet's fit against the hand-written NumPy loop, by phase.

Both train W1 (the notes' model on digits, batch 32, 30 epochs, 1 thread). Phases are timed
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
Best of ``--repeats`` runs for every figure.
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


def glassnet_phases(x, y, epochs):
    """(untimed total, timed total, phase -> seconds) of one glassnet fit."""
    model = peers.glassnet_model(common.W1_SIZES)
    start = time.perf_counter()
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    plain = time.perf_counter() - start
    model = peers.glassnet_model(common.W1_SIZES)
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
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
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


def numpy_phases(x, y, epochs):
    """(untimed total, timed total, phase -> seconds) of one hand-written loop."""
    model, optimizer = numpy_mlp.build(common.W1_SIZES)
    start = time.perf_counter()
    numpy_mlp.fit(model, optimizer, x, y, epochs, 32)
    plain = time.perf_counter() - start
    model, optimizer = numpy_mlp.build(common.W1_SIZES)
    model.__class__ = _TimedHandMLP
    spent = model.spent = dict.fromkeys(PHASES, 0.0)
    _timed(model, "forward", "forward", spent)
    _timed(model, "backward", "backward", spent)
    _timed(optimizer, "step", "optimizer", spent)
    start = time.perf_counter()
    numpy_mlp.fit(model, optimizer, x, y, epochs, 32)
    total = time.perf_counter() - start
    spent["the rest"] = total - sum(spent.values())
    return plain, total, spent


def best_of(measure, repeats):
    runs = [measure() for _ in range(repeats)]
    plain = min(r[0] for r in runs)
    total, spent = min(((r[1], r[2]) for r in runs), key=lambda r: r[0])
    return plain, total, spent


def cprofile_top(x, y, epochs, count=15):
    model = peers.glassnet_model(common.W1_SIZES)
    profiler = cProfile.Profile()
    profiler.enable()
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(count)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(line.replace(sys.prefix, "<venv>") for line in lines[start:] if line)


def run(quick=False, repeats=5):
    x, y = common.digits_w1()
    epochs = 30
    if quick:
        x, y, epochs, repeats = x[:128], y[:128], 1, 1
    steps = epochs * -(-len(x) // 32)
    with common.blas_threads(1):
        ours = best_of(lambda: glassnet_phases(x, y, epochs), repeats)
        loop = best_of(lambda: numpy_phases(x, y, epochs), repeats)
        top = cprofile_top(x, y, epochs)
    rows = []
    for phase in PHASES + ["total"]:
        a = ours[1] if phase == "total" else ours[2][phase]
        b = loop[1] if phase == "total" else loop[2][phase]
        rows.append({"phase": phase, "glassnet_us": a / steps * 1e6, "numpy_us": b / steps * 1e6,
                     "extra_s": a - b, "share": (a - b) / max(ours[1] - loop[1], 1e-9)})
    return {"rows": rows, "steps": steps, "glassnet_plain": ours[0], "numpy_plain": loop[0],
            "cprofile": top}


COLUMNS = [("phase", "phase", "{}"), ("glassnet_us", "glassnet us/step", "{:.1f}"),
           ("numpy_us", "numpy loop us/step", "{:.1f}"), ("extra_s", "glassnet extra s", "{:+.3f}"),
           ("share", "share of the gap", "{:.0%}")]


def report(result, quick=False):
    return "\n".join([
        f"W1 profile, 1 thread, {result['steps']} steps, best of {1 if quick else 5}"
        + (" (--quick: 128 samples, 1 epoch)" if quick else ""),
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
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
