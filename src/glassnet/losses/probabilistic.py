"""Losses between distributions and counts: Kullback-Leibler divergence and Poisson."""
from ..arrays import array_module
from .base import Loss, _eps


class KLDivergence(Loss):
    """l_i = sum_j y log(y / p) with both y and p clipped to [eps, 1] (Keras clips y too, so a
    0 label adds eps log(eps / p), not 0). Gradient -y / p inside the clip, 0 outside."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = xp.clip(y_true, _eps(), 1.0)
        return xp.sum(y * xp.log(y / xp.clip(y_pred, _eps(), 1.0)), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = xp.clip(y_true, _eps(), 1.0)
        inside = (y_pred >= _eps()) & (y_pred <= 1.0)
        return xp.where(inside, -y / xp.clip(y_pred, _eps(), 1.0), 0.0)


class Poisson(Loss):
    """l_i = mean_j (p - y log(p + eps)); gradient (1 - y / (p + eps)) / d."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.mean(y_pred - y_true * xp.log(y_pred + _eps()), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        return (1.0 - y_true / (y_pred + _eps())) / y_pred.shape[-1]
