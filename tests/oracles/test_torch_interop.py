"""PyTorch as the oracle of from_torch and to_torch: same outputs, same gradients."""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.interop import UnsupportedLayerError, from_torch, to_torch
from glassnet.interop.torch import _TORCH_ACTIVATIONS


def _x(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape) * 2


def test_from_torch_predicts_what_torch_computes(torch, float64):
    nn = torch.nn
    torch.manual_seed(0)
    net = nn.Sequential(nn.Flatten(), nn.Linear(12, 10), nn.ReLU(), nn.Dropout(0.3),
                        nn.Sequential(nn.Linear(10, 8), nn.Tanh(), nn.Identity()),
                        nn.Sigmoid(), nn.Linear(8, 6, bias=False), nn.Linear(6, 3),
                        nn.Softmax(dim=-1)).eval()
    model = from_torch(net, input_shape=(4, 3))
    assert not model.compiled
    assert [type(l).__name__ for l in model.layers] == [
        "Flatten", "Dense", "Dropout", "Dense", "Activation", "Dense", "Dense"]
    assert [getattr(l, "activation", None) and l.activation.__name__ for l in model.layers] == [
        None, "relu", None, "tanh", "sigmoid", "linear", "softmax"]
    assert not model.layers[5].use_bias and model.layers[2].rate == 0.3
    x = _x((7, 4, 3))
    want = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", sorted(_TORCH_ACTIVATIONS))
def test_every_activation_both_ways(torch, float64, name):
    torch_class, settings = _TORCH_ACTIVATIONS[name]
    net = torch.nn.Sequential(torch.nn.Linear(5, 6), getattr(torch.nn, torch_class)(**settings))
    model = from_torch(net)
    assert model.layers[0].activation.__name__ == name
    x = _x((9, 5), seed=3) * 4                           # reaches past softplus's threshold
    want = net(torch.from_numpy(x)).detach().numpy()
    # model(x), not predict: predict sizes its output from Dense's units, which glu halves
    np.testing.assert_allclose(model(x), want, rtol=1e-7, atol=1e-8)
    back = to_torch(model)
    np.testing.assert_allclose(back(torch.from_numpy(x)).detach().numpy(), want,
                               rtol=1e-7, atol=1e-8)


def test_to_torch_keeps_float32_and_trains_with_the_same_gradients(torch):
    model = glassnet.Sequential([glassnet.Input((3, 2)), layers.Flatten(),
                                 layers.Dense(5, activation="elu"), layers.Dropout(0.2),
                                 layers.Dense(4, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    net = to_torch(model)
    assert [type(m).__name__ for m in net] == ["Flatten", "Linear", "ELU", "Dropout", "Linear",
                                              "Softmax"]
    assert net[1].weight.dtype == torch.float32 and not net.training
    x = _x((6, 3, 2)).astype("float32")
    y = np.array([0, 1, 2, 3, 0, 1])
    np.testing.assert_allclose(net(torch.from_numpy(x)).detach().numpy(),
                               model.predict(x, verbose=0), rtol=1e-6, atol=1e-7)
    probabilities = net(torch.from_numpy(x))
    loss = torch.nn.functional.nll_loss(torch.log(probabilities), torch.from_numpy(y))
    loss.backward()
    gradients = glassnet.inspect.gradients(model, x, y)
    np.testing.assert_allclose(net[1].weight.grad.numpy().T, gradients[1]["kernel"],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(net[4].bias.grad.numpy(), gradients[3]["bias"],
                               rtol=1e-4, atol=1e-6)


def test_to_torch_of_a_float64_model(torch, float64):
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(3, activation="mish")])
    net = to_torch(model)
    assert net[0].weight.dtype == torch.float64
    x = _x((5, 4))
    np.testing.assert_allclose(net(torch.from_numpy(x)).detach().numpy(),
                               model.predict(x, verbose=0), rtol=1e-12)


def test_what_has_no_equivalent_is_named(torch):
    nn = torch.nn
    cases = [
        (nn.Sequential(nn.Linear(3, 2), nn.ELU(alpha=2.0)), r"'1' \(ELU\): ELU\(alpha=2.0\)"),
        (nn.Sequential(nn.Linear(3, 2), nn.GELU(approximate="tanh")), "approximate='tanh'"),
        (nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.BatchNorm1d(4, momentum=None))),
         r"module '1.0' \(BatchNorm1d\) has no glassnet equivalent"),
        (nn.Sequential(nn.Conv1d(3, 2, 1)), r"no Linear.*'0' \(Conv1d\)"),
        (nn.Sequential(nn.Linear(3, 4), nn.Flatten(0)), r"'1' \(Flatten\)"),
    ]
    for net, match in cases:
        with pytest.raises(UnsupportedLayerError, match=match):
            from_torch(net)
    with pytest.raises(ValueError, match="input_shape="):
        from_torch(nn.Sequential(nn.Flatten(), nn.Linear(4, 2)))
    with pytest.raises(TypeError, match="torch.nn.Sequential"):
        from_torch(nn.Linear(3, 2))
    model = glassnet.Sequential([glassnet.Input((3,)), layers.Dense(2, activation="exponential",
                                                                    name="growth")])
    with pytest.raises(UnsupportedLayerError, match="'growth'.*'exponential' has no torch"):
        to_torch(model)
    with pytest.raises(ValueError, match="built model"):
        to_torch(glassnet.Sequential([layers.Dense(2)]))
    noisy = glassnet.Sequential([glassnet.Input((3,)), layers.GaussianNoise(0.1)])
    with pytest.raises(UnsupportedLayerError, match="GaussianNoise has no torch module"):
        to_torch(noisy)


