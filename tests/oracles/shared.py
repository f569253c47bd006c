"""Helpers that several oracle tests share: weights between glassnet and torch.nn.Linear,
and Keras's and glassnet's optimizers stepped side by side on the same gradients."""
import re

import numpy as np
import pytest

from glassnet import optimizers

# float32: a few units in the last place of the largest entry of each array (optimizer slots are
# running sums whose entries cancel, so a purely elementwise relative bound would be unfair)
ULPS = 8 * np.finfo(np.float32).eps
SHAPES = [(5, 4), (4,), (4, 3), (3,)]


# -- PyTorch ----------------------------------------------------------------------------------
def copy_into_linears(torch, weights, linears):
    """Set each nn.Linear from glassnet's (kernel, bias) pairs: torch's weight is kernel^T."""
    with torch.no_grad():
        for linear, kernel, bias in zip(linears, weights[0::2], weights[1::2]):
            linear.weight.copy_(torch.from_numpy(kernel.T.copy()))
            linear.bias.copy_(torch.from_numpy(bias))


def linear_weights(linears):
    """The nn.Linear weights in glassnet's order and layout: kernel (in, out), bias."""
    return [w for linear in linears
            for w in (linear.weight.detach().numpy().T, linear.bias.detach().numpy())]


# -- Keras optimizers -------------------------------------------------------------------------
def keras_numpy(keras, tensor):
    return keras.ops.convert_to_numpy(getattr(tensor, "value", tensor))


def gradient_sequence(seed, steps):
    """Start weights of SHAPES and ``steps`` gradient sets, float32, from ``seed``."""
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(steps)]
    return start, grads


def assert_close(want_arrays, got_arrays, what, tolerance=ULPS):
    """Each array within ``tolerance`` x its largest entry (float32 ulps by default)."""
    assert len(want_arrays) == len(got_arrays), what
    for index, (want, got) in enumerate(zip(want_arrays, got_arrays)):
        want, got = np.asarray(want, np.float64), np.asarray(got, np.float64)
        assert want.shape == got.shape, f"{what}[{index}]: {want.shape} != {got.shape}"
        scale = max(float(np.max(np.abs(want))), 1e-30) if want.size else 1.0
        error = float(np.max(np.abs(want - got))) if want.size else 0.0
        assert error <= tolerance * scale, f"{what}[{index}]: error {error:.3g}, scale {scale:.3g}"


def step_side_by_side(keras, name, keras_kwargs, our_kwargs, seed, steps):
    """Apply the same gradients with Keras's and glassnet's optimizer ``name``; after every step
    the weights and every optimizer variable must agree. Returns (Keras's, ours)."""
    start, grads = gradient_sequence(seed, steps)
    theirs = getattr(keras.optimizers, name)(**keras_kwargs)
    ours = getattr(optimizers, name)(**our_kwargs)
    keras_weights = [keras.Variable(w) for w in start]
    weights = [w.copy() for w in start]
    for step, step_grads in enumerate(grads, 1):
        theirs.apply([keras.ops.convert_to_tensor(g) for g in step_grads], keras_weights)
        ours.apply(weights, step_grads)
        assert_close([keras_numpy(keras, w) for w in keras_weights], weights,
                     f"step {step} weights")
        assert_close([keras_numpy(keras, v) for v in theirs.variables], ours.variables,
                     f"step {step} variables")
    return theirs, ours


def assert_config_as_keras(keras, name, kwargs):
    """Optimizer ``name``'s config equals Keras's, key for key and in order: the learning rate
    to float32 rounding (Keras keeps it in a float32 variable: 0.001 reads back as
    0.0010000000474...), the name without Keras's ``_<n>`` counter."""
    theirs = getattr(keras.optimizers, name)(**kwargs).get_config()
    ours = getattr(optimizers, name)(**kwargs).get_config()
    assert list(ours) == list(theirs)
    assert ours.pop("learning_rate") == pytest.approx(theirs.pop("learning_rate"), rel=1e-7)
    assert ours.pop("name") == re.sub(r"_\d+$", "", theirs.pop("name"))
    assert ours == theirs
