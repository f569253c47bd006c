"""Metrics (``keras.metrics``): streaming accuracy and friends, and the resolution of
``'accuracy'`` from the loss and the output shape, as Keras does it."""
import numpy as np

from ._registry import Registry


class Metric:
    """A streaming mean: ``update_state(y_true, y_pred, sample_weight=None)``, ``result()``,
    ``reset_state()``. Subclasses define ``values(y_true, y_pred)`` per sample."""

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__
        self.dtype = dtype
        self.reset_state()

    def values(self, y_true, y_pred):
        raise NotImplementedError

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self.values(np.asarray(y_true), np.asarray(y_pred))
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
        else:
            weights = np.asarray(sample_weight, dtype="float64").reshape(values.shape)
            self.total += float((values * weights).sum())
            self.count += float(weights.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0

    def reset_state(self):
        self.total = 0.0
        self.count = 0

    def get_config(self):
        return {"name": self.name}

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


registry = Registry("metric", base=Metric)


def _labels(y_true, n):
    return np.asarray(y_true).reshape(n).astype(np.int64)


@registry.register("SparseCategoricalAccuracy", "sparse_categorical_accuracy")
class SparseCategoricalAccuracy(Metric):
    """1 where argmax(y_pred) equals the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        return (np.argmax(y_pred, axis=-1) == _labels(y_true, len(y_pred))).astype("float64")


@registry.register("CategoricalAccuracy", "categorical_accuracy")
class CategoricalAccuracy(Metric):
    """1 where argmax(y_pred) equals argmax(y_true) (one-hot labels)."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(name, dtype)

    def values(self, y_true, y_pred):
        return (np.argmax(y_pred, axis=-1) == np.argmax(y_true, axis=-1)).astype("float64")


@registry.register("BinaryAccuracy", "binary_accuracy")
class BinaryAccuracy(Metric):
    """1 where (y_pred > threshold) equals y_true, averaged over the last axis."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(name, dtype)
        self.threshold = threshold

    def values(self, y_true, y_pred):
        y_true = np.asarray(y_true).reshape(y_pred.shape)
        return np.mean((y_pred > self.threshold) == (y_true > 0.5), axis=-1).astype("float64")


def get(identifier):
    return registry.get(identifier)


def resolve(identifier, loss, output_shape, y_true=None):
    """The metric object ``compile(metrics=[...])`` means. ``'accuracy'``/``'acc'`` become the
    binary, sparse or categorical accuracy as Keras picks them (named ``'accuracy'``)."""
    if isinstance(identifier, Metric):
        return identifier
    if identifier in ("accuracy", "acc"):
        cls = _accuracy_for(loss, output_shape, y_true)
        return cls(name=identifier)
    if isinstance(identifier, str):
        metric = registry.get(identifier)
        if isinstance(metric, Metric):
            metric.name = identifier
        return metric
    return registry.get(identifier)


def _accuracy_for(loss, output_shape, y_true=None):
    loss_name = getattr(loss, "name", "")
    if "binary" in loss_name or (output_shape and output_shape[-1] == 1):
        return BinaryAccuracy
    if "sparse" in loss_name:
        return SparseCategoricalAccuracy
    if y_true is not None and (y_true.ndim == 1 or y_true.shape[-1] == 1):
        return SparseCategoricalAccuracy
    return CategoricalAccuracy
