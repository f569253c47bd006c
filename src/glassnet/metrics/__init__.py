"""Metrics (``keras.metrics``): stateful objects that accumulate over batches
(``update_state`` / ``result`` / ``reset_state``), and the per-sample functions some of them
average.

- ``base``: ``Metric``, ``Sum``, ``Mean``, ``MeanMetricWrapper`` (a per-sample function averaged
  over every sample seen);
- ``accuracy_metrics``: accuracy, binary, categorical, sparse and top-k accuracy;
- ``regression_metrics``: the regression losses as metrics, ``RootMeanSquaredError``,
  ``R2Score``, the Pearson and concordance correlations;
- ``hinge_metrics``, ``probabilistic_metrics``: the hinge, KL, Poisson and cross-entropy
  losses as metrics;
- ``confusion_metrics``: confusion counts at thresholds and ``TruePositives`` ...
  ``FalseNegatives``; ``precision_recall_metrics``: ``Precision``, ``Recall`` and the ``*AtRecall`` /
  ``*AtPrecision`` / ``*AtSpecificity`` / ``*AtSensitivity`` family; ``auc_metrics``: ``AUC``;
- ``f_score_metrics``: ``FBetaScore``, ``F1Score``; ``iou_metrics``: the IoU family;
- ``lookup``: the registry of metric names, ``get`` / ``resolve`` / ``serialize`` /
  ``deserialize``.

Modules are named as Keras's (``keras/src/metrics/*_metrics.py``), so that none shadows a
function of the same name (``glassnet.metrics.accuracy`` is the function).
May import: glassnet.losses (a metric averages a per-sample loss) and the base part of glassnet
(config, backend, reductions, naming, _registry). Never layers, models or anything above them.
"""
from ..losses import (binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
                      categorical_focal_crossentropy, categorical_hinge, hinge, huber,
                      kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                      mean_squared_error, mean_squared_logarithmic_error, poisson,
                      sparse_categorical_crossentropy, squared_hinge)
from .accuracy_metrics import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                               SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                               TopKCategoricalAccuracy, accuracy, binary_accuracy,
                               categorical_accuracy, sparse_categorical_accuracy,
                               sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .auc_metrics import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion_metrics import (NEG_INF, FalseNegatives, FalsePositives, TrueNegatives,
                                TruePositives, confusion_counts)
from .f_score_metrics import F1Score, FBetaScore
from .hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from .iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .lookup import deserialize, get, registry, resolve, serialize
from .precision_recall_metrics import (Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
                                       SensitivityAtSpecificity, SpecificityAtSensitivity)
from .probabilistic_metrics import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence,
                                    Poisson, SparseCategoricalCrossentropy)
from .regression_metrics import (ConcordanceCorrelation, CosineSimilarity, LogCoshError,
                                 MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                                 MeanSquaredLogarithmicError, PearsonCorrelation, R2Score,
                                 RootMeanSquaredError, concordance_correlation, cosine_similarity,
                                 pearson_correlation)

__all__ = ["AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy", "BinaryIoU",
           "CategoricalAccuracy", "CategoricalCrossentropy", "CategoricalHinge",
           "ConcordanceCorrelation", "CosineSimilarity", "F1Score", "FBetaScore", "FalseNegatives",
           "FalsePositives", "Hinge", "IoU", "KLDivergence", "LogCoshError", "Mean",
           "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanIoU", "MeanMetricWrapper",
           "MeanSquaredError", "MeanSquaredLogarithmicError", "Metric", "NEG_INF", "OneHotIoU",
           "OneHotMeanIoU", "PearsonCorrelation", "Poisson", "Precision", "PrecisionAtRecall",
           "R2Score", "Recall", "RecallAtPrecision", "RootMeanSquaredError",
           "SensitivityAtSpecificity", "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy",
           "SparseTopKCategoricalAccuracy", "SpecificityAtSensitivity", "SquaredHinge", "Sum",
           "TopKCategoricalAccuracy", "TrueNegatives", "TruePositives", "accuracy",
           "binary_accuracy", "binary_crossentropy", "binary_focal_crossentropy",
           "categorical_accuracy", "categorical_crossentropy", "categorical_focal_crossentropy",
           "categorical_hinge", "concordance_correlation", "confusion_counts", "cosine_similarity",
           "deserialize", "get", "hinge", "huber", "kl_divergence", "log_cosh",
           "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
           "mean_squared_logarithmic_error", "pearson_correlation", "poisson", "registry",
           "resolve", "serialize", "sparse_categorical_accuracy", "sparse_categorical_crossentropy",
           "sparse_top_k_categorical_accuracy", "squared_hinge", "top_k_categorical_accuracy"]
