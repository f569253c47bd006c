"""PyTorch (float64) as the oracle: per-layer kernel and bias gradients for several
architectures and losses, predictions, and whole training runs with SGD (plain, momentum,
Nesterov) step by step. The same weights go into both; autograd gives the answer."""
import numpy as np
import pytest

import glassnet
from glassnet import layers, losses, models, optimizers

EPS = 1e-7           # Keras's clip of probabilities


def _activation(torch, name):
    nn = torch.nn
    return {"linear": nn.Identity(), "relu": nn.ReLU(), "sigmoid": nn.Sigmoid(),
            "tanh": nn.Tanh(), "softmax": nn.Softmax(dim=-1), "elu": nn.ELU(),
            "selu": nn.SELU(), "gelu": nn.GELU(), "softplus": nn.Softplus(),
            "silu": nn.SiLU(), "leaky_relu": nn.LeakyReLU(0.2), "softsign": nn.Softsign(),
            "mish": nn.Mish(), "log_softmax": nn.LogSoftmax(dim=-1),
            "hard_sigmoid": nn.Hardsigmoid()}[name]


def to_torch(torch, model):
    """An nn.Sequential computing what the glassnet model computes, with the same weights."""
    modules = []
    for layer in model.layers:
        if isinstance(layer, layers.Dense):
            linear = torch.nn.Linear(layer.kernel.shape[0], layer.units, bias=layer.use_bias,
                                     dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.kernel.T.copy()))
                if layer.use_bias:
                    linear.bias.copy_(torch.from_numpy(layer.bias.copy()))
            modules += [linear, _activation(torch, layer.activation.__name__)]
        elif isinstance(layer, layers.Activation):
            modules.append(_activation(torch, layer.activation.__name__))
        elif isinstance(layer, layers.Flatten):
            modules.append(torch.nn.Flatten())
        elif not isinstance(layer, layers.Dropout):
            raise TypeError(layer)
    return torch.nn.Sequential(*modules)


def torch_loss(torch, loss, y_pred, y, sample_weight=None):
    """Keras's loss, written with torch operations (reduction sum_over_batch_size)."""
    name = type(loss).__name__
    if name == "MeanSquaredError":
        values = ((y_pred - y) ** 2).mean(dim=-1)
    elif name == "MeanAbsoluteError":
        values = (y_pred - y).abs().mean(dim=-1)
    elif name == "BinaryCrossentropy":
        if loss.from_logits:
            values = torch.nn.functional.binary_cross_entropy_with_logits(
                y_pred, y, reduction="none").mean(dim=-1)
        else:
            p = y_pred.clamp(EPS, 1 - EPS)
            values = -(y * p.log() + (1 - y) * (1 - p).log()).mean(dim=-1)
    elif name in ("CategoricalCrossentropy", "SparseCategoricalCrossentropy"):
        if name.startswith("Sparse"):
            y = torch.nn.functional.one_hot(y.long(), y_pred.shape[-1]).double()
        smoothing = getattr(loss, "label_smoothing", 0.0) or 0.0
        y = y * (1 - smoothing) + smoothing / y_pred.shape[-1]
        if loss.from_logits:
            log_q = torch.log_softmax(y_pred, dim=-1)
        else:
            log_q = (y_pred / y_pred.sum(dim=-1, keepdim=True)).clamp(EPS, 1 - EPS).log()
        values = -(y * log_q).sum(dim=-1)
    else:
        raise ValueError(name)
    if sample_weight is not None:
        values = values * sample_weight
    return values.sum() / len(values)


ARCHITECTURES = {
    # name: (input shape, [(units, activation, use_bias)], loss, label kind)
    "notes-w1-relu-softmax-sparse": ((16,), [(12, "relu", True), (8, "relu", True),
                                             (5, "softmax", True)],
                                     "sparse_categorical_crossentropy", "sparse"),
    "sigmoid-deep-mse": ((6,), [(8, "sigmoid", True)] * 4 + [(3, "linear", True)], "mse",
                         "regression"),
    "tanh-bce-multilabel": ((5,), [(7, "tanh", True), (4, "sigmoid", True)],
                            "binary_crossentropy", "binary"),
    "elu-selu-smoothed-ce": ((5,), [(7, "elu", True), (6, "selu", True), (4, "softmax", True)],
                             losses.CategoricalCrossentropy(label_smoothing=0.1), "onehot"),
    "gelu-logits-ce": ((5,), [(7, "gelu", True), (4, "linear", True)],
                       losses.SparseCategoricalCrossentropy(from_logits=True), "sparse"),
    "no-bias-softplus-mae": ((4,), [(6, "softplus", False), (2, "linear", False)], "mae",
                             "regression"),
    "swish-leaky-bce-logits": ((4,), [(6, "silu", True), (5, "leaky_relu", True),
                                      (1, "linear", True)],
                               losses.BinaryCrossentropy(from_logits=True), "binary1"),
    "flatten-images-softsign-mish": ((3, 4), [(6, "softsign", True), (5, "mish", True),
                                              (3, "softmax", True)],
                                     "categorical_crossentropy", "onehot"),
}


