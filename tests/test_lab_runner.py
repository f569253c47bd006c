"""The lab's runner: trial keys, the on-disk store, reuse, worker processes, a Dask cluster,
and a run killed midway that loses nothing it had stored."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")

from glassnet.lab import experiments, runner, store  # noqa: E402
from glassnet.lab.store import Trial, TrialStore  # noqa: E402

SYMMETRY = experiments.find("symmetry")


def metrics_of(records):
    return {(r["experiment"], r["key"]): r["metrics"] for r in records}


def test_plan_expands_settings_times_seeds():
    trials = runner.plan([SYMMETRY, experiments.find("softmax")], seeds=4)
    assert len(trials) == 3 * 4 + 1                   # softmax is deterministic: one seed
    assert [t.seed for t in trials[:4]] == [0, 1, 2, 3]
    assert len({t.key for t in trials}) == len(trials)
    with pytest.raises(ValueError, match="--seeds"):
        runner.plan([SYMMETRY], seeds=0)


def test_key_depends_on_settings_seed_and_version(monkeypatch):
    trial = Trial("symmetry", {"epochs": 2, "init": "zeros"}, 0)
    assert trial.key == Trial("symmetry", {"init": "zeros", "epochs": 2}, 0).key
    assert trial.key != Trial("symmetry", {"epochs": 3, "init": "zeros"}, 0).key
    assert trial.key != Trial("symmetry", {"epochs": 2, "init": "zeros"}, 1).key
    key = trial.key
    monkeypatch.setattr(store, "__version__", "99.0")
    assert trial.key != key


def test_store_round_trip_and_damaged_files(tmp_path):
    trial = Trial("softmax", {"part": "worked"}, 0)
    trial_store = TrialStore(tmp_path)
    assert trial_store.load(trial) is None
    record = {"experiment": "softmax", "config": {"part": "worked"}, "seed": 0,
              "glassnet": store.__version__, "key": trial.key, "metrics": {"a": 0.1 + 0.2}}
    path = trial_store.save(record)
    assert trial_store.load(trial) == record
    assert [p.name for p in path.parent.iterdir()] == [path.name]     # no temporary left
    path.write_text('{"experiment": "softmax", "key": "')             # a torn write
    assert trial_store.load(trial) is None                           # (more in test_lab_store)


def test_json_data_has_no_nan():
    import numpy as np
    data = store.to_json_data({"x": np.float32(0.5), "y": [np.nan, np.inf], "z": np.arange(2)})
    assert data == {"x": 0.5, "y": [None, None], "z": [0, 1]}
    with pytest.raises(TypeError):
        store.to_json_data({"x": object()})


def test_second_run_reuses_every_stored_trial(tmp_path):
    trials = runner.plan([SYMMETRY], seeds=2, quick=True)
    seen = []
    records, ran, reused = runner.run(trials, tmp_path, jobs=1,
                                      progress=lambda done, total: seen.append((done, total)))
    assert (ran, reused) == (6, 0) and seen[-1] == (6, 6)
    again, ran, reused = runner.run(trials, tmp_path, jobs=1)
    assert (ran, reused) == (0, 6)
    assert again == records
    with pytest.raises(ValueError, match="--jobs must be a positive integer, got -1"):
        runner.run(trials, tmp_path, jobs=-1)          # refused even when nothing is left to run


def test_worker_processes_give_bit_identical_metrics(tmp_path):
    trials = runner.plan([SYMMETRY], seeds=2, quick=True)
    local, _, _ = runner.run(trials, tmp_path / "local", jobs=1)
    pooled, ran, _ = runner.run(trials, tmp_path / "pool", jobs=2)
    assert ran == len(trials)
    assert metrics_of(pooled) == metrics_of(local)


def test_a_failing_trial_names_itself(tmp_path):
    bad = Trial("symmetry", {**SYMMETRY.configs(quick=True)[0], "activation": "nope"}, 0)
    with pytest.raises(runner.TrialError, match="symmetry .*activation=nope.* seed 0"):
        runner.run([bad], tmp_path, jobs=1)


def test_dask_cluster_gives_the_same_results_json(tmp_path):
    distributed = pytest.importorskip("distributed")
    from glassnet import lab
    local = lab.run(["symmetry", "softmax"], seeds=2, out=tmp_path / "local", jobs=1,
                    quick=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = lab.run(["symmetry", "softmax"], seeds=2, out=tmp_path / "dask",
                         scheduler=cluster.scheduler_address, quick=True)
    assert remote.ran == 7

    def results(folder):
        data = json.loads((folder / "results.json").read_text())
        return {(t["experiment"], t["seed"], json.dumps(t["config"], sort_keys=True)):
                t["metrics"] for t in data["trials"]}

    assert results(tmp_path / "dask") == results(tmp_path / "local")
    assert local.summary().startswith("7 trials: 7 run, 0 reused")


def _start_lab(out, jobs):
    return subprocess.Popen(
        [sys.executable, "-m", "glassnet.cli", "lab", "vanishing", "--seeds", "2", "--jobs",
         str(jobs), "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)


def _wait_for_trials(folder, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(folder.glob("*.json"))) >= count:
            return
        if process.poll() is not None:
            pytest.fail("the run finished before it could be interrupted")
        time.sleep(0.05)
    pytest.fail("no trials were stored in time")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_run_resumes_without_redoing_stored_trials(tmp_path, how):
    folder = tmp_path / "trials" / "vanishing"
    process = _start_lab(tmp_path, jobs=2)
    try:
        _wait_for_trials(folder, 3, process)
        os.kill(process.pid, how)                      # the command only, as `kill` does
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    _assert_group_gone(process.pid)                    # the workers stopped too
    stored = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.json")}
    total = 12
    assert 3 <= len(stored) < total
    for name in stored:                                # every stored file is whole
        json.loads((folder / name).read_text())
    rerun = subprocess.run(
        [sys.executable, "-m", "glassnet.cli", "lab", "vanishing", "--seeds", "2", "--jobs", "1",
         "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    last = rerun.stdout.strip().splitlines()[-1]
    assert last.startswith(f"{total} trials: {total - len(stored)} run, {len(stored)} reused")
    assert last.endswith(str((tmp_path / "index.html").resolve()))
    for name, mtime in stored.items():                 # stored trials were not rewritten
        assert (folder / name).stat().st_mtime_ns == mtime
    assert len(list(folder.glob("*.json"))) == total


def _assert_group_gone(group, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(group, signal.SIGKILL)
    pytest.fail("worker processes outlived the terminated run")
