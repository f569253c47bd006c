"""Accuracy metrics: exact, binary, categorical, sparse categorical and top-k accuracy, as
per-sample functions and as the metrics that average them.
"""
import numpy as np

from ..arrays import array_module
from ..reductions import squeeze_or_expand_to_same_rank
from .base import MeanMetricWrapper


def accuracy(y_true, y_pred):
    """1 where y_pred equals y_true exactly, per element."""
    xp = array_module(y_true, y_pred)
    y_pred = xp.asarray(y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(xp.asarray(y_true, dtype=y_pred.dtype),
                                                    y_pred)
    return (y_true == y_pred).astype("float64")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1 where (y_pred > threshold) equals y_true, per element (labels compared as 0/1 values)."""
    xp = array_module(y_true, y_pred)
    y_true, y_pred = squeeze_or_expand_to_same_rank(xp.asarray(y_true), xp.asarray(y_pred))
    return (y_true == (y_pred > threshold)).astype("float64")


def categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals argmax(y_true) (one-hot labels)."""
    xp = array_module(y_true, y_pred)
    return (xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1)).astype("float64")


def _class_indices(y_true, y_pred):
    """Integer labels shaped like y_pred without its class axis ((n, 1) labels squeezed)."""
    xp = array_module(y_true, y_pred)
    y_true = xp.asarray(y_true)
    if y_true.ndim == getattr(y_pred, "ndim", 0) and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """1 where argmax(y_pred) equals the integer label."""
    xp = array_module(y_true, y_pred)
    return (_class_indices(y_true, y_pred) == xp.argmax(y_pred, axis=-1)).astype("float64")


def _in_top_k(labels, y_pred, k):
    """True where the label's score is at least the k-th largest score (ties count, as Keras)."""
    xp = array_module(labels, y_pred)
    y_pred = xp.asarray(y_pred)
    y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    labels = xp.asarray(labels).astype(np.int64).reshape(-1)
    k = min(k, y_pred.shape[-1])
    kth_largest = -xp.partition(-y_pred, k - 1, axis=-1)[:, k - 1]
    return xp.take_along_axis(y_pred, labels[:, None], -1)[:, 0] >= kth_largest


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1 where the one-hot label's class is among the k highest scores."""
    xp = array_module(y_true, y_pred)
    labels = xp.argmax(y_true, axis=-1)
    return _in_top_k(labels, y_pred, k).reshape(labels.shape).astype("float64")


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1 where the integer label is among the k highest scores. With ``from_sorted_ids``,
    y_pred already lists class ids best first and the label is looked for in its first k."""
    xp = array_module(y_true, y_pred)
    labels = _class_indices(y_true, y_pred)
    if from_sorted_ids:
        found = xp.any(xp.asarray(y_pred)[..., :k] == labels[..., None], axis=-1)
        return found.astype("float64")
    return _in_top_k(labels, y_pred, k).reshape(labels.shape).astype("float64")


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly (use the ``'accuracy'`` string for classes)."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) matches the 0/1 label."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is at the one-hot label's class."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the highest score is at the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest scores."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name, dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest scores."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name, dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k, self.from_sorted_ids = k, from_sorted_ids
