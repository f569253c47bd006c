"""Keras 3 (torch backend) as the oracle of issue 11's layers: each layer's forward with copied
weights, and a model around it trained side by side with SGD (weights after every step), plus
Normalization.adapt, ActivityRegularization's penalty, freezing and summary's counts.

float32 throughout; agreement to a stated relative tolerance of the largest entry (float32
sums taken in another order differ in the last places).
"""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from tests.oracles.shared import assert_close, keras_numpy

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

TOLERANCE = 2e-6

# name -> (keyword arguments for both, input shape without the batch)
LAYER_CASES = {
    "ELU": ({"alpha": 0.7}, (6,)),
    "PReLU": ({"alpha_initializer": "random_normal"}, (6,)),
    "PReLU-shared": ({"alpha_initializer": "random_normal", "shared_axes": [1]}, (3, 4)),
    "PReLU-constrained": ({"alpha_initializer": "random_normal", "alpha_constraint": "non_neg"},
                          (6,)),
    "LayerNormalization": ({"gamma_initializer": "random_normal",
                            "beta_initializer": "random_normal"}, (6,)),
    "LayerNormalization-axes": ({"axis": [1, 2], "epsilon": 0.01}, (3, 4)),
    "LayerNormalization-plain": ({"center": False, "scale": False}, (6,)),
    "LayerNormalization-constrained": ({"gamma_initializer": "random_normal",
                                        "gamma_constraint": "non_neg",
                                        "beta_constraint": "max_norm"}, (6,)),
    "RMSNormalization": ({}, (6,)),
    "RMSNormalization-axes": ({"axis": [1, 2]}, (3, 4)),   # axis=1 alone fails in Keras on torch
    "UnitNormalization": ({}, (6,)),
    "UnitNormalization-axes": ({"axis": [1, 2]}, (3, 4)),
    "Identity": ({}, (6,)),
    "ActivityRegularization": ({"l1": 0.01, "l2": 0.02}, (6,)),
    "GaussianDropout": ({"rate": 0.3}, (6,)),
    "AlphaDropout": ({"rate": 0.3}, (6,)),
}


def _class(case):
    return case.split("-")[0]


def _pair(keras, case):
    kwargs, shape = LAYER_CASES[case]
    theirs = getattr(keras.layers, _class(case))(**kwargs)
    ours = getattr(layers, _class(case))(**kwargs)
    theirs.build((None,) + shape)
    ours.build((None,) + shape)
    rng = np.random.default_rng(7)
    start = [rng.standard_normal(w.shape).astype(np.float32) for w in theirs.get_weights()]
    theirs.set_weights(start)
    ours.set_weights(start)
    return theirs, ours, shape


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_forward_with_copied_weights(keras, case):
    theirs, ours, shape = _pair(keras, case)
    x = (np.random.default_rng(1).standard_normal((5,) + shape) * 2 + 0.5).astype(np.float32)
    want = keras_numpy(keras, theirs(x, training=False))
    got = ours(x, training=False)
    assert got.dtype == np.float32
    assert_close([want], [got], case, TOLERANCE)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert ours.count_params() == theirs.count_params()


def _models(keras, case):
    """Dense -> the layer -> Dense in both libraries, the same start weights, SGD."""
    kwargs, shape = LAYER_CASES[case]
    width = shape[-1]
    def build(lib):
        return lib.Sequential([lib.Input(shape=shape), lib.layers.Dense(width),
                               getattr(lib.layers, _class(case))(**kwargs),
                               lib.layers.Flatten(), lib.layers.Dense(2)])
    theirs, ours = build(keras), build(glassnet)
    rng = np.random.default_rng(3)
    start = [(rng.standard_normal(w.shape) * 0.5).astype(np.float32)
             for w in theirs.get_weights()]
    theirs.set_weights(start)
    ours.set_weights(start)
    theirs.compile(keras.optimizers.SGD(0.1), "mse")
    ours.compile(glassnet.optimizers.SGD(0.1), "mse")
    return theirs, ours, shape


DETERMINISTIC = sorted(c for c in LAYER_CASES if "Dropout" not in c)


@pytest.mark.parametrize("case", DETERMINISTIC)
def test_training_steps_with_copied_weights(keras, case):
    theirs, ours, shape = _models(keras, case)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8,) + shape).astype(np.float32)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    for step in range(5):
        want_loss = float(theirs.train_on_batch(x, y))
        got_loss = float(ours.train_on_batch(x, y))
        assert got_loss == pytest.approx(want_loss, rel=1e-5), (case, step)
        assert_close(theirs.get_weights(), ours.get_weights(), f"{case} step {step}", 2e-5)


@pytest.mark.parametrize("case", ["GaussianDropout", "AlphaDropout"])
def test_noise_layers_match_keras_moments_and_inference(keras, case):
    theirs, ours, _ = _pair(keras, case)
    x = np.random.default_rng(2).standard_normal((2000, 200)).astype(np.float32)
    assert np.array_equal(keras_numpy(keras, theirs(x, training=False)), ours(x))
    want = keras_numpy(keras, theirs(x, training=True))
    got = ours(x, training=True)
    assert abs(float(got.mean()) - float(want.mean())) < 0.01
    assert abs(float(got.var()) / float(want.var()) - 1) < 0.02
    # the same draw gives the same output: Keras's formula on glassnet's mask
    if case == "AlphaDropout":
        keep = (ours._scale != 0)
        alpha_p = -1.6732632423543772 * 1.0507009873554805
        a = ((1 - 0.3) * (1 + 0.3 * alpha_p ** 2)) ** -0.5
        np.testing.assert_allclose(got, a * np.where(keep, x, alpha_p) - a * alpha_p * 0.3,
                                   rtol=1e-6, atol=1e-6)


