"""PyTorch (float64) as the oracle for every activation's value and derivative.

For each activation torch computes sum(w * f(x)) and differentiates it with autograd; our
``backward(w, x, y)`` must give the same gradient. Where torch has no such function
(sparse_sigmoid, sparse_plus, squareplus, sparsemax) the formula is written with torch ops
and autograd still does the differentiating. Inputs avoid the kinks, where the derivative is
a convention.
"""
import numpy as np
import pytest

from glassnet import activations


def _torch_functions(torch):
    F = torch.nn.functional

    def relu_keras(x, negative_slope=0.0, max_value=None, threshold=0.0):
        positive = torch.where(x > threshold, x, torch.zeros_like(x))
        if max_value is not None:
            positive = positive.clamp(0.0, max_value)
        return positive - negative_slope * torch.relu(threshold - x)

    def sparsemax(x, axis=-1):
        ranked, _ = torch.sort(x, dim=axis, descending=True)
        cumulative = ranked.cumsum(axis)
        k = torch.arange(1, x.shape[axis] + 1, dtype=x.dtype)
        size = (ranked - (cumulative - 1) / k > 0).sum(axis, keepdim=True)
        tau = (cumulative.gather(axis, size - 1) - 1) / size
        return torch.relu(x - tau)

    return {
        "relu": relu_keras,
        "leaky_relu": lambda x, negative_slope=0.2: F.leaky_relu(x, negative_slope),
        "relu6": F.relu6,
        "elu": lambda x, alpha=1.0: F.elu(x, alpha),
        "selu": F.selu,
        "celu": lambda x, alpha=1.0: F.celu(x, alpha),
        "threshold": lambda x, threshold, default_value: F.threshold(x, threshold, default_value),
        "sigmoid": torch.sigmoid,
        "hard_sigmoid": F.hardsigmoid,
        "sparse_sigmoid": lambda x: torch.clamp(0.5 * (x + 1), 0.0, 1.0),
        "log_sigmoid": F.logsigmoid,
        "silu": F.silu,
        "hard_silu": F.hardswish,
        "tanh": torch.tanh,
        "hard_tanh": F.hardtanh,
        "tanh_shrink": F.tanhshrink,
        "soft_shrink": lambda x, threshold=0.5: F.softshrink(x, threshold),
        "hard_shrink": lambda x, threshold=0.5: F.hardshrink(x, threshold),
        "softplus": F.softplus,
        "softsign": F.softsign,
        "squareplus": lambda x, b=4: (x + torch.sqrt(x * x + b)) / 2,
        "sparse_plus": lambda x: torch.where(x >= 1, x, 0.25 * (x.clamp(-1.0, 1.0) + 1) ** 2),
        "gelu": lambda x, approximate=False: F.gelu(x, approximate="tanh" if approximate
                                                    else "none"),
        "mish": F.mish,
        "exponential": torch.exp,
        "linear": lambda x: x,
        "softmax": lambda x, axis=-1: torch.softmax(x, axis),
        "log_softmax": lambda x, axis=-1: torch.log_softmax(x, axis),
        "sparsemax": sparsemax,
        "glu": lambda x, axis=-1: F.glu(x, axis),
    }


