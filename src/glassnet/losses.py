"""Losses (``keras.losses``): each loss's value beside its gradient.

A loss object is called as Keras calls it, ``loss(y_true, y_pred, sample_weight=None)``, and
returns the reduced value. ``loss.call(y_true, y_pred)`` gives per-sample values and
``loss.gradient(y_true, y_pred, sample_weight)`` the gradient of the reduced value with respect
to ``y_pred``. Reductions are Keras's: ``"sum_over_batch_size"`` (default) is
sum(w_i * l_i) / n, ``"sum"`` is sum(w_i * l_i), ``"none"`` keeps the per-sample values.

Fusion: softmax followed by cross-entropy (and sigmoid followed by binary cross-entropy) has
the gradient ``(p - y) / n`` on the logits. ``fuses_with`` names that activation and
``logits_gradient`` gives it; the model uses it instead of chaining two Jacobians.
"""
import numpy as np

from . import config
from ._registry import Registry

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


class Loss:
    """Base class. Subclasses define ``call`` (per-sample values) and ``sample_gradient``
    (d l_i / d y_pred for each sample, without weights or reduction)."""

    fuses_with = None       # activation whose Jacobian this loss cancels ("softmax", "sigmoid")

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Unknown reduction {reduction!r}: use one of "
                             f"{', '.join(repr(r) for r in REDUCTIONS)}.")
        self.name = name or _snake(type(self).__name__)
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def sample_gradient(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = np.asarray(y_pred)
        values = self.call(np.asarray(y_true), y_pred)
        return reduce_values(values, sample_weight, self.reduction)

    def sample_factors(self, n, sample_weight=None, dtype="float64"):
        """Factor c_i with reduced loss = sum_i c_i * l_i: w_i / n for the default reduction."""
        weights = np.ones(n, dtype=dtype) if sample_weight is None else \
            np.asarray(sample_weight, dtype=dtype).reshape(n)
        if self.reduction in ("sum", "none", None):
            return weights
        if self.reduction == "mean_with_sample_weight" and sample_weight is not None:
            total = weights.sum()
            return weights / total if total != 0 else weights * 0
        return weights / n

    def gradient(self, y_true, y_pred, sample_weight=None):
        """d(reduced loss)/d y_pred: each sample's gradient times its factor c_i."""
        grad = self.sample_gradient(y_true, y_pred)
        factors = self.sample_factors(len(y_pred), sample_weight, grad.dtype)
        return grad * factors.reshape((-1,) + (1,) * (grad.ndim - 1))

    def check_labels(self, y_true, output_shape):
        """Raise a clear error when ``y_true`` cannot be labels for outputs of this shape."""
        if y_true.ndim == 1 and len(output_shape) == 2 and output_shape[-1] == 1:
            return
        if y_true.shape[1:] != tuple(output_shape[1:]):
            raise ValueError(
                f"{type(self).__name__} compares labels with the model's outputs, but labels have "
                f"shape {y_true.shape} and outputs {_shape_str(output_shape)}: give labels with "
                f"one column per output unit.")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _snake(name):
    from .naming import snake_case
    return snake_case(name)


def _shape_str(shape):
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Keras's reduction of per-sample loss values, weighted by ``sample_weight``."""
    values = np.asarray(values)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=values.dtype)
        values = values * sample_weight.reshape(values.shape)
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = sample_weight.sum()
    else:
        divisor = values.size
    return total / divisor if divisor else total * 0


registry = Registry("loss", base=Loss)


def _clip(p):
    eps = config.epsilon()
    return np.clip(p, eps, 1.0 - eps)


@registry.register("MeanSquaredError", "mean_squared_error", "mse", "MSE")
class MeanSquaredError(Loss):
    """l_i = mean_j (y_pred - y_true)^2; gradient 2 (y_pred - y_true) / d (d outputs)."""

    def call(self, y_true, y_pred):
        y_true = _as_columns(y_true, y_pred)
        return np.mean(np.square(y_pred - y_true), axis=-1)

    def sample_gradient(self, y_true, y_pred):
        y_true = _as_columns(y_true, y_pred)
        return (2.0 / y_pred.shape[-1]) * (y_pred - y_true)


def _as_columns(y_true, y_pred):
    """(n,) labels against (n, 1) outputs become (n, 1), as Keras squeezes/expands them."""
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true.reshape(y_pred.shape)
    return y_true


