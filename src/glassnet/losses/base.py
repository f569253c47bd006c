"""The base of every loss: ``Loss`` (value, per-sample gradient, reduction, weighting)
and the checks and numerically stable helpers the families share.
"""
import warnings

import numpy as np

from .. import config
from .._registry import Configurable
from ..arrays import array_module
from ..naming import snake_case
from ..reductions import (REDUCTIONS, reduce_weighted_values, reduction_factors,
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


def _softplus(x):
    """log(1 + exp(x)) without overflow: max(x, 0) + log1p(exp(-|x|))."""
    xp = array_module(x)
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-xp.abs(x)))


def _sigmoid(x):
    from ..activations import sigmoid
    return sigmoid(x)


def _softmax(x, axis=-1):
    from ..activations import softmax
    return softmax(x, axis=axis)


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
