"""Metrics (``keras.metrics``): streaming accuracy and friends, and the resolution of
``'accuracy'`` from the shapes, as Keras 3 does it.

A metric accumulates over batches: ``update_state(y_true, y_pred, sample_weight=None)`` adds
a batch, ``result()`` is the value so far, ``reset_state()`` starts again. Most metrics are a
weighted mean of per-sample values (``MeanMetricWrapper`` around a per-sample function): the
result is sum_i w_i v_i / sum_i w_i over every sample seen, or the plain mean without weights.
"""

import math

import numpy as np

from . import losses
from .backend import array_module, as_scalar
from ._registry import Registry, UnknownNameError
from .losses import (binary_crossentropy, categorical_crossentropy, categorical_hinge,  # noqa: F401
                     hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
                     mean_absolute_percentage_error, mean_squared_error,
                     mean_squared_logarithmic_error, poisson, sparse_categorical_crossentropy,
                     squared_hinge)
from .reductions import squeeze_or_expand_to_same_rank


class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; ``get_config`` for saving."""

    def __init__(self, name=None, dtype=None):
        from .naming import snake_case
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the result, as Keras's ``metric(y_true, y_pred)``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} result={float(self.result()):.6g}>"


def _samplewise(values, sample_weight, reduce):
    """Keras's ``reduce_to_samplewise_values``: one value per sample, weighted, and the weights.

    Values with more dimensions than the weights are first reduced over the extra ones;
    weights with more than one dimension are reduced over all but the first.
    """
    xp = array_module(values, sample_weight)
    values = xp.asarray(values, dtype="float64")
    if sample_weight is not None:
        weights = xp.asarray(sample_weight, dtype="float64")
        values, weights = squeeze_or_expand_to_same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        weights = xp.broadcast_to(weights, values.shape)
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    else:
        weights = None
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class Sum(Metric):
    """The running (weighted) sum of every value."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None):
        xp = array_module(values, sample_weight)
        values, _ = _samplewise(values, sample_weight, xp.sum)
        self.total += as_scalar(xp.sum(values))      # stays on the device: no fetch per batch

    def reset_state(self):
        self.total = 0.0

    def result(self):
        return self.total


class Mean(Metric):
    """The running weighted mean: sum_i w_i v_i / sum_i w_i (0 before any sample)."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None):
        xp = array_module(values, sample_weight)
        values, weights = _samplewise(values, sample_weight, xp.mean)
        self.total += as_scalar(xp.sum(values))      # stays on the device: no fetch per batch
        if weights is not None:
            self.count += as_scalar(xp.sum(weights))
        else:
            self.count += values.shape[0] if values.ndim else 1

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


# -- accuracy ---------------------------------------------------------------------------------

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


# -- loss-style metrics (the per-sample loss, averaged over every sample seen) ---------------

class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name, dtype)


class MeanSquaredLogarithmicError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name, dtype)


class LogCoshError(MeanMetricWrapper):
    """Mean log-cosh error; Keras names it ``'logcosh'``."""

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(log_cosh, name, dtype)


def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample cosine similarity (positive: 1 is best, unlike the loss)."""
    return -losses.cosine_similarity(y_true, y_pred, axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """Mean cosine similarity between labels and predictions (1 is best)."""

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name, dtype, axis=axis)


