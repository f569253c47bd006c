"""Intersection over union from a confusion matrix: ``IoU``, ``BinaryIoU``, ``MeanIoU``,
``OneHotIoU``, ``OneHotMeanIoU``.
"""
import warnings

import numpy as np

from .. import config
from .base import Metric, _host


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
