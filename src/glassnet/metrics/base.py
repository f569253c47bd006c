"""The base of every metric: ``Metric`` (state, ``update_state`` / ``result`` /
``reset_state``), ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (a per-sample function averaged
over every sample seen).
"""
import numpy as np

from ..arrays import array_module, as_scalar, to_host
from ..reductions import squeeze_or_expand_to_same_rank


class Metric:
    """Base class: ``update_state``, ``result``, ``reset_state``; ``get_config`` for saving."""

    def __init__(self, name=None, dtype=None):
        from ..naming import snake_case
        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype
        self.reset_state()

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Update with one batch and return the result, as Keras's ``metric(y_true, y_pred)``."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    variable_names = ()     # the state's attributes, in Keras's order of ``metric.variables``

    @property
    def variables(self):
        """The state as Keras's ``metric.variables`` lists it (e.g. Mean's total, count)."""
        return [np.asarray(float(getattr(self, name))) for name in self.variable_names]

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} result={float(self.result()):.6g}>"


def _samplewise(values, sample_weight, reduce):
    """Keras's ``reduce_to_samplewise_values``: one value per sample, weighted, and the weights.

    Values with more dimensions than the weights are first reduced over the extra ones;
    weights with more than one dimension are reduced over all but the first.
    """
    xp = array_module(values, sample_weight)
    values = xp.asarray(values, dtype="float64")
    if sample_weight is not None:
        weights = xp.asarray(sample_weight, dtype="float64")
        values, weights = squeeze_or_expand_to_same_rank(values, weights)
        if values.ndim > weights.ndim:
            values = reduce(values, axis=tuple(range(weights.ndim, values.ndim)))
        weights = xp.broadcast_to(weights, values.shape)
        values = values * weights
        if weights.ndim > 1:
            weights = reduce(weights, axis=tuple(range(1, weights.ndim)))
    else:
        weights = None
    if values.ndim > 1:
        values = reduce(values, axis=tuple(range(1, values.ndim)))
    return values, weights


class Sum(Metric):
    """The running (weighted) sum of every value."""

    variable_names = ("total",)

    def __init__(self, name="sum", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None):
        xp = array_module(values, sample_weight)
        values, _ = _samplewise(values, sample_weight, xp.sum)
        self.total += as_scalar(xp.sum(values))      # stays on the device: no fetch per batch

    def reset_state(self):
        self.total = 0.0

    def result(self):
        return self.total


class Mean(Metric):
    """The running weighted mean: sum_i w_i v_i / sum_i w_i (0 before any sample)."""

    variable_names = ("total", "count")

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, values, sample_weight=None):
        xp = array_module(values, sample_weight)
        values, weights = _samplewise(values, sample_weight, xp.mean)
        self.total += as_scalar(xp.sum(values))      # stays on the device: no fetch per batch
        if weights is not None:
            self.count += as_scalar(xp.sum(weights))
        else:
            self.count += values.shape[0] if values.ndim else 1

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``, a per-sample function."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype)
        self._fn, self._fn_kwargs = fn, kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _host(array, dtype=None):
    """A NumPy array of ``array`` (fetched from the device if it is there): the metrics below
    count on the host, where their state lives (one small transfer per batch)."""
    return np.asarray(to_host(array), dtype=dtype)
