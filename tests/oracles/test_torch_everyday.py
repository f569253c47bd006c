"""PyTorch (float64) as the oracle of AdamW, gradient clipping, L2 regularization and
BatchNormalization's training-mode pass.

The same tanh MLP (no gradient is exactly zero, so ``epsilon=0`` divides safely) is built in
glassnet and in torch with glassnet's starting weights, trained on the same batches, and
every weight is compared after every step.

How the rules correspond:
- AdamW: both shrink every weight by ``1 - lr * weight_decay`` and then take Adam's step;
  Keras's epsilon sits elsewhere than torch's (see test_torch_training.py), so ``epsilon=0``.
- ``clipvalue`` is ``clip_grad_value_`` exactly. ``clipnorm`` (each gradient alone) and
  ``global_clipnorm`` (all together) are ``clip_grad_norm_`` on one tensor / on all, except
  that torch scales by ``max_norm / (norm + 1e-6)`` and Keras by ``clipnorm / norm``: a
  relative difference of ``1e-6 / norm`` per clipped step, which bounds the tolerance here.
- ``kernel_regularizer=L2(l2)`` adds ``l2 * sum(kernel**2)`` to the loss: torch gets the
  same term added to its loss, and autograd gives its gradient.
"""
import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers, regularizers
from tests.oracles.shared import copy_into_linears, linear_weights

N_SAMPLES, N_FEATURES, BATCH, STEPS = 24, 5, 8, 9


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((N_SAMPLES, N_FEATURES)), rng.integers(0, 3, N_SAMPLES)


def _models(torch, l2=None):
    regularizer = regularizers.L2(l2) if l2 else None
    model = glassnet.Sequential([
        glassnet.Input(shape=(N_FEATURES,)),
        layers.Dense(7, activation="tanh", kernel_regularizer=regularizer),
        layers.Dense(6, activation="tanh", kernel_regularizer=regularizer),
        layers.Dense(3, activation="softmax")])
    net = torch.nn.Sequential(torch.nn.Linear(N_FEATURES, 7), torch.nn.Tanh(),
                              torch.nn.Linear(7, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3))
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    copy_into_linears(torch, model.get_weights(), linears)
    return model, net, linears


def _run(torch, ours_optimizer, torch_optimizer, clip=None, l2=None, rtol=1e-10):
    """Train both for STEPS batches; every weight must agree to ``rtol`` after every step."""
    model, net, linears = _models(torch, l2)
    model.compile(optimizer=ours_optimizer, loss="sparse_categorical_crossentropy")
    optimizer = torch_optimizer(net.parameters())
    x, y = _data()
    cross_entropy = torch.nn.CrossEntropyLoss()
    for step in range(STEPS):
        batch = slice(step * BATCH % N_SAMPLES, step * BATCH % N_SAMPLES + BATCH)
        ours_loss = model.train_on_batch(x[batch], y[batch])
        optimizer.zero_grad()
        loss = cross_entropy(net(torch.from_numpy(x[batch])), torch.from_numpy(y[batch]))
        if l2:
            loss = loss + l2 * sum((linear.weight ** 2).sum() for linear in linears[:2])
        loss.backward()
        if clip is not None:
            clip(list(net.parameters()))
        optimizer.step()
        assert ours_loss == pytest.approx(float(loss), rel=rtol), f"step {step} loss"
        for index, (a, b) in enumerate(zip(model.get_weights(), linear_weights(linears))):
            error = float(np.max(np.abs(a - b)))
            assert error <= rtol * float(np.max(np.abs(b))), \
                f"step {step}, weight {index}: error {error:.3g}"


@pytest.mark.parametrize("kwargs", [
    {"learning_rate": 0.01, "weight_decay": 0.1},
    {"learning_rate": 0.05, "weight_decay": 0.004, "beta_1": 0.8, "beta_2": 0.99},
    {"learning_rate": 0.01, "weight_decay": 0.5, "amsgrad": True},
], ids=["defaults-ish", "betas", "amsgrad"])
def test_adamw_matches_torch(torch, float64, kwargs):
    torch_kwargs = {"lr": kwargs["learning_rate"], "weight_decay": kwargs["weight_decay"],
                    "betas": (kwargs.get("beta_1", 0.9), kwargs.get("beta_2", 0.999)),
                    "amsgrad": kwargs.get("amsgrad", False), "eps": 0.0}
    _run(torch, optimizers.AdamW(epsilon=0.0, **kwargs),
         lambda params: torch.optim.AdamW(params, **torch_kwargs))


