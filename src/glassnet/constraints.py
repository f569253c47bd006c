"""Weight constraints (``keras.constraints``): MaxNorm, MinMaxNorm, NonNeg, UnitNorm.

A constraint is called as Keras calls it, ``w = constraint(w)``: it returns the weight array
projected back into an allowed set. Layers take them as ``kernel_constraint`` /
``bias_constraint``; the optimizer applies each one to its weight after every update (Keras's
order: update, moving averages, then constraints), never inside the gradient. The norms are
taken along ``axis``: for a Dense kernel of shape (inputs, units), ``axis=0`` (the default)
constrains each unit's incoming weight vector.

The norm-based ones divide by ``eps + norm`` with eps = 1e-7 (``config.epsilon()``, as Keras),
so an all-zero vector stays zero instead of becoming NaN, and a vector inside the allowed
range still changes by a factor norm / (norm + eps), exactly as in Keras.

Names as Keras 3: the class names and their snake-case aliases (``'max_norm'``,
``'non_neg'``, ``'unit_norm'``, ``'min_max_norm'``); a name gives the default instance.
"""
import numbers

from . import config
from .arrays import array_module
from ._registry import Configurable, Registry


class Constraint(Configurable):
    """Base class: ``constraint(w)`` returns ``w`` unchanged."""

    def __call__(self, w):
        return w


registry = Registry("constraint", base=Constraint)
registry.register("Constraint", "constraint")(Constraint)


def _norms(w, axis):
    """sqrt(sum(w**2)) along ``axis``, kept as an axis of length 1 (broadcasts against w)."""
    xp = array_module(w)
    axis = tuple(axis) if isinstance(axis, list) else axis        # a list from a config
    return xp.sqrt(xp.sum(xp.square(w), axis=axis, keepdims=True))


def _scaled(w, norms, desired):
    """w * desired / (eps + norm): each vector rescaled to its desired norm."""
    return w * (desired / (config.epsilon() + norms))


@registry.register("MaxNorm", "max_norm")
class MaxNorm(Constraint):
    """Vectors longer than ``max_value`` are scaled down to it: w * min(n, c) / (eps + n).
    Defaults as Keras: ``max_value=2``, ``axis=0`` (Srivastava et al. 2014, with dropout)."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = _number(max_value, "max_value")
        self.axis = _axis(axis)

    def __call__(self, w):
        xp = array_module(w)
        norms = _norms(w, self.axis)
        return _scaled(w, norms, xp.clip(norms, 0, self.max_value))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@registry.register("NonNeg", "non_neg")
class NonNeg(Constraint):
    """Negative entries set to 0: max(w, 0)."""

    def __call__(self, w):
        return array_module(w).maximum(w, 0)


@registry.register("UnitNorm", "unit_norm")
class UnitNorm(Constraint):
    """Every vector along ``axis`` scaled to norm 1: w / (eps + n). Default ``axis=0``."""

    def __init__(self, axis=0):
        self.axis = _axis(axis)

    def __call__(self, w):
        return w / (config.epsilon() + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@registry.register("MinMaxNorm", "min_max_norm")
class MinMaxNorm(Constraint):
    """Norms moved into [min_value, max_value] at ``rate``: the desired norm is
    rate * clip(n, min, max) + (1 - rate) * n, and w * desired / (eps + n).
    Defaults as Keras: ``min_value=0.0``, ``max_value=1.0``, ``rate=1.0``, ``axis=0``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = _number(min_value, "min_value")
        self.max_value = _number(max_value, "max_value")
        if self.min_value > self.max_value:
            raise ValueError(f"MinMaxNorm needs min_value <= max_value; got {min_value!r} > "
                             f"{max_value!r}.")
        self.rate = _number(rate, "rate")
        self.axis = _axis(axis)

    def __call__(self, w):
        xp = array_module(w)
        norms = _norms(w, self.axis)
        desired = self.rate * xp.clip(norms, self.min_value, self.max_value) \
            + (1 - self.rate) * norms
        return _scaled(w, norms, desired)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


# Keras's lower-case aliases of the classes
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm


def get(identifier):
    """Keras's ``constraints.get``: None -> None, a name (``'max_norm'``, ``'MaxNorm'``) -> a
    default instance, a config dict -> the object, a callable -> itself."""
    return registry.get(identifier)


def serialize(constraint):
    """``{"class_name", "config"}`` of a constraint; None stays None (a layer without one)."""
    return None if constraint is None else registry.serialize(constraint)


def deserialize(config_):
    return registry.deserialize(config_)


def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
        raise ValueError(f"{name} must be a number >= 0; got {value!r}.")
    return value


def _axis(axis):
    """An integer or a tuple/list of integers (the axes the norm is taken over)."""
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if not axes or any(isinstance(a, bool) or not isinstance(a, numbers.Integral)
                       for a in axes):
        raise ValueError(f"axis is an integer or a tuple of integers (the axes of each "
                         f"vector's norm, 0 for a Dense kernel's incoming weights); got "
                         f"{axis!r}.")
    return list(axis) if isinstance(axis, (tuple, list)) else int(axis)
