"""``Normalization``, as ``keras.layers.Normalization``: the usual first layer of a model on
tabular data. It standardizes each feature with a mean and a variance it learned from the data
with ``adapt`` (or was given): ``y = (x - mean) / max(sqrt(variance), epsilon)``, epsilon
Keras's 1e-7 so a constant feature gives 0, not a division by zero. ``invert=True`` maps back:
``y = mean + x * max(sqrt(variance), epsilon)``.

``adapt(data)`` takes an array, or an iterable of batches (a list, a generator, a
``PyDataset``; a tuple batch gives its first element), and computes per-feature statistics
over every axis but ``axis``. Over batches it merges them exactly (Chan et al.'s pairwise
update, as Keras): ``mean = mean_a w_a + mean_b w_b``, ``var = (var_a + (mean_a - mean)**2)
w_a + (var_b + (mean_b - mean)**2) w_b`` with ``w`` the count fractions.

The statistics are non-trainable weights ``mean``, ``variance`` and ``count`` (Keras's order,
so ``.keras`` files carry them; ``count`` stays 0, as Keras 3's ``adapt`` leaves it); given as ``mean=`` / ``variance=`` they are constants and the
layer has no weights. Backward: ``dx = dy / max(sqrt(variance), epsilon)`` (times it when
inverted); nothing to learn.
"""
import math

import numpy as np

from .. import config
from ..arrays import array_module
from .base import Layer


