"""The registry of metric names, and ``get`` / ``resolve`` (what ``compile(metrics=...)``
means) / ``serialize`` / ``deserialize``.
"""
import numpy as np

from .._registry import Registry
from .accuracy_metrics import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                               SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                               TopKCategoricalAccuracy)
from .auc_metrics import AUC
from .base import Mean, MeanMetricWrapper, Metric, Sum
from .confusion_metrics import FalseNegatives, FalsePositives, TrueNegatives, TruePositives
from .f_score_metrics import F1Score, FBetaScore
from .hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from .iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from .precision_recall_metrics import (Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
                                       SensitivityAtSpecificity, SpecificityAtSensitivity)
from .probabilistic_metrics import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence,
                                    Poisson, SparseCategoricalCrossentropy)
from .regression_metrics import (ConcordanceCorrelation, CosineSimilarity, LogCoshError,
                                 MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredError,
                                 MeanSquaredLogarithmicError, PearsonCorrelation, R2Score,
                                 RootMeanSquaredError)


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
    from ..naming import snake_case
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
