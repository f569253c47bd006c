"""The benchmarks cannot rot: each one's --quick mode runs (tiny sizes, one repeat) and prints
its table. The numbers of a quick run mean nothing and are not checked; the code paths,
the peers' training loops and the table layout are."""
import os
import subprocess
import sys

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                          "benchmarks")

# script -> lines its quick output must contain
EXPECTED = {
    "bench_import.py": ['python -c "import glassnet"', "heavy modules loaded:       none"],
    "bench_w1.py": ["W1:", "glassnet ", "numpy loop ", "glassnet / it"],
    "bench_w2.py": ["W2:", "glassnet ", "samples/s"],
    "bench_memory.py": ["peak RSS growth", "W1        glassnet"],
    "bench_threads.py": ["crossover (best times): one thread below",
                         "threads.ONE_THREAD_BELOW ="],
    "profile_fit.py": ["optimizer", "the rest", "cProfile"],
    "whatif.py": ["engine as is", "W2 shuffle", "fit without the copy"],
}


def _run(script, *args):
    done = subprocess.run([sys.executable, os.path.join(BENCHMARKS, script), *args],
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, f"{script} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("script", sorted(EXPECTED))
def test_quick_mode_runs_and_prints_its_table(script):
    out = _run(script, "--quick")
    for expected in EXPECTED[script]:
        assert expected in out, f"{script} --quick printed no {expected!r}:\n{out}"


def test_run_py_prints_the_summary_with_ratios():
    out = _run("run.py", "--quick", "--only", "import", "threads")
    assert "== summary" in out
    assert "import glassnet (s, fresh process)" in out and "BLAS threads crossover" in out
    assert "goal(s) not met" in out


def test_the_hand_written_loop_learns_as_glassnet_does():
    """The NumPy baseline is a fair one: the same model, data and optimizer reach a loss of
    the same size as glassnet's (a broken baseline would make every ratio a lie)."""
    sys.path.insert(0, BENCHMARKS)
    try:
        import common
        import numpy_mlp
        import peers
    finally:
        sys.path.remove(BENCHMARKS)
    x, y = common.digits_w1()
    x, y = x[:320], y[:320]
    _, loop_loss = numpy_mlp.train(x, y, common.W1_SIZES, epochs=5, batch_size=32)
    model = peers.glassnet_model(common.W1_SIZES)
    ours = model.fit(x, y, batch_size=32, epochs=5, verbose=0).history["loss"][-1]
    assert loop_loss < 1.0 and ours < 1.0, (loop_loss, ours)     # from log(10) = 2.3
    assert 0.7 < loop_loss / ours < 1.4, (loop_loss, ours)


def test_the_gpu_benchmark_runs_on_the_cpu_stand_in(tmp_path):
    """bench_gpu.py without a GPU: skipped in one line by default; its code paths dry-run on
    the tests' CPU stand-in (W1 and W2 at quick sizes), writing its JSON and markdown."""
    real = _run("bench_gpu.py", "--quick", "--out", str(tmp_path / "real"))
    assert "skipped, no GPU backend here" in real or "glassnet-cupy" in real
    out = _run("bench_gpu.py", "--quick", "--gpu-backend", "standin", "--workloads", "W1", "W2",
               "--out", str(tmp_path))
    for expected in ("glassnet-cupy", "glassnet-numpy", "loss read every batch", "ms/step"):
        assert expected in out
    assert (tmp_path / "gpu-quick.json").exists() and (tmp_path / "gpu-quick.md").exists()
