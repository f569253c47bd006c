"""Keras 3 (torch backend) as the oracle for initializers: the statistics of its own draws on
a 400 x 300 kernel, its bounds, its names and its configs.

One difference, tested for what it is: Keras's torch backend makes a truncated normal by
drawing four candidates per value and keeping the first inside (-2, 2), or the first
candidate when none is (chance 0.0455^4, about 4 in a million), so a few values per million
land beyond two stddev. Ours redraws until every value is inside.
"""
import math

import numpy as np
import pytest

from glassnet import initializers

SHAPE = (400, 300)
TRUNCATED_STD = 0.87962566103423978

# (Keras class name, constructor kwargs, std of the draws, bound or None)
RANDOM = [
    ("GlorotUniform", {}, math.sqrt(2 / 700), math.sqrt(6 / 700)),
    ("GlorotNormal", {}, math.sqrt(2 / 700), 2 * math.sqrt(2 / 700) / TRUNCATED_STD),
    ("HeNormal", {}, math.sqrt(2 / 400), 2 * math.sqrt(2 / 400) / TRUNCATED_STD),
    ("HeUniform", {}, math.sqrt(2 / 400), math.sqrt(6 / 400)),
    ("LecunNormal", {}, math.sqrt(1 / 400), 2 * math.sqrt(1 / 400) / TRUNCATED_STD),
    ("LecunUniform", {}, math.sqrt(1 / 400), math.sqrt(3 / 400)),
    ("RandomNormal", {}, 0.05, None),
    ("RandomNormal", {"stddev": 0.3}, 0.3, None),
    ("RandomUniform", {}, 0.1 / math.sqrt(12), 0.05),
    ("TruncatedNormal", {}, 0.05 * TRUNCATED_STD, 0.1),
    ("VarianceScaling", {}, math.sqrt(1 / 400), 2 * math.sqrt(1 / 400) / TRUNCATED_STD),
    ("VarianceScaling", {"scale": 0.5, "mode": "fan_out", "distribution": "untruncated_normal"},
     math.sqrt(0.5 / 300), None),
    ("VarianceScaling", {"scale": 3.0, "mode": "fan_avg", "distribution": "uniform"},
     math.sqrt(3.0 / 350), math.sqrt(9.0 / 350)),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "normal"},
     math.sqrt(2.0 / 350), 2 * math.sqrt(2.0 / 350) / TRUNCATED_STD),
]


def _draw_keras(keras, name, kwargs, shape=SHAPE, seed=11):
    init = getattr(keras.initializers, name)(seed=seed, **kwargs)
    return np.asarray(keras.ops.convert_to_numpy(init(shape)), dtype=np.float64)


@pytest.mark.parametrize("name, kwargs, std, limit", RANDOM,
                         ids=[f"{n}{k or ''}" for n, k, _, _ in RANDOM])
def test_statistics_match_the_formula_and_keras(keras, name, kwargs, std, limit):
    theirs = _draw_keras(keras, name, kwargs)
    ours = getattr(initializers, name)(seed=11, **kwargs)(SHAPE).astype(np.float64)
    standard_error = std / math.sqrt(ours.size)
    for values in (ours, theirs):
        assert abs(values.mean()) < 5 * standard_error
        assert values.std() == pytest.approx(std, rel=0.02)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    if limit is not None:
        assert np.abs(ours).max() <= limit
        assert np.abs(ours).max() > 0.98 * limit
        assert np.quantile(np.abs(ours), 0.999) == pytest.approx(
            np.quantile(np.abs(theirs), 0.999), rel=0.03)
        outside = np.mean(np.abs(theirs) > limit * (1 + 1e-6))      # Keras: see module docstring
        assert outside <= 1e-4


def test_truncation_bounds_against_keras(keras):
    """Both truncate at two stddev around the mean; the shape of the distribution agrees."""
    theirs = _draw_keras(keras, "TruncatedNormal", {"mean": 1.0, "stddev": 0.5})
    ours = initializers.TruncatedNormal(mean=1.0, stddev=0.5, seed=11)(SHAPE).astype(np.float64)
    assert np.all(np.abs(ours - 1.0) < 1.0)
    assert np.mean(np.abs(theirs - 1.0) >= 1.0) <= 1e-4
    bins = np.linspace(0.0, 2.0, 21)
    ours_hist = np.histogram(ours, bins)[0] / ours.size
    theirs_hist = np.histogram(theirs, bins)[0] / theirs.size
    np.testing.assert_allclose(ours_hist, theirs_hist, atol=0.004)


