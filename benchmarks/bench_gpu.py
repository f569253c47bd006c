"""W1/W2/W3 on a GPU: glassnet on CuPy beside PyTorch eager on the same GPU, and glassnet on NumPy.

- W1: the notes' model (64-300-100-10 ReLU/softmax, Adam 1e-3, batch 32) on digits, 5 epochs
  (scikit-learn's digits when it is installed, else digit-sized seeded random data, said so).
- W2: 60,000 x 784 seeded random data, 784-300-100-10, batch 128, Adam, 1 epoch.
- W3: the same data, 784-4096-4096-10, batch 512, Adam, 1 epoch.

Every contender starts from the same NumPy arrays in host memory and trains one fresh model per
run (built untimed): glassnet's ``fit(verbose=0)`` (which copies the data to the GPU itself),
PyTorch's idiomatic loop (data copied to the GPU in the run, ``randperm`` per epoch, default
Adam, the loss summed on the GPU and read once per epoch, as glassnet's ``fit(verbose=0)``).
Float32 throughout; each figure is the best of ``--repeats`` runs after one warm-up run (the
GPU synchronized before the clock stops). glassnet-numpy on W3 (20 s an epoch on 16 cores)
runs ``--numpy-batches`` batches and is scaled to the epoch, marked "extrapolated".

Also measured, to say what bounds each figure: glassnet-cupy's time when a callback reads the
loss every batch (one device -> host fetch per batch: the progress bar's cost) against
``verbose=0`` (one fetch per epoch), and the time per step at 8x the batch size (a time that
stays per step is launch-bound, one that grows per sample is arithmetic-bound).

Writes ``benchmarks/results/gpu.json`` and ``gpu.md``. Without CuPy or a GPU it says so and
exits 0 (skipped).
"""
import argparse
import json
import os
import pathlib
import sys
import time

import numpy as np

import common
import peers

HERE = pathlib.Path(__file__).resolve().parent
W3_SIZES = (784, 4096, 4096, 10)
WORKLOADS = {"W1": (common.W1_SIZES, 32, 5), "W2": (common.W2_SIZES, 128, 1),
             "W3": (W3_SIZES, 512, 1)}


