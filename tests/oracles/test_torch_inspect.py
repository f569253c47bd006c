"""PyTorch (float64) as the oracle for glassnet.inspect: each layer's output and each layer's
kernel and bias gradients, for the architectures and losses the engine's gradient oracle uses
(the same weights go into both; autograd gives the answer)."""
import numpy as np
import pytest

import glassnet
from glassnet import inspect, layers
from tests.oracles.test_torch_gradients import (ARCHITECTURES, _build, _labels, _torch_grads,
                                                to_torch, torch_loss)


def _setup(name):
    input_shape, stack, loss, kind = ARCHITECTURES[name]
    rng = np.random.default_rng(len(name) + 1)
    glassnet.utils.set_random_seed(len(name) + 1)
    model = _build(input_shape, stack)
    model.compile(optimizer="adam", loss=loss)
    x = rng.normal(size=(9,) + input_shape)
    return model, x, _labels(kind, 9, stack[-1][0], rng)


def _torch_outputs(torch, model, net, x):
    """The torch tensor after each glassnet layer (a Dense is a Linear and its activation)."""
    modules = iter(net)
    outputs, value = [], torch.from_numpy(x)
    for layer in model.layers:
        steps = 2 if isinstance(layer, layers.Dense) else 0 if isinstance(layer, layers.Dropout) \
            else 1
        for _ in range(steps):
            value = next(modules)(value)
        outputs.append(value)
    return outputs


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_activations_match_pytorch(torch, float64, name):
    model, x, _ = _setup(name)
    net = to_torch(torch, model)
    with torch.no_grad():
        expected = _torch_outputs(torch, model, net, x)
    ours = inspect.activations(model, x)
    assert len(ours) == len(expected) == len(model.layers)
    for got, want in zip(ours, expected):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_gradients_match_pytorch(torch, float64, name):
    model, x, y = _setup(name)
    net = to_torch(torch, model)
    y_torch = torch.from_numpy(np.asarray(model._targets(y, len(x))))
    torch_loss(torch, model.loss, net(torch.from_numpy(x)), y_torch).backward()
    expected = iter(_torch_grads(torch, net))
    ours = inspect.gradients(model, x, y)
    for layer, grads in zip(model.layers, ours):
        assert list(grads) == layer.param_names
        for name_ in layer.param_names:
            np.testing.assert_allclose(grads[name_], next(expected), rtol=1e-8, atol=1e-12)
    assert next(expected, None) is None

