"""utils, config, backend and naming: seeds, one-hot labels, floatx, name counters."""
import random

import numpy as np
import pytest

import glassnet
from glassnet import backend, config, layers, utils
from glassnet.naming import snake_case


def test_set_random_seed_fixes_glassnet_python_and_numpy_draws():
    utils.set_random_seed(7)
    first = (utils.global_generator().random(3), random.random(), np.random.rand())
    utils.set_random_seed(7)
    second = (utils.global_generator().random(3), random.random(), np.random.rand())
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1:] == second[1:]


@pytest.mark.parametrize("seed", [-1, 1.5, "7", None, True])
def test_set_random_seed_needs_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        utils.set_random_seed(seed)


def test_generator_children_are_independent_of_numpy_global_state():
    utils.set_random_seed(3)
    a = utils.generator().random(4)
    utils.set_random_seed(3)
    np.random.seed(99)                       # a user's own NumPy seeding changes nothing here
    np.random.rand(10)
    b = utils.generator().random(4)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(utils.generator(5).random(2), utils.generator(5).random(2))
    rng = np.random.default_rng(0)
    assert utils.generator(rng) is rng


def test_to_categorical_as_keras():
    out = utils.to_categorical([0, 2, 1])
    assert out.dtype == np.float64                    # Keras returns float64 too
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert utils.to_categorical(np.array([[1], [0]]), 4).shape == (2, 4)
    assert utils.to_categorical(np.array([[0, 1], [1, 0]])).shape == (2, 2, 2)
    np.testing.assert_array_equal(utils.to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])


@pytest.mark.parametrize("labels, num_classes, match", [
    ([0.5, 1.0], None, "integer class labels"),
    ([-1, 0], None, ">= 0"),
    ([0, 3], 3, "num_classes=3"),
    (["a"], None, "integer class labels"),
])
def test_to_categorical_refuses_what_keras_would_silently_mangle(labels, num_classes, match):
    with pytest.raises(ValueError, match=match):
        utils.to_categorical(labels, num_classes)


def test_floatx_sets_weight_and_input_dtypes():
    assert config.floatx() == "float32"
    config.set_floatx("float64")
    layer = layers.Dense(2)
    assert layer(np.ones((1, 3), dtype="float32")).dtype == np.float64
    assert layer.kernel.dtype == np.float64
    config.set_floatx(np.float32)
    assert config.floatx() == "float32"
    with pytest.raises(ValueError, match="float32"):
        config.set_floatx("int8")


def test_epsilon_and_backend_re_exports():
    assert config.epsilon() == 1e-7 and backend.epsilon() == 1e-7
    backend.set_epsilon(1e-5)
    try:
        assert config.epsilon() == 1e-5
    finally:
        backend.set_epsilon(1e-7)
    assert backend.floatx() == config.floatx() and backend.backend() == "numpy"


def test_clear_session_resets_names():
    assert layers.Dense(1).name == "dense"
    assert layers.Dense(1).name == "dense_1"
    backend.clear_session()
    assert layers.Dense(1).name == "dense"
    assert glassnet.Sequential().name == "sequential"


def test_snake_case_of_class_names():
    assert snake_case("Dense") == "dense"
    assert snake_case("InputLayer") == "input_layer"
    assert snake_case("BatchNormalization") == "batch_normalization"


def test_public_names():
    assert glassnet.Sequential is glassnet.models.Sequential
    assert glassnet.Input is glassnet.layers.Input
    assert isinstance(glassnet.__version__, str)
