"""Activations: every derivative against central differences (float64), dtypes, extremes,
names. Keras's values and PyTorch's derivatives are in tests/oracles/."""
import math
import pickle
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import activations
from tests.helpers import numeric_gradient

# name -> (keyword options, kinks to keep away from, shape of a test input).
# Shapes with a last axis > 1 for the functions that act over an axis.
CASES = {
    "linear": ({}, [], (4, 5)),
    "relu": ({}, [0.0], (4, 5)),
    "relu(negative_slope)": ({"negative_slope": 0.3}, [0.0], (4, 5)),
    "relu(max_value)": ({"max_value": 2.5}, [0.0, 2.5], (4, 5)),
    "relu(threshold)": ({"threshold": 1.5}, [1.5], (4, 5)),
    "relu(all)": ({"negative_slope": 0.1, "max_value": 3.0, "threshold": -1.0},
                  [-1.0, 0.0, 3.0], (4, 5)),
    "leaky_relu": ({}, [0.0], (4, 5)),
    "leaky_relu(slope)": ({"negative_slope": 0.01}, [0.0], (4, 5)),
    "relu6": ({}, [0.0, 6.0], (4, 5)),
    "elu": ({}, [0.0], (4, 5)),
    "elu(alpha)": ({"alpha": 0.5}, [0.0], (4, 5)),
    "selu": ({}, [0.0], (4, 5)),
    "celu": ({}, [0.0], (4, 5)),
    "celu(alpha)": ({"alpha": 2.0}, [0.0], (4, 5)),
    "threshold": ({"threshold": 0.5, "default_value": -2.0}, [0.5], (4, 5)),
    "sigmoid": ({}, [], (4, 5)),
    "hard_sigmoid": ({}, [-3.0, 3.0], (4, 5)),
    "sparse_sigmoid": ({}, [-1.0, 1.0], (4, 5)),
    "log_sigmoid": ({}, [], (4, 5)),
    "silu": ({}, [], (4, 5)),
    "hard_silu": ({}, [-3.0, 3.0], (4, 5)),
    "tanh": ({}, [], (4, 5)),
    "hard_tanh": ({}, [-1.0, 1.0], (4, 5)),
    "tanh_shrink": ({}, [], (4, 5)),
    "soft_shrink": ({}, [-0.5, 0.5], (4, 5)),
    "soft_shrink(threshold)": ({"threshold": 1.0}, [-1.0, 1.0], (4, 5)),
    "hard_shrink": ({}, [-0.5, 0.5], (4, 5)),
    "softplus": ({}, [], (4, 5)),
    "softsign": ({}, [0.0], (4, 5)),
    "squareplus": ({}, [], (4, 5)),
    "squareplus(b)": ({"b": 1.0}, [], (4, 5)),
    "sparse_plus": ({}, [-1.0, 1.0], (4, 5)),
    "gelu": ({}, [], (4, 5)),
    "gelu(approximate)": ({"approximate": True}, [], (4, 5)),
    "mish": ({}, [], (4, 5)),
    "exponential": ({}, [], (4, 5)),
    "softmax": ({}, [], (4, 5)),
    "softmax(axis=0)": ({"axis": 0}, [], (4, 5)),
    "log_softmax": ({}, [], (4, 5)),
    "log_softmax(axis=0)": ({"axis": 0}, [], (4, 5)),
    "sparsemax": ({}, [], (4, 5)),
    "glu": ({}, [], (4, 6)),
    "glu(axis=0)": ({"axis": 0}, [], (4, 6)),
}

# Points where a careless formula overflows, cancels or divides by zero.
LARGE = [-40.0, -25.0, -12.0, 12.0, 25.0, 40.0]


def _name(case):
    return case.split("(")[0]


def _points(case, seed=0):
    """Random inputs of the case's shape, at least 0.02 away from every kink."""
    options, kinks, shape = CASES[case]
    x = np.random.default_rng(seed).uniform(-6, 6, size=shape)
    for kink in kinks:
        near = np.abs(x - kink) < 0.02
        x[near] = kink + 0.05
    return x


OVER_AN_AXIS = ("softmax", "log_softmax", "sparsemax", "glu")