def gpu_missing(name):
    """Why there is no GPU run here, or None. ``name`` "standin": the tests' CPU stand-in, a dry
    run of this script's code where no GPU is (its figures mean nothing)."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from glassnet import backend
    if name == "standin":
        sys.path.insert(0, str(HERE.parent))
        from tests import standin
        standin.install()
    try:
        backend.load(name)
    except backend.BackendError as error:
        return str(error)
    return None


def data(workload, quick=False):
    """(x, y, note) for a workload, NumPy float32 / int64."""
    if workload == "W1":
        if common.has("sklearn"):
            x, y = common.digits_w1()
            note = "scikit-learn digits (1207 x 64)"
        else:
            rng = np.random.default_rng(0)
            x = rng.random((1207, 64), dtype=np.float32)
            y = (x @ rng.standard_normal((64, 10))).argmax(axis=1).astype(np.int64)
            note = "seeded random 1207 x 64 (scikit-learn not installed)"
    else:
        x, y = common.synthetic_w2(n=2048 if quick else 60_000)
        note = f"seeded random {len(x)} x 784"
    return x, y, note


# -- contenders: setup() -> run() ---------------------------------------------------------------
def glassnet_setup(x, y, sizes, batch_size, epochs, backend_name, batches=None,
                   reads_logs=False):
    import glassnet as keras
    from glassnet import config

    def setup():
        config.set_backend(backend_name)
        try:
            model = peers.glassnet_model(sizes)
        finally:
            config.set_backend("numpy")
        xs, ys = (x, y) if batches is None else (x[:batches * batch_size],
                                                  y[:batches * batch_size])
        callbacks = [_ReadsLoss(keras)] if reads_logs else None

        def run():
            model.fit(xs, ys, batch_size=batch_size, epochs=epochs, verbose=0,
                      callbacks=callbacks)
            _synchronize(backend_name)
        return run
    return setup


def _ReadsLoss(keras):
    class ReadsLoss(keras.callbacks.Callback):
        """Reads the loss every batch, as a progress bar does (one fetch per batch)."""

        def on_train_batch_end(self, batch, logs=None):
            self.last = logs["loss"]
    return ReadsLoss()


def _synchronize(backend_name):
    if backend_name == "cupy":                      # the GPU's queue done before the clock
        import cupy
        cupy.cuda.Device().synchronize()


def torch_setup(x, y, sizes, batch_size, epochs):
    import torch

    def setup():
        torch.manual_seed(0)
        layers = []
        for fan_in, units in zip(sizes[:-2], sizes[1:-1]):
            layers += [torch.nn.Linear(fan_in, units), torch.nn.ReLU()]
        model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-2], sizes[-1])).cuda()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        loss_fn = torch.nn.CrossEntropyLoss()

        def run():
            xs, ys = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()
            for _ in range(epochs):
                order = torch.randperm(len(xs), device="cuda")
                total = torch.zeros((), device="cuda")
                for start in range(0, len(xs), batch_size):
                    rows = order[start:start + batch_size]
                    optimizer.zero_grad(set_to_none=True)
                    loss = loss_fn(model(xs[rows]), ys[rows])
                    loss.backward()
                    optimizer.step()
                    total += loss.detach() * len(rows)
                float(total)                        # the epoch's loss, read once
            torch.cuda.synchronize()
        return run
    return setup


# -- timing -------------------------------------------------------------------------------------
def timed(setup, repeats):
    """Best and all seconds of ``repeats`` runs after one warm-up run."""
    setup()()                                        # warm-up: kernels compiled, memory pooled
    seconds = []
    for _ in range(repeats):
        run = setup()
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return min(seconds), seconds


def measure(args):
    rows, notes = [], {}
    has_torch = common.has("torch") and _torch_cuda()
    gpu = args.gpu_backend
    for workload in args.workloads:
        sizes, batch_size, epochs = WORKLOADS[workload]
        x, y, notes[workload] = data(workload, args.quick)
        if args.quick:
            epochs = 1
        steps = -(-len(x) // batch_size) * epochs
        contenders = {"glassnet-cupy": glassnet_setup(x, y, sizes, batch_size, epochs, gpu)}
        if has_torch:
            contenders["pytorch-gpu-eager"] = torch_setup(x, y, sizes, batch_size, epochs)
        scale, limited = 1.0, None
        if workload == "W3" and not args.quick:
            limited = args.numpy_batches
            scale = steps / limited
        contenders["glassnet-numpy"] = glassnet_setup(x, y, sizes, batch_size, epochs, "numpy",
                                                      batches=limited)
        if workload != "W1":
            contenders["glassnet-cupy, loss read every batch"] = glassnet_setup(
                x, y, sizes, batch_size, epochs, gpu, reads_logs=True)
            contenders[f"glassnet-cupy, batch {batch_size * 8}"] = glassnet_setup(
                x, y, sizes, batch_size * 8, epochs, gpu)
            if has_torch:
                contenders[f"pytorch-gpu-eager, batch {batch_size * 8}"] = torch_setup(
                    x, y, sizes, batch_size * 8, epochs)
        for name, setup in contenders.items():
            print(f"  timing {workload} {name} ...", flush=True)
            repeats = 1 if args.quick else args.repeats
            best, seconds = timed(setup, repeats)
            extrapolated = name == "glassnet-numpy" and scale != 1.0
            big = "batch " in name
            run_steps = -(-len(x) // (batch_size * 8)) * epochs if big else steps
            rows.append({"workload": workload, "name": name, "best": best * scale,
                         "runs": [s * scale for s in seconds], "steps": run_steps,
                         "ms_per_step": 1000 * best * scale / run_steps,
                         "note": f"extrapolated from {limited} batches" if extrapolated else ""})
    reference = {(r["workload"]): r["best"] for r in rows if r["name"] == "pytorch-gpu-eager"}
    for row in rows:
        theirs = reference.get(row["workload"])
        row["vs_torch"] = row["best"] / theirs if theirs and row["name"] == "glassnet-cupy" \
            else None
    return rows, notes


def _torch_cuda():
    import torch
    return torch.cuda.is_available()


COLUMNS = [("workload", "workload", "{}"), ("name", "contender", "{}"),
           ("best", "best s", "{:.3f}"), ("ms_per_step", "ms/step", "{:.3f}"),
           ("vs_torch", "/ torch", "{:.2f}"), ("note", "note", "{}")]


def environment(name):
    if name != "cupy":
        return {"backend": name, "numpy": np.__version__, "cpus": os.cpu_count()}
    import cupy
    lines = {"cupy": cupy.__version__, "numpy": np.__version__,
             "gpu": cupy.cuda.runtime.getDeviceProperties(0)["name"].decode(),
             "cuda_runtime": cupy.cuda.runtime.runtimeGetVersion(), "cpus": os.cpu_count()}
    if common.has("torch"):
        import torch
        lines["torch"] = torch.__version__
    return lines


def write(rows, notes, env, args):
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = "gpu-quick" if args.quick else "gpu"
    (out / f"{stem}.json").write_text(json.dumps(
        {"environment": env, "data": notes, "repeats": args.repeats, "rows": rows}, indent=1))
    lines = [f"# GPU benchmark ({env.get('gpu')}, CuPy {env.get('cupy')}, "
             f"PyTorch {env.get('torch', 'absent')})", "",
             "Best of %d runs after a warm-up; float32, Adam; data from host NumPy arrays." %
             (1 if args.quick else args.repeats), "", "| workload | contender | best s | ms/step | / torch | note |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        ratio = "" if r["vs_torch"] is None else f"{r['vs_torch']:.2f}"
        lines.append(f"| {r['workload']} | {r['name']} | {r['best']:.3f} | "
                     f"{r['ms_per_step']:.3f} | {ratio} | {r['note']} |")
    lines += ["", "Data: " + "; ".join(f"{k}: {v}" for k, v in notes.items())]
    (out / f"{stem}.md").write_text("\n".join(lines) + "\n")
    return out / f"{stem}.md"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run: a smoke test")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--numpy-batches", type=int, default=8,
                        help="batches glassnet-numpy runs on W3 (scaled to the epoch)")
    parser.add_argument("--workloads", nargs="+", default=["W1", "W2", "W3"])
    parser.add_argument("--out", default=str(HERE / "results"))
    parser.add_argument("--gpu-backend", default="cupy",
                        help="'standin': a dry run on the tests' CPU stand-in (no GPU)")
    args = parser.parse_args(argv)
    missing = gpu_missing(args.gpu_backend)
    if missing:
        print(f"bench_gpu: skipped, no GPU backend here: {missing}")
        return 0
    env = environment(args.gpu_backend)
    print("environment:", json.dumps(env))
    rows, notes = measure(args)
    print(common.table(rows, COLUMNS))
    print("written:", write(rows, notes, env, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
