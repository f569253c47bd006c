"""The trial store does not trust what is on disk: a damaged, edited or strange trial file is
set aside (renamed, named in one line) and its trial runs again; it never aborts the run and
is never reused as if measured (issue 12, item 8)."""
import json
import os
import time

import pytest

pytest.importorskip("sklearn")
pytest.importorskip("threadpoolctl")

from glassnet.lab import experiments, runner, store  # noqa: E402
from glassnet.lab.store import TrialStore  # noqa: E402

SOFTMAX = experiments.find("softmax")        # one deterministic trial, computed in milliseconds


@pytest.fixture
def stored(tmp_path):
    """A real stored trial: (store, trial, path, the record as written)."""
    trial = runner.plan([SOFTMAX], seeds=1)[0]
    runner.run([trial], tmp_path, jobs=1)
    trial_store = TrialStore(tmp_path)
    path = trial_store.path(trial)
    return trial_store, trial, path, json.loads(path.read_text())


def edited(record, **changes):
    """The record with ``changes`` (dotted names reach into metrics), its checksum kept."""
    record = json.loads(json.dumps(record))
    for name, value in changes.items():
        target = record
        *parents, last = name.split(".")
        for parent in parents:
            target = target[parent]
        target[last] = value
    return json.dumps(record)


def deep(levels):
    return "[" * levels + "]" * levels


