"""The area under the ROC or precision-recall curve (``AUC``), from confusion counts at
thresholds.
"""
import numpy as np

from .. import config
from .base import _host
from .confusion_metrics import _check_thresholds, _ConfusionMetric, _divide_no_nan, _evenly_spaced


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
            from ..activations import sigmoid
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