def test_adamw_is_not_adam_with_l2(torch, float64):
    """Decoupled decay differs from an L2 term, which Adam rescales per weight."""
    model, _, _ = _models(torch)
    start = model.get_weights()
    x, y = _data()
    runs = []
    for optimizer in (optimizers.AdamW(0.01, weight_decay=0.1, epsilon=0.0),
                      optimizers.Adam(0.01, epsilon=0.0)):
        model.set_weights(start)
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        model.train_on_batch(x, y)
        runs.append(model.get_weights())
    assert not np.allclose(runs[0][0], runs[1][0], rtol=1e-6)


CLIP_CASES = [
    ("clipvalue", 0.05, "value", 1e-10),
    ("clipnorm", 0.1, "each", 1e-5),
    ("global_clipnorm", 0.2, "all", 1e-5),
]


@pytest.mark.parametrize("argument, limit, how, rtol", CLIP_CASES,
                         ids=[c[0] for c in CLIP_CASES])
@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_clipping_matches_torch(torch, float64, argument, limit, how, rtol, name):
    def clip(params):
        if how == "value":
            torch.nn.utils.clip_grad_value_(params, limit)
        elif how == "each":
            for param in params:
                torch.nn.utils.clip_grad_norm_([param], limit)
        else:
            torch.nn.utils.clip_grad_norm_(params, limit)
    if name == "SGD":
        ours = optimizers.SGD(0.2, **{argument: limit})
        theirs = lambda params: torch.optim.SGD(params, lr=0.2)        # noqa: E731
    else:
        ours = optimizers.Adam(0.01, epsilon=0.0, **{argument: limit})
        theirs = lambda params: torch.optim.Adam(params, lr=0.01, eps=0.0)   # noqa: E731
    _run(torch, ours, theirs, clip=clip, rtol=rtol)


def test_clipping_was_active(torch, float64):
    """The limits above are below the gradients' sizes, so every step clips."""
    model, _, _ = _models(torch)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = _data()
    grads = glassnet.inspect.gradients(model, x[:BATCH], y[:BATCH])
    arrays = [g for layer in grads for g in layer.values()]
    norms = [float(np.linalg.norm(g)) for g in arrays]
    assert max(float(np.max(np.abs(g))) for g in arrays) > 0.05
    assert sum(n > 0.1 for n in norms) >= 3, norms
    assert np.sqrt(sum(n ** 2 for n in norms)) > 0.2, norms


def test_l2_regularized_training_matches_torch(torch, float64):
    _run(torch, optimizers.SGD(0.1, momentum=0.9), lambda params: torch.optim.SGD(
        params, lr=0.1, momentum=0.9), l2=0.05)


@pytest.mark.parametrize("shape", [(8, 4), (6, 3, 4)], ids=["2d", "3d"])
def test_batchnorm_training_pass_matches_torch_autograd(torch, float64, shape):
    """Outputs and input/gamma/beta gradients of training mode; torch normalizes with the
    biased batch variance too (its running variance, unlike Keras's, is unbiased, so the
    moving statistics are held to Keras instead)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape) * 3 + 1
    upstream = rng.standard_normal(shape)
    bn = layers.BatchNormalization(epsilon=1e-3, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    y = bn(x, training=True)
    dx = bn.backward(upstream.copy())
    tx = torch.tensor(np.moveaxis(x, -1, 1), requires_grad=True)     # torch: channels at 1
    gamma = torch.tensor(bn.gamma, requires_grad=True)
    beta = torch.tensor(bn.beta, requires_grad=True)
    ty = torch.nn.functional.batch_norm(tx, None, None, gamma, beta, training=True, eps=1e-3)
    ty.backward(torch.from_numpy(np.moveaxis(upstream, -1, 1).copy()))
    np.testing.assert_allclose(y, np.moveaxis(ty.detach().numpy(), 1, -1), rtol=1e-10,
                               atol=1e-12)
    np.testing.assert_allclose(dx, np.moveaxis(tx.grad.numpy(), 1, -1), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bn.grads[0], gamma.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(bn.grads[1], beta.grad.numpy(), rtol=1e-10)