def test_batch_norm_leaky_relu_reshape_and_softmax_layers_both_ways(torch, float64):
    nn = torch.nn
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8, eps=1e-3, momentum=0.2),
                        nn.LeakyReLU(0.01), nn.Linear(8, 12), nn.Unflatten(1, (3, 4)),
                        nn.Softmax(dim=1), nn.Flatten(), nn.Linear(12, 3), nn.Softmax(dim=1))
    net.train()
    net(torch.randn(32, 6))                            # running statistics away from 0 and 1
    net.eval()
    model = from_torch(net)
    assert [type(l).__name__ for l in model.layers] == [
        "Dense", "BatchNormalization", "LeakyReLU", "Dense", "Reshape", "Softmax", "Flatten",
        "Dense"]
    norm = model.layers[1]
    assert norm.epsilon == 1e-3 and norm.momentum == pytest.approx(0.8)
    assert model.layers[5].axis == 1 and model.layers[7].activation.__name__ == "softmax"
    x = _x((5, 6))
    want = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), want, rtol=1e-12, atol=1e-14)
    back = to_torch(model)
    np.testing.assert_allclose(back(torch.from_numpy(x)).detach().numpy(), want, rtol=1e-12,
                               atol=1e-14)
    relus = glassnet.Sequential([glassnet.Input((4,)), layers.ReLU(), layers.ReLU(max_value=1.5),
                                 layers.Dense(4), layers.ReLU(negative_slope=0.3)])
    x = _x((6, 4))
    np.testing.assert_allclose(to_torch(relus)(torch.from_numpy(x)).detach().numpy(),
                               relus.predict(x, verbose=0), rtol=1e-12)
    with pytest.raises(UnsupportedLayerError, match="threshold=0.5"):
        to_torch(glassnet.Sequential([glassnet.Input((4,)), layers.ReLU(threshold=0.5)]))


def test_relu_with_max_value_comes_back_from_torch(torch, float64):
    """to_torch writes ReLU(max_value=m) as nn.Hardtanh(0, m); from_torch reads it back."""
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(5),
                                 layers.ReLU(max_value=1.5), layers.Dense(2)])
    net = to_torch(model)
    assert isinstance(net[1], torch.nn.Hardtanh) and net[1].min_val == 0.0
    again = from_torch(net)
    assert type(again.layers[1]).__name__ == "ReLU" and again.layers[1].max_value == 1.5
    x = _x((6, 4)) * 3
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-12)
    with pytest.raises(UnsupportedLayerError, match="Hardtanh"):
        from_torch(torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Hardtanh(-2.0, 1.0)))