def _check(case, x, rtol=1e-6, atol=1e-9):
    """backward(w, x, y) against central differences of sum(w * f(x)).

    Elementwise functions are differenced one element at a time with a step relative to |x|
    (so a huge neighbour cannot drown the difference in rounding); functions over an axis
    through the shared helper, with the tolerance scaled to the size of the sum.
    """
    options = CASES[case][0]
    f = activations.get(_name(case))
    y = f(x, **options)
    weights = np.random.default_rng(1).standard_normal(y.shape)
    analytic = f.backward(weights, x, y, **options)
    if _name(case) in OVER_AN_AXIS:
        numeric = numeric_gradient(lambda v: np.sum(weights * f(v, **options)), x)
        atol = max(atol, 1e-9 * np.sum(np.abs(weights * y)))
    else:
        step = 1e-6 * np.maximum(1.0, np.abs(x))
        numeric = weights * (f(x + step, **options) - f(x - step, **options)) / (2 * step)
    np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", sorted(CASES))
def test_backward_matches_central_differences(case):
    _check(case, _points(case))


@pytest.mark.parametrize("case", sorted(c for c in CASES if not c.startswith(("sparsemax", "glu"))))
def test_backward_matches_central_differences_at_large_inputs(case):
    shape = CASES[case][2]
    x = np.resize(np.array(LARGE + [-3.3, -0.7, 0.3, 1.7]), shape)
    if _name(case) in ("softmax", "log_softmax", "sparsemax"):
        x = x.copy()
    _check(case, x, rtol=1e-6, atol=1e-9)


def test_sparsemax_backward_away_from_support_changes():
    x = np.array([[0.1, 1.1, 0.5, 2.0, -1.0],      # support {1.1, 2.0}
                  [0.3, 0.2, 0.25, 0.1, 0.15],     # all five in the support
                  [5.0, -1.0, 0.0, 0.5, 1.0]])     # support {5.0}
    _check("sparsemax", x)


def test_gelu_exact_matches_erf_everywhere():
    x = np.concatenate([np.linspace(-12, 12, 481), [-38.0, -30.0, -20.0, 20.0, 30.0]])
    expected = np.array([0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in x])
    np.testing.assert_allclose(activations.gelu(x), expected, rtol=1e-12, atol=0)


# --- documented numbers (Keras's docstrings, the paper) ---------------------------------------

def test_relu_options_as_keras_docstring():
    x = np.array([-10, -5, 0.0, 5, 10])
    relu = glassnet.activations.relu
    np.testing.assert_array_equal(relu(x), [0, 0, 0, 5, 10])
    np.testing.assert_array_equal(relu(x, negative_slope=0.5), [-5, -2.5, 0, 5, 10])
    np.testing.assert_array_equal(relu(x, max_value=5.0), [0, 0, 0, 5, 5])
    np.testing.assert_array_equal(relu(x, threshold=5.0), [0, 0, 0, 0, 10])


def test_relu_negative_threshold_with_max_value_clips_below_zero_as_keras():
    x = np.array([-2.0, -0.5, 0.5, 4.0])
    np.testing.assert_array_equal(activations.relu(x, threshold=-1.0), [0, -0.5, 0.5, 4.0])
    np.testing.assert_array_equal(activations.relu(x, threshold=-1.0, max_value=3.0),
                                  [0, 0, 0.5, 3.0])


