"""F-scores: ``FBetaScore`` and ``F1Score``, from the true and false positives and negatives."""
import numpy as np

from .. import config
from .base import Metric, _host


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