class Normalization(Layer):
    """Standardize each feature along ``axis`` (-1: the last; None: one mean and variance for
    all values) with statistics from ``adapt`` or from ``mean=`` / ``variance=``."""

    _EPSILON = 1e-7                     # Keras's backend.epsilon()

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError(f"Give Normalization both mean= and variance=, or neither (then "
                             f"call adapt); got mean={mean!r}, variance={variance!r}.")
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(f"Normalization mean and variance must have the same shape, got "
                             f"{np.shape(mean)} and {np.shape(variance)}.")
        if mean is not None and np.ndim(mean) > len(self.axis):
            raise ValueError(f"Normalization mean has rank {np.ndim(mean)}, more than the "
                             f"number of axes {len(self.axis)} (axis={self.axis}).")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.mean = self.variance = None          # broadcastable against the inputs, once known

    def build(self, input_shape):
        super().build(input_shape)
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in self.axis):
            raise ValueError(f"Normalization axis={self.axis} is outside inputs of shape "
                             f"{tuple(input_shape)}.")
        self._keep = tuple(sorted(a % rank for a in self.axis))
        if any(input_shape[a] is None for a in self._keep):
            raise ValueError(f"Normalization needs the size of axis {self.axis} of inputs of "
                             f"shape {tuple(input_shape)}.")
        self._reduce = tuple(a for a in range(rank) if a not in self._keep)
        self._broadcast_shape = tuple(input_shape[a] if a in self._keep else 1
                                      for a in range(rank))
        shape = tuple(input_shape[a] for a in self._keep)
        if self.input_mean is None:
            dtype = self.dtype or config.floatx()
            self.adapt_mean = self._buffer("mean", np.zeros(shape, dtype))
            self.adapt_variance = self._buffer("variance", np.ones(shape, dtype))
            self.count = self._buffer("count", np.zeros((), np.int64))
            self._finalize()
        else:
            self.mean = self._expand(self.input_mean)
            self.variance = self._expand(self.input_variance)

    def _buffer(self, name, value):
        """A non-trainable weight (``add_weight`` would make a 0-d one 1-d)."""
        self.buffers.append(value)
        self.buffer_names.append(name)
        return value

    def _expand(self, value):
        """A given mean or variance (scalar, or over the trailing kept axes) broadcast to the
        inputs' rank, as Keras does."""
        value = np.asarray(value, dtype=self.dtype or config.floatx())
        shape = [1] * len(self._broadcast_shape)
        for i in range(1, value.ndim + 1):
            shape[self._keep[-i]] = value.shape[-i]
        return np.broadcast_to(value.reshape(shape), self._broadcast_shape).copy()

    def _finalize(self):
        self.mean = self.adapt_mean.reshape(self._broadcast_shape)
        self.variance = self.adapt_variance.reshape(self._broadcast_shape)

    def adapt(self, data):
        """Learn the per-feature mean and variance of ``data`` (an array or an iterable of
        batches); replaces any earlier adapt."""
        if self.input_mean is not None:
            raise ValueError("This Normalization was given mean= and variance=; adapt() would "
                             "have nowhere to store new statistics. Make it without them.")
        if _is_array(data):                      # one array: its statistics directly
            batches = [np.asarray(data, dtype=np.float64)]
        else:                                    # batches, as Keras (a list is batches too)
            batches = (np.asarray(_first(batch), dtype=np.float64) for batch in _batches(data))
        mean = variance = None
        total = 0
        for batch in batches:
            if not self.built:
                self.build((None,) + batch.shape[1:])
            self._check(batch.shape)
            count = math.prod(batch.shape[a] for a in self._reduce) if self._reduce else 1
            batch_mean = batch.mean(axis=self._reduce)
            batch_variance = batch.var(axis=self._reduce)
            total += count
            if mean is None:
                mean, variance = batch_mean, batch_variance
                continue
            w_new = count / total
            w_old = 1.0 - w_new
            merged = mean * w_old + batch_mean * w_new
            variance = (variance + (mean - merged) ** 2) * w_old + \
                (batch_variance + (batch_mean - merged) ** 2) * w_new
            mean = merged
        if mean is None:
            raise ValueError("adapt() got no data: pass an array, or an iterable of at least "
                             "one batch.")
        self.adapt_mean[...] = mean
        self.adapt_variance[...] = variance
        self._finalize()

    def _check(self, shape):
        for a in self._keep:
            if len(shape) != len(self._broadcast_shape) or shape[a] != self._broadcast_shape[a]:
                raise ValueError(f"Normalization was built for inputs of shape "
                                 f"{(None,) + tuple(self.input_shape)}; adapt() got data of "
                                 f"shape {tuple(shape)}.")

    def _std(self, x):
        """max(sqrt(variance), epsilon), where ``x`` lives (the statistics stay on the host)."""
        xp = array_module(x)
        variance = xp.asarray(self.variance, dtype=x.dtype)
        return xp.maximum(xp.sqrt(variance), x.dtype.type(self._EPSILON))

    def forward(self, x, training=False):
        self._x = x
        std = self._std(x)
        mean = array_module(x).asarray(self.mean, dtype=x.dtype)
        self._y = y = mean + x * std if self.invert else (x - mean) / std
        return y

    def backward(self, grad, need_input_grad=True):
        std = self._std(grad)
        return grad * std if self.invert else grad / std

    def get_config(self):
        def plain(value):
            return None if value is None else np.asarray(value).tolist()
        return {**super().get_config(), "axis": list(self.axis),
                "mean": plain(self.input_mean), "variance": plain(self.input_variance),
                "invert": self.invert}

    def __repr__(self):
        return f"<Normalization name={self.name!r} axis={self.axis} invert={self.invert}>"


def _is_array(data):
    """An array (NumPy, or anything with ``__array__`` that is not a sequence of batches)."""
    return isinstance(data, np.ndarray) or (hasattr(data, "__array__")
                                            and not isinstance(data, (list, tuple)))


def _batches(data):
    if hasattr(data, "__len__") and hasattr(data, "__getitem__") and \
            not isinstance(data, (list, tuple)):
        return (data[i] for i in range(len(data)))        # a PyDataset / Sequence
    if hasattr(data, "__iter__"):
        return iter(data)
    raise TypeError(f"adapt() takes an array or an iterable of batches (a list, a generator, "
                    f"a PyDataset), got {type(data).__name__}.")


def _first(batch):
    """The inputs of a batch that may be (x, y) or (x, y, sample_weight)."""
    return batch[0] if isinstance(batch, tuple) else batch
