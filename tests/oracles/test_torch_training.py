"""PyTorch (float64) as the oracle of whole training runs, step by step.

The same MLP is built in glassnet and in torch (``nn.Linear`` layers holding glassnet's
starting weights: torch keeps ``weight`` as (out, in), Keras's kernel is (in, out)), trained on
the same batches, and every weight is compared after every step.

How the update rules correspond:
- SGD with momentum. torch: ``b = mu * b + g``, ``w -= lr * b`` (dampening 0); nesterov
  ``w -= lr * (g + mu * b)``. Keras: ``m = mu * m - lr * g``, ``w += m``; nesterov
  ``w += mu * m - lr * g``. By induction ``m = -lr * b`` while lr is constant (both start at 0),
  so the weights agree; ``test_momentum_buffers_correspond`` checks ``m = -lr * b`` itself.
- Adam, RMSprop, Adagrad. Keras puts epsilon elsewhere than torch (Adam: ``sqrt(v) + eps``
  before bias correction, torch after it; RMSprop and Adagrad: ``sqrt(v + eps)``, torch
  ``sqrt(v) + eps``). With ``epsilon=0`` the rules are the same function, so those runs use 0;
  with the defaults glassnet is held to Keras instead (tests/oracles/test_keras_optimizers.py).
"""
import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers
from tests.oracles.shared import copy_into_linears, linear_weights

RTOL = 1e-10
N_SAMPLES, N_FEATURES, BATCH = 24, 5, 8

# (hidden layers as (units, activation), output units, output activation, loss, targets)
ARCHITECTURES = {
    "softmax-ce-relu": ([(7, "relu"), (6, "relu")], 3, "softmax",
                        "sparse_categorical_crossentropy", "classes"),
    "softmax-ce-tanh": ([(6, "tanh")], 4, "softmax", "sparse_categorical_crossentropy",
                        "classes"),
    "sigmoid-bce-sigmoid": ([(6, "sigmoid"), (5, "tanh")], 1, "sigmoid",
                            "binary_crossentropy", "binary"),
    "mse-tanh-relu": ([(8, "tanh"), (6, "relu")], 2, "linear", "mse", "real"),
}


def _data(targets, outputs, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N_SAMPLES, N_FEATURES))
    if targets == "classes":
        y = rng.integers(0, outputs, N_SAMPLES)
    elif targets == "binary":
        y = rng.integers(0, 2, (N_SAMPLES, 1)).astype(np.float64)
    else:
        y = rng.standard_normal((N_SAMPLES, outputs))
    return x, y


def _models(torch, name):
    hidden, outputs, out_activation, loss, targets = ARCHITECTURES[name]
    model = glassnet.Sequential([glassnet.Input(shape=(N_FEATURES,))]
                                + [layers.Dense(u, activation=a) for u, a in hidden]
                                + [layers.Dense(outputs, activation=out_activation)])
    modules, fan_in = [], N_FEATURES
    activations = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
    for units, activation in hidden:
        modules += [torch.nn.Linear(fan_in, units), activations[activation]()]
        fan_in = units
    modules.append(torch.nn.Linear(fan_in, outputs))    # logits: the loss applies the output
    net = torch.nn.Sequential(*modules)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    copy_into_linears(torch, model.get_weights(), linears)
    torch_loss = {"sparse_categorical_crossentropy": torch.nn.CrossEntropyLoss(),
                  "binary_crossentropy": torch.nn.BCEWithLogitsLoss(),
                  "mse": torch.nn.MSELoss()}[loss]
    return model, loss, net, linears, torch_loss, targets, outputs


def _assert_same_weights(ours, theirs, step):
    for index, (a, b) in enumerate(zip(ours, theirs)):
        scale = float(np.max(np.abs(b)))
        error = float(np.max(np.abs(a - b)))
        assert error <= RTOL * scale, f"step {step}, weight {index}: error {error:.3g}"


def _torch_step(torch, net, torch_loss, optimizer, xb, yb):
    optimizer.zero_grad()
    target = torch.from_numpy(yb)
    loss = torch_loss(net(torch.from_numpy(xb)), target)
    loss.backward()
    optimizer.step()
    return float(loss.detach())


def _batches(x, y, epochs):
    for _ in range(epochs):
        for start in range(0, len(x), BATCH):
            yield x[start:start + BATCH], y[start:start + BATCH]