@pytest.mark.parametrize("shape", [(40, 30), (30, 40), (2, 3, 20)])
def test_orthogonal_as_keras(keras, shape):
    for q in (_draw_keras(keras, "Orthogonal", {"gain": 2.0}, shape),
              initializers.Orthogonal(gain=2.0, seed=11)(shape).astype(np.float64)):
        assert q.shape == shape
        flat = q.reshape(-1, shape[-1])
        small = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(small, 4.0 * np.eye(len(small)), atol=1e-4)


@pytest.mark.parametrize("name, kwargs, shape", [
    ("Zeros", {}, (3, 4)), ("Ones", {}, (5,)), ("Constant", {"value": 0.25}, (2, 3)),
    ("Identity", {}, (3, 3)), ("Identity", {"gain": 3.0}, (2, 4)), ("Identity", {}, (4, 2))])
def test_constant_initializers_equal_keras(keras, name, kwargs, shape):
    keras_init = getattr(keras.initializers, name)(**kwargs)
    theirs = np.asarray(keras.ops.convert_to_numpy(keras_init(shape)))
    ours = getattr(initializers, name)(**kwargs)(shape)
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_array_equal(ours, theirs)


KERAS_ONLY = {"Initializer", "initializer", "STFT", "stft", "STFTInitializer"}


def test_the_same_names_as_keras(keras):
    from keras.src.initializers import ALL_OBJECTS_DICT
    assert set(initializers.registry.names()) == set(ALL_OBJECTS_DICT) - KERAS_ONLY
    for name in initializers.registry.names():     # (Keras's own get("constant") raises
        assert type(initializers.get(name)).__name__ == ALL_OBJECTS_DICT[name].__name__
    with pytest.raises(KeyError):                   # KeyError 'value': its from_config needs it)
        keras.initializers.get("constant")
    assert initializers.get("constant").get_config() == {"value": 0.0}


INSTANCES = [("Zeros", {}), ("Ones", {}), ("Constant", {"value": 1.5}), ("Identity", {"gain": 2.0}),
             ("RandomNormal", {"mean": 0.5, "stddev": 0.1, "seed": 3}),
             ("RandomUniform", {"minval": -1.0, "maxval": 1.0}),
             ("TruncatedNormal", {"seed": 4}),
             ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "uniform"}),
             ("GlorotUniform", {}), ("GlorotNormal", {"seed": 5}), ("HeNormal", {}),
             ("HeUniform", {"seed": 6}), ("LecunNormal", {}), ("LecunUniform", {}),
             ("Orthogonal", {"gain": 0.5, "seed": 7})]


@pytest.mark.parametrize("name, kwargs", INSTANCES, ids=[n for n, _ in INSTANCES])
def test_serialize_equals_keras_and_keras_configs_load(keras, name, kwargs):
    theirs = getattr(keras.initializers, name)(**kwargs)
    ours = getattr(initializers, name)(**kwargs)
    expected = keras.initializers.serialize(theirs)
    if name == "Identity":        # Keras's Identity has no get_config, so its config drops
        expected["config"] = {"gain": 2.0}       # gain; ours keeps it (Keras loads it fine)
        assert keras.initializers.deserialize(initializers.serialize(ours)).gain == 2.0
    assert initializers.serialize(ours) == expected
    loaded = initializers.deserialize(keras.initializers.serialize(theirs))
    assert type(loaded) is type(ours)
    assert loaded.get_config() == (theirs.get_config() if name != "Identity" else {"gain": 1.0})


def test_a_keras_seed_generator_config_loads(keras):
    theirs = keras.initializers.HeNormal(seed=keras.random.SeedGenerator(3))
    loaded = initializers.deserialize(keras.initializers.serialize(theirs))
    assert loaded.get_config() == theirs.get_config()
    assert not np.array_equal(loaded((3, 3)), loaded((3, 3)))       # a stream, as Keras's


@pytest.mark.parametrize("seed", [None, 5])
def test_repeated_calls_behave_as_keras(keras, seed):
    theirs = keras.initializers.GlorotUniform(seed=seed)
    ours = initializers.GlorotUniform(seed=seed)
    keras_repeats = np.array_equal(np.asarray(keras.ops.convert_to_numpy(theirs((3, 4)))),
                                   np.asarray(keras.ops.convert_to_numpy(theirs((3, 4)))))
    assert keras_repeats and np.array_equal(ours((3, 4)), ours((3, 4)))


def test_variance_scaling_errors_where_keras_errors(keras):
    for kwargs in ({"scale": 0.0}, {"mode": "fan_sum"}, {"distribution": "cauchy"}):
        with pytest.raises(ValueError):
            keras.initializers.VarianceScaling(**kwargs)
        with pytest.raises(ValueError):
            initializers.VarianceScaling(**kwargs)
