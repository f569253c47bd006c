"""Precision and recall from confusion counts, and the metrics that read one at a constraint
on the other (``PrecisionAtRecall``, ``RecallAtPrecision``, ``SensitivityAtSpecificity``,
``SpecificityAtSensitivity``).
"""
import numpy as np

from .confusion_metrics import (NEG_INF, _check_thresholds, _ConfusionMetric, _divide_no_nan,
                                _evenly_spaced)


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
