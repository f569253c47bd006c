"""PyTorch (float64, autograd) as the oracle for the gradients of cross-entropy, binary
cross-entropy, MSE, Huber and KL divergence, reduced as Keras reduces them, with and without
sample_weight; and for the fused logits gradients."""
import numpy as np
import pytest

from glassnet import losses
from glassnet.activations import sigmoid, softmax

WEIGHTS = np.array([0.5, 2.0, 0.0, 1.5, 1.0, 0.7])


def _reduce(torch, values, weights, reduction):
    """Keras's reductions written in torch."""
    if weights is not None:
        values = values * torch.tensor(weights)
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and weights is not None:
        return values.sum() / float(np.sum(weights))
    return values.sum() / values.numel()


def _torch_values(torch, name, y_true, prediction):
    F = torch.nn.functional
    y = torch.tensor(y_true)
    if name == "mse":
        return F.mse_loss(prediction, y, reduction="none").mean(-1)
    if name == "huber":
        return F.huber_loss(prediction, y, reduction="none", delta=0.7).mean(-1)
    if name == "bce":
        return F.binary_cross_entropy(prediction, y, reduction="none").mean(-1)
    if name == "bce_logits":
        return F.binary_cross_entropy_with_logits(prediction, y, reduction="none").mean(-1)
    if name == "cce":
        return -(y * torch.log(prediction / prediction.sum(-1, keepdim=True))).sum(-1)
    if name == "cce_logits":
        return F.cross_entropy(prediction, y, reduction="none")
    if name == "scce":
        return F.nll_loss(torch.log(prediction / prediction.sum(-1, keepdim=True)), y,
                          reduction="none")
    if name == "scce_logits":
        return F.cross_entropy(prediction, y, reduction="none")
    if name == "kld":
        return F.kl_div(torch.log(prediction), y, reduction="none").sum(-1)
    raise KeyError(name)


def _data():
    rng = np.random.default_rng(11)
    labels = rng.integers(0, 4, 6)
    soft = rng.dirichlet(np.ones(4), 6)
    target = rng.normal(size=(6, 3))
    return {
        "mse": (losses.MeanSquaredError, {}, target, rng.normal(size=(6, 3))),
        "huber": (losses.Huber, {"delta": 0.7}, target, target + rng.normal(size=(6, 3))),
        "bce": (losses.BinaryCrossentropy, {}, rng.integers(0, 2, (6, 2)).astype(float),
                rng.uniform(0.05, 0.95, (6, 2))),
        "bce_logits": (losses.BinaryCrossentropy, {"from_logits": True},
                       rng.uniform(0, 1, (6, 2)), rng.normal(size=(6, 2)) * 3),
        "cce": (losses.CategoricalCrossentropy, {}, soft, rng.dirichlet(np.ones(4), 6) * 2),
        "cce_logits": (losses.CategoricalCrossentropy, {"from_logits": True}, soft,
                       rng.normal(size=(6, 4)) * 2),
        "scce": (losses.SparseCategoricalCrossentropy, {}, labels,
                 rng.dirichlet(np.ones(4), 6)),
        "scce_logits": (losses.SparseCategoricalCrossentropy, {"from_logits": True}, labels,
                        rng.normal(size=(6, 4)) * 2),
        "kld": (losses.KLDivergence, {}, soft, rng.dirichlet(np.ones(4), 6)),
    }


DATA = _data()


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name", list(DATA))
def test_gradient_equals_torch_autograd(torch, float64, name, weighted, reduction):
    cls, kwargs, y_true, y_pred = DATA[name]
    weights = WEIGHTS if weighted else None
    prediction = torch.tensor(y_pred, dtype=torch.float64, requires_grad=True)
    value = _reduce(torch, _torch_values(torch, name, y_true, prediction), weights, reduction)
    value.backward()
    loss = cls(reduction=reduction, **kwargs)
    np.testing.assert_allclose(loss(y_true, y_pred, weights), value.item(), rtol=1e-12)
    np.testing.assert_allclose(loss.gradient(y_true, y_pred, weights), prediction.grad.numpy(),
                               rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("name, activation", [("cce_logits", softmax),
                                              ("scce_logits", softmax),
                                              ("bce_logits", sigmoid)])
def test_fused_logits_gradient_equals_torch_autograd(torch, float64, name, activation,
                                                     weighted):
    _, _, y_true, logits = DATA[name]
    if name == "bce_logits":
        y_true = (y_true > 0.5).astype(float)
    weights = WEIGHTS if weighted else None
    tensor = torch.tensor(logits, requires_grad=True)
    _reduce(torch, _torch_values(torch, name, y_true, tensor), weights,
            "sum_over_batch_size").backward()
    loss = losses.resolve({"cce_logits": "categorical_crossentropy",
                           "scce_logits": "sparse_categorical_crossentropy",
                           "bce_logits": "binary_crossentropy"}[name])
    fused = loss.logits_gradient(y_true, activation(logits), weights)
    np.testing.assert_allclose(fused, tensor.grad.numpy(), rtol=1e-10, atol=1e-14)
