"""Each experiment of the lab at a tiny size: its trials run, give JSON data with the same
numbers every time, and its analysis turns them into figures, tables and conclusions."""
import json

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("sklearn")

from glassnet.lab import experiments, runner  # noqa: E402
from glassnet.lab.analyses import ANALYSES  # noqa: E402
from glassnet.lab.figures import style  # noqa: E402


def run_quick(experiment, seeds=(0,)):
    return [runner.run_trial(experiment.id, config, seed)
            for config in experiment.configs(quick=True) for seed in seeds]


@pytest.fixture(scope="module")
def quick_records():
    return {e.id: run_quick(e) for e in experiments.CATALOGUE}


def test_catalogue_maps_every_experiment_to_the_notes():
    ids = [e.id for e in experiments.CATALOGUE]
    assert ids == ["depth", "vanishing", "activations", "softmax", "losses", "symmetry",
                   "init-histograms", "init-compare", "exploding", "deep-relu"]
    for experiment in experiments.CATALOGUE:
        for field in (experiment.section, experiment.question, experiment.shows):
            assert field["en"] and field["ko"] and field["en"] != field["ko"]
        assert experiment.id in ANALYSES
        assert experiment.configs() and all(json.dumps(c) for c in experiment.configs())


def test_instruments_of_issue_3_are_used():
    assert experiments.instruments_ready(), "glassnet.inspect / diagnose / Probe are missing"


@pytest.mark.parametrize("experiment", experiments.CATALOGUE, ids=lambda e: e.id)
def test_every_experiment_runs_tiny_and_is_analysed(experiment, quick_records):
    records = quick_records[experiment.id]
    assert len(records) == len(experiment.configs(quick=True))
    for record in records:
        json.dumps(record, allow_nan=False)           # plain JSON, no NaN
        assert record["experiment"] == experiment.id and "metrics" in record
    with style("en"):
        section = ANALYSES[experiment.id](records, "en")
    assert section.figures and section.tables and section.conclusion
    for figure in section.figures:
        assert figure.png.startswith(b"\x89PNG") and figure.caption
    for table in section.tables:
        assert all(len(row) == len(table.headers) for row in table.rows)


@pytest.mark.parametrize("experiment_id", ["symmetry", "exploding", "init-compare"])
def test_a_trial_gives_identical_numbers_when_run_again(experiment_id):
    experiment = experiments.find(experiment_id)
    config = experiment.configs(quick=True)[-1]
    first = runner.run_trial(experiment_id, config, 1)
    second = runner.run_trial(experiment_id, config, 1)
    assert first == second
    other_seed = runner.run_trial(experiment_id, config, 2)
    assert other_seed["metrics"] != first["metrics"]


def test_softmax_worked_table(quick_records):
    record, = quick_records["softmax"]
    metrics = record["metrics"]
    # -ln 0.3 = 1.2040 for sample #3, the largest, as in the notes' table
    assert metrics["worst_sample"] == 3
    assert metrics["worst_loss"] == pytest.approx(-np.log(0.3), rel=1e-6)
    assert metrics["formula_difference"] < 1e-12
    np.testing.assert_allclose(np.sum(record["softmax"]["softmax"], axis=1), 1.0)
    assert record["softmax"]["max"][1] == [1.0, 0.0, 0.0]


def test_losses_worked_examples_match_keras_documentation(quick_records):
    worked = next(r for r in quick_records["losses"] if r["config"]["part"] == "worked")
    values = {e["loss"]: e["glassnet"] for e in worked["examples"]}
    assert values["CategoricalCrossentropy"] == pytest.approx(1.177, abs=5e-4)
    assert values["SparseCategoricalCrossentropy"] == pytest.approx(1.177, abs=5e-4)
    assert values["BinaryCrossentropy"] == pytest.approx(0.815, abs=5e-4)
    assert values["BinaryCrossentropy(from_logits=True)"] == pytest.approx(0.865, abs=5e-4)
    assert worked["animals"]["sparse"] == pytest.approx(worked["animals"]["categorical"],
                                                       rel=1e-12)


def test_equal_initial_weights_keep_units_identical(quick_records):
    by_init = {experiments.init_label(r["config"]["init"]): r for r in quick_records["symmetry"]}
    assert by_init["zeros"]["metrics"]["distinct_units"] == [1, 1]
    assert by_init["Constant(0.05)"]["metrics"]["distinct_units"] == [1, 1]
    assert min(by_init["glorot_uniform"]["metrics"]["distinct_units"]) > 1
    codes = {f["code"] for f in by_init["Constant(0.05)"]["findings"]}
    assert "symmetric_units" in codes


def test_too_large_weights_diverge_and_are_diagnosed_and_the_remedies_do_not(quick_records):
    runs = quick_records["exploding"]
    huge = next(r for r in runs if experiments.init_label(r["config"]["init"])
                == "RandomNormal(2.0)")
    assert huge["metrics"]["diverged"] == 1
    codes = {f["code"] for f in huge["findings"]}
    assert codes & {"diverged", "exploding_gradient"}
    losses, norms = huge["series"]["batch_loss"], huge["series"]["batch_gradient_norms"]
    broken = [v is None or None in g for v, g in zip(losses, norms)]
    assert broken[-1] and not any(broken[:-1])        # recorded up to the first NaN/inf step
    for remedy in [r for r in runs if r["config"].get("clipnorm")
                   or r["config"]["learning_rate"] < 0.01]:
        assert remedy["metrics"]["diverged"] == 0, remedy["config"]


def test_relu_histograms_shrink_with_small_weights(quick_records):
    small = next(r for r in quick_records["init-histograms"]
                 if r["config"]["activation"] == "relu"
                 and experiments.init_label(r["config"]["init"]) == "RandomNormal(0.01)")
    std = small["metrics"]["std"]
    assert std[-1] < std[0] / 100                     # ~0.07x per layer: 0.01 * sqrt(100/2)


def test_vanishing_chain_rule_numbers(quick_records):
    sigmoid = next(r for r in quick_records["vanishing"]
                   if r["config"]["activation"] == "sigmoid" and r["config"]["depth"] == 10)
    derivatives = sigmoid["chain"]["mean_derivative"]
    assert len(derivatives) == 10 and max(derivatives) <= 0.25
    np.testing.assert_allclose(sigmoid["chain"]["product_to_output"][0], np.prod(derivatives))
    assert sigmoid["metrics"]["first_to_last_gradient_start"] < 1e-2


def test_quick_sizes_change_only_sizes():
    for experiment in experiments.CATALOGUE:
        for full, quick in zip(experiment.configs(), experiment.configs(quick=True)):
            assert full.keys() == quick.keys()
            changed = {k for k in full if full[k] != quick[k]}
            assert changed <= set(experiments.QUICK)