SGD_CASES = [
    ({"learning_rate": 0.1}, {"lr": 0.1}),
    ({"learning_rate": 0.05, "momentum": 0.9}, {"lr": 0.05, "momentum": 0.9}),
    ({"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
     {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
]


@pytest.mark.parametrize("architecture", list(ARCHITECTURES))
@pytest.mark.parametrize("ours_kwargs, torch_kwargs", SGD_CASES,
                         ids=["sgd", "momentum", "nesterov"])
def test_sgd_training_matches_torch(torch, float64, architecture, ours_kwargs, torch_kwargs):
    model, loss, net, linears, torch_loss, targets, outputs = _models(torch, architecture)
    model.compile(optimizer=optimizers.SGD(**ours_kwargs), loss=loss)
    optimizer = torch.optim.SGD(net.parameters(), **torch_kwargs)
    x, y = _data(targets, outputs)
    for step, (xb, yb) in enumerate(_batches(x, y, epochs=3), 1):
        our_loss = model.train_on_batch(xb, yb)
        their_loss = _torch_step(torch, net, torch_loss, optimizer, xb, yb)
        assert our_loss == pytest.approx(their_loss, rel=1e-10)
        _assert_same_weights(model.get_weights(), linear_weights(linears), step)
    assert model.optimizer.iterations == step


class _WeightsEachBatch(glassnet.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(self.model.get_weights())


@pytest.mark.parametrize("nesterov", [False, True])
def test_fit_without_shuffle_matches_torch(torch, float64, nesterov):
    model, loss, net, linears, torch_loss, targets, outputs = _models(torch, "softmax-ce-relu")
    model.compile(optimizer=optimizers.SGD(0.1, momentum=0.8, nesterov=nesterov), loss=loss)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.8, nesterov=nesterov)
    x, y = _data(targets, outputs, seed=5)
    recorder = _WeightsEachBatch()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0, callbacks=[recorder])
    steps = list(_batches(x, y, epochs=2))
    assert len(recorder.weights) == len(steps)
    for step, ((xb, yb), ours) in enumerate(zip(steps, recorder.weights), 1):
        _torch_step(torch, net, torch_loss, optimizer, xb, yb)
        _assert_same_weights(ours, linear_weights(linears), step)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_buffers_correspond(torch, float64, nesterov):
    """Keras's velocity is -lr times torch's momentum buffer, step after step."""
    lr = 0.05
    model, loss, net, linears, torch_loss, targets, outputs = _models(torch, "mse-tanh-relu")
    model.compile(optimizer=optimizers.SGD(lr, momentum=0.9, nesterov=nesterov), loss=loss)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, nesterov=nesterov)
    x, y = _data(targets, outputs)
    for step, (xb, yb) in enumerate(_batches(x, y, epochs=2), 1):
        model.train_on_batch(xb, yb)
        _torch_step(torch, net, torch_loss, optimizer, xb, yb)
        buffers = []
        for linear in linears:
            buffers += [optimizer.state[linear.weight]["momentum_buffer"].numpy().T,
                        optimizer.state[linear.bias]["momentum_buffer"].numpy()]
        ours = [slots["momentum"] for slots in model.optimizer.slots]
        _assert_same_weights(ours, [-lr * b for b in buffers], step)


ADAPTIVE_CASES = [
    ("Adam", {"learning_rate": 0.01, "epsilon": 0.0},
     "Adam", {"lr": 0.01, "eps": 0.0}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.95, "epsilon": 0.0,
              "amsgrad": True},
     "Adam", {"lr": 0.01, "betas": (0.8, 0.95), "eps": 0.0, "amsgrad": True}),
    ("RMSprop", {"learning_rate": 0.01, "epsilon": 0.0},
     "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 0.0}),
    ("RMSprop", {"learning_rate": 0.01, "rho": 0.8, "momentum": 0.5, "centered": True,
                 "epsilon": 0.0},
     "RMSprop", {"lr": 0.01, "alpha": 0.8, "momentum": 0.5, "centered": True, "eps": 0.0}),
    ("Adagrad", {"learning_rate": 0.1, "epsilon": 0.0},
     "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "eps": 0.0}),
]


@pytest.mark.parametrize("architecture", ["softmax-ce-tanh", "sigmoid-bce-sigmoid"])
@pytest.mark.parametrize("ours, ours_kwargs, theirs, torch_kwargs", ADAPTIVE_CASES,
                         ids=[f"{c[0]}-{sorted(c[1])}" for c in ADAPTIVE_CASES])
def test_adaptive_training_matches_torch_without_epsilon(torch, float64, architecture, ours,
                                                         ours_kwargs, theirs, torch_kwargs):
    # smooth hidden units only: a ReLU's exactly-zero gradients would make 0 / 0 without epsilon
    model, loss, net, linears, torch_loss, targets, outputs = _models(torch, architecture)
    model.compile(optimizer=getattr(optimizers, ours)(**ours_kwargs), loss=loss)
    optimizer = getattr(torch.optim, theirs)(net.parameters(), **torch_kwargs)
    x, y = _data(targets, outputs, seed=2)
    for step, (xb, yb) in enumerate(_batches(x, y, epochs=3), 1):
        model.train_on_batch(xb, yb)
        _torch_step(torch, net, torch_loss, optimizer, xb, yb)
        _assert_same_weights(model.get_weights(), linear_weights(linears), step)


def test_adam_epsilon_placement_differs_from_torch(torch, float64):
    """With epsilon > 0 Keras's Adam is torch's with eps / sqrt(1 - beta_2**t): not the same
    steps; glassnet follows Keras (held to it in test_keras_optimizers.py)."""
    model, loss, net, linears, torch_loss, targets, outputs = _models(torch, "softmax-ce-tanh")
    model.compile(optimizer=optimizers.Adam(learning_rate=0.01, epsilon=1e-3), loss=loss)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.01, eps=1e-3)
    x, y = _data(targets, outputs)
    xb, yb = x[:BATCH], y[:BATCH]
    model.train_on_batch(xb, yb)
    _torch_step(torch, net, torch_loss, optimizer, xb, yb)
    ours, theirs = model.get_weights(), linear_weights(linears)
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(ours, theirs)) > 1e-6