class RootMeanSquaredError(Mean):
    """sqrt of the running (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp = array_module(y_true, y_pred, sample_weight)
        y_pred = xp.asarray(y_pred, dtype="float64")
        y_true, y_pred = squeeze_or_expand_to_same_rank(xp.asarray(y_true, dtype="float64"),
                                                        y_pred)
        super().update_state(xp.square(y_pred - y_true), sample_weight)

    def result(self):
        return math.sqrt(float(super().result()))


class Hinge(MeanMetricWrapper):
    def __init__(self, name="hinge", dtype=None):
        super().__init__(hinge, name, dtype)


class SquaredHinge(MeanMetricWrapper):
    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name, dtype)


class CategoricalHinge(MeanMetricWrapper):
    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name, dtype)


class KLDivergence(MeanMetricWrapper):
    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name, dtype)


class Poisson(MeanMetricWrapper):
    def __init__(self, name="poisson", dtype=None):
        super().__init__(poisson, name, dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(binary_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing)


class CategoricalCrossentropy(MeanMetricWrapper):
    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(categorical_crossentropy, name, dtype, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(sparse_categorical_crossentropy, name, dtype, from_logits=from_logits,
                         ignore_class=ignore_class, axis=axis)

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp = array_module(y_true, y_pred, sample_weight)
        ignore = self._fn_kwargs["ignore_class"]
        if ignore is not None:                 # ignored samples count for nothing (Keras's mask)
            mask = (_class_indices(y_true, y_pred) != ignore).astype("float64")
            sample_weight = mask if sample_weight is None else \
                xp.asarray(sample_weight, dtype="float64").reshape(mask.shape) * mask
        super().update_state(y_true, y_pred, sample_weight)


# -- registry and resolution -----------------------------------------------------------------

registry = Registry("metric", base=Metric)
_CLASSES = (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
            RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy)
_ALIASES = {MeanSquaredError: ("mse", "MSE"), MeanAbsoluteError: ("mae", "MAE"),
            MeanAbsolutePercentageError: ("mape", "MAPE"),
            MeanSquaredLogarithmicError: ("msle", "MSLE"), BinaryCrossentropy: ("bce", "BCE")}


def _register_classes():
    from .naming import snake_case
    for cls in _CLASSES:
        registry.register(cls.__name__, snake_case(cls.__name__), *_ALIASES.get(cls, ()))(cls)


_register_classes()

# Keras metrics glassnet does not have: a clear word instead of "unknown".
_KERAS_ONLY = ("AUC", "Precision", "Recall", "PrecisionAtRecall", "RecallAtPrecision",
               "SensitivityAtSpecificity", "SpecificityAtSensitivity", "TruePositives",
               "TrueNegatives", "FalsePositives", "FalseNegatives", "F1Score", "FBetaScore",
               "IoU", "BinaryIoU", "MeanIoU", "OneHotIoU", "OneHotMeanIoU", "R2Score",
               "PearsonCorrelation", "ConcordanceCorrelation")


def get(identifier):
    """Keras's ``metrics.get``: a class name or its snake-case name (or 'mse', 'mae', 'mape',
    'msle', 'bce') gives an instance; a config dict the object; a callable itself."""
    try:
        return registry.get(identifier)
    except UnknownNameError:
        from .naming import snake_case
        if any(identifier in (name, snake_case(name), name.lower()) for name in _KERAS_ONLY):
            raise UnknownNameError(
                f"Keras's metric {identifier!r} is not available in glassnet yet. Available: "
                f"'accuracy' and {', '.join(repr(n) for n in registry._public_names())}.") from None
        raise


def resolve(identifier, loss=None, output_shape=None, y_true=None):
    """The metric ``compile(metrics=[...])`` means, as Keras 3's ``get_metric``.

    ``'accuracy'``/``'acc'`` (any case) become binary accuracy when the model has one output
    unit, sparse categorical accuracy when the labels are class indices (fewer dimensions than
    the outputs, or one column against several units), categorical accuracy otherwise; the
    loss plays no part. A metric named by a string keeps that string as its name (the History
    key); an instance keeps its own name and is reset here, since each epoch starts anew.
    Before the shapes are known (``output_shape`` None) the loss stands in for them.
    """
    if identifier is None:
        raise ValueError("A metric is None: pass a name such as 'accuracy' or a Metric.")
    if isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc"):
        return _accuracy_for(output_shape, y_true, loss)(name=identifier)
    if isinstance(identifier, Metric):
        identifier.reset_state()
        return identifier
    metric = get(identifier)
    if not isinstance(metric, Metric):
        if not callable(metric):
            raise TypeError(f"Could not interpret metric {identifier!r}: pass a name such as "
                            f"'accuracy' or 'mse', a glassnet.metrics.Metric, or a function "
                            f"f(y_true, y_pred) giving one value per sample.")
        metric = MeanMetricWrapper(metric)
    if isinstance(identifier, str):
        metric.name = identifier
    return metric


def _accuracy_for(output_shape, y_true, loss):
    if output_shape is None:
        name = getattr(loss, "name", "") or ""
        if "binary" in name:
            return BinaryAccuracy
        return SparseCategoricalAccuracy if "sparse" in name else CategoricalAccuracy
    units = output_shape[-1]
    if units == 1:
        return BinaryAccuracy
    if y_true is not None:
        y_shape = y_true.shape if hasattr(y_true, "shape") else np.shape(y_true)
        if len(y_shape) < len(output_shape) or (y_shape[-1] == 1 and units > 1):
            return SparseCategoricalAccuracy
    return CategoricalAccuracy


def serialize(metric):
    return registry.serialize(metric)


def deserialize(config):
    return registry.deserialize(config)
