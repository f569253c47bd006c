"""What-if: the speed-ups proposed in /work/notes/perf.md, measured on the live engine.

Each proposal is applied as a patch in this process only (the engine's files are untouched),
then W1 is trained with and without it, interleaved, best of ``--repeats``. Every patched run
must end with the same weights as the unpatched one (bit for bit, or the difference is
printed), so a gain never comes from doing different arithmetic. A proposal whose engine
internals have changed since it was written reports "n/a" instead of failing.

- flush earlier: Adam's momentum of a weight whose gradient stays 0 (a dead ReLU unit, a
  pixel that is always 0) shrinks by beta_1 each step into float32's subnormal range (below
  2**-126), where every multiply, add and divide on it takes a slow microcode path. The engine
  (optimizers.py, since 1ead50e) zeroes state that is already subnormal every 32 steps, so an
  entry still spends up to 32 steps there. Zeroing entries below 2**-100 every 16 steps keeps
  them out of that range altogether (16 steps shrink a momentum by 0.9**16 = 0.19, nowhere near
  the 2**-26 between that floor and the subnormals); the weights such an entry would still
  move change by less than lr * 2**-100 / epsilon.
- flat: every kernel, bias and gradient a view into one flat array, so the optimizer makes
  ~10 NumPy calls a step instead of ~10 per array (60 for W1's six arrays).
- sparse CE: the sparse cross-entropy's value and fused gradient for the common case (2-D
  probabilities, 1-D integer labels, last axis, no weights, no ignore_class) by plain
  indexing ``p[rows, labels]`` instead of take_along_axis / moveaxis / per-batch checks.
"""
import contextlib
import math
import sys
import time

import numpy as np

import common
import peers

FLOOR = np.float32(2.0 ** -100)
EVERY = 16


# -- the patches -------------------------------------------------------------------------------
@contextlib.contextmanager
def flush():
    from glassnet import optimizers
    original = optimizers.Adam.apply

    def apply(self, params, grads):
        original(self, params, grads)
        if self.iterations % EVERY == 0:
            for slots in self.slots:
                for state in slots.values():       # momentum and velocity
                    np.copyto(state, 0, where=np.abs(state) < FLOOR)
    optimizers.Adam.apply = apply
    try:
        yield
    finally:
        optimizers.Adam.apply = original


def flatten(model):
    """Re-seat the model's weights and gradients as views of two flat arrays."""
    params = model.trainable_weights
    total = sum(p.size for p in params)
    flat, flat_grad = np.empty(total, params[0].dtype), np.zeros(total, params[0].dtype)
    start = 0
    for layer in model.layers:
        for i, (param, name) in enumerate(zip(layer.params, layer.param_names)):
            view = flat[start:start + param.size].reshape(param.shape)
            view[...] = param
            layer.params[i] = view
            layer.grads[i] = flat_grad[start:start + param.size].reshape(param.shape)
            setattr(layer, name, view)
            start += param.size
    model._collect_params()
    optimizer = type(model.optimizer)()
    optimizer.build([flat])                 # fit then finds it built, for the flat array
    apply = optimizer.apply
    optimizer.apply = lambda params, grads: apply([flat], [flat_grad])
    model.optimizer = optimizer
    return model


@contextlib.contextmanager
def sparse_ce():
    from glassnet import config, losses
    cls = losses.SparseCategoricalCrossentropy
    call, gradient = cls.__call__, cls.logits_gradient
    rows_cache = {}

    def plain(self, y_true, p, sample_weight):
        y_true = np.asarray(y_true)
        return (sample_weight is None and self.ignore_class is None and not self.from_logits
                and self.reduction == "sum_over_batch_size" and self.axis in (-1, 1)
                and isinstance(p, np.ndarray) and p.ndim == 2 and y_true.ndim == 1
                and y_true.dtype.kind in "iu" and self.dtype in (None, p.dtype.name))

    def rows(n):
        if n not in rows_cache:
            rows_cache[n] = np.arange(n)
        return rows_cache[n]

    def fast_call(self, y_true, y_pred, sample_weight=None):
        if not plain(self, y_true, y_pred, sample_weight):
            return call(self, y_true, y_pred, sample_weight)
        eps = config.epsilon()
        q = y_pred[rows(len(y_pred)), y_true] / y_pred.sum(axis=1)
        return -np.log(np.clip(q, eps, 1.0 - eps)).mean()

    def fast_gradient(self, y_true, p, sample_weight=None):
        if not plain(self, y_true, p, sample_weight):
            return gradient(self, y_true, p, sample_weight)
        grad = p.copy()
        grad[rows(len(p)), y_true] -= 1.0
        grad *= p.dtype.type(1.0 / len(p))
        return grad

    cls.__call__, cls.logits_gradient = fast_call, fast_gradient
    try:
        yield
    finally:
        cls.__call__, cls.logits_gradient = call, gradient


PATCHES = {  # name: (context managers, model hooks)
    "engine as is": ((), ()),
    "flush earlier": ((flush,), ()),
    "flat": ((), (flatten,)),
    "sparse CE": ((sparse_ce,), ()),
    "flat + sparse CE": ((sparse_ce,), (flatten,)),
    "flush earlier + flat + sparse CE": ((flush, sparse_ce), (flatten,)),
}


