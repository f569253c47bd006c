"""Losses (``keras.losses``): each loss's value beside its gradient.

A loss object is called as Keras calls it, ``loss(y_true, y_pred, sample_weight=None)``, and
returns the reduced value. ``loss.call(y_true, y_pred)`` gives per-sample values ``l_i`` and
``loss.gradient(y_true, y_pred, sample_weight)`` the gradient of the reduced value with respect
to ``y_pred``: each sample's d l_i / d y_pred times its factor c_i from the reduction (the
reductions and ``sample_weight`` are Keras 3's, in ``glassnet.reductions``).

Fusion: softmax followed by cross-entropy (and sigmoid followed by binary cross-entropy) has the
gradient ``(p - y) * c_i`` on the logits (divided by the number of outputs for the binary
loss, which averages over them). ``fuses_with`` names that activation and ``logits_gradient``
gives it; the model uses it instead of chaining two Jacobians. Where the clip at 1e-7 is
active the chained gradient is 0 and the fused one is not: fused is what Keras's TensorFlow
backend computes (it recovers the logits from the softmax), and it is the one that learns.
"""
import inspect
import warnings

import numpy as np

from . import config
from .backend import array_module
from ._registry import Configurable, Registry
from .naming import snake_case
from .reductions import (REDUCTIONS, reduce_weighted_values, reduction_factors,  # noqa: F401
                         squeeze_or_expand_to_same_rank)


class Loss(Configurable):
    """Base class. Subclasses define ``call(y_true, y_pred)`` (per-sample values) and
    ``sample_gradient(y_true, y_pred)`` (d l_i / d y_pred, without weights or reduction), both
    on arrays that ``prepare`` has matched; ``mask`` marks samples that do not count."""

    fuses_with = None       # activation whose Jacobian this loss cancels ("softmax", "sigmoid")
    from_logits = False
    axis = -1               # the axis each sample's value is reduced over

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Unknown reduction {reduction!r}: use one of "
                             f"{', '.join(repr(r) for r in REDUCTIONS)}.")
        self.name = name or snake_case(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    # -- to be defined by each loss ------------------------------------------------------------
    def call(self, y_true, y_pred):
        raise NotImplementedError

    def sample_gradient(self, y_true, y_pred):
        raise NotImplementedError

    def mask(self, y_true, y_pred):
        """Boolean per-sample array of values that count, or None (all count)."""
        return None

    # -- shared --------------------------------------------------------------------------------
    def prepare(self, y_true, y_pred):
        """Arrays as Keras's loss sees them: y_pred in the loss dtype (floatx unless given),
        y_true in the same dtype (class indices kept as they are), ranks matched."""
        xp = array_module(y_true, y_pred)
        y_pred = xp.asarray(y_pred)
        dtype = self.dtype or (y_pred.dtype if y_pred.dtype.kind == "f" else config.floatx())
        y_pred = y_pred.astype(dtype, copy=False)
        y_true = xp.asarray(y_true).astype(dtype, copy=False)
        return squeeze_or_expand_to_same_rank(y_true, y_pred)

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self.prepare(y_true, y_pred)
        values = self.call(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.mask(y_true, y_pred),
                                      self.reduction)

    def gradient(self, y_true, y_pred, sample_weight=None):
        """d(reduced loss)/d y_pred: each sample's gradient times its factor c_i."""
        xp = array_module(y_true, y_pred, sample_weight)
        shape = _shape(y_pred)
        y_true, y_pred = self.prepare(y_true, y_pred)
        grad = self.sample_gradient(y_true, y_pred)
        return self.weigh(grad, y_true, y_pred, sample_weight).reshape(shape)

    def weigh(self, grad, y_true, y_pred, sample_weight):
        """Multiply (in place) each sample's gradient by its factor c_i."""
        xp = array_module(grad, y_true, y_pred, sample_weight)
        values_shape = _without_axis(y_pred.shape, self.axis)
        factors = reduction_factors(values_shape, sample_weight, self.mask(y_true, y_pred),
                                    self.reduction, grad.dtype)
        if getattr(factors, "ndim", 0):
            factors = xp.expand_dims(factors, self.axis)
        grad *= factors
        return grad

    def check_labels(self, y_true, output_shape):
        """Raise a clear ``ValueError`` when ``y_true`` cannot be labels for outputs of this
        shape (``output_shape`` with the batch dimension)."""
        xp = array_module(y_true, output_shape)
        _check_same_shape(self, xp.asarray(y_true), output_shape)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}