def _build(input_shape, stack):
    front = [layers.Flatten(input_shape=list(input_shape))] if len(input_shape) > 1 \
        else [layers.Input(shape=input_shape)]
    return models.Sequential(front + [layers.Dense(u, activation=a, use_bias=b)
                                      for u, a, b in stack])


def _labels(kind, n, units, rng):
    if kind == "sparse":
        return rng.integers(0, units, size=n)
    if kind == "onehot":
        return np.eye(units)[rng.integers(0, units, size=n)]
    if kind in ("binary", "binary1"):
        return rng.integers(0, 2, size=(n, units)).astype(float)
    return rng.normal(size=(n, units))


def _torch_grads(torch, net):
    grads = []
    for module in net:
        if isinstance(module, torch.nn.Linear):
            grads.append(module.weight.grad.numpy().T)
            if module.bias is not None:
                grads.append(module.bias.grad.numpy())
    return grads


@pytest.mark.parametrize("weighted", [False, True], ids=["plain", "sample_weight"])
@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_per_layer_gradients_match_pytorch(torch, float64, name, weighted):
    input_shape, stack, loss, kind = ARCHITECTURES[name]
    rng = np.random.default_rng(len(name))
    glassnet.utils.set_random_seed(len(name))
    model = _build(input_shape, stack)
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(7,) + input_shape)
    y = _labels(kind, 7, stack[-1][0], rng)
    weights = rng.uniform(0.2, 2.0, size=7) if weighted else None

    y_glass = model._targets(y, len(x))
    y_pred = model._forward(x, training=False)
    model._backward(y_glass, y_pred, weights)
    ours = [g.copy() for g in model._grads]

    net = to_torch(torch, model)
    out = net(torch.from_numpy(x))
    value = torch_loss(torch, model.loss, out, torch.from_numpy(np.asarray(y, dtype=float)),
                       None if weights is None else torch.from_numpy(weights))
    value.backward()
    np.testing.assert_allclose(y_pred, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert model._loss_value(y_glass, y_pred, weights) == pytest.approx(value.item(), rel=1e-12)
    theirs = _torch_grads(torch, net)
    assert len(ours) == len(theirs)
    for index, (a, b) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=f"gradient {index}")


def test_predictions_match_pytorch(torch, float64):
    rng = np.random.default_rng(0)
    model = _build((8,), [(32, "relu", True), (16, "tanh", True), (10, "softmax", True)])
    x = rng.normal(size=(50, 8))
    expected = to_torch(torch, model)(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x, batch_size=7, verbose=0), expected, rtol=1e-12)


def test_float32_predictions_match_pytorch_float32(torch):
    rng = np.random.default_rng(1)
    model = _build((8,), [(32, "relu", True), (10, "softmax", True)])
    x = rng.normal(size=(20, 8)).astype("float32")
    net = to_torch(torch, model).float()
    expected = net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True)],
                         ids=["sgd", "momentum", "nesterov"])
def test_training_runs_step_by_step_match_pytorch(torch, float64, momentum, nesterov):
    rng = np.random.default_rng(7)
    glassnet.utils.set_random_seed(7)
    model = _build((6,), [(10, "tanh", True), (4, "softmax", True)])
    model.compile(optimizer=optimizers.SGD(0.05, momentum=momentum, nesterov=nesterov),
                  loss="sparse_categorical_crossentropy")
    x, y = rng.normal(size=(30, 6)), rng.integers(0, 4, size=30)
    net = to_torch(torch, model)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=momentum, nesterov=nesterov)

    snapshots = []

    class Snapshot(glassnet.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            snapshots.append(self.model.get_weights())

    history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                        callbacks=[Snapshot()])
    step, epoch_losses = 0, []
    for _ in range(3):
        total = 0.0
        for start in range(0, 30, 8):
            optimizer.zero_grad()
            out = net(torch.from_numpy(x[start:start + 8]))
            value = torch_loss(torch, model.loss, out, torch.from_numpy(y[start:start + 8]))
            value.backward()
            optimizer.step()
            total += value.item() * len(out)
            theirs = [p.detach().numpy() for p in net.parameters()]
            theirs = [t.T if t.ndim == 2 else t for t in theirs]
            for a, b in zip(snapshots[step], theirs):
                np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
            step += 1
        epoch_losses.append(total / 30)
    np.testing.assert_allclose(history.history["loss"], epoch_losses, rtol=1e-10)
