"""Hinge losses (maximum-margin classification): hinge, squared hinge, categorical hinge."""
from ..arrays import array_module
from .base import Loss


def _hinge_labels(y_true):
    """Keras turns {0, 1} labels into {-1, 1}, but only when every label of the batch is 0 or 1."""
    xp = array_module(y_true)
    if xp.all((y_true == 0) | (y_true == 1)):
        return 2.0 * y_true - 1.0
    return y_true


class Hinge(Loss):
    """l_i = mean_j max(1 - y y_pred, 0) with labels y in {-1, 1} ({0, 1} converted);
    gradient -y / d where the margin 1 - y y_pred is positive, else 0."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = _hinge_labels(y_true)
        return xp.mean(xp.maximum(1.0 - y * y_pred, 0.0), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        return -y * (1.0 - y * y_pred > 0) / y_pred.shape[-1]


class SquaredHinge(Loss):
    """l_i = mean_j max(1 - y y_pred, 0)^2; gradient -2 y max(1 - y y_pred, 0) / d."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = _hinge_labels(y_true)
        return xp.mean(xp.square(xp.maximum(1.0 - y * y_pred, 0.0)), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = _hinge_labels(y_true)
        return -2.0 * y * xp.maximum(1.0 - y * y_pred, 0.0) / y_pred.shape[-1]


class CategoricalHinge(Loss):
    """l_i = max(neg - pos + 1, 0), pos = sum_j y_j p_j, neg = max_j (1 - y_j) p_j.

    Where l_i > 0 the gradient is -y plus (1 - y_k) at the class k that attains neg.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(name, reduction, dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        pos = xp.sum(y_true * y_pred, axis=-1)
        neg = xp.max((1.0 - y_true) * y_pred, axis=-1)
        return xp.maximum(neg - pos + 1.0, 0.0)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        rival = xp.argmax((1.0 - y_true) * y_pred, axis=-1)[..., None]
        grad = -y_true.copy()
        xp.put_along_axis(grad, rival, xp.take_along_axis(grad, rival, -1)
                          + 1.0 - xp.take_along_axis(y_true, rival, -1), axis=-1)
        active = self.call(y_true, y_pred) > 0
        return grad * active[..., None]
