"""Overlap losses for segmentation: Dice and Tversky, summed over the chosen axes."""
import numpy as np

from ..arrays import array_module
from ..reductions import reduce_weighted_values, reduction_factors
from .base import Loss, _eps, _same_shape


def _check_axes(axis):
    """None, an integer or integers: the axes a Dice or Tversky loss sums over."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else axis
    if axis is not None and (not isinstance(axes, (tuple, list)) or any(
            isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes)):
        raise ValueError(f"axis is None (every axis), an integer or a tuple of integers; got "
                         f"{axis!r}.")
    return axis


def _summed_axes(axis, ndim):
    """The axes summed over, as a sorted tuple of non-negative integers (all for None)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    outside = [a for a in axes if not -ndim <= a < ndim]
    if outside:
        raise ValueError(f"axis {axis!r} does not fit predictions with {ndim} axes: use axes "
                         f"between {-ndim} and {ndim - 1} (or None for all of them).")
    return tuple(sorted(int(a) % ndim for a in axes))


class _OverlapLoss(Loss):
    """What Dice and Tversky share: sums over ``axis`` (None: every axis, one number for the
    whole batch, as Keras), and a reduction over what is left. The gradient of a value that
    covers the whole batch is multiplied by what the reduction makes of a value of 1."""

    def __init__(self, reduction, name, axis, dtype):
        super().__init__(name, reduction, dtype)
        self.axis = _check_axes(axis)

    def prepare(self, y_true, y_pred):
        return _same_shape(self.name, *super().prepare(y_true, y_pred))

    def _sum(self, x):
        xp = array_module(x)
        return xp.sum(x, axis=_summed_axes(self.axis, x.ndim))

    def weigh(self, grad, y_true, y_pred, sample_weight):
        xp = array_module(grad, y_true, y_pred, sample_weight)
        axes = _summed_axes(self.axis, y_pred.ndim)
        values_shape = tuple(d for i, d in enumerate(y_pred.shape) if i not in axes)
        if not values_shape:
            one = xp.ones((), dtype=grad.dtype)
            grad *= xp.sum(reduce_weighted_values(one, sample_weight, None, self.reduction))
            return grad
        factors = reduction_factors(values_shape, sample_weight, None, self.reduction,
                                    grad.dtype)
        grad *= xp.expand_dims(factors, axes) if getattr(factors, "ndim", 0) else factors
        return grad

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


class Dice(_OverlapLoss):
    """l = 1 - 2 sum(y p) / (sum(y) + sum(p) + eps), the sums over ``axis`` (None: all).

    With I = sum(y p) and D = sum(y) + sum(p) + eps: d l / d p = -2 (y D - I) / D^2.
    """

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(reduction, name, axis, dtype)

    def _terms(self, y_true, y_pred):
        return self._sum(y_true * y_pred), self._sum(y_true) + self._sum(y_pred) + _eps()

    def call(self, y_true, y_pred):
        intersection, total = self._terms(y_true, y_pred)
        return 1.0 - 2.0 * intersection / total

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        intersection, total = self._terms(y_true, y_pred)
        axes = _summed_axes(self.axis, y_pred.ndim)
        intersection, total = xp.expand_dims(intersection, axes), xp.expand_dims(total, axes)
        return -2.0 * (y_true * total - intersection) / xp.square(total)


class Tversky(_OverlapLoss):
    """l = 1 - I / (I + alpha F + beta G + eps) with I = sum(y p), F = sum((1 - p) y),
    G = sum(p (1 - y)) over ``axis`` (Salehi et al. 2017; alpha = beta = 0.5 is Dice up to
    eps). With D the denominator: d l / d p = -(y D - I (y - alpha y + beta (1 - y))) / D^2.
    """

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(reduction, name, axis, dtype)
        self.alpha, self.beta = alpha, beta

    def _terms(self, y_true, y_pred):
        intersection = self._sum(y_true * y_pred)
        missed = self._sum((1.0 - y_pred) * y_true)
        spurious = self._sum(y_pred * (1.0 - y_true))
        return intersection, intersection + self.alpha * missed + self.beta * spurious + _eps()

    def call(self, y_true, y_pred):
        intersection, total = self._terms(y_true, y_pred)
        return 1.0 - intersection / total

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        intersection, total = self._terms(y_true, y_pred)
        axes = _summed_axes(self.axis, y_pred.ndim)
        intersection, total = xp.expand_dims(intersection, axes), xp.expand_dims(total, axes)
        total_slope = y_true * (1.0 - self.alpha) + self.beta * (1.0 - y_true)
        return -(y_true * total - intersection * total_slope) / xp.square(total)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "beta": self.beta}
