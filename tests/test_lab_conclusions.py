"""The report's conclusions follow the numbers they are given, whichever way those go."""
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("scipy")

from glassnet.lab.analyses import ANALYSES  # noqa: E402
from glassnet.lab.figures import style  # noqa: E402


def record(experiment, config, seed, **metrics):
    return {"experiment": experiment, "config": config, "seed": seed, "metrics": metrics}


def conclusion(experiment, records, lang="en"):
    with style(lang):
        return " ".join(ANALYSES[experiment](records, lang).conclusion)


def activation_records(accuracy):
    """``accuracy[dataset][activation]`` for 3 seeds (+-0.001 around it)."""
    return [record("activations", {"dataset": d, "activation": a, "n_samples": 400, "depth": 2,
                                   "width": 16, "learning_rate": 0.01, "epochs": 60}, seed,
                   test_accuracy=value + 0.001 * (seed - 1))
            for d, row in accuracy.items() for a, value in row.items() for seed in range(3)]


def test_activations_name_every_tied_best_and_explain_linear_from_its_numbers():
    text = conclusion("activations", activation_records({
        "moons": {"sigmoid": 0.886, "tanh": 1.0, "relu": 1.0, "linear": 0.875},
        "spirals": {"sigmoid": 0.650, "tanh": 0.667, "relu": 0.981, "linear": 0.656},
        "digits": {"sigmoid": 0.853, "tanh": 0.962, "relu": 0.957, "linear": 0.959}}))
    assert "moons: best tanh, relu (100.0%)" in text
    assert "a straight boundary is already good: digits 95.9%" in text
    assert "spirals (sigmoid 65.0%, linear 65.6%)" in text
    assert "nearly linearly separable" not in text           # the old canned sentence