DAMAGE = {
    "a JSON list": lambda r, k: "[1, 2, 3]",
    "only the key": lambda r, k: json.dumps({"key": k}),
    "a NaN literal": lambda r, k: json.dumps(r).replace('"mean_loss":', '"mean_loss":NaN,"x":', 1),
    "a metric as a string": lambda r, k: edited(r, **{"metrics.mean_loss": "0.5"}),
    "deep nesting": lambda r, k: edited(r, table=0).replace('"table":0',
                                                            '"table":' + deep(100_000)),
    "wrong-typed findings": lambda r, k: edited(r, findings=[{"code": 3, "severity": "bad"}]),
    "findings as text": lambda r, k: edited(r, findings="dead_units"),
    "a hand-edited number": lambda r, k: edited(r, **{"metrics.mean_loss": 0.001}),
    "an edited config": lambda r, k: edited(r, config={"part": "other", "deterministic": True}),
    "an edited experiment": lambda r, k: edited(r, experiment="depth"),
    "a missing checksum": lambda r, k: json.dumps({x: v for x, v in r.items() if x != "checksum"}),
    "a torn write": lambda r, k: json.dumps(r)[:40],
    "a non-object seed": lambda r, k: edited(r, seed="0"),
    "binary junk": lambda r, k: "\udcff",
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_record_is_set_aside_named_and_rerun(stored, damage, capsys):
    trial_store, trial, path, record = stored
    text = DAMAGE[damage](record, trial.key)
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    lines = []
    assert TrialStore(path.parents[2], notify=lines.append).load(trial) is None
    assert len(lines) == 1 and str(path) in lines[0] and "runs again" in lines[0]
    assert "\n" not in lines[0]
    assert not path.exists() and path.with_name(path.name + ".rejected").exists()
    # the run goes on: the trial runs again and its fresh record is stored whole
    records, ran, reused = runner.run([trial], path.parents[2], jobs=1)
    assert (ran, reused) == (1, 0)
    assert records[0]["metrics"] == {k: v for k, v in record.items()
                                     if k != "checksum"}["metrics"]
    assert trial_store.load(trial) == records[0]


def test_the_deep_one_is_refused_quickly(stored):
    trial_store, trial, path, record = stored
    path.write_text(DAMAGE["deep nesting"](record, trial.key))
    start = time.perf_counter()
    assert TrialStore(path.parents[2], notify=lambda line: None).load(trial) is None
    assert time.perf_counter() - start < 2.0


def test_a_directory_or_a_fifo_at_the_trial_path_is_set_aside(stored):
    trial_store, trial, path, _ = stored
    path.unlink()
    path.mkdir()
    lines = []
    assert TrialStore(path.parents[2], notify=lines.append).load(trial) is None
    assert "not a regular file" in lines[0] and path.with_name(path.name + ".rejected").is_dir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(path)                      # reading a FIFO would wait forever
        start = time.perf_counter()
        assert TrialStore(path.parents[2], notify=lines.append).load(trial) is None
        assert time.perf_counter() - start < 2.0 and "not a regular file" in lines[1]
        assert path.with_name(path.name + ".rejected-1").exists()
    _, ran, _ = runner.run([trial], path.parents[2], jobs=1, notify=lines.append)
    assert ran == 1 and path.is_file()


def test_a_huge_file_is_refused_by_its_size_before_reading(stored, monkeypatch):
    trial_store, trial, path, record = stored
    monkeypatch.setattr(store, "MAX_RECORD_BYTES", 1000)
    lines = []
    assert TrialStore(path.parents[2], notify=lines.append).load(trial) is None
    assert "more than a trial record's limit of 1000" in lines[0]


def test_a_valid_record_is_reused_and_its_checksum_stays_in_the_file(stored):
    trial_store, trial, path, record = stored
    assert record["checksum"] == store.checksum(record)
    loaded = trial_store.load(trial)
    assert "checksum" not in loaded and loaded["key"] == trial.key
    assert [r["key"] for r in trial_store.stored("softmax")] == [trial.key]


def test_stored_skips_and_sets_aside_what_is_not_a_record(stored):
    trial_store, trial, path, record = stored
    other = path.with_name("0" * 20 + ".json")
    other.write_text(json.dumps(record))            # a valid record under another key's name
    lines = []
    assert [r["key"] for r in TrialStore(path.parents[2], lines.append).stored("softmax")] == [
        trial.key]
    assert "another experiment or key" in lines[0]


def test_a_trial_function_returning_a_bad_record_names_its_trial(monkeypatch, tmp_path):
    trial = runner.plan([SOFTMAX], seeds=1)[0]
    monkeypatch.setattr(runner, "run_trial", lambda experiment, config, seed: {
        "experiment": experiment, "config": config, "seed": seed, "glassnet": store.__version__,
        "key": trial.key, "metrics": {"accuracy": "high"}})
    with pytest.raises(runner.TrialError, match=r"softmax .* metric 'accuracy' is \"high\""):
        runner.run([trial], tmp_path, jobs=1)
    assert not list(tmp_path.rglob("*.json"))


def test_check_record_accepts_every_catalogue_trial(tmp_path):
    """Every experiment's real record passes the check (quick sizes, one seed)."""
    trials = [t for t in runner.plan(list(experiments.CATALOGUE), seeds=1, quick=True)]
    firsts = list({t.experiment: t for t in reversed(trials)}.values())
    records, ran, _ = runner.run(firsts, tmp_path, jobs=1)
    assert ran == len(firsts) == len(experiments.CATALOGUE)
    for record, trial in zip(records, firsts):
        store.check_record(record, trial)


def test_another_versions_record_is_left_alone(stored):
    trial_store, trial, path, record = stored
    old = {**record, "glassnet": "0.0.1"}
    old["key"] = "1" * 20
    old_path = path.with_name(old["key"] + ".json")
    old_path.write_text(json.dumps(old))
    lines = []
    assert [r["key"] for r in TrialStore(path.parents[2], lines.append).stored("softmax")] == [
        trial.key]
    assert lines == [] and old_path.exists()


def test_a_write_killed_midway_is_cleaned_by_the_next(stored):
    """Trial files are written as model files are (glassnet.atomic.write_atomically): the
    temporary a killed writer left is removed when the same file is written again."""
    trial_store, trial, path, record = stored
    stray = path.with_name(f".{path.name}.999999999.abcd.tmp")      # no such process
    stray.write_text("half a record")
    trial_store.save({k: v for k, v in record.items() if k != "checksum"})
    assert not stray.exists() and trial_store.load(trial) is not None
