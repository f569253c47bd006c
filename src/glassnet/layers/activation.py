"""Activations as layers (``keras.layers.ReLU``, ``LeakyReLU``, ``Softmax``): ``y = f(x)`` with
the layer's options, ``dx = f'(x) * dy``, both from ``glassnet.activations``.

Each keeps its function as ``activation`` (as ``Dense`` and ``Activation`` do), so probes
read ReLU layers as ReLU units, and a ``Softmax`` over the last axis ending a classifier
takes the fused softmax + cross-entropy gradient ``(p - y) / n``.
"""
import numbers
import warnings

from .. import activations
from .base import Layer


class _ActivationLayer(Layer):
    """``y = f(x, **options)``; backward ``f.backward(dy, x, y, **options)``."""

    function = None                     # the name in glassnet.activations
    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._function = activations.get(self.function)

    @property
    def activation(self):
        return self._function

    def options(self):
        """The keyword options of ``f`` (Keras's layer arguments)."""
        return {}

    def forward(self, x, training=False):
        self._x = x
        self._y = y = self._function(x, **self.options())
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        """``through_activation=False``: ``grad`` is already on x (a fused loss gave it)."""
        if not through_activation:
            return grad
        return self._function.backward(grad, self._x, self._y, **self.options())

    def get_config(self):
        return {**super().get_config(), **self.options()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"<{type(self).__name__} name={self.name!r} {args}>"


class ReLU(_ActivationLayer):
    """Keras's rectifier with options: ``x`` above ``threshold`` (clipped at ``max_value``
    when set), ``negative_slope * (x - threshold)`` below it. Defaults give ``max(x, 0)``.
    Derivative 1 where x passes, ``negative_slope`` below the threshold, 0 elsewhere."""

    function = "relu"

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None:
            _non_negative(max_value, "max_value", "ReLU")
        self.max_value = max_value
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "ReLU")
        self.threshold = _non_negative(threshold, "threshold", "ReLU")

    def options(self):
        return {"max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


class LeakyReLU(_ActivationLayer):
    """``x`` for x > 0, ``negative_slope * x`` otherwise: a small slope keeps units that a
    plain ReLU would leave dead learning. ``negative_slope=0.3`` as Keras's layer (the
    function ``leaky_relu`` defaults to 0.2); Keras 2's ``alpha`` is read with a warning."""

    function = "leaky_relu"

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "LeakyReLU")

    def options(self):
        return {"negative_slope": self.negative_slope}


class Softmax(_ActivationLayer):
    """``exp(x - max x) / sum(exp(x - max x))`` over ``axis`` (-1: the classes); backward
    ``y * (dy - sum(dy * y))``. Only over the last axis does it fuse with cross-entropy."""

    function = "softmax"

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = tuple(int(a) for a in axis)
        elif isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"Softmax axis must be an integer or a tuple of them, got {axis!r}.")
        self.axis = axis

    def build(self, input_shape):
        super().build(input_shape)
        rank = len(input_shape)                         # with the batch axis, as Keras counts
        axes = self.axis if isinstance(self.axis, tuple) else (self.axis,)
        if not axes or any(not -rank <= a < rank for a in axes) or \
                len({a % rank for a in axes}) < len(axes):
            raise ValueError(f"Softmax axis={self.axis!r} is not an axis (or a set of distinct "
                             f"axes) of inputs of shape {tuple(input_shape)}; use -1 for the "
                             f"last axis.")

    @property
    def activation(self):
        return self._function if self.axis in (-1, (-1,)) else None

    def options(self):
        return {"axis": self.axis}

    def get_config(self):
        config_ = super().get_config()
        config_["axis"] = list(self.axis) if isinstance(self.axis, tuple) else self.axis
        return config_


def _non_negative(value, name, layer):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"{name} of a {layer} layer must be a non-negative number, got "
                         f"{value!r}.")
    return value
