"""Keras 3 (torch backend) as the oracle for activation values and names, in float32.

Two known differences, both tested here by what they are:
- ``squareplus``: Keras evaluates (x + sqrt(x^2 + b)) / 2 directly, which cancels to 0 for
  x << 0 in float32 (already 2e-4 relative at x = -100); ours uses the cancellation-free form,
  so the comparison stays within |x| <= 10.
- ``sparsemax``: Keras 3.15's threshold sums every cumulative sum in the support instead of
  taking the k-th one (keras-team/keras#23425), so its output does not sum to 1 once the
  support has more than one element. Ours follows the paper; compared on one-element supports.
"""
import numpy as np
import pytest

import glassnet
from glassnet import activations

GRID = np.concatenate([np.linspace(-12, 12, 240),
                       [-1e4, -1e3, -100, -88.8, -50, -20, -1e-30, 0.0,
                        1e-30, 0.5, 20, 50, 88.8, 100, 1e3, 1e4]]).astype(np.float32).reshape(4, 64)

CASES = [
    ("linear", {}), ("relu", {}), ("relu", {"negative_slope": 0.5}),
    ("relu", {"max_value": 5.0}), ("relu", {"threshold": 5.0}),
    ("relu", {"threshold": -1.0}), ("relu", {"threshold": -1.0, "max_value": 3.0}),
    ("relu", {"negative_slope": 0.1, "threshold": 2.0, "max_value": 6.0}),
    ("relu", {"max_value": 6.0}), ("relu", {"negative_slope": 0.3, "max_value": 4.0}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.01}), ("relu6", {}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.0}),
    ("threshold", {"threshold": 0.5, "default_value": -1.0}),
    ("sigmoid", {}), ("hard_sigmoid", {}), ("sparse_sigmoid", {}), ("log_sigmoid", {}),
    ("silu", {}), ("swish", {}), ("hard_silu", {}), ("hard_swish", {}),
    ("tanh", {}), ("hard_tanh", {}), ("tanh_shrink", {}),
    ("soft_shrink", {}), ("soft_shrink", {"threshold": 1.5}),
    ("hard_shrink", {}), ("hard_shrink", {"threshold": 2.0}),
    ("softplus", {}), ("softsign", {}), ("sparse_plus", {}),
    ("gelu", {}), ("gelu", {"approximate": True}), ("gelu", {"approximate": False}),
    ("mish", {}), ("exponential", {}),
    ("softmax", {}), ("softmax", {"axis": 0}), ("log_softmax", {}), ("log_softmax", {"axis": 0}),
    ("glu", {}), ("glu", {"axis": 0}),
]


def _keras_value(keras, name, x, options):
    return np.asarray(keras.ops.convert_to_numpy(getattr(keras.activations, name)(x, **options)))


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}{o or ''}" for n, o in CASES])
def test_values_match_keras_in_float32(keras, name, options):
    ours = getattr(glassnet.activations, name)(GRID, **options)
    theirs = _keras_value(keras, name, GRID, options)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-6)


def test_squareplus_matches_keras_where_keras_does_not_cancel(keras):
    x = np.linspace(-10, 10, 401, dtype=np.float32)
    for b in (4, 1.0):
        np.testing.assert_allclose(activations.squareplus(x, b=b),
                                   _keras_value(keras, "squareplus", x, {"b": b}),
                                   rtol=1e-5, atol=2e-6)


def test_sparsemax_matches_keras_on_one_element_supports(keras):
    x = np.array([[1.0, 2.0, 5.0, 0.0], [9.0, -3.0, 4.0, 7.5], [-1.0, -2.0, 0.5, -4.0]],
                 dtype=np.float32)
    np.testing.assert_allclose(activations.sparsemax(x), _keras_value(keras, "sparsemax", x, {}),
                               atol=1e-7)


def test_the_same_names_as_keras(keras):
    from keras.src.activations import ALL_OBJECTS_DICT
    assert set(activations.registry.names()) == set(ALL_OBJECTS_DICT)


def test_serialize_gives_keras_names(keras):
    from keras.src.activations import ALL_OBJECTS_DICT
    for name in ALL_OBJECTS_DICT:
        expected = keras.activations.serialize(keras.activations.get(name))
        assert activations.serialize(activations.get(name)) == expected, name


def test_every_keras_activation_is_a_module_level_name(keras):
    public = [n for n in dir(keras.activations)
              if not n.startswith("_") and n not in ("get", "serialize", "deserialize")]
    for name in public:
        assert callable(getattr(glassnet.activations, name)), name


def test_get_none_matches_keras(keras):
    assert keras.activations.get(None).__name__ == activations.get(None).__name__ == "linear"
