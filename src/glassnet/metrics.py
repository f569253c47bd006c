"""Metrics (``keras.metrics``): streaming accuracy and friends, and the resolution of
``'accuracy'`` from the shapes, as Keras 3 does it.

A metric accumulates over batches: ``update_state(y_true, y_pred, sample_weight=None)`` adds
a batch, ``result()`` is the value so far, ``reset_state()`` starts again. Most metrics are a
weighted mean of per-sample values (``MeanMetricWrapper`` around a per-sample function): the
result is sum_i w_i v_i / sum_i w_i over every sample seen, or the plain mean without weights.
The others keep counts as Keras does: confusion counts at thresholds (Precision, Recall, AUC,
the *At* metrics), per-class counts (F-scores), running sums (R2Score), a confusion matrix
(the IoU family); ``metric.variables`` lists that state in Keras's order.
"""

import math
import warnings

import numpy as np

from . import config, losses
from .backend import array_module, as_scalar, to_host
from ._registry import Registry
from .losses import (binary_focal_crossentropy, categorical_focal_crossentropy,  # noqa: F401
                     binary_crossentropy, categorical_crossentropy, categorical_hinge,
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

    variable_names = ()     # the state's attributes, in Keras's order of ``metric.variables``

    @property
    def variables(self):
        """The state as Keras's ``metric.variables`` lists it (e.g. Mean's total, count)."""
        return [np.asarray(float(getattr(self, name))) for name in self.variable_names]

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

    variable_names = ("total",)

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

    variable_names = ("total", "count")

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
        """As Keras 3: an ignored sample's loss is 0. With ``sample_weight`` its weight becomes 0
        (it leaves the mean); without, it still counts in the mean, as a 0 (Keras applies its
        mask to weights only). So y = [0, 1, 2] with ignore_class=0 averages over 3 samples."""
        xp = array_module(y_true, y_pred, sample_weight)
        ignore = self._fn_kwargs["ignore_class"]
        if ignore is not None and sample_weight is not None:
            mask = (_class_indices(y_true, y_pred) != ignore).astype("float64")
            sample_weight = xp.asarray(sample_weight, dtype="float64").reshape(mask.shape) * mask
        super().update_state(y_true, y_pred, sample_weight)


# -- confusion-matrix metrics: counts at thresholds, as keras/src/metrics/metrics_utils.py -----

NEG_INF = -1e10         # what Keras gives the scores outside the top k


def _host(array, dtype=None):
    """A NumPy array of ``array`` (fetched from the device if it is there): the metrics below
    count on the host, where their state lives (one small transfer per batch)."""
    return np.asarray(to_host(array), dtype=dtype)


def _divide_no_nan(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (Keras's ``divide_no_nan``)."""
    numerator, denominator = np.broadcast_arrays(np.asarray(numerator, "float64"),
                                                 np.asarray(denominator, "float64"))
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 0.0, numerator / safe)


def _check_thresholds(thresholds, default):
    """Thresholds as a list of numbers in [0, 1] (``default`` when None), as Keras."""
    if thresholds is None:
        return [default]
    listed = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) \
        else [thresholds]
    bad = [t for t in listed if t is None or not 0 <= t <= 1]
    if bad:
        raise ValueError(f"Threshold values must be in [0, 1]; got {bad}.")
    return [float(t) for t in listed]


def _evenly_spaced(thresholds):
    """Keras's test for thresholds i / (n - 1) (at least 3): they allow counting by buckets."""
    count = len(thresholds)
    even = np.arange(count, dtype=np.float32) / (count - 1) if count >= 3 else None
    return even is not None and bool(np.allclose(thresholds, even, atol=config.epsilon()))


def _top_k_only(y_pred, k):
    """Scores outside each row's k largest set to NEG_INF (Keras's ``_filter_top_k``)."""
    order = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(y_pred.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, y_pred, NEG_INF).astype(y_pred.dtype)


def confusion_counts(y_true, y_pred, thresholds, evenly=False, sample_weight=None, top_k=None,
                     class_id=None, multi_label=False, label_weights=None, dtype="float32"):
    """Weighted true/false positives/negatives at each threshold: a dict of arrays (T,), or
    (T, labels) with ``multi_label``. A prediction is positive above the threshold (strictly);
    a label is positive when not 0. Compared in the metric's ``dtype`` (float32, as Keras).

    With evenly spaced thresholds Keras counts by buckets, ceil(p (T - 1)) - 1 on p clipped to
    [0, 1], instead of comparing (the result differs only where p lies on a threshold); so do
    we, to give its numbers.
    """
    y_true = _host(y_true).astype(dtype)
    y_pred = _host(y_pred).astype(dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    weights = None
    if sample_weight is not None:
        weights = np.expand_dims(_host(sample_weight, dtype), -1)
        _, weights = squeeze_or_expand_to_same_rank(y_true, weights, expand_rank_1=False)
    if top_k is not None:
        y_pred = _top_k_only(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"class_id needs predictions of shape (samples, classes); got "
                             f"shape {y_pred.shape}.")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = np.broadcast_to(weights, y_pred.shape) if weights is not None \
        else np.ones(y_pred.shape, dtype)
    if label_weights is not None and not multi_label:
        weights = weights * np.broadcast_to(np.asarray(label_weights, dtype), y_pred.shape)
    positive = y_true.astype(bool)
    if not multi_label:
        y_pred, positive, weights = y_pred.reshape(-1), positive.reshape(-1), \
            weights.reshape(-1)
    else:
        y_pred, positive, weights = (a.reshape(a.shape[0], -1) for a in (y_pred, positive,
                                                                         weights))
    thresholds = np.asarray(thresholds, dtype="float64")
    count = _counts_by_bucket if evenly else _counts_by_comparison
    tp, fp = count(y_pred, positive, weights, thresholds, dtype)
    total_true = np.sum(np.where(positive, weights, 0.0), axis=0, dtype="float64")
    total_false = np.sum(np.where(positive, 0.0, weights), axis=0, dtype="float64")
    return {"tp": tp, "fp": fp, "tn": total_false - fp, "fn": total_true - tp}


def _counts_by_comparison(y_pred, positive, weights, thresholds, dtype):
    above = y_pred[None] > thresholds.astype(dtype).reshape((-1,) + (1,) * y_pred.ndim)
    true_weights = np.where(positive, weights, 0.0)
    false_weights = np.where(positive, 0.0, weights)
    return (np.sum(above * true_weights, axis=1, dtype="float64"),
            np.sum(above * false_weights, axis=1, dtype="float64"))


def _counts_by_bucket(y_pred, positive, weights, thresholds, dtype):
    steps = len(thresholds)
    bucket = np.ceil(np.clip(y_pred, 0, 1) * np.dtype(dtype).type(steps - 1)) - 1
    if thresholds[0] < 0 or thresholds[-1] > 1:     # -eps first: every p is above it
        bucket = np.maximum(bucket, 0)
    bucket = bucket.astype(np.int64)

    def above(label_weights):
        """sum of the weights of predictions above each threshold, per column."""
        columns = label_weights.reshape(len(label_weights), -1)
        buckets = bucket.reshape(len(bucket), -1)
        sums = np.zeros((steps, columns.shape[1]))
        for column in range(columns.shape[1]):
            kept = buckets[:, column] >= 0
            sums[:, column] = np.bincount(buckets[kept, column], columns[kept, column],
                                          minlength=steps)[:steps]
        counted = np.cumsum(sums[::-1], axis=0)[::-1]
        return counted.reshape((steps,) + label_weights.shape[1:])

    return (above(np.where(positive, weights, 0.0).astype("float64")),
            above(np.where(positive, 0.0, weights).astype("float64")))


class _ConfusionMetric(Metric):
    """A metric whose state is confusion counts at thresholds (the arrays of ``counted``)."""

    counted = ()            # which of "tp", "fp", "tn", "fn" it keeps, in Keras's order
    _names = {"tp": "true_positives", "fp": "false_positives", "tn": "true_negatives",
              "fn": "false_negatives"}

    def _float_dtype(self):
        return self.dtype or config.floatx()

    def _shape(self):
        return (len(self.thresholds),)

    def reset_state(self):
        for key in self.counted:
            setattr(self, self._names[key], np.zeros(self._shape()))

    @property
    def variables(self):
        return [getattr(self, self._names[key]) for key in self.counted]

    def _add(self, y_true, y_pred, sample_weight, **options):
        counts = confusion_counts(y_true, y_pred, self.thresholds, self._evenly, sample_weight,
                                  dtype=self._float_dtype(), **options)
        for key in self.counted:
            getattr(self, self._names[key])[...] += counts[key]

    def _one_or_all(self, values):
        return float(values[0]) if len(self.thresholds) == 1 else values

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"     # results may be arrays


class _ConditionCount(_ConfusionMetric):
    """TruePositives & co: the weighted count at each threshold (a number for one)."""

    _names = {key: "accumulator" for key in ("tp", "fp", "tn", "fn")}

    def __init__(self, thresholds=None, name=None, dtype=None):
        self.init_thresholds = thresholds
        self.thresholds = _check_thresholds(thresholds, 0.5)
        self._evenly = _evenly_spaced(self.thresholds)
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._add(y_true, y_pred, sample_weight)

    def result(self):
        return self._one_or_all(self.accumulator.copy())

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConditionCount):
    """Weighted count of positive labels predicted above the threshold (0.5 by default)."""
    counted = ("tp",)


class FalsePositives(_ConditionCount):
    """Weighted count of negative labels predicted above the threshold."""
    counted = ("fp",)


class TrueNegatives(_ConditionCount):
    """Weighted count of negative labels predicted at or below the threshold."""
    counted = ("tn",)


class FalseNegatives(_ConditionCount):
    """Weighted count of positive labels predicted at or below the threshold."""
    counted = ("fn",)


class _PrecisionRecall(_ConfusionMetric):
    """What Precision and Recall share: thresholds (0.5, or none with ``top_k``: the k highest
    scores of each row count as positive), ``class_id`` (one column only)."""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.thresholds = _check_thresholds(thresholds, 0.5 if top_k is None else NEG_INF)
        self._evenly = _evenly_spaced(self.thresholds)
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._add(y_true, y_pred, sample_weight, top_k=self.top_k, class_id=self.class_id)

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """tp / (tp + fp): of the samples predicted positive, the share that are (0 before any)."""
    counted = ("tp", "fp")

    def result(self):
        return self._one_or_all(_divide_no_nan(self.true_positives,
                                               self.true_positives + self.false_positives))


class Recall(_PrecisionRecall):
    """tp / (tp + fn): of the positive samples, the share predicted positive."""
    counted = ("tp", "fn")

    def result(self):
        return self._one_or_all(_divide_no_nan(self.true_positives,
                                               self.true_positives + self.false_negatives))


class _AtConstraint(_ConfusionMetric):
    """The best of one rate among the thresholds where another rate reaches ``value``
    (Keras's ``SensitivitySpecificityBase``): ``num_thresholds`` evenly in [0, 1]."""

    counted = ("tp", "fp", "tn", "fn")
    constraint = ""             # the argument's name: "recall", "specificity", ...

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        if not 0 <= value <= 1:
            raise ValueError(f"Argument `{self.constraint}` must be in the range [0, 1]. "
                             f"Received: {self.constraint}={value}")
        if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) \
                or num_thresholds <= 0:
            raise ValueError(f"num_thresholds must be an integer > 0; got {num_thresholds!r}.")
        self.value, self.num_thresholds, self.class_id = value, num_thresholds, class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._add(y_true, y_pred, sample_weight, class_id=self.class_id)

    def _rates(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        return {"recall": _divide_no_nan(tp, tp + fn), "precision": _divide_no_nan(tp, tp + fp),
                "specificity": _divide_no_nan(tn, tn + fp)}

    def _best(self, constrained, dependent):
        rates = self._rates()
        feasible = rates[constrained] >= self.value
        return float(np.max(np.where(feasible, rates[dependent], 0.0), initial=0.0))

    def get_config(self):
        return {**super().get_config(), "class_id": self.class_id,
                "num_thresholds": self.num_thresholds, self.constraint: self.value}


class SensitivityAtSpecificity(_AtConstraint):
    """The best recall (sensitivity) where specificity tn / (tn + fp) >= ``specificity``."""
    constraint = "specificity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(specificity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("specificity", "recall")


class SpecificityAtSensitivity(_AtConstraint):
    """The best specificity where recall (sensitivity) >= ``sensitivity``."""
    constraint = "sensitivity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("recall", "specificity")


class PrecisionAtRecall(_AtConstraint):
    """The best precision where recall >= ``recall``."""
    constraint = "recall"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(recall, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("recall", "precision")


class RecallAtPrecision(_AtConstraint):
    """The best recall where precision >= ``precision``."""
    constraint = "precision"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(precision, num_thresholds, class_id, name, dtype)

    def result(self):
        return self._best("precision", "recall")


class AUC(_ConfusionMetric):
    """Area under the ROC or precision-recall curve, from confusion counts at
    ``num_thresholds`` thresholds (-eps, 1/(T-1), ..., 1 + eps), as Keras.

    ``summation_method``: "interpolation" (trapezoids; for PR, Davis & Goadrich's
    interpolation of precision between thresholds), "minoring" or "majoring" (rectangles of
    the lower or upper height). ``curve``: "ROC", "PR" or "PRGAIN". ``multi_label``: one curve
    per column, their AUCs averaged (weighted by ``label_weights``); otherwise every column is
    one more sample. ``from_logits``: sigmoid first.
    """

    counted = ("tp", "fp", "tn", "fn")
    CURVES, SUMMATIONS = ("ROC", "PR", "PRGAIN"), ("interpolation", "majoring", "minoring")

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self.curve = _choice(curve, self.CURVES, "curve", upper=True)
        self.summation_method = _choice(summation_method, self.SUMMATIONS, "summation_method")
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(_check_thresholds(thresholds, 0.5))
            self.num_thresholds = len(inner) + 2
            self._evenly = _evenly_spaced([0.0] + inner + [1.0])
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, int) \
                    or num_thresholds <= 1:
                raise ValueError(f"num_thresholds must be an integer > 1; got "
                                 f"{num_thresholds!r}.")
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self.thresholds = [0.0 - config.epsilon()] + inner + [1.0 + config.epsilon()]
        if num_labels and not multi_label:
            raise ValueError("`num_labels` is needed only when `multi_label` is True.")
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else list(label_weights)
        self.from_logits = from_logits
        self._labels = num_labels
        super().__init__(name, dtype)

    def _shape(self):
        return (self.num_thresholds, self._labels) if self.multi_label else \
            (self.num_thresholds,)

    def reset_state(self):
        if not self.multi_label or self._labels:
            super().reset_state()

    @property
    def variables(self):
        return super().variables if not self.multi_label or self._labels else []

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = _host(y_pred)
        if self.multi_label and not self._labels:
            if y_pred.ndim != 2:
                raise ValueError(f"AUC(multi_label=True) needs predictions of shape (samples, "
                                 f"labels); got shape {y_pred.shape}.")
            self._labels = y_pred.shape[1]
            super().reset_state()
        if self.from_logits:
            from .activations import sigmoid
            y_pred = sigmoid(y_pred.astype(self._float_dtype()))
        self._add(y_true, y_pred, sample_weight, multi_label=self.multi_label,
                  label_weights=None if self.multi_label else self.label_weights)

    def _average(self, by_label):
        """Sum over thresholds, then the (weighted) mean over labels with multi_label."""
        area = np.sum(by_label, axis=0)
        if not self.multi_label:
            return float(area)
        if self.label_weights is None:
            return float(np.mean(area))
        weights = np.asarray(self.label_weights, "float64")
        return float(_divide_no_nan(np.sum(area * weights), np.sum(weights)))

    def interpolate_pr_auc(self):
        """Davis & Goadrich (2006): precision interpolated between thresholds, integrated
        exactly over recall (Keras's formula)."""
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:-1] - tp[1:]
        predicted = tp + fp
        dp = predicted[:-1] - predicted[1:]
        slope = _divide_no_nan(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * predicted[1:]
        both = (predicted[:-1] > 0) & (predicted[1:] > 0)
        ratio = np.where(both, _divide_no_nan(predicted[:-1], np.maximum(predicted[1:], 0)), 1.0)
        with np.errstate(divide="ignore"):
            log_ratio = np.log(ratio)
        increment = _divide_no_nan(slope * (dtp + intercept * log_ratio),
                                   np.maximum(tp[1:] + fn[1:], 0))
        return self._average(increment)

    def result(self):
        if self.multi_label and not self._labels:
            return 0.0
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        x, y = self._curve()
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return self._average((x[:-1] - x[1:]) * heights)

    def _curve(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        recall = _divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            return _divide_no_nan(fp, fp + tn), recall
        if self.curve == "PR":
            return recall, _divide_no_nan(tp, tp + fp)
        scale = _divide_no_nan(tp + fn, tn + fp)                    # PRGAIN: P / N
        recall_gain = np.where(tp == 0, 0.0, 1.0 - scale * _divide_no_nan(fn, tp))
        precision_gain = np.where(tp == 0, 1.0, 1.0 - scale * _divide_no_nan(fp, tp))
        return np.maximum(recall_gain, 0.0), precision_gain

    def get_config(self):
        config_ = {**super().get_config(), "num_thresholds": self.num_thresholds,
                   "curve": self.curve, "summation_method": self.summation_method,
                   "multi_label": self.multi_label, "num_labels": self.num_labels,
                   "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_from_thresholds:
            config_["thresholds"] = self.thresholds[1:-1]
        return config_


def _choice(value, allowed, name, upper=False):
    key = value.upper() if upper and isinstance(value, str) else value
    if isinstance(value, str) and not upper:
        key = value.lower()
    if key not in allowed:
        raise ValueError(f"Invalid {name} {value!r}: use one of {', '.join(map(repr, allowed))}.")
    return key


# -- F-scores ---------------------------------------------------------------------------------

class FBetaScore(Metric):
    """F-beta = (1 + beta^2) P R / (beta^2 P + R) per class, from weighted tp, fp, fn (each
    division with eps = 1e-7 added below, as Keras). A prediction counts as positive above
    ``threshold``, or, with None, where it is the row's largest (and not 0).
    ``average``: None (one score per class), "micro" (counts pooled), "macro" (mean of the
    scores), "weighted" (mean weighted by each class's labels). Needs (samples, classes)."""

    AVERAGES = (None, "micro", "macro", "weighted")

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        if average not in self.AVERAGES:
            raise ValueError(f"Invalid average {average!r}: use one of None, 'micro', 'macro', "
                             f"'weighted'.")
        if isinstance(beta, bool) or not isinstance(beta, (int, float)) or beta <= 0:
            raise ValueError(f"beta must be a number > 0; got {beta!r}.")
        if threshold is not None and (isinstance(threshold, bool) or not isinstance(
                threshold, (int, float)) or not 0 < threshold <= 1):
            raise ValueError(f"threshold must be None or a number with 0 < threshold <= 1; "
                             f"got {threshold!r}.")
        self.average, self.beta, self.threshold = average, float(beta), threshold
        self.axis = None if average == "micro" else 0
        self._built = False         # as Keras: the state's shape comes with the first batch
        super().__init__(name, dtype)

    def reset_state(self):
        for variable in self.variables:
            variable[...] = 0

    @property
    def variables(self):
        if not self._built:
            return []
        return [self.true_positives, self.false_positives, self.false_negatives,
                self.intermediate_weights]

    def _build(self, y_true, y_pred):
        if y_pred.ndim != 2 or y_true.ndim != 2:
            raise ValueError(f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={y_pred.shape} "
                             f"and y_true.shape={y_true.shape}.")
        shape = () if self.average == "micro" else (y_pred.shape[-1],)
        self.true_positives, self.false_positives, self.false_negatives, \
            self.intermediate_weights = (np.zeros(shape) for _ in range(4))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        dtype = self.dtype or config.floatx()
        y_true = _host(y_true).astype(dtype)
        y_pred = _host(y_pred).astype(dtype)
        if not self._built:
            self._build(y_true, y_pred)
        if self.threshold is None:
            top = np.max(y_pred, axis=-1, keepdims=True)
            predicted = (y_pred >= top) & (np.abs(y_pred) > 1e-9)
        else:
            predicted = y_pred > self.threshold
        predicted = predicted.astype("float64")
        y_true = y_true.astype("float64")
        weights = None if sample_weight is None else \
            _host(sample_weight, "float64").reshape(-1, 1)

        def total(values):
            return np.sum(values if weights is None else values * weights, axis=self.axis)

        self.true_positives += total(predicted * y_true)
        self.false_positives += total(predicted * (1 - y_true))
        self.false_negatives += total((1 - predicted) * y_true)
        self.intermediate_weights += total(y_true)

    def result(self):
        if not self._built:
            return 0.0
        eps = config.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta2 = self.beta ** 2
        score = precision * recall / (beta2 * precision + recall + eps) * (1 + beta2)
        if self.average == "weighted":
            weights = self.intermediate_weights / (np.sum(self.intermediate_weights) + eps)
            return float(np.sum(score * weights))
        if self.average is not None:
            return float(np.mean(score))
        return score

    def get_config(self):
        return {**super().get_config(), "average": self.average, "beta": self.beta,
                "threshold": self.threshold}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"     # results may be arrays


class F1Score(FBetaScore):
    """F-beta with beta = 1: the harmonic mean of precision and recall, 2 P R / (P + R)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average, 1.0, threshold, name, dtype)

    def get_config(self):
        config_ = super().get_config()
        del config_["beta"]
        return config_


# -- regression: R2 and correlations ----------------------------------------------------------

class R2Score(Metric):
    """The coefficient of determination per output, 1 - sum w (y - p)^2 / sum w (y - ybar)^2,
    from running weighted sums (so it streams exactly); averaged over outputs by
    ``class_aggregation`` ("uniform_average", "variance_weighted_average" or None: one per
    output). ``num_regressors`` p > 0 gives the adjusted score 1 - (1 - R2)(n - 1)/(n - p - 1)
    with n counted as Keras counts it (every entry of y_true)."""

    AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")

    def __init__(self, class_aggregation="uniform_average", num_regressors=0, name="r2_score",
                 dtype=None):
        if class_aggregation not in self.AGGREGATIONS:
            raise ValueError(f"Invalid class_aggregation {class_aggregation!r}: use one of "
                             f"{self.AGGREGATIONS}.")
        if num_regressors < 0:
            raise ValueError(f"num_regressors must be >= 0; got {num_regressors!r}.")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self._built = False         # the per-output sums come with the first batch
        self.num_samples = np.zeros(())
        super().__init__(name, dtype)

    def reset_state(self):
        for variable in self.variables:
            variable[...] = 0

    @property
    def variables(self):
        built = [self.squared_sum, self.sum, self.total_mse, self.count] if self._built else []
        return [self.num_samples] + built

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _host(y_true, "float64")
        y_pred = _host(y_pred, "float64")
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            if y_pred.ndim != 2 or y_true.ndim != 2:
                raise ValueError(f"R2Score expects 2D inputs with shape (batch_size, "
                                 f"output_dim); got y_true.shape={y_true.shape} and "
                                 f"y_pred.shape={y_pred.shape}.")
            self.squared_sum, self.sum, self.total_mse, self.count = \
                (np.zeros(y_pred.shape[-1]) for _ in range(4))
            self._built = True
        weights = _host(1.0 if sample_weight is None else sample_weight, "float64")
        if weights.ndim == 1:
            weights = weights[:, None]
        weights = np.broadcast_to(weights, y_true.shape)
        self.sum += np.sum(y_true * weights, axis=0)
        self.squared_sum += np.sum(y_true * y_true * weights, axis=0)
        self.total_mse += np.sum(np.square(y_true - y_pred) * weights, axis=0)
        self.count += np.sum(weights, axis=0)
        self.num_samples += y_true.size

    def result(self):
        if not self._built:
            return 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.sum / self.count
            total = self.squared_sum - self.sum * mean
            raw = 1 - self.total_mse / total
        raw = np.where(np.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            score = np.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = np.sum(total * raw) / np.sum(total)
        else:
            score = raw
        n, p = float(self.num_samples), self.num_regressors
        if p:
            if p > n - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif p == n - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to "
                              "standard R2 score.", stacklevel=2)
            else:
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return float(score) if np.ndim(score) == 0 else score

    def get_config(self):
        return {**super().get_config(), "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"     # results may be arrays


def pearson_correlation(y_true, y_pred, axis=-1):
    """Per-sample Pearson correlation between y_true and y_pred along ``axis`` (Keras's: each
    sample's outputs are the paired values), population standard deviations."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    true_centered = y_true - np.mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - np.mean(y_pred, axis=axis, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        true_centered = true_centered / np.std(true_centered, axis=axis, keepdims=True)
        pred_centered = pred_centered / np.std(pred_centered, axis=axis, keepdims=True)
    return np.mean(true_centered * pred_centered, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Per-sample concordance correlation along ``axis``, exactly as Keras 3 computes it:
    mean(2 (y - mean(p)) (p - mean(p))) / (var(y) + var(p) + (mean(y) - mean(p))^2 + eps)."""
    y_true, y_pred = _float_pair(y_true, y_pred)
    true_mean = np.mean(y_true, axis=axis, keepdims=True)
    pred_mean = np.mean(y_pred, axis=axis, keepdims=True)
    true_var = np.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = np.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)     # Keras's form, kept
    norm = true_var + pred_var + np.square(true_mean - pred_mean)
    return np.mean(2 * covariance / (norm + config.epsilon()), axis=axis)


def _float_pair(y_true, y_pred):
    y_pred = _host(y_pred, "float64")
    return squeeze_or_expand_to_same_rank(_host(y_true, "float64"), y_pred)


class PearsonCorrelation(MeanMetricWrapper):
    """Mean over samples of each sample's Pearson correlation along ``axis``."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name, dtype, axis=axis)
        self.axis = axis


class ConcordanceCorrelation(MeanMetricWrapper):
    """Mean over samples of each sample's concordance correlation along ``axis``."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name, dtype, axis=axis)
        self.axis = axis


# -- IoU (intersection over union) from a confusion matrix ------------------------------------

class IoU(Metric):
    """Intersection over union per class, tp / (tp + fp + fn), from a running confusion
    matrix (rows: labels, columns: predictions), averaged over ``target_class_ids`` that occur.

    Labels and predictions are class ids (``sparse_y_true`` / ``sparse_y_pred``), or rows of
    scores whose argmax along ``axis`` is taken; ids outside 0..num_classes-1 and
    ``ignore_class`` are left out. The matrix is kept in ``dtype`` ("int" by default, as
    Keras: float sample weights are truncated, with Keras's warning).
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        self.num_classes, self.ignore_class, self.axis = num_classes, ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)
        super().__init__(name, "int32" if dtype in (None, "int") else dtype)

    def reset_state(self):
        self.total_cm = np.zeros((self.num_classes, self.num_classes), dtype=self.dtype)

    @property
    def variables(self):
        return [self.total_cm]

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = np.argmax(_host(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = np.argmax(_host(y_pred), axis=self.axis)
        y_true = _host(y_true).astype(self.dtype).reshape(-1)
        y_pred = _host(y_pred).astype(self.dtype).reshape(-1)
        if sample_weight is not None and _host(sample_weight).dtype.kind == "f" \
                and np.dtype(self.dtype).kind in "iu":
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.", stacklevel=2)
        weights = _host(1 if sample_weight is None else sample_weight).astype(self.dtype)
        weights = np.broadcast_to(weights.reshape(-1) if weights.ndim > 1 else weights,
                                  y_true.shape)
        kept = (y_true >= 0) & (y_true < self.num_classes) & (y_pred >= 0) & \
            (y_pred < self.num_classes)
        if self.ignore_class is not None:
            kept &= y_true != self.ignore_class
        np.add.at(self.total_cm, (y_true[kept].astype(np.int64), y_pred[kept].astype(np.int64)),
                  weights[kept])

    def result(self):
        matrix = self.total_cm.astype("float64")
        true_positives = np.diag(matrix)
        denominator = matrix.sum(axis=0) + matrix.sum(axis=1) - true_positives
        ids = self.target_class_ids
        true_positives, denominator = true_positives[ids], denominator[ids]
        valid = denominator > 1e-9
        iou = np.where(valid, true_positives / (denominator + config.epsilon()), 0.0)
        return float(np.sum(iou) / (np.sum(valid) + config.epsilon()))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of two classes: a prediction is class 1 at or above ``threshold``."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name, dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        predicted = _host(y_pred).astype("float32") >= self.threshold
        super().update_state(y_true, predicted, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over every class."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name, dtype, ignore_class,
                         sparse_y_true, sparse_y_pred, axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot labels (and score rows as predictions unless ``sparse_y_pred``)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name, dtype, ignore_class, False,
                         sparse_y_pred, axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and score rows as predictions unless ``sparse_y_pred``)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name, dtype, ignore_class, False, sparse_y_pred, axis)

    def get_config(self):
        config_ = super().get_config()
        del config_["sparse_y_true"]
        return config_


# -- registry and resolution -----------------------------------------------------------------

registry = Registry("metric", base=Metric)
_CLASSES = (Mean, Sum, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
            TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
            RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, TruePositives, TrueNegatives, FalsePositives,
            FalseNegatives, Precision, Recall, AUC, PrecisionAtRecall, RecallAtPrecision,
            SensitivityAtSpecificity, SpecificityAtSensitivity, F1Score, FBetaScore, R2Score,
            PearsonCorrelation, ConcordanceCorrelation, IoU, BinaryIoU, MeanIoU, OneHotIoU,
            OneHotMeanIoU)
_ALIASES = {MeanSquaredError: ("mse", "MSE"), MeanAbsoluteError: ("mae", "MAE"),
            MeanAbsolutePercentageError: ("mape", "MAPE"),
            MeanSquaredLogarithmicError: ("msle", "MSLE"), BinaryCrossentropy: ("bce", "BCE")}


def _register_classes():
    from .naming import snake_case
    for cls in _CLASSES:
        registry.register(cls.__name__, snake_case(cls.__name__), *_ALIASES.get(cls, ()))(cls)


_register_classes()

def get(identifier):
    """Keras's ``metrics.get``: a class name or its snake-case name (or 'mse', 'mae', 'mape',
    'msle', 'bce') gives an instance; a config dict the object; a callable itself."""
    return registry.get(identifier)


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
