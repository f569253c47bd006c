"""Regression losses: squared, absolute, percentage and squared-log errors, Huber, log-cosh and
cosine similarity (Keras's regression group), each value beside its gradient.
"""
import numpy as np

from ..arrays import array_module
from .base import Loss, _check_axis, _eps, _softplus


class MeanSquaredError(Loss):
    """l_i = mean_j (y_pred - y_true)^2 over the d outputs; d l_i / d y_pred = 2 (y_pred - y_true) / d.

    >>> MeanSquaredError()([1.0, 0.0, 1.0], [0.9, 0.1, 0.8])   # Keras's example: 0.02
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.mean(xp.square(y_true - y_pred), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        return (y_pred - y_true) * (2.0 / y_pred.shape[-1])


class MeanAbsoluteError(Loss):
    """l_i = mean_j |y_true - y_pred|; gradient sign(y_pred - y_true) / d (0 where equal)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.mean(xp.abs(y_true - y_pred), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.sign(y_pred - y_true) / y_pred.shape[-1]


class MeanAbsolutePercentageError(Loss):
    """l_i = 100 mean_j |y_true - y_pred| / max(|y_true|, eps); eps = 1e-7 keeps y_true = 0 finite."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return 100.0 * xp.mean(xp.abs((y_true - y_pred) / _scale(y_true)), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return (100.0 / y_pred.shape[-1]) * xp.sign(y_pred - y_true) / _scale(y_true)


def _scale(y_true):
    xp = array_module(y_true)
    return xp.maximum(xp.abs(y_true), _eps())


class MeanSquaredLogarithmicError(Loss):
    """l_i = mean_j (log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2.

    Below eps the prediction is held at eps, so the gradient there is 0.
    """

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(name, reduction, dtype)

    def _log_gap(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.log(xp.maximum(y_pred, _eps()) + 1.0) - xp.log(xp.maximum(y_true, _eps()) + 1.0)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.mean(xp.square(self._log_gap(y_true, y_pred)), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        slope = (y_pred > _eps()) / (xp.maximum(y_pred, _eps()) + 1.0)
        return (2.0 / y_pred.shape[-1]) * self._log_gap(y_true, y_pred) * slope


class Huber(Loss):
    """With e = y_pred - y_true: l_i = mean_j (e^2 / 2 where |e| <= delta, else
    delta |e| - delta^2 / 2). Its gradient is e clipped to [-delta, delta], over d."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(name, reduction, dtype)
        self.delta = delta

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        error = y_pred - y_true
        size = xp.abs(error)
        return xp.mean(xp.where(size <= self.delta, 0.5 * xp.square(error),
                                self.delta * size - 0.5 * self.delta ** 2), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.clip(y_pred - y_true, -self.delta, self.delta) / y_pred.shape[-1]

    def get_config(self):
        # Keras 3 leaves delta out of Huber's config (so it is lost on saving); we keep it.
        return {**super().get_config(), "delta": self.delta}


class LogCosh(Loss):
    """l_i = mean_j log(cosh(x)), x = y_pred - y_true, computed as x + softplus(-2x) - log 2
    (as Keras) so that large |x| does not overflow; the gradient is tanh(x) / d."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        x = y_pred - y_true
        return xp.mean(x + _softplus(-2.0 * x) - xp.log(2.0).astype(x.dtype), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return xp.tanh(y_pred - y_true) / y_pred.shape[-1]


class CosineSimilarity(Loss):
    """l_i = -sum_j y_hat_j p_hat_j with x_hat = x * min(1 / ||x||, 1 / eps) along ``axis``.

    -1 is the best value; a zero vector gives 0. For ||p|| > eps the gradient is
    -(y_hat - (y_hat . p_hat) p_hat) / ||p||.
    """

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(name, reduction, dtype)
        self.axis = _check_axis(axis)

    def _inverse_norm(self, x):
        xp = array_module(x)
        with np.errstate(divide="ignore"):
            inverse = 1.0 / xp.sqrt(xp.sum(xp.square(x), axis=self.axis, keepdims=True))
        return xp.minimum(inverse, 1.0 / _eps())

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_hat = y_true * self._inverse_norm(y_true)
        p_hat = y_pred * self._inverse_norm(y_pred)
        return -xp.sum(y_hat * p_hat, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_hat = y_true * self._inverse_norm(y_true)
        inverse = self._inverse_norm(y_pred)
        p_hat = y_pred * inverse
        capped = inverse >= 1.0 / _eps()          # norm below eps: p_hat = p / eps, linear
        along = xp.where(capped, 0.0, xp.sum(y_hat * p_hat, axis=self.axis, keepdims=True))
        return -(y_hat - along * p_hat) * inverse

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
