"""Regression metrics: the regression losses averaged over every sample seen (squared,
absolute, percentage, squared-log, log-cosh errors, cosine similarity), root mean squared
error, R2 and the Pearson and concordance correlations.
"""
import math
import warnings

import numpy as np

from .. import config, losses
from ..arrays import array_module
from ..losses import (log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                      mean_squared_error, mean_squared_logarithmic_error)
from ..reductions import squeeze_or_expand_to_same_rank
from .base import Mean, MeanMetricWrapper, Metric, _host


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
