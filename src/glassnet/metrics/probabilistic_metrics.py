"""Probabilistic metrics: the Kullback-Leibler, Poisson and cross-entropy losses averaged over
every sample seen.
"""
from ..arrays import array_module
from ..losses import (binary_crossentropy, categorical_crossentropy, kl_divergence, poisson,
                      sparse_categorical_crossentropy)
from .accuracy_metrics import _class_indices
from .base import MeanMetricWrapper


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