def test_normalization_adapt_matches_keras(keras):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((64, 3, 2)) * [[3, 0.1]] + 4).astype(np.float32)
    for axis in (-1, (1, 2), None):
        theirs, ours = keras.layers.Normalization(axis=axis), layers.Normalization(axis=axis)
        theirs.adapt(x)
        ours.adapt(x)
        assert_close(theirs.get_weights(), ours.get_weights(), f"adapt axis={axis}", 1e-6)
        assert_close([keras_numpy(keras, theirs(x))], [ours(x)], f"call axis={axis}", 1e-5)
    # (Keras's adapt over a list of batches needs tensorflow; tests/test_layers_more.py checks
    # glassnet's batched adapt against its one-array adapt)
    given = dict(mean=[1.0, 2.0], variance=[4.0, 0.0], invert=True)
    z = rng.standard_normal((4, 2)).astype(np.float32)
    assert_close([keras_numpy(keras, keras.layers.Normalization(**given)(z))],
                 [layers.Normalization(**given)(z)], "invert", 1e-6)


def test_activity_regularization_penalty_is_keras_loss(keras):
    x = np.random.default_rng(6).standard_normal((5, 4)).astype(np.float32)
    theirs, ours = (lib.ActivityRegularization(l1=0.01, l2=0.02)
                    for lib in (keras.layers, layers))
    theirs(x)
    ours(x)
    assert float(ours.losses[0]) == pytest.approx(float(keras_numpy(keras, theirs.losses[0])),
                                                  rel=1e-6)
    assert ours.get_config().keys() == theirs.get_config().keys() - {"activity_regularizer"} \
        or set(ours.get_config()) >= {"l1", "l2"}


def test_frozen_layer_trains_and_counts_as_keras(keras):
    theirs, ours, shape = _models(keras, "LayerNormalization")
    for model in (theirs, ours):
        model.layers[0].trainable = False
        model.layers[1].trainable = False
    theirs.compile(keras.optimizers.SGD(0.1), "mse")
    ours.compile(glassnet.optimizers.SGD(0.1), "mse")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((8,) + shape).astype(np.float32)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    for _ in range(3):
        theirs.train_on_batch(x, y)
        ours.train_on_batch(x, y)
    assert_close(theirs.get_weights(), ours.get_weights(), "frozen", 2e-5)
    counts = [(sum(int(np.prod(w.shape)) for w in m.trainable_weights),
               sum(int(np.prod(w.shape)) for w in m.non_trainable_weights))
              for m in (theirs, ours)]
    assert counts[0] == counts[1]
    lines = []
    for model in (theirs, ours):
        text = []
        model.summary(print_fn=lambda line, *args, **kwargs: text.append(line))
        lines.append([l.strip() for l in "\n".join(text).splitlines()
                      if l.strip().startswith(("Total params", "Trainable params",
                                               "Non-trainable params"))])
    assert lines[0] == lines[1] and len(lines[0]) == 3


def test_keras_builds_with_the_batch_axis_as_glassnet(keras):
    theirs, ours = keras.layers.BatchNormalization(), layers.BatchNormalization()
    theirs.build((None, 4, 4, 3))
    ours.build((None, 4, 4, 3))
    x = np.random.default_rng(9).standard_normal((2, 4, 4, 3)).astype(np.float32)
    assert_close([keras_numpy(keras, theirs(x))], [ours(x)], "batchnorm 4-d", 1e-6)
    for name in ("ReLU", "LeakyReLU", "ELU"):
        v = np.array([-1.5, 0.5], np.float32)
        assert_close([keras_numpy(keras, getattr(keras.layers, name)()(v))],
                     [getattr(layers, name)()(v)], name, 1e-7)


def _file_model(lib, norm):
    L = lib.layers
    return lib.Sequential([
        lib.Input(shape=(4,)), norm, L.Dense(6), L.PReLU(), L.LayerNormalization(), L.ELU(0.5),
        L.RMSNormalization(), L.GaussianDropout(0.1), L.AlphaDropout(0.1), L.Identity(),
        L.ActivityRegularization(l2=0.01), L.UnitNormalization(), L.Dense(2)])


def test_keras_files_load_both_ways(keras, tmp_path):
    x = np.random.default_rng(3).standard_normal((16, 4)).astype(np.float32) * 2 + 1
    ours_norm = layers.Normalization()
    ours_norm.adapt(x)
    ours = _file_model(glassnet, ours_norm)
    ours.save(tmp_path / "glassnet.keras")
    theirs = keras.saving.load_model(tmp_path / "glassnet.keras")
    assert_close([keras_numpy(keras, theirs(x))], [ours.predict(x, verbose=0)], "keras reads", 1e-5)
    keras_norm = keras.layers.Normalization()
    keras_norm.adapt(x)
    made = _file_model(keras, keras_norm)
    made.save(tmp_path / "keras.keras")
    back = glassnet.models.load_model(tmp_path / "keras.keras")
    assert_close([keras_numpy(keras, made(x))], [back.predict(x, verbose=0)], "glassnet reads",
                 1e-5)
    assert [type(l).__name__ for l in back.layers] == [type(l).__name__ for l in made.layers]
