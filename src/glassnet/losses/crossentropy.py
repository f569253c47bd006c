"""Cross-entropies: binary, categorical, sparse categorical, and ``Crossentropy`` that picks
one from the shapes; each fuses with its output activation (``logits_gradient``).
"""
import numpy as np

from .. import config
from ..arrays import array_module
from ..reductions import reduction_factors
from .base import (Loss, _check_axis, _check_same_shape, _eps, _label_range_message, _same_shape,
                   _shape, _sigmoid, _softmax, _warn_single_class)


class BinaryCrossentropy(Loss):
    """l_i = mean_j -(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps] (eps =
    1e-7, Keras's torch backend; the log itself is never clipped, and log(1 - p) is taken as
    log1p(-p), as torch does, exact for small p).

    ``label_smoothing`` s moves labels toward 1/2: y (1 - s) + s / 2. ``from_logits``: y_pred
    are logits x and l = max(x, 0) - x y + log(1 + exp(-|x|)), exact without clipping.
    Gradient (p - y) / (p (1 - p) d) on probabilities inside the clip; (sigmoid(x) - y) / d on
    logits, which is also the fused sigmoid + BCE gradient.
    """

    fuses_with = "sigmoid"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.axis = _check_axis(axis)

    def prepare(self, y_true, y_pred):
        return _same_shape(self.name, *super().prepare(y_true, y_pred))

    def targets(self, y_true):
        if self.label_smoothing:
            return y_true * (1.0 - self.label_smoothing) + 0.5 * self.label_smoothing
        return y_true

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            x = y_pred
            elementwise = xp.maximum(x, 0) - x * y + xp.log1p(xp.exp(-xp.abs(x)))
        else:
            p = xp.clip(y_pred, _eps(), 1.0 - _eps())
            elementwise = -(y * xp.log(p) + (1.0 - y) * xp.log1p(-p))
        return xp.mean(elementwise, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        outputs = y_pred.shape[self.axis]
        if self.from_logits:
            return (_sigmoid(y_pred) - y) / outputs
        p = xp.clip(y_pred, _eps(), 1.0 - _eps())
        inside = (y_pred >= _eps()) & (y_pred <= 1.0 - _eps())
        return xp.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / outputs

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = sigmoid(logits): (p - y) c_i / d."""
        y_true, p = self.prepare(y_true, p)
        grad = (p - self.targets(y_true)) / p.shape[self.axis]
        return self.weigh(grad, y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        units = output_shape[-1]
        if y_true.ndim == 1 and units not in (1, None):
            raise ValueError(
                f"binary_crossentropy compares each of the model's {units} output units with a "
                f"0/1 label, but got labels of shape {y_true.shape}. For {units} classes given "
                f"as integers use loss='sparse_categorical_crossentropy' with a softmax output; "
                f"for one binary label use Dense(1, activation='sigmoid').")
        _check_same_shape(self, y_true, output_shape)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise ValueError(
                f"binary_crossentropy needs labels between 0 and 1, but they range from "
                f"{y_true.min()} to {y_true.max()}. For class labels 0..K-1 use "
                f"loss='sparse_categorical_crossentropy' with Dense(K, activation='softmax'); "
                f"for -1/1 labels pass (y + 1) / 2 or use loss='hinge'.")

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class CategoricalCrossentropy(Loss):
    """l_i = -sum_k y_k log q_k, q = p / sum(p) clipped to [eps, 1 - eps] (eps = 1e-7, as Keras).

    ``from_logits``: y_pred are logits and log q = log_softmax(y_pred), exact. ``label_smoothing``
    s replaces y by y (1 - s) + s / K. Gradient on logits: softmax(x) sum(y) - y, which is
    p - y for labels that sum to 1; the same is the fused softmax + CE gradient.
    """

    fuses_with = "softmax"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        self.from_logits, self.label_smoothing = from_logits, label_smoothing
        self.axis = _check_axis(axis)

    def prepare(self, y_true, y_pred):
        y_true, y_pred = _same_shape(self.name, *super().prepare(y_true, y_pred))
        _warn_single_class("categorical_crossentropy", y_pred)
        return y_true, y_pred

    def targets(self, y_true):
        if self.label_smoothing:
            classes = y_true.shape[-1]          # Keras counts classes on the last axis
            return y_true * (1.0 - self.label_smoothing) + self.label_smoothing / classes
        return y_true

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            shifted = y_pred - y_pred.max(axis=self.axis, keepdims=True)
            log_q = shifted - xp.log(xp.exp(shifted).sum(axis=self.axis, keepdims=True))
        else:
            q = y_pred / y_pred.sum(axis=self.axis, keepdims=True)
            log_q = xp.log(xp.clip(q, _eps(), 1.0 - _eps()))
        return -xp.sum(y * log_q, axis=self.axis)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y = self.targets(y_true)
        if self.from_logits:
            return self._softmax_gradient(y, _softmax(y_pred, self.axis))
        total = y_pred.sum(axis=self.axis, keepdims=True)
        q = y_pred / total
        inside = (q >= _eps()) & (q <= 1.0 - _eps())     # the clip has zero slope outside
        dq = xp.where(inside, -y / xp.where(inside, q, 1.0), 0.0)
        # q = p / sum(p): dq_k / dp_j = (delta_kj - q_k) / sum(p)
        return (dq - xp.sum(dq * q, axis=self.axis, keepdims=True)) / total

    def _softmax_gradient(self, y, p):
        xp = array_module(y, p)
        return p * xp.sum(y, axis=self.axis, keepdims=True) - y

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = softmax(logits): (p sum(y) - y) c_i = (p - y) c_i."""
        y_true, p = self.prepare(y_true, p)
        grad = self._softmax_gradient(self.targets(y_true), p)
        return self.weigh(grad, y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        classes = output_shape[-1]
        looks_like_indices = y_true.ndim == 1 or (y_true.ndim == 2 and y_true.shape[1] == 1)
        if looks_like_indices and classes not in (1, None):
            raise ValueError(
                f"categorical_crossentropy needs one-hot labels of shape (n, {classes}), but got "
                f"labels of shape {y_true.shape} that look like class indices. Use "
                f"loss='sparse_categorical_crossentropy', or one-hot encode them with "
                f"glassnet.utils.to_categorical(y, {classes}).")
        if y_true.ndim == 2 and y_true.shape[1] != classes and classes is not None:
            raise ValueError(
                f"categorical_crossentropy needs one column per class: the labels have "
                f"{y_true.shape[1]} columns but the model has {classes} output units. Give the "
                f"last Dense layer {y_true.shape[1]} units, or one-hot encode with "
                f"glassnet.utils.to_categorical(y, {classes}).")
        _check_same_shape(self, y_true, output_shape)
        if y_true.size and y_true.min() < 0:
            raise ValueError(f"categorical_crossentropy needs labels that are probabilities "
                             f"(one-hot rows), but got a negative label {y_true.min()}.")

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class SparseCategoricalCrossentropy(CategoricalCrossentropy):
    """Categorical cross-entropy with integer labels: l_i = -log q_{y_i}.

    The hot path of classification. The label's probability is read as p[i, y_i] (no one-hot
    array is built), and the fused gradient is one copy of p with 1 subtracted at each label.
    ``ignore_class``: samples with that label give l_i = 0 and do not count; the default
    reduction then divides by the number of samples that count (Keras's mask), "sum" ignores
    them, "mean_with_sample_weight" divides by the weights of those that count.
    """

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(from_logits=from_logits, axis=axis, reduction=reduction, name=name,
                         dtype=dtype)
        self.ignore_class = ignore_class

    # Every step of a classifier runs through here, so the arrays are handled as one flat
    # (samples, classes) view and the labels' entries are reached by fancy indexing p[rows,
    # labels]: no one-hot array, no take/put_along_axis (several times slower on small batches).

    def prepare(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_pred = xp.asarray(y_pred)
        dtype = self.dtype or (y_pred.dtype if y_pred.dtype.kind == "f" else config.floatx())
        y_pred = y_pred.astype(dtype, copy=False)
        if self.axis not in (-1, y_pred.ndim - 1):
            y_pred = xp.moveaxis(y_pred, self.axis, -1)
        return xp.asarray(y_true), y_pred

    def _restore(self, grad):
        xp = array_module(grad)
        return grad if self.axis in (-1, grad.ndim - 1) else xp.moveaxis(grad, -1, self.axis)

    def labels(self, y_true, y_pred):
        """(rows, labels): where each sample's label sits in y_pred seen as (samples, classes).
        Ignored samples point at class 0 (their values are masked out)."""
        xp = array_module(y_true, y_pred)
        labels = y_true
        if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
            labels = labels[..., 0]
        if labels.shape != y_pred.shape[:-1]:
            raise ValueError(f"sparse_categorical_crossentropy needs one integer label per "
                             f"sample: labels of shape {y_true.shape} do not fit predictions of "
                             f"shape {y_pred.shape}.")
        labels = labels.reshape(-1).astype(np.int64, copy=False)
        if self.ignore_class is not None:
            labels = xp.where(labels == self.ignore_class, 0, labels)
        # on a device this check would fetch per batch: fit checked the labels on the host
        # before training (check_labels), so there it is left out
        if labels.size and xp is np and (labels.min() < 0 or labels.max() >= y_pred.shape[-1]):
            raise ValueError(_label_range_message(labels, y_pred.shape[-1]))
        return xp.arange(labels.size), labels

    def mask(self, y_true, y_pred):
        if self.ignore_class is None:
            return None
        labels = y_true[..., 0] if y_true.ndim == y_pred.ndim else y_true
        return labels != self.ignore_class

    def call(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        index = self.labels(y_true, y_pred)
        flat = y_pred.reshape(-1, y_pred.shape[-1])
        picked = flat[index]
        if self.from_logits:                         # log-sum-exp minus the label's logit
            top = flat.max(axis=-1)
            values = top + xp.log(xp.exp(flat - top[:, None]).sum(axis=-1)) - picked
        else:
            q = picked / flat.sum(axis=-1)
            values = -xp.log(xp.minimum(xp.maximum(q, _eps()), 1.0 - _eps()))   # the clip
        values = values.reshape(y_pred.shape[:-1])
        mask = self.mask(y_true, y_pred)
        return values if mask is None else xp.where(mask, values, 0.0).astype(values.dtype)

    def sample_gradient(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        index = self.labels(y_true, y_pred)
        if self.from_logits:
            return self._minus_one_at(index, _softmax(y_pred))
        flat = y_pred.reshape(-1, y_pred.shape[-1])
        total = flat.sum(axis=-1)
        picked = flat[index]
        q = picked / total
        inside = (q >= _eps()) & (q <= 1.0 - _eps())
        # d(-log(p_l / S)) / d p_k = 1 / S - [k = l] / p_l, and 0 where the clip holds q
        grad = xp.repeat((1.0 / total)[:, None], flat.shape[-1], axis=-1)
        grad[index] -= 1.0 / xp.where(inside, picked, 1.0)
        grad *= inside[:, None]
        return grad.reshape(y_pred.shape)

    @staticmethod
    def _minus_one_at(index, p):
        """p - onehot(labels) in one copy of p (p is the layer's output and stays intact)."""
        grad = p.copy()
        grad.reshape(-1, p.shape[-1])[index] -= 1.0      # a view: the copy is contiguous
        return grad

    def gradient(self, y_true, y_pred, sample_weight=None):
        y_true, y_pred = self.prepare(y_true, y_pred)
        grad = self.sample_gradient(y_true, y_pred)
        return self._restore(self.weigh(grad, y_true, y_pred, sample_weight))

    def logits_gradient(self, y_true, p, sample_weight=None):
        """d(reduced loss)/d logits when p = softmax(logits): (p - onehot(y)) c_i."""
        y_true, p = self.prepare(y_true, p)
        grad = self._minus_one_at(self.labels(y_true, p), p)
        return self._restore(self.weigh(grad, y_true, p, sample_weight))

    def weigh(self, grad, y_true, y_pred, sample_weight):
        xp = array_module(grad, y_true, y_pred, sample_weight)
        factors = reduction_factors(y_pred.shape[:-1], sample_weight, self.mask(y_true, y_pred),
                                    self.reduction, grad.dtype)
        grad *= factors[..., None] if getattr(factors, "ndim", 0) else factors
        return grad

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        y_true = xp.asarray(y_true)
        classes = output_shape[-1]
        if y_true.ndim >= 2 and y_true.shape[-1] == classes and classes not in (1, None):
            raise ValueError(
                f"sparse_categorical_crossentropy needs integer class labels of shape (n,), but "
                f"got labels of shape {y_true.shape}, one column per class (one-hot). Use "
                f"loss='categorical_crossentropy', or pass y.argmax(axis=1).")
        if y_true.ndim > 2 or (y_true.ndim == 2 and y_true.shape[1] != 1):
            raise ValueError(
                f"sparse_categorical_crossentropy needs integer class labels of shape (n,), but "
                f"got labels of shape {y_true.shape}.")
        if not y_true.size:
            return
        if xp.any(y_true != xp.round(y_true)):
            bad = y_true[y_true != xp.round(y_true)]
            raise ValueError(f"sparse_categorical_crossentropy needs integer class labels "
                             f"0..{classes - 1}, but got {bad.flat[0].item()!r}.")
        labels = y_true.astype(np.int64)
        if self.ignore_class is not None:
            labels = labels[labels != self.ignore_class]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            raise ValueError(_label_range_message(labels, classes))

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, "from_logits": self.from_logits,
                "ignore_class": self.ignore_class, "axis": self.axis}


class Crossentropy(Loss):
    """``compile(loss="crossentropy")`` (or ``"ce"``): Keras 3 picks binary, sparse or categorical
    cross-entropy from the shapes. Binary when the model has one output unit; sparse when the
    labels have fewer dimensions than the outputs, or one column against several units;
    categorical otherwise."""

    def __init__(self, reduction="sum_over_batch_size", name="crossentropy", dtype=None):
        super().__init__(name, reduction, dtype)
        kwargs = {"reduction": reduction, "dtype": dtype}
        self.binary = BinaryCrossentropy(**kwargs)
        self.sparse = SparseCategoricalCrossentropy(**kwargs)
        self.categorical = CategoricalCrossentropy(**kwargs)
        self._chosen = None

    def choose(self, y_true_shape, y_pred_shape):
        """The loss Keras uses for labels and predictions of these shapes (and remember it)."""
        if y_pred_shape[-1] == 1:
            chosen = self.binary
        elif len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
            chosen = self.sparse
        else:
            chosen = self.categorical
        self._chosen = chosen
        return chosen

    @property
    def fuses_with(self):
        return None if self._chosen is None else self._chosen.fuses_with

    def _pick(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        return self.choose(_shape(y_true), _shape(y_pred))

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self._pick(y_true, y_pred)(y_true, y_pred, sample_weight)

    def call(self, y_true, y_pred):
        return self._pick(y_true, y_pred).call(y_true, y_pred)

    def gradient(self, y_true, y_pred, sample_weight=None):
        return self._pick(y_true, y_pred).gradient(y_true, y_pred, sample_weight)

    def logits_gradient(self, y_true, p, sample_weight=None):
        return self._pick(y_true, p).logits_gradient(y_true, p, sample_weight)

    def check_labels(self, y_true, output_shape):
        xp = array_module(y_true, output_shape)
        self.choose(_shape(y_true), output_shape).check_labels(y_true, output_shape)
