"""What a Probe costs: W1 trained with ``Probe(every=1)`` against the same run without it.

W1: digits / 16 (the notes' 1207 training samples), 64-300-100-10 ReLU/softmax, He normal,
Adam(1e-3), batch 32, 30 epochs, float32, one BLAS thread. Contenders, interleaved in this one
process ``--repeats`` times, each figure its best time (median beside it):

- "no probe": plain ``fit`` (the Probe costs nothing when absent: no hook is called);
- "no-op batch callback": a callback with empty batch hooks, which is what ``fit`` itself
  spends per batch on any batch callback (the logs it builds), not the Probe's own work;
- "Probe(every=1)": per-layer statistics after every batch, identical units once per epoch;
- "Probe(every=10)": the same every tenth batch.

Goal (issue 3): Probe(every=1) at most 1.3x the time without it.
"""
import sys

import common

GOAL = 1.3


def _w1(x, y, epochs, callbacks):
    import glassnet as keras

    def setup():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([
            keras.Input(shape=(64,)),
            keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        probes = callbacks()
        return lambda: model.fit(x, y, batch_size=32, epochs=epochs, verbose=0,
                                 callbacks=probes)
    return setup


def _noop():
    from glassnet.callbacks import Callback

    class NoOp(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            pass

        def on_train_batch_end(self, batch, logs=None):
            pass
    return [NoOp()]


def run(quick=False, repeats=5):
    from glassnet.callbacks import Probe
    x, y = common.digits_w1()
    epochs = 30
    if quick:
        x, y, epochs, repeats = x[:128], y[:128], 1, 1
    contenders = {"no probe": _w1(x, y, epochs, lambda: None),
                  "no-op batch callback": _w1(x, y, epochs, _noop),
                  "Probe(every=1)": _w1(x, y, epochs, lambda: [Probe(every=1)]),
                  "Probe(every=10)": _w1(x, y, epochs, lambda: [Probe(every=10)])}
    with common.blas_threads(1):
        times = common.time_interleaved(contenders, repeats)
    base = common.best(times["no probe"])
    return [{"name": name, "best": common.best(seconds), "median": common.median(seconds),
             "ratio": common.best(seconds) / base,
             "goal": GOAL if name == "Probe(every=1)" else None,
             "met": common.best(seconds) / base <= GOAL if name == "Probe(every=1)" else None}
            for name, seconds in times.items()]


COLUMNS = [("name", "run", "{}"), ("best", "best s", "{:.3f}"), ("median", "median s", "{:.3f}"),
           ("ratio", "/ no probe", "{:.2f}"), ("goal", "goal <=", "{:.2f}"), ("met", "met", "{}")]


def _arguments(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run of a few seconds (tiny sizes, one repeat)")
    parser.add_argument("--repeats", type=int, default=9,
                        help="interleaved runs per contender; more on a busy machine (9)")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = _arguments(argv)
    quick, repeats = arguments.quick, arguments.repeats
    print(f"Probe overhead on W1: digits 1207x64, 64-300-100-10, Adam 1e-3, batch 32, 30 epochs, "
          f"float32, 1 thread; best of {1 if quick else repeats} interleaved runs"
          + (" (--quick: 128 samples, 1 epoch)" if quick else ""))
    print(common.machine_line())
    rows = run(quick, repeats)
    print(common.table(rows, COLUMNS))
    ratio = next(r["ratio"] for r in rows if r["name"] == "Probe(every=1)")
    print(f"Probe(every=1) / no probe = {ratio:.2f}x (goal <= {GOAL}x)")


if __name__ == "__main__":
    sys.exit(main())