def _without_axis(shape, axis):
    shape = list(shape)
    if shape:
        del shape[axis]
    return tuple(shape)


def _shape(array):
    """The shape of an array, a list or a number (read, not fetched, from a device array)."""
    return array.shape if hasattr(array, "shape") else np.shape(array)


def _check_axis(axis):
    """A loss reduces each sample over one axis of its outputs: an integer (-1, the units)."""
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(f"A loss's axis is one integer, e.g. axis=-1 (the output units); got "
                         f"{axis!r}.")
    return int(axis)


def _eps():
    return config.epsilon()


def _same_shape(name, y_true, y_pred):
    """Labels and predictions of one shape (after Keras's rank matching), as Keras's
    cross-entropies demand: broadcasting (n, 1) labels against (n, k) outputs would compare
    every label with every output and return a meaningless number."""
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{name}: labels (target) and predictions (output) must have the same shape, but "
            f"got labels of shape {y_true.shape} and predictions of shape {y_pred.shape}. Give "
            f"one label per output (one-hot rows for several classes), or use "
            f"sparse_categorical_crossentropy for integer class labels.")
    return y_true, y_pred


def _warn_single_class(name, y_pred):
    """Keras's warning: a categorical loss over one class is 0 whatever the prediction."""
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider using "
            f"'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=4)


# -- regression losses -----------------------------------------------------------------------

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