def test_softmax_as_keras_docstring():
    np.testing.assert_allclose(activations.softmax(np.array([-1.0, 0.0, 1.0])),
                               [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)


def test_sparsemax_is_the_projection_onto_the_simplex():
    # The worked example: support {1.1, 2.0}, tau = (1.1 + 2.0 - 1) / 2 = 1.05.
    np.testing.assert_allclose(activations.sparsemax(np.array([0.1, 1.1, 0.5, 2.0])),
                               [0, 0.05, 0, 0.95], atol=1e-12)
    x = np.random.default_rng(3).standard_normal((50, 7))
    y = activations.sparsemax(x)
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    assert (y >= 0).all()
    tau = (x - y)[y > 0]                    # on the support y = x - tau with one tau per row
    rows = np.nonzero(y > 0)[0]
    for row in np.unique(rows):
        assert np.ptp(tau[rows == row]) < 1e-12
    np.testing.assert_allclose(activations.sparsemax(x.T, axis=0), y.T, atol=1e-15)


def test_sigmoid_derivative_is_at_most_a_quarter():
    x = np.linspace(-10, 10, 2001)
    y = activations.sigmoid(x)
    slope = activations.sigmoid.backward(np.ones_like(x), x, y)
    assert slope.max() == pytest.approx(0.25)
    assert slope[1000] == 0.25


def test_sigmoid_keeps_relative_accuracy_far_in_the_tail():
    x = np.array([-700.0, -100.0, -40.0])
    np.testing.assert_allclose(activations.sigmoid(x), np.exp(x) / (1 + np.exp(x)), rtol=1e-14)
    # float32: relative accuracy down to 1.8e-35 at x = -80 (below ~1e-38 it flushes to 0).
    np.testing.assert_allclose(activations.sigmoid(np.float32(-80.0)), math.exp(-80.0), rtol=1e-6)


def test_hard_sigmoid_is_the_keras_3_formula():
    x = np.array([-4.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0])
    np.testing.assert_allclose(activations.hard_sigmoid(x), [0, 0, 0.25, 0.5, 0.75, 1, 1])


def test_hard_silu_is_x_times_hard_sigmoid():
    x = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(activations.hard_silu(x), x * activations.hard_sigmoid(x))


def test_selu_constants():
    y = activations.selu(np.array([1.0, -50.0]))
    np.testing.assert_allclose(y, [1.0507009873554805, -1.0507009873554805 * 1.6732632423543772])


def test_swish_is_silu_and_hard_swish_is_hard_silu():
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu
    assert activations.get("swish") is activations.silu
    assert activations.serialize(activations.get("swish")) == "silu"
    assert activations.serialize(activations.get("hard_swish")) == "hard_silu"


def test_leaky_relu_default_slope_is_keras_3s():
    np.testing.assert_allclose(activations.leaky_relu(np.array([-1.0, 2.0])), [-0.2, 2.0])


def test_gelu_default_is_exact_as_keras_activations():
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(activations.gelu(x), activations.gelu(x, approximate=False))
    assert not np.allclose(activations.gelu(x), activations.gelu(x, approximate=True), rtol=1e-6)


def test_glu_halves_the_axis_and_rejects_an_odd_size():
    assert activations.glu(np.ones((3, 8))).shape == (3, 4)
    assert activations.glu(np.ones((4, 3)), axis=0).shape == (2, 3)
    with pytest.raises(ValueError, match="even"):
        activations.glu(np.ones((3, 5)))


def test_softmax_over_an_axis_of_size_one_warns_as_keras():
    with pytest.warns(UserWarning, match="size 1"):
        activations.softmax(np.ones((4, 1)))


def test_softmax_over_a_tuple_of_axes():
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    y = activations.softmax(x, axis=(1, 2))
    np.testing.assert_allclose(y.sum(axis=(1, 2)), 1.0)
    np.testing.assert_allclose(y.reshape(2, 12), activations.softmax(x.reshape(2, 12)))


# --- dtypes, extremes, no writes into inputs --------------------------------------------------

NAMES = sorted(set(activations.registry._canonical.values()))
DEFAULT_OPTIONS = {"threshold": {"threshold": 0.5, "default_value": 0.0}}


def _call(name, x):
    f = activations.get(name)
    options = DEFAULT_OPTIONS.get(name, {})
    y = f(x, **options)
    return f, y, f.backward(np.ones_like(y), x, y, **options)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_float_dtype_is_preserved(name, dtype):
    x = np.linspace(-3, 3, 12, dtype=dtype).reshape(2, 6)
    _, y, dx = _call(name, x)
    assert y.dtype == dtype and dx.dtype == dtype


@pytest.mark.parametrize("name", sorted(set(NAMES) - {"linear"}))
def test_integer_input_becomes_floatx(name, float64):
    y = activations.get(name)(np.arange(-3, 3).reshape(1, 6), **DEFAULT_OPTIONS.get(name, {}))
    assert y.dtype == np.float64


EXTREMES = [-1e4, -1e3, -710.0, -100.0, -88.8, -50.0, -1.0, -1e-30,
            0.0, 1e-30, 1.0, 50.0, 88.8, 100.0, 710.0, 1e4]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_no_warning_and_no_nan_at_extreme_inputs(name, dtype):
    x = np.array(EXTREMES, dtype=dtype).reshape(2, 8)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        _, y, dx = _call(name, x)
    assert not np.isnan(y).any() and not np.isnan(dx).any()
    if name != "exponential":           # exp(1e4) is inf, as in Keras
        assert np.isfinite(y).all() and np.isfinite(dx).all()


@pytest.mark.parametrize("name", NAMES)
def test_neither_input_nor_grad_is_written(name):
    x = np.linspace(-4, 4, 12).reshape(2, 6)
    f = activations.get(name)
    options = DEFAULT_OPTIONS.get(name, {})
    x_before = x.copy()
    y = f(x, **options)
    grad = np.random.default_rng(0).standard_normal(y.shape)
    grad_before, y_before = grad.copy(), y.copy()
    f.backward(grad, x, y, **options)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(grad, grad_before)
    np.testing.assert_array_equal(y, y_before)


# --- names, get, serialize ---------------------------------------------------------------------

KERAS_3_NAMES = {
    "celu", "elu", "exponential", "gelu", "glu", "hard_shrink", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish",
    "relu", "relu6", "selu", "sigmoid", "silu", "soft_shrink", "softmax", "softplus",
    "softsign", "sparse_plus", "sparse_sigmoid", "sparsemax", "squareplus", "swish", "tanh",
    "tanh_shrink", "threshold"}


def test_every_keras_3_name_resolves_and_is_a_module_attribute():
    assert set(activations.registry.names()) == KERAS_3_NAMES
    for name in KERAS_3_NAMES:
        f = activations.get(name)
        assert getattr(glassnet.activations, name) is f
        assert activations.get(activations.serialize(f)) is f


def test_name_is_the_registered_name():
    assert activations.get("relu").__name__ == "relu"
    assert activations.get("swish").__name__ == "silu"
    assert repr(activations.relu) == "<activation relu>"


def test_get_none_is_linear_and_callables_pass_through():
    assert activations.get(None) is activations.linear

    def custom(x):
        return x
    assert activations.get(custom) is custom
    assert activations.get(activations.tanh) is activations.tanh


def test_unknown_name_quotes_the_closest_names():
    with pytest.raises(ValueError, match=r"Unknown activation 'rleu'.*'relu'"):
        activations.get("rleu")
    with pytest.raises(ValueError, match=r"'softmax'"):
        activations.get("sotfmax")


def test_get_rejects_what_is_not_an_activation():
    with pytest.raises(TypeError, match="activation"):
        activations.get(3)


def test_deserialize_a_name():
    assert activations.deserialize("relu") is activations.relu


def test_an_activation_pickles_as_itself():
    assert pickle.loads(pickle.dumps(activations.gelu)) is activations.gelu


def test_threshold_needs_its_options_as_in_keras():
    with pytest.raises(TypeError):
        activations.threshold(np.ones(3))


@pytest.mark.parametrize("name, expected", [
    ("elu", lambda x: np.exp(x)),
    ("selu", lambda x: 1.0507009873554805 * 1.6732632423543772 * np.exp(x)),
    ("celu", lambda x: np.exp(x)),
    ("softplus", lambda x: np.exp(x) / (1 + np.exp(x))),
    ("log_sigmoid", lambda x: 1 / (1 + np.exp(-x))),
])
def test_saturated_derivatives_keep_their_relative_accuracy(name, expected):
    x = np.array([-30.0, -12.0, -3.0]) if name != "log_sigmoid" else np.array([3.0, 12.0, 30.0])
    f = activations.get(name)
    slope = f.backward(np.ones(3), x, f(x))
    np.testing.assert_allclose(slope, expected(x if name != "log_sigmoid" else -x), rtol=1e-12)
