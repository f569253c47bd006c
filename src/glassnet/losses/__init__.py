"""Losses (``keras.losses``): each loss's value beside its gradient.

A loss object is called as Keras calls it, ``loss(y_true, y_pred, sample_weight=None)``, and
returns the reduced value. ``loss.call(y_true, y_pred)`` gives per-sample values ``l_i`` and
``loss.gradient(y_true, y_pred, sample_weight)`` the gradient of the reduced value with respect
to ``y_pred``: each sample's d l_i / d y_pred times its factor c_i from the reduction (the
reductions and ``sample_weight`` are Keras 3's, in ``glassnet.reductions``).

Fusion: softmax followed by cross-entropy (and sigmoid followed by binary cross-entropy) has the
gradient ``(p - y) * c_i`` on the logits (divided by the number of outputs for the binary
loss, which averages over them). ``fuses_with`` names that activation and ``logits_gradient``
gives it; the model uses it instead of chaining two Jacobians. Where the clip at 1e-7 is
active the chained gradient is 0 and the fused one is not: fused is what Keras's TensorFlow
backend computes (it recovers the logits from the softmax), and it is the one that learns.

- ``base``: ``Loss`` and the checks and numerically stable helpers the families share;
- ``regression``: squared, absolute, percentage, squared-log errors, Huber, log-cosh, cosine;
- ``margin``: the hinge losses; ``probabilistic``: KL divergence, Poisson;
- ``crossentropy``: binary, categorical, sparse categorical, ``Crossentropy`` (picks one);
- ``focal``: the focal and the generalized cross-entropies;
- ``segmentation``: Dice, Tversky; ``metric_learning``: Circle;
- ``functions``: Keras's per-sample functions (``mean_squared_error``, ``'mse'``), the name
  registry, ``get`` / ``resolve`` / ``serialize`` / ``deserialize``.

May import: the base part of glassnet (config, arrays, reductions, naming, _registry); the
family modules import ``base`` (focal also ``crossentropy``), ``functions`` imports them all.
Never layers, models or anything above them.
"""
from ..reductions import (REDUCTIONS, reduce_weighted_values, reduction_factors,
                          squeeze_or_expand_to_same_rank)
from .base import Loss
from .crossentropy import (BinaryCrossentropy, CategoricalCrossentropy, Crossentropy,
                           SparseCategoricalCrossentropy)
from .focal import (BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
                    CategoricalGeneralizedCrossEntropy)
from .functions import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                        categorical_focal_crossentropy, categorical_generalized_cross_entropy,
                        categorical_hinge, circle, cosine_similarity, deserialize, dice, get, hinge,
                        huber, kl_divergence, log_cosh, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error,
                        mean_squared_logarithmic_error, poisson, registry, resolve, serialize,
                        sparse_categorical_crossentropy, squared_hinge, tversky)
from .margin import CategoricalHinge, Hinge, SquaredHinge
from .metric_learning import Circle
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError)
from .segmentation import Dice, Tversky

__all__ = ["BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
           "CategoricalFocalCrossentropy", "CategoricalGeneralizedCrossEntropy", "CategoricalHinge",
           "Circle", "CosineSimilarity", "Crossentropy", "Dice", "Hinge", "Huber", "KLDivergence",
           "LogCosh", "Loss", "MeanAbsoluteError", "MeanAbsolutePercentageError",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Poisson", "REDUCTIONS",
           "SparseCategoricalCrossentropy", "SquaredHinge", "Tversky", "binary_crossentropy",
           "binary_focal_crossentropy", "categorical_crossentropy",
           "categorical_focal_crossentropy", "categorical_generalized_cross_entropy",
           "categorical_hinge", "circle", "cosine_similarity", "deserialize", "dice", "get",
           "hinge", "huber", "kl_divergence", "log_cosh", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
           "poisson", "reduce_weighted_values", "reduction_factors", "registry", "resolve",
           "serialize", "sparse_categorical_crossentropy", "squared_hinge",
           "squeeze_or_expand_to_same_rank", "tversky"]