# -- measuring -----------------------------------------------------------------------------------
def train(x, y, epochs, contexts, hooks):
    """Seconds of one W1 fit under the patches, and the final weights."""
    with contextlib.ExitStack() as stack:
        for context in contexts:
            stack.enter_context(context())
        model = peers.glassnet_model(common.W1_SIZES)
        for hook in hooks:
            model = hook(model)
        start = time.perf_counter()
        model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
        elapsed = time.perf_counter() - start
    return elapsed, model.get_weights()


def measure_patches(quick=False, repeats=5):
    """Rows: each patch's best and median W1 time, its saving and whether weights match."""
    x, y = common.digits_w1()
    epochs = 30
    if quick:
        x, y, epochs, repeats = x[:128], y[:128], 2, 1
    times = {name: [] for name in PATCHES}
    weights, broken = {}, {}
    with common.blas_threads(1):
        for _ in range(repeats):
            for name, (contexts, hooks) in PATCHES.items():
                if name in broken:
                    continue
                try:
                    elapsed, final = train(x, y, epochs, contexts, hooks)
                except (AttributeError, KeyError, TypeError, IndexError) as error:
                    broken[name] = f"n/a: {type(error).__name__}: {error}"
                    continue
                times[name].append(elapsed)
                weights[name] = final
    base = min(times["engine as is"])
    rows = []
    for name in PATCHES:
        if name in broken:
            rows.append({"name": name, "note": broken[name]})
            continue
        best = min(times[name])
        difference = max(float(np.max(np.abs(a - b)))
                         for a, b in zip(weights[name], weights["engine as is"]))
        rows.append({"name": name, "best": best, "median": common.median(times[name]),
                     "saved": base - best, "speedup": base / best,
                     "note": "same weights, bit for bit" if difference == 0 else
                     f"weights differ by up to {difference:.2e}"})
    return rows


def w2_shuffle_copy(quick=False):
    """What fit's one-copy-per-epoch shuffle costs on W2 against gathering each batch."""
    x, _ = common.synthetic_w2(n=4_096 if quick else 60_000)
    order = np.random.default_rng(0).permutation(len(x))
    copy = gather = math.inf
    for _ in range(1 if quick else 5):
        start = time.perf_counter()
        shuffled = x[order]
        copy = min(copy, time.perf_counter() - start)
        del shuffled
        start = time.perf_counter()
        for begin in range(0, len(x), 128):
            x[order[begin:begin + 128]]
        gather = min(gather, time.perf_counter() - start)
    return {"copy": copy, "gather": gather, "megabytes": x.nbytes / 2**20}


def w2_without_copy(quick=False, repeats=3):
    """W2 through glassnet's fit as it is (shuffle=True: one copy of x per epoch) and with
    shuffle=False on the same data (batches are views: no copy), interleaved, best of
    ``repeats``, 2 threads; and each one's tracemalloc peak. The second stands for fit with
    per-batch gathers (S2 in perf.md) minus the gathers' own 0.02 s."""
    import tracemalloc
    x, y = common.synthetic_w2(n=2_048 if quick else 60_000)
    repeats = 1 if quick else repeats

    def setup(shuffle):
        def make():
            model = peers.glassnet_model(common.W2_SIZES)
            return lambda: model.fit(x, y, batch_size=128, epochs=1, shuffle=shuffle, verbose=0)
        return make
    contenders = {"fit as is (copies x)": setup(True), "fit without the copy": setup(False)}
    with common.blas_threads(1 if quick else 2):
        times = common.time_interleaved(contenders, repeats)
        peaks = {}
        for name, make in contenders.items():
            run = make()
            tracemalloc.start()
            run()
            peaks[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    return [{"name": name, "best": min(t), "median": common.median(t),
             "traced_mb": peaks[name] / 2**20} for name, t in times.items()]


COLUMNS = [("name", "patch", "{}"), ("best", "best s", "{:.3f}"), ("median", "median s", "{:.3f}"),
           ("saved", "saved s", "{:+.3f}"), ("speedup", "speed-up", "{:.2f}x"),
           ("note", "check", "{}")]


W2_COLUMNS = [("name", "W2, one epoch", "{}"), ("best", "best s", "{:.3f}"),
              ("median", "median s", "{:.3f}"), ("traced_mb", "tracemalloc peak MB", "{:.1f}")]


def report(result, quick=False):
    rows, shuffle, w2 = result
    return "\n".join([
        f"What-if on W1 (glassnet fit, 1 thread, best of {1 if quick else 5} interleaved runs"
        + (", --quick: 128 samples, 2 epochs" if quick else "") + ")",
        common.machine_line(), common.table(rows, COLUMNS),
        f"W2 shuffle: one copy of x per epoch {shuffle['copy']:.3f} s and "
        f"{shuffle['megabytes']:.0f} MB more at peak; gathering each batch of 128 instead "
        f"{shuffle['gather']:.3f} s per epoch and 0.4 MB.",
        common.table(w2, W2_COLUMNS)])


def summary(result):
    return []


def run(quick=False):
    return measure_patches(quick), w2_shuffle_copy(quick), w2_without_copy(quick)


def main(argv=None):
    quick = common.quick_flag(argv)
    print(report(run(quick), quick))


if __name__ == "__main__":
    sys.exit(main())