@registry.register("CategoricalCrossentropy", "categorical_crossentropy")
class CategoricalCrossentropy(Loss):
    """l_i = -sum_k y_k log p_k with p clipped to [eps, 1 - eps] (eps = 1e-7, as Keras).

    ``from_logits``: y_pred are logits and p = softmax(y_pred). ``label_smoothing`` s replaces
    y by y (1 - s) + s / K. Fused with softmax: d l / d logits = p - y.
    """

    fuses_with = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis

    def targets(self, y_true, y_pred):
        y = np.asarray(y_true, dtype=y_pred.dtype)
        if self.label_smoothing:
            y = y * (1.0 - self.label_smoothing) + self.label_smoothing / y_pred.shape[-1]
        return y

    def call(self, y_true, y_pred):
        y = self.targets(y_true, y_pred)
        if self.from_logits:
            shifted = y_pred - y_pred.max(axis=-1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        else:
            log_p = np.log(_clip(y_pred / y_pred.sum(axis=-1, keepdims=True)))
        return -np.sum(y * log_p, axis=-1)

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = softmax(logits): (p - y) * c_i."""
        grad = p - self.targets(y_true, p)
        return grad * self.sample_factors(len(p), sample_weight, p.dtype)[:, None]

    def sample_gradient(self, y_true, y_pred):
        if self.from_logits:
            from .activations import softmax
            return softmax(y_pred) - self.targets(y_true, y_pred)
        y = self.targets(y_true, y_pred)
        total = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / total
        eps = config.epsilon()
        inside = (q > eps) & (q < 1.0 - eps)           # the clip has zero slope outside
        dq = np.where(inside, -y / np.where(inside, q, 1.0), 0.0)
        # q = p / sum(p): dq_k/dp_j = (delta_kj - q_k) / sum(p)
        return (dq - np.sum(dq * q, axis=-1, keepdims=True)) / total

    def check_labels(self, y_true, output_shape):
        if y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[1] == 1 and output_shape[-1] > 1):
            raise ValueError(
                f"categorical_crossentropy needs one-hot labels of shape (n, {output_shape[-1]}), "
                f"but got labels of shape {y_true.shape} that look like class indices. Use "
                f"loss='sparse_categorical_crossentropy', or one-hot encode them with "
                f"glassnet.utils.to_categorical(y, {output_shape[-1]}).")
        super().check_labels(y_true, output_shape)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


@registry.register("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")
class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels: l_i = -log p_{y_i}."""

    def __init__(self, from_logits=False, ignore_class=None,
                 reduction="sum_over_batch_size", name="sparse_categorical_crossentropy",
                 dtype=None):
        super().__init__(from_logits=from_logits, reduction=reduction, name=name, dtype=dtype)
        self.ignore_class = ignore_class

    def targets(self, y_true, y_pred):
        labels = np.asarray(y_true).reshape(len(y_pred)).astype(np.int64)
        onehot = np.zeros_like(y_pred)
        onehot[np.arange(len(labels)), labels] = 1.0
        return onehot

    def check_labels(self, y_true, output_shape):
        classes = output_shape[-1]
        if y_true.ndim > 2 or (y_true.ndim == 2 and y_true.shape[1] != 1):
            raise ValueError(
                f"sparse_categorical_crossentropy needs integer class labels of shape (n,), "
                f"but got labels of shape {y_true.shape}. For one-hot labels use "
                f"loss='categorical_crossentropy', or pass y.argmax(axis=1).")
        if y_true.size and (np.any(y_true != np.round(y_true)) or y_true.min() < 0
                            or y_true.max() >= classes):
            bad = y_true[(y_true != np.round(y_true)) | (y_true < 0) | (y_true >= classes)]
            raise ValueError(
                f"Labels must be integers 0..{classes - 1} for a model with {classes} output "
                f"units, but got {bad.flat[0]!r}. Give the last Dense layer as many units as "
                f"there are classes, or fix the labels.")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error."""
    return MeanSquaredError(reduction="none").call(np.asarray(y_true), np.asarray(y_pred))


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy."""
    loss = CategoricalCrossentropy(from_logits, label_smoothing, axis, reduction="none")
    return loss.call(np.asarray(y_true), np.asarray(y_pred))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Per-sample sparse categorical cross-entropy."""
    loss = SparseCategoricalCrossentropy(from_logits, ignore_class, reduction="none")
    return loss.call(np.asarray(y_true), np.asarray(y_pred))


_FUNCTIONS = {mean_squared_error: MeanSquaredError,
              categorical_crossentropy: CategoricalCrossentropy,
              sparse_categorical_crossentropy: SparseCategoricalCrossentropy}


def get(identifier):
    """Keras's ``losses.get``: a short or function name gives the per-sample function
    (``'mse'`` -> ``mean_squared_error``), a class name an instance."""
    if isinstance(identifier, str):
        obj = registry.lookup(identifier)
        if isinstance(obj, type) and identifier[0].islower():
            for function, cls in _FUNCTIONS.items():
                if cls is obj:
                    return function
        return obj() if isinstance(obj, type) else obj
    return registry.get(identifier)


def resolve(identifier):
    """The ``Loss`` object ``compile`` trains with, from anything ``compile(loss=...)`` takes."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        obj = registry.lookup(identifier)
        return obj()
    if identifier in _FUNCTIONS:
        return _FUNCTIONS[identifier]()
    if isinstance(identifier, dict):
        return registry.deserialize(identifier)
    raise TypeError(f"compile(loss=...) takes a loss name such as 'mse' or "
                    f"'sparse_categorical_crossentropy', or a glassnet.losses.Loss; got "
                    f"{identifier!r}. A plain function has no gradient glassnet can use.")


def serialize(loss):
    return registry.serialize(loss)


def deserialize(config):
    return registry.deserialize(config)
