"""Cross-entropies that reweight each example: the focal cross-entropies (hard examples weigh
more) and the generalized cross-entropy (noisy labels weigh less).
"""
import numpy as np

from ..arrays import array_module
from .base import (Loss, _check_class_labels, _eps, _label_range_message, _same_shape, _shape,
                   _sigmoid, _softmax, _warn_single_class)
from .crossentropy import BinaryCrossentropy, CategoricalCrossentropy


class BinaryFocalCrossentropy(BinaryCrossentropy):
    """Binary cross-entropy scaled by a focal factor that shrinks the loss of easy examples
    (Lin et al. 2018): with p_t = y p + (1 - y)(1 - p),

        l_i = mean_j w (1 - p_t)^gamma bce(y, p),  bce with p clipped to [eps, 1 - eps]

    where w = y alpha + (1 - y)(1 - alpha) when ``apply_class_balancing``, else 1. The focal
    factor uses the unclipped p, as Keras; ``from_logits`` takes p = sigmoid(y_pred) first.
    gamma = 0 is binary cross-entropy. The gradient is the product rule, d/dp [f bce] =
    f' bce + f bce' with f' = -gamma (1 - p_t)^(gamma - 1) (2y - 1) and bce' = (p - y) /
    (p (1 - p)) inside the clip (0 outside); on logits, times p (1 - p).
    """

    fuses_with = None

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)
        self.apply_class_balancing = apply_class_balancing
        self.alpha, self.gamma = alpha, gamma

    def _parts(self, y_true, y_pred):
        """(y, p, clipped p, focal factor, class weight) of the elementwise loss."""
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        p = _sigmoid(y_pred) if self.from_logits else y_pred
        p_t = y * p + (1.0 - y) * (1.0 - p)
        focal = xp.power(1.0 - p_t, self.gamma)
        weight = y * self.alpha + (1.0 - y) * (1.0 - self.alpha) \
            if self.apply_class_balancing else 1.0
        return y, p, xp.clip(p, _eps(), 1.0 - _eps()), p_t, focal, weight

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y, _, clipped, _, focal, weight = self._parts(y_true, y_pred)
        bce = -(y * xp.log(clipped) + (1.0 - y) * xp.log1p(-clipped))
        return xp.mean(weight * focal * bce, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y, p, clipped, p_t, focal, weight = self._parts(y_true, y_pred)
        bce = -(y * xp.log(clipped) + (1.0 - y) * xp.log1p(-clipped))
        inside = (p >= _eps()) & (p <= 1.0 - _eps())
        bce_slope = xp.where(inside, (clipped - y) / (clipped * (1.0 - clipped)), 0.0)
        focal_slope = 0.0 if self.gamma == 0 else \
            -self.gamma * xp.power(1.0 - p_t, self.gamma - 1.0) * (2.0 * y - 1.0)
        grad = weight * (focal_slope * bce + focal * bce_slope)
        if self.from_logits:
            grad = grad * p * (1.0 - p)
        return grad / y_pred.shape[self.axis]

    logits_gradient = None          # no fused form: the focal factor keeps p in the gradient

    def get_config(self):
        return {**super().get_config(), "apply_class_balancing": self.apply_class_balancing,
                "alpha": self.alpha, "gamma": self.gamma}


class CategoricalFocalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with a focal factor per class (Lin et al. 2018):

        l_i = sum_k alpha (1 - q_k)^gamma (-y_k log q_k),  q = p / sum(p) clipped to [eps, 1 - eps]

    ``alpha`` is a number or one weight per class; ``from_logits`` takes p = softmax(y_pred)
    first (then still divides by its sum, as Keras). Gradient with respect to q inside the clip:
    alpha [gamma (1 - q)^(gamma - 1) y log q - (1 - q)^gamma y / q], 0 outside; then through
    q = p / sum(p) and, from logits, through the softmax.
    """

    fuses_with = None

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)
        self.alpha, self.gamma = alpha, gamma

    def prepare(self, y_true, y_pred):
        y_true, y_pred = _same_shape(self.name, *Loss.prepare(self, y_true, y_pred))
        _warn_single_class("categorical_focal_crossentropy", y_pred)
        return y_true, y_pred

    def _probabilities(self, y_pred):
        p = _softmax(y_pred, self.axis) if self.from_logits else y_pred
        total = p.sum(axis=self.axis, keepdims=True)
        return p, total, p / total

    def _alpha(self, like):
        """alpha (a number or one per class) as an array beside ``like``."""
        return array_module(like).asarray(self.alpha, dtype=like.dtype)

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        _, _, q = self._probabilities(y_pred)
        q = xp.clip(q, _eps(), 1.0 - _eps())
        focal = self._alpha(q) * xp.power(1.0 - q, self.gamma)
        return xp.sum(focal * (-y * xp.log(q)), axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        p, total, q = self._probabilities(y_pred)
        clipped = xp.clip(q, _eps(), 1.0 - _eps())
        slope = xp.power(1.0 - clipped, self.gamma) * (-y / clipped)
        if self.gamma != 0:
            slope = slope + self.gamma * xp.power(1.0 - clipped, self.gamma - 1.0) * y * \
                xp.log(clipped)
        inside = (q >= _eps()) & (q <= 1.0 - _eps())        # the clip has zero slope outside
        dq = xp.where(inside, self._alpha(q) * slope, 0.0)
        # q = p / sum(p): dq_k / dp_j = (delta_kj - q_k) / sum(p)
        dp = (dq - xp.sum(dq * q, axis=self.axis, keepdims=True)) / total
        if self.from_logits:            # softmax: dx = p (dp - sum(dp p))
            dp = p * (dp - xp.sum(dp * p, axis=self.axis, keepdims=True))
        return dp

    logits_gradient = None

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "gamma": self.gamma}


class CategoricalGeneralizedCrossEntropy(Loss):
    """Generalized cross-entropy (Zhang & Sabuncu 2018), robust to noisy labels: with p the
    predicted probability of the sample's integer label,

        l_i = (1 - p^q) / q,   d l_i / d p = -p^(q - 1)

    q -> 0 tends to cross-entropy, q = 1 is the mean absolute error; ``q`` in (0, 1), 0.5 by
    default as Keras. No clipping (Keras clips nothing here): p = 0 gives l = 1/q.
    """

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if isinstance(q, bool) or not isinstance(q, (int, float, np.floating)) or not 0 < q < 1:
            raise ValueError(f"q must be in the interval (0, 1), e.g. 0.5; got {q!r}.")
        super().__init__(name, reduction, dtype)
        self.q = q

    def prepare(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_pred = Loss.prepare(self, y_pred, y_pred)[1]
        labels = xp.asarray(y_true)
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]                 # (n, 1) labels, as Keras's docstring allows
        if labels.shape != y_pred.shape[:-1]:
            raise ValueError(f"{self.name} needs one integer class label per sample: labels of "
                             f"shape {_shape(y_true)} do not fit predictions of shape "
                             f"{y_pred.shape}.")
        labels = labels.astype(np.int64)
        # on a device this check would fetch per batch: fit checked the labels on the host
        # before training (check_labels), so there it is left out
        if labels.size and xp is np and (labels.min() < 0 or labels.max() >= y_pred.shape[-1]):
            raise ValueError(_label_range_message(labels, y_pred.shape[-1]))
        return labels, y_pred

    def check_labels(self, y_true, output_shape):
        _check_class_labels(self, y_true, output_shape[-1])

    def _picked(self, labels, y_pred):
        xp = array_module(labels, y_pred)
        return xp.take_along_axis(y_pred, labels[..., None], axis=-1)[..., 0]

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return (1.0 - xp.power(self._picked(y_true, y_pred), self.q)) / self.q

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        grad = xp.zeros_like(y_pred)
        slope = -xp.power(self._picked(y_true, y_pred), self.q - 1.0)
        xp.put_along_axis(grad, y_true[..., None], slope[..., None], axis=-1)
        return grad

    def get_config(self):
        return {**super().get_config(), "q": self.q}
