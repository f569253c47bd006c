"""Confusion-matrix counts at thresholds, as keras/src/metrics/metrics_utils.py: the counting
(``confusion_counts``), the base of every metric built on it, and the four counts
``TruePositives``, ``FalsePositives``, ``TrueNegatives``, ``FalseNegatives``.
"""
import numpy as np

from .. import config
from ..reductions import squeeze_or_expand_to_same_rank
from .base import Metric, _host


NEG_INF = -1e10         # what Keras gives the scores outside the top k


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
