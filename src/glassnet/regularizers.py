"""Weight penalties (``keras.regularizers``): L1, L2 and both, each beside its gradient.

A regularizer is called as Keras calls it, ``penalty = regularizer(x)``, and has
``regularizer.gradient(x)``, the derivative of that penalty with respect to ``x``. Layers take
them as ``kernel_regularizer`` / ``bias_regularizer`` (a penalty on a weight) and
``activity_regularizer`` (a penalty on the layer's output). As in Keras 3, the model's loss
is the compiled loss plus every trainable weight's penalty plus every activity penalty
divided by the batch size; the gradient of that sum is what the optimizer applies, and
History's ``loss`` shows that sum.

Names as Keras 3: ``L1``, ``L2``, ``L1L2`` and their lower-case aliases ``l1``, ``l2``,
``l1_l2``; by name, ``'l1'`` and ``'l2'`` give a factor of 0.01 and ``'l1l2'`` gives zeros.
Keras documents ``'l1_l2'`` as 0.01 for both but does not resolve it; here it does, as
documented.
"""
import math
import numbers

import numpy as np

from .arrays import array_module
from ._registry import Configurable, Registry


class Regularizer(Configurable):
    """Base class: ``regularizer(x)`` is the penalty (0 here), ``gradient(x)`` its derivative."""

    def __call__(self, x):
        return 0.0

    def gradient(self, x):
        xp = array_module(x)
        return xp.zeros_like(x)


registry = Registry("regularizer", base=Regularizer)


@registry.register("L1L2", "l1l2")
class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x**2)``; gradient ``l1 * sign(x) + 2 * l2 * x`` (sign(0) = 0,
    the subgradient PyTorch's autograd takes, which Keras on torch uses). Defaults 0 and 0,
    as Keras's class (so ``L1L2(l2=0.1)`` has no L1 part)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        xp = array_module(x)
        x = xp.asarray(x)
        f = x.dtype.type if x.dtype.kind == "f" else np.float64
        penalty = f(0)
        if self.l1:
            penalty += f(self.l1) * xp.sum(xp.abs(x))
        if self.l2:
            penalty += f(self.l2) * _sum_of_squares(x)
        return penalty

    def gradient(self, x):
        xp = array_module(x)
        x = xp.asarray(x)
        grad = x * (2 * self.l2) if self.l2 else xp.zeros_like(x)
        if self.l1:
            grad += self.l1 * xp.sign(x)
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@registry.register("L1", "l1")
class L1(L1L2):
    """``l1 * sum(|x|)``, gradient ``l1 * sign(x)``: pushes weights to exactly 0 (sparse
    weights). Default ``l1=0.01``, as Keras."""

    def __init__(self, l1=0.01):
        super().__init__(l1=0.01 if l1 is None else l1)

    def get_config(self):
        return {"l1": self.l1}


@registry.register("L2", "l2")
class L2(L1L2):
    """``l2 * sum(x**2)``, gradient ``2 * l2 * x``: weight decay through the loss (plain SGD
    then shrinks each weight by ``2 * lr * l2`` of itself per step). Default ``l2=0.01``."""

    def __init__(self, l2=0.01):
        super().__init__(l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


# Keras 3's lower-case names are the classes themselves
l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier):
    """A regularizer from a name ('l2', 'L1', ...), a config dict, a class or an instance, as
    Keras's ``regularizers.get``; None stays None. Any callable ``f(x)`` passes through (it
    then needs a ``gradient`` method to be trained with)."""
    if isinstance(identifier, str) and identifier == "l1_l2":
        return L1L2(l1=0.01, l2=0.01)              # as Keras's documentation says
    return registry.get(identifier)


def serialize(regularizer):
    """``{"class_name": "L2", "config": {"l2": 0.01}}`` (None for None), as Keras's."""
    return None if regularizer is None else registry.serialize(regularizer)


def deserialize(config):
    return registry.deserialize(config)


def check_trainable(regularizer, argument):
    """``regularizer`` resolved by ``get``, refused when it has no ``gradient`` to train with."""
    try:
        regularizer = get(regularizer)
    except TypeError:
        raise TypeError(f"{argument}={regularizer!r} is not a regularizer: pass a name such as "
                        f"'l2', an instance such as glassnet.regularizers.L2(0.01), or None."
                        ) from None
    if regularizer is not None and not callable(getattr(regularizer, "gradient", None)):
        raise TypeError(f"{argument}={regularizer!r} has no gradient(x) method, so glassnet "
                        f"cannot train with it. Use glassnet.regularizers.L1, L2 or L1L2, or "
                        f"subclass glassnet.regularizers.Regularizer with __call__ and gradient.")
    return regularizer


def _sum_of_squares(x):
    xp = array_module(x)
    flat = x.reshape(-1)
    return xp.dot(flat, flat)


def _factor(value, name):
    """A non-negative finite factor as a float, or Keras's ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float, "
                         f"got {name}={value!r}.")
    return float(value)