# (name, options, kinks)
CASES = [
    ("linear", {}, []),
    ("relu", {}, [0.0]),
    ("relu", {"negative_slope": 0.3, "max_value": 4.0, "threshold": -1.5}, [-1.5, 0.0, 4.0]),
    ("relu", {"negative_slope": 0.2, "threshold": 2.0}, [2.0]),
    ("leaky_relu", {}, [0.0]),
    ("relu6", {}, [0.0, 6.0]),
    ("elu", {}, [0.0]),
    ("elu", {"alpha": 0.3}, [0.0]),
    ("selu", {}, [0.0]),
    ("celu", {"alpha": 1.7}, [0.0]),
    ("threshold", {"threshold": -0.5, "default_value": 3.0}, [-0.5]),
    ("sigmoid", {}, []),
    ("hard_sigmoid", {}, [-3.0, 3.0]),
    ("sparse_sigmoid", {}, [-1.0, 1.0]),
    ("log_sigmoid", {}, []),
    ("silu", {}, []),
    ("hard_silu", {}, [-3.0, 3.0]),
    ("tanh", {}, []),
    ("hard_tanh", {}, [-1.0, 1.0]),
    ("tanh_shrink", {}, []),
    ("soft_shrink", {"threshold": 0.8}, [-0.8, 0.8]),
    ("hard_shrink", {}, [-0.5, 0.5]),
    ("softplus", {}, []),
    ("softsign", {}, [0.0]),
    ("squareplus", {}, []),
    ("sparse_plus", {}, [-1.0, 1.0]),
    ("gelu", {}, []),
    ("gelu", {"approximate": True}, []),
    ("mish", {}, []),
    ("exponential", {}, []),
    ("softmax", {}, []),
    ("softmax", {"axis": 0}, []),
    ("log_softmax", {}, []),
    ("sparsemax", {}, []),
    ("glu", {}, []),
    ("glu", {"axis": 0}, []),
]


def _inputs(kinks, name):
    rng = np.random.default_rng(7)
    x = rng.uniform(-9, 9, size=(6, 10))
    x[0, :6] = [-19.0, -15.0, -11.0, 11.0, 15.0, 19.0]       # saturated, still within softplus's
    for kink in kinks:                                     # exact (non-linear) branch in torch
        x[np.abs(x - kink) < 0.02] = kink + 0.05
    if name == "sparsemax":                                # away from changes of the support
        x = np.array([[0.1, 1.1, 0.5, 2.0, -1.0], [0.3, 0.2, 0.25, 0.1, 0.15],
                      [5.0, -1.0, 0.0, 0.5, 1.0], [1.0, 1.2, 0.9, -3.0, 0.4]])
    return x


@pytest.mark.parametrize("name, options, kinks", CASES,
                         ids=[f"{n}{o or ''}" for n, o, _ in CASES])
def test_value_and_derivative_match_torch_autograd(torch, name, options, kinks):
    f = activations.get(name)
    reference = _torch_functions(torch)[name]
    x = _inputs(kinks, name)
    y = f(x, **options)
    weights = np.random.default_rng(8).standard_normal(y.shape)
    dx = f.backward(weights, x, y, **options)

    x_t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y_t = reference(x_t, **options)
    (dx_t,) = torch.autograd.grad((torch.tensor(weights) * y_t).sum(), x_t)

    np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-9, atol=1e-12)
    rtol = TORCH_FLOAT32_CONSTANTS.get((name, str(options)), 1e-9)
    np.testing.assert_allclose(dx, dx_t.numpy(), rtol=rtol, atol=1e-12)


# Torch's float64 backward of these uses a float32 constant (hardsigmoid: 1/6 as float32,
# 0.1666666716; celu with alpha != 1: 1/alpha rounded to float32, ~3e-7 off), so it is exact
# only to float32 precision. Ours is exact: see test_backward_is_exact_where_torch_rounds.
TORCH_FLOAT32_CONSTANTS = {("hard_sigmoid", "{}"): 1e-6, ("celu", "{'alpha': 1.7}"): 1e-6}


def test_backward_is_exact_where_torch_rounds():
    x = np.array([-19.0, -2.0, 0.5])
    np.testing.assert_allclose(
        activations.celu.backward(np.ones(3), x, activations.celu(x, alpha=1.7), alpha=1.7),
        [np.exp(-19.0 / 1.7), np.exp(-2.0 / 1.7), 1.0], rtol=1e-15)
    np.testing.assert_allclose(
        activations.hard_sigmoid.backward(np.ones(3), x, activations.hard_sigmoid(x)),
        [0.0, 1.0 / 6.0, 1.0 / 6.0], rtol=1e-15)