def _softplus(x):
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    xp = array_module(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


def _sigmoid(x):
    from .activations import sigmoid
    return sigmoid(x)


def _softmax(x, axis=-1):
    from .activations import softmax
    return softmax(x, axis=axis)


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


# -- hinge losses ----------------------------------------------------------------------------

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


# -- probabilistic losses --------------------------------------------------------------------

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


class BinaryCrossentropy(Loss):
    """l_i = mean_j -(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps] (eps =
    1e-7, Keras's torch backend; the log itself is never clipped, and log(1 - p) is taken as
    log1p(-p), as torch does, exact for small p).

    ``label_smoothing`` s moves labels toward 1/2: y (1 - s) + s / 2. ``from_logits``: y_pred
    are logits x and l = max(x, 0) - x y + log(1 + exp(-|x|)), exact without clipping.
    Gradient (p - y) / (p (1 - p) d) on probabilities inside the clip; (sigmoid(x) - y) / d on
    logits, which is also the fused sigmoid + BCE gradient.
    """

    fuses_with = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.axis = _check_axis(axis)

    def prepare(self, y_true, y_pred):
        return _same_shape(self.name, *super().prepare(y_true, y_pred))

    def targets(self, y_true):
        if self.label_smoothing:
            return y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        return y_true

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            x = y_pred
            elementwise = xp.maximum(x, 0) - x * y + xp.log1p(xp.exp(-xp.abs(x)))
        else:
            p = xp.clip(y_pred, _eps(), 1.0 - _eps())
            elementwise = -(y * xp.log(p) + (1.0 - y) * xp.log1p(-p))
        return xp.mean(elementwise, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        outputs = y_pred.shape[self.axis]
        if self.from_logits:
            return (_sigmoid(y_pred) - y) / outputs
        p = xp.clip(y_pred, _eps(), 1.0 - _eps())
        inside = (y_pred >= _eps()) & (y_pred <= 1.0 - _eps())
        return xp.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / outputs

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = sigmoid(logits): (p - y) c_i / d."""
        y_true, p = self.prepare(y_true, p)
        grad = (p - self.targets(y_true)) / p.shape[self.axis]
        return self.weigh(grad, y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        units = output_shape[-1]
        if y_true.ndim == 1 and units not in (1, None):
            raise ValueError(
                f"binary_crossentropy compares each of the model's {units} output units with a "
                f"0/1 label, but got labels of shape {y_true.shape}. For {units} classes given "
                f"as integers use loss='sparse_categorical_crossentropy' with a softmax output; "
                f"for one binary label use Dense(1, activation='sigmoid').")
        _check_same_shape(self, y_true, output_shape)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise ValueError(
                f"binary_crossentropy needs labels between 0 and 1, but they range from "
                f"{y_true.min()} to {y_true.max()}. For class labels 0..K-1 use "
                f"loss='sparse_categorical_crossentropy' with Dense(K, activation='softmax'); "
                f"for -1/1 labels pass (y + 1) / 2 or use loss='hinge'.")

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class CategoricalCrossentropy(Loss):
    """l_i = -sum_k y_k log q_k, q = p / sum(p) clipped to [eps, 1 - eps] (eps = 1e-7, as Keras).

    ``from_logits``: y_pred are logits and log q = log_softmax(y_pred), exact. ``label_smoothing``
    s replaces y by y (1 - s) + s / K. Gradient on logits: softmax(x) sum(y) - y, which is
    p - y for labels that sum to 1; the same is the fused softmax + CE gradient.
    """

    fuses_with = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.axis = _check_axis(axis)

    def prepare(self, y_true, y_pred):
        y_true, y_pred = _same_shape(self.name, *super().prepare(y_true, y_pred))
        _warn_single_class("categorical_crossentropy", y_pred)
        return y_true, y_pred

    def targets(self, y_true):
        if self.label_smoothing:
            classes = y_true.shape[-1]          # Keras counts classes on the last axis
            return y_true * (1.0 - self.label_smoothing) + self.label_smoothing / classes
        return y_true

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            shifted = y_pred - y_pred.max(axis=self.axis, keepdims=True)
            log_q = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        else:
            q = y_pred / y_pred.sum(axis=self.axis, keepdims=True)
            log_q = xp.log(xp.clip(q, _eps(), 1.0 - _eps()))
        return -xp.sum(y * log_q, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            return self._softmax_gradient(y, _softmax(y_pred, self.axis))
        total = y_pred.sum(axis=self.axis, keepdims=True)
        q = y_pred / total
        inside = (q >= _eps()) & (q <= 1.0 - _eps())     # the clip has zero slope outside
        dq = xp.where(inside, -y / xp.where(inside, q, 1.0), 0.0)
        # q = p / sum(p): dq_k / dp_j = (delta_kj - q_k) / sum(p)
        return (dq - xp.sum(dq * q, axis=self.axis, keepdims=True)) / total

    def _softmax_gradient(self, y, p):
        xp = array_module(y, p)
        return p * xp.sum(y, axis=self.axis, keepdims=True) - y

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = softmax(logits): (p sum(y) - y) c_i = (p - y) c_i."""
        y_true, p = self.prepare(y_true, p)
        grad = self._softmax_gradient(self.targets(y_true), p)
        return self.weigh(grad, y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        classes = output_shape[-1]
        looks_like_indices = y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[1] == 1)
        if looks_like_indices and classes not in (1, None):
            raise ValueError(
                f"categorical_crossentropy needs one-hot labels of shape (n, {classes}), but got "
                f"labels of shape {y_true.shape} that look like class indices. Use "
                f"loss='sparse_categorical_crossentropy', or one-hot encode them with "
                f"glassnet.utils.to_categorical(y, {classes}).")
        if y_true.ndim == 2 and y_true.shape[1] != classes and classes is not None:
            raise ValueError(
                f"categorical_crossentropy needs one column per class: the labels have "
                f"{y_true.shape[1]} columns but the model has {classes} output units. Give the "
                f"last Dense layer {y_true.shape[1]} units, or one-hot encode with "
                f"glassnet.utils.to_categorical(y, {classes}).")
        _check_same_shape(self, y_true, output_shape)
        if y_true.size and y_true.min() < 0:
            raise ValueError(f"categorical_crossentropy needs labels that are probabilities "
                             f"(one-hot rows), but got a negative label {y_true.min()}.")

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels: l_i = -log q_{y_i}.

    The hot path of classification. The label's probability is read as p[i, y_i] (no one-hot
    array is built), and the fused gradient is one copy of p with 1 subtracted at each label.
    ``ignore_class``: samples with that label give l_i = 0 and do not count; the default
    reduction then divides by the number of samples that count (Keras's mask), "sum" ignores
    them, "mean_with_sample_weight" divides by the weights of those that count.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(from_logits=from_logits, axis=axis, reduction=reduction, name=name,
                         dtype=dtype)
        self.ignore_class = ignore_class

    # Every step of a classifier runs through here, so the arrays are handled as one flat
    # (samples, classes) view and the labels' entries are reached by fancy indexing p[rows,
    # labels]: no one-hot array, no take/put_along_axis (several times slower on small batches).

    def prepare(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_pred = xp.asarray(y_pred)
        dtype = self.dtype or (y_pred.dtype if y_pred.dtype.kind == "f" else config.floatx())
        y_pred = y_pred.astype(dtype, copy=False)
        if self.axis not in (-1, y_pred.ndim - 1):
            y_pred = xp.moveaxis(y_pred, self.axis, -1)
        return xp.asarray(y_true), y_pred

    def _restore(self, grad):
        xp = array_module(grad)
        return grad if self.axis in (-1, grad.ndim - 1) else xp.moveaxis(grad, -1, self.axis)

    def labels(self, y_true, y_pred):
        """(rows, labels): where each sample's label sits in y_pred seen as (samples, classes).
        Ignored samples point at class 0 (their values are masked out)."""
        xp = array_module(y_true, y_pred)
        labels = y_true
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        if labels.shape != y_pred.shape[:-1]:
            raise ValueError(f"sparse_categorical_crossentropy needs one integer label per "
                             f"sample: labels of shape {y_true.shape} do not fit predictions of "
                             f"shape {y_pred.shape}.")
        labels = labels.reshape(-1).astype(np.int64, copy=False)
        if self.ignore_class is not None:
            labels = xp.where(labels == self.ignore_class, 0, labels)
        # on a device this check would fetch per batch: fit checked the labels on the host
        # before training (check_labels), so there it is left out
        if labels.size and xp is np and (labels.min() < 0 or labels.max() >= y_pred.shape[-1]):
            raise ValueError(_label_range_message(labels, y_pred.shape[-1]))
        return xp.arange(labels.size), labels

    def mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = y_true[..., 0] if y_true.ndim == y_pred.ndim else y_true
        return labels != self.ignore_class

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        index = self.labels(y_true, y_pred)
        flat = y_pred.reshape(-1, y_pred.shape[-1])
        picked = flat[index]
        if self.from_logits:                         # log-sum-exp minus the label's logit
            top = flat.max(axis=-1)
            values = top + xp.log(xp.exp(flat - top[:, None]).sum(axis=-1)) - picked
        else:
            q = picked / flat.sum(axis=-1)
            values = -xp.log(xp.minimum(xp.maximum(q, _eps()), 1.0 - _eps()))   # the clip
        values = values.reshape(y_pred.shape[:-1])
        mask = self.mask(y_true, y_pred)
        return values if mask is None else xp.where(mask, values, 0.0).astype(values.dtype)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        index = self.labels(y_true, y_pred)
        if self.from_logits:
            return self._minus_one_at(index, _softmax(y_pred))
        flat = y_pred.reshape(-1, y_pred.shape[-1])
        total = flat.sum(axis=-1)
        picked = flat[index]
        q = picked / total
        inside = (q >= _eps()) & (q <= 1.0 - _eps())
        # d(-log(p_l / S)) / d p_k = 1 / S - [k = l] / p_l, and 0 where the clip holds q
        grad = xp.repeat((1.0 / total)[:, None], flat.shape[-1], axis=-1)
        grad[index] -= 1.0 / xp.where(inside, picked, 1.0)
        grad *= inside[:, None]
        return grad.reshape(y_pred.shape)

    @staticmethod
    def _minus_one_at(index, p):
        """p - onehot(labels) in one copy of p (p is the layer's output and stays intact)."""
        grad = p.copy()
        grad.reshape(-1, p.shape[-1])[index] -= 1.0      # a view: the copy is contiguous
        return grad

    def gradient(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self.prepare(y_true, y_pred)
        grad = self.sample_gradient(y_true, y_pred)
        return self._restore(self.weigh(grad, y_true, y_pred, sample_weight))

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = softmax(logits): (p - onehot(y)) c_i."""
        y_true, p = self.prepare(y_true, p)
        grad = self._minus_one_at(self.labels(y_true, p), p)
        return self._restore(self.weigh(grad, y_true, p, sample_weight))

    def weigh(self, grad, y_true, y_pred, sample_weight):
        xp = array_module(grad, y_true, y_pred, sample_weight)
        factors = reduction_factors(y_pred.shape[:-1], sample_weight, self.mask(y_true, y_pred),
                                    self.reduction, grad.dtype)
        grad *= factors[..., None] if getattr(factors, "ndim", 0) else factors
        return grad

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        classes = output_shape[-1]
        if y_true.ndim >= 2 and y_true.shape[-1] == classes and classes not in (1, None):
            raise ValueError(
                f"sparse_categorical_crossentropy needs integer class labels of shape (n,), but "
                f"got labels of shape {y_true.shape}, one column per class (one-hot). Use "
                f"loss='categorical_crossentropy', or pass y.argmax(axis=1).")
        if y_true.ndim > 2 or (y_true.ndim == 2 and y_true.shape[1] != 1):
            raise ValueError(
                f"sparse_categorical_crossentropy needs integer class labels of shape (n,), but "
                f"got labels of shape {y_true.shape}.")
        if not y_true.size:
            return
        if xp.any(y_true != xp.round(y_true)):
            bad = y_true[y_true != xp.round(y_true)]
            raise ValueError(f"sparse_categorical_crossentropy needs integer class labels "
                             f"0..{classes - 1}, but got {bad.flat[0].item()!r}.")
        labels = y_true.astype(np.int64)
        if self.ignore_class is not None:
            labels = labels[labels != self.ignore_class]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(_label_range_message(labels, classes))

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


def _label_range_message(labels, classes):
    bad = labels[(labels < 0) | (labels >= classes)]
    low, high = int(labels.min()), int(labels.max())
    if low < 0:         # classes counted from elsewhere (-1..8): shift them, units are not short
        advice = f"Shift them to start at 0, e.g. y - ({low}), or fix the labels."
    elif low > 0 and high - low < classes:      # 1..10 for 10 units: counted from 1
        advice = (f"If the classes count from {low}, pass y - {low}; otherwise give the last "
                  f"Dense layer as many units as there are classes ({high + 1} here?).")
    else:
        advice = (f"Give the last Dense layer as many units as there are classes "
                  f"({high + 1} here?), or fix the labels.")
    return (f"Labels must be integers 0..{classes - 1} for a model with {classes} output units, "
            f"but got {int(bad.flat[0])} ({bad.size} labels out of range; labels span "
            f"{low}..{high}). {advice}")


def _check_same_shape(loss, y_true, output_shape):
    expected = tuple(output_shape[1:])
    if y_true.shape[1:] == expected or (y_true.ndim == 1 and expected == (1,)):
        return
    if len(y_true.shape[1:]) == len(expected) and all(
            e is None or e == g for e, g in zip(expected, y_true.shape[1:])):
        return
    raise ValueError(
        f"{loss.name} compares labels with the model's outputs, but labels have shape "
        f"{y_true.shape} and outputs {_shape_str(output_shape)}: give labels with one column "
        f"per output unit.")


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


class Crossentropy(Loss):
    """``compile(loss="crossentropy")`` (or ``"ce"``): Keras 3 picks binary, sparse or categorical
    cross-entropy from the shapes. Binary when the model has one output unit; sparse when the
    labels have fewer dimensions than the outputs, or one column against several units;
    categorical otherwise."""

    def __init__(self, reduction="sum_over_batch_size", name="crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        kwargs = {"reduction": reduction, "dtype": dtype}
        self.binary = BinaryCrossentropy(**kwargs)
        self.sparse = SparseCategoricalCrossentropy(**kwargs)
        self.categorical = CategoricalCrossentropy(**kwargs)
        self._chosen = None

    def choose(self, y_true_shape, y_pred_shape):
        """The loss Keras uses for labels and predictions of these shapes (and remember it)."""
        if y_pred_shape[-1] == 1:
            chosen = self.binary
        elif len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
            chosen = self.sparse
        else:
            chosen = self.categorical
        self._chosen = chosen
        return chosen

    @property
    def fuses_with(self):
        return None if self._chosen is None else self._chosen.fuses_with

    def _pick(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return self.choose(_shape(y_true), _shape(y_pred))

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self._pick(y_true, y_pred)(y_true, y_pred, sample_weight)

    def call(self, y_true, y_pred):
        return self._pick(y_true, y_pred).call(y_true, y_pred)

    def gradient(self, y_true, y_pred, sample_weight=None):
        return self._pick(y_true, y_pred).gradient(y_true, y_pred, sample_weight)

    def logits_gradient(self, y_true, p, sample_weight=None):
        return self._pick(y_true, p).logits_gradient(y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        self.choose(_shape(y_true), output_shape).check_labels(y_true, output_shape)


# -- focal and noise-robust cross-entropies --------------------------------------------------

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


# -- overlap losses (segmentation): one value over the axes they sum -----------------------------

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


# -- metric learning ---------------------------------------------------------------------------

class Circle(Loss):
    """Circle loss (Sun et al. 2020) on L2-normalized embeddings p (rows) with integer labels.

    With cosine distances d_ij = max(1 - p_i . r_j, 0) to the reference rows r (p itself),
    positives P (same label, j != i when ``remove_diagonal``) and negatives N:

        s_ij = -gamma max(m + d_ij, 0) (m - d_ij)          for j in P
        s_ij =  gamma max(1 + m - d_ij, 0) (1 - m - d_ij)  for j in N
        l_i = softplus(logsumexp_{j in P} s_ij + logsumexp_{j in N} s_ij)

    (m = ``margin``). As Keras, the weights max(...) are not held constant in the gradient, and
    a sample with no positive gives l_i = 0 and does not count in the mean. The gradient goes
    through both sides of each similarity: dL/dp = (G + G^T) p with G = dL/d(p p^T).
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(name, reduction, dtype)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def prepare(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_pred = Loss.prepare(self, y_pred, y_pred)[1]
        labels = xp.asarray(y_true)
        if labels.ndim == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if y_pred.ndim != 2 or labels.shape != y_pred.shape[:1]:
            raise ValueError(f"{self.name} needs embeddings of shape (n, d) and one integer "
                             f"label per row; got labels of shape {_shape(y_true)} and "
                             f"embeddings of shape {y_pred.shape}.")
        return labels.astype(np.int64), y_pred

    def check_labels(self, y_true, output_shape):
        _check_class_labels(self, y_true, None)

    def _terms(self, labels, y_pred, ref_labels=None, ref_embeddings=None):
        """The similarity logits s (-inf outside P and N) and what their gradient needs."""
        xp = array_module(labels, y_pred, ref_labels, ref_embeddings)
        ref_labels = labels if ref_labels is None else xp.asarray(ref_labels).reshape(-1)
        ref = y_pred if ref_embeddings is None else xp.asarray(ref_embeddings, y_pred.dtype)
        distance = 1.0 - y_pred @ ref.T
        near = distance > 0                                 # where max(., 0) passes
        distance = xp.maximum(distance, 0.0)
        positive = labels[:, None] == ref_labels[None, :]
        negative = ~positive
        if self.remove_diagonal:
            positive = positive & ~xp.eye(len(labels), len(ref_labels), dtype=bool)
        m, gamma = self.margin, self.gamma
        pos_weight = xp.maximum((m + distance) * positive, 0.0)
        neg_weight = xp.maximum((1.0 + m - distance) * negative, 0.0)
        pos_logit = -gamma * pos_weight * (m - distance)
        neg_logit = gamma * neg_weight * (1.0 - m - distance)
        return (positive, negative, distance, near, pos_weight, neg_weight,
                xp.where(positive, pos_logit, -np.inf), xp.where(negative, neg_logit, -np.inf))

    def _values(self, pos_logit, neg_logit):
        return _softplus(_logsumexp(pos_logit) + _logsumexp(neg_logit))

    def call(self, y_true, y_pred):
        return self._values(*self._terms(y_true, y_pred)[-2:])

    def mask(self, y_true, y_pred):
        return self.call(y_true, y_pred) > 0               # Keras's mask: rows that count

    def gradient(self, y_true, y_pred, sample_weight=None):
        xp = array_module(y_true, y_pred, sample_weight)
        labels, y_pred = self.prepare(y_true, y_pred)
        (positive, negative, distance, near, pos_weight, neg_weight, pos_logit,
         neg_logit) = self._terms(labels, y_pred)
        pos_lse, neg_lse = _logsumexp(pos_logit), _logsumexp(neg_logit)
        values = _softplus(pos_lse + neg_lse)
        factors = reduction_factors(values.shape, sample_weight, values > 0, self.reduction,
                                    y_pred.dtype)
        outer = xp.asarray(factors * _sigmoid(pos_lse + neg_lse))[..., None] \
            * xp.ones_like(distance)                        # dL / d(logsumexp) per row
        m, gamma = self.margin, self.gamma
        # d s / d d for each kind of pair (the product rule on weight * gap)
        pos_passes = (positive & (m + distance > 0)).astype(distance.dtype)
        neg_passes = (negative & (1.0 + m - distance > 0)).astype(distance.dtype)
        pos_slope = -gamma * (pos_passes * (m - distance) - pos_weight)
        neg_slope = gamma * (-neg_passes * (1.0 - m - distance) - neg_weight)
        by_distance = outer * (_softmax_rows(pos_logit) * pos_slope
                               + _softmax_rows(neg_logit) * neg_slope)
        by_similarity = -by_distance * near                 # d = max(1 - p r^T, 0)
        return ((by_similarity + by_similarity.T) @ y_pred).astype(y_pred.dtype)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}


def _check_class_labels(loss, y_true, classes):
    """Labels given to fit for a loss that reads one integer label per sample."""
    xp = array_module(loss, y_true, classes)
    y_true = xp.asarray(y_true)
    if y_true.ndim > 2 or (y_true.ndim == 2 and y_true.shape[1] != 1):
        raise ValueError(f"{loss.name} needs one integer class label per sample, shape (n,); "
                         f"got labels of shape {y_true.shape}.")
    if y_true.size and xp.any(y_true != xp.round(y_true)):
        raise ValueError(f"{loss.name} needs integer class labels; got "
                         f"{y_true[y_true != xp.round(y_true)].flat[0]!r}.")
    if classes is not None and y_true.size:
        labels = y_true.astype(np.int64)
        if labels.min() < 0 or labels.max() >= classes:
            raise ValueError(_label_range_message(labels, classes))


def _logsumexp(x):
    """log sum exp over each row; a row of -inf only gives -inf (no warning)."""
    xp = array_module(x)
    top = xp.max(x, axis=-1, keepdims=True)
    safe = xp.where(xp.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return (safe + xp.log(xp.sum(xp.exp(x - safe), axis=-1, keepdims=True)))[..., 0]


def _softmax_rows(x):
    """softmax over each row, 0 for a row of -inf only."""
    xp = array_module(x)
    top = xp.max(x, axis=-1, keepdims=True)
    exp = xp.exp(x - xp.where(xp.isfinite(top), top, 0.0))
    total = xp.sum(exp, axis=-1, keepdims=True)
    return exp / xp.where(total > 0, total, 1.0)


# -- registry: classes by class name, per-sample functions by function name and alias --------

registry = Registry("loss", base=Loss)
_CLASSES = (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
            CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle)
for _cls in _CLASSES:
    registry.register(_cls.__name__)(_cls)

_LOSS_OF_FUNCTION = {}


def _per_sample(cls, *names):
    """Register a Keras per-sample loss function; ``compile`` trains with ``cls`` for it."""
    def decorate(function):
        registry.register(function.__name__, *names)(function)
        _LOSS_OF_FUNCTION[function] = cls
        return function
    return decorate


def _values(loss, y_true, y_pred):
    return loss.call(*loss.prepare(y_true, y_pred))


@_per_sample(MeanSquaredError, "mse", "MSE")
def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, mean over the last axis."""
    return _values(MeanSquaredError(), y_true, y_pred)


@_per_sample(MeanAbsoluteError, "mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error."""
    return _values(MeanAbsoluteError(), y_true, y_pred)


@_per_sample(MeanAbsolutePercentageError, "mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample mean absolute percentage error."""
    return _values(MeanAbsolutePercentageError(), y_true, y_pred)


@_per_sample(MeanSquaredLogarithmicError, "msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean squared logarithmic error."""
    return _values(MeanSquaredLogarithmicError(), y_true, y_pred)


@_per_sample(Huber)
def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss."""
    return _values(Huber(delta), y_true, y_pred)


@_per_sample(LogCosh)
def log_cosh(y_true, y_pred):
    """Per-sample log-cosh loss."""
    return _values(LogCosh(), y_true, y_pred)


@_per_sample(CosineSimilarity)
def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negative cosine similarity."""
    return _values(CosineSimilarity(axis), y_true, y_pred)


@_per_sample(Hinge)
def hinge(y_true, y_pred):
    """Per-sample hinge loss."""
    return _values(Hinge(), y_true, y_pred)


@_per_sample(SquaredHinge)
def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss."""
    return _values(SquaredHinge(), y_true, y_pred)


@_per_sample(CategoricalHinge)
def categorical_hinge(y_true, y_pred):
    """Per-sample categorical hinge loss."""
    return _values(CategoricalHinge(), y_true, y_pred)


@_per_sample(KLDivergence, "kld", "KLD")
def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence."""
    return _values(KLDivergence(), y_true, y_pred)


@_per_sample(Poisson)
def poisson(y_true, y_pred):
    """Per-sample Poisson loss."""
    return _values(Poisson(), y_true, y_pred)


@_per_sample(BinaryCrossentropy, "bce", "BCE")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, mean over ``axis``."""
    return _values(BinaryCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


@_per_sample(CategoricalCrossentropy)
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy."""
    return _values(CategoricalCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


@_per_sample(SparseCategoricalCrossentropy)
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per-sample sparse categorical cross-entropy."""
    return _values(SparseCategoricalCrossentropy(from_logits, ignore_class, axis=axis),
                   y_true, y_pred)


@_per_sample(BinaryFocalCrossentropy)
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary focal cross-entropy, mean over ``axis``."""
    return _values(BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits,
                                           label_smoothing, axis), y_true, y_pred)


@_per_sample(CategoricalFocalCrossentropy)
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Per-sample categorical focal cross-entropy."""
    return _values(CategoricalFocalCrossentropy(alpha, gamma, from_logits, label_smoothing, axis),
                   y_true, y_pred)


@_per_sample(CategoricalGeneralizedCrossEntropy)
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Per-sample generalized cross-entropy (1 - p^q) / q of integer labels."""
    return _values(CategoricalGeneralizedCrossEntropy(q), y_true, y_pred)


@_per_sample(Dice)
def dice(y_true, y_pred, axis=None):
    """Dice loss over ``axis`` (None: one value for everything)."""
    return _values(Dice(axis=axis), y_true, y_pred)


@_per_sample(Tversky)
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss over ``axis`` (None: one value for everything)."""
    return _values(Tversky(alpha, beta, axis=axis), y_true, y_pred)


@_per_sample(Circle)
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Per-sample circle loss; ``ref_labels`` / ``ref_embeddings`` default to the batch."""
    loss = Circle(gamma, margin, remove_diagonal)
    labels, y_pred = loss.prepare(y_true, y_pred)
    return loss._values(*loss._terms(labels, y_pred, ref_labels, ref_embeddings)[-2:])


def get(identifier):
    """Keras's ``losses.get``: a function name or alias gives the per-sample function
    (``'mse'`` -> ``mean_squared_error``), a class name an instance (``'MeanSquaredError'``),
    a config dict the object, a callable itself."""
    return registry.get(identifier)


def resolve(identifier):
    """The ``Loss`` that ``compile(loss=...)`` trains with, as Keras's ``get_loss``: a name of a
    function keeps that name (``'mse'`` -> ``MeanSquaredError(name='mse')``);
    ``'crossentropy'``/``'ce'`` (any case) pick the cross-entropy from the shapes."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("crossentropy", "ce"):
            return Crossentropy(name=identifier)
        obj = registry.lookup(identifier)
        return obj() if inspect.isclass(obj) else _LOSS_OF_FUNCTION[obj](name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, dict):
        return registry.deserialize(identifier)
    if callable(identifier) and identifier in _LOSS_OF_FUNCTION:
        return _LOSS_OF_FUNCTION[identifier](name=identifier.__name__)
    raise TypeError(f"compile(loss=...) takes a loss name such as 'mse' or "
                    f"'sparse_categorical_crossentropy', a glassnet.losses function or a "
                    f"glassnet.losses.Loss; got {identifier!r}. A plain function has no gradient "
                    f"glassnet can use: subclass glassnet.losses.Loss and define call and "
                    f"sample_gradient.")


def serialize(loss):
    return registry.serialize(loss)


def deserialize(config):
    return registry.deserialize(config)
