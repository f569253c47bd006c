"""Constraints: the projections by hand, the registry (names, get/serialize/deserialize),
errors, and their place in training (after every update, as Keras)."""
import numpy as np
import pytest

import glassnet
from glassnet import constraints

KERNEL = np.array([[3.0, 0.0, -0.1], [4.0, 0.0, 0.2]])      # column norms 5, 0, ~0.2236
EPS = 1e-7


def test_max_norm_scales_long_columns_down_only():
    projected = constraints.MaxNorm(max_value=2)(KERNEL)
    np.testing.assert_allclose(projected[:, 0], KERNEL[:, 0] * 2 / (5 + EPS))
    np.testing.assert_array_equal(projected[:, 1], 0.0)     # eps keeps a zero column zero
    norm = np.hypot(0.1, 0.2)
    np.testing.assert_allclose(projected[:, 2], KERNEL[:, 2] * norm / (norm + EPS))


def test_unit_norm_and_axis():
    rows = constraints.UnitNorm(axis=1)(KERNEL)
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, rtol=1e-6)
    columns = constraints.UnitNorm()(KERNEL[:, [0, 2]])
    np.testing.assert_allclose(np.linalg.norm(columns, axis=0), 1.0, rtol=1e-6)


def test_min_max_norm_moves_norms_into_the_range_at_its_rate():
    projected = constraints.MinMaxNorm(min_value=1.0, max_value=2.0, rate=0.5)(KERNEL)
    norms = np.linalg.norm(projected, axis=0)
    # desired = 0.5 clip(n, 1, 2) + 0.5 n: 5 -> 3.5, 0.2236 -> 0.6118
    np.testing.assert_allclose(norms[[0, 2]], [3.5, 0.5 + 0.5 * np.hypot(0.1, 0.2)], rtol=1e-6)


def test_non_neg():
    np.testing.assert_array_equal(constraints.NonNeg()(KERNEL), np.maximum(KERNEL, 0))


@pytest.mark.parametrize("name, cls", [
    ("max_norm", constraints.MaxNorm), ("MaxNorm", constraints.MaxNorm),
    ("non_neg", constraints.NonNeg), ("NonNeg", constraints.NonNeg),
    ("unit_norm", constraints.UnitNorm), ("min_max_norm", constraints.MinMaxNorm),
    ("MinMaxNorm", constraints.MinMaxNorm)])
def test_names_resolve_as_keras(name, cls):
    assert type(constraints.get(name)) is cls


@pytest.mark.parametrize("constraint", [constraints.MaxNorm(3, axis=[0, 1]),
                                        constraints.MinMaxNorm(0.5, 2.0, 0.3, axis=1),
                                        constraints.UnitNorm(axis=1), constraints.NonNeg()],
                         ids=lambda c: type(c).__name__)
def test_serialize_round_trip(constraint):
    config = constraints.serialize(constraint)
    again = constraints.deserialize(config)
    assert type(again) is type(constraint) and again.get_config() == constraint.get_config()
    assert constraints.get(config).get_config() == constraint.get_config()
    np.testing.assert_allclose(again(KERNEL), constraint(KERNEL))
    assert type(constraint).__name__ in repr(constraint)


def test_get_passes_none_and_callables():
    assert constraints.get(None) is None and constraints.serialize(None) is None

    def clip(w):
        return np.clip(w, -1, 1)
    assert constraints.get(clip) is clip


@pytest.mark.parametrize("make, message", [
    (lambda: constraints.MaxNorm(-1), "max_value must be a number >= 0"),
    (lambda: constraints.MaxNorm(axis="rows"), "axis is an integer"),
    (lambda: constraints.MinMaxNorm(2.0, 1.0), "min_value <= max_value"),
    (lambda: constraints.get("maxnorm2"), "Unknown constraint"),
])
def test_bad_arguments_say_what_to_do(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_dense_applies_its_constraints_after_every_update():
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = x @ np.full((4, 2), 3.0, dtype="float32") - 5.0
    model = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(
        2, kernel_constraint=constraints.MaxNorm(1.0), bias_constraint="non_neg")])
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="mse")
    model.fit(x, y, batch_size=8, epochs=3, verbose=0)
    kernel, bias = model.get_weights()
    assert np.linalg.norm(kernel, axis=0).max() <= 1.0 + 1e-6
    assert bias.min() >= 0.0                 # the targets pull the bias toward -5
    config = model.layers[0].get_config()
    assert config["kernel_constraint"] == {"class_name": "MaxNorm",
                                           "config": {"max_value": 1.0, "axis": 0}}
    assert config["bias_constraint"]["class_name"] == "NonNeg"


def test_constraints_survive_a_keras_file(tmp_path):
    model = glassnet.Sequential([glassnet.Input((3,)), glassnet.layers.Dense(
        2, kernel_constraint=constraints.UnitNorm(axis=0))])
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert isinstance(again.layers[0].kernel_constraint, constraints.UnitNorm)
    assert again.layers[0].bias_constraint is None
