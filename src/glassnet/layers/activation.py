"""Activations as layers (``keras.layers.ReLU``, ``LeakyReLU``, ``ELU``, ``Softmax``): ``y = f(x)``
with the layer's options, ``dx = f'(x) * dy``, both from ``glassnet.activations``; and
``PReLU``, whose negative slope is a learned weight.

Each keeps its function as ``activation`` (as ``Dense`` and ``Activation`` do), so probes
read ReLU layers as ReLU units, and a ``Softmax`` over the last axis ending a classifier
takes the fused softmax + cross-entropy gradient ``(p - y) / n``.
"""
import numbers
import warnings

from .. import activations, constraints, initializers, regularizers
from ..arrays import array_module
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


class ELU(_ActivationLayer):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise (Clevert et al. 2016); derivative 1,
    or ``alpha * exp(x)``. ``alpha=1.0`` as Keras."""

    function = "elu"

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"ELU alpha must be a number, got {alpha!r}.")
        self.alpha = float(alpha)

    def options(self):
        return {"alpha": self.alpha}


class PReLU(Layer):
    """Parametric ReLU (He et al. 2015): ``x`` for x > 0, ``alpha * x`` otherwise, with
    ``alpha`` a learned weight, one per input entry (``alpha_initializer="Zeros"`` as Keras:
    a plain ReLU at first), shared along ``shared_axes`` (1-based, the batch axis is 0).

    Backward: ``dx = dy`` where x > 0, ``alpha * dy`` elsewhere; ``d alpha = sum(dy * min(x, 0))``
    over the batch and the shared axes.
    """

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_constraint = constraints.get(alpha_constraint)  # applied after each update
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.check_trainable(alpha_regularizer,
                                                              "alpha_regularizer")
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]

    def build(self, input_shape):
        super().build(input_shape)
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise ValueError(f"PReLU shared_axes={self.shared_axes} must name axes 1.."
                                 f"{len(shape)} of inputs of shape {tuple(input_shape)} (the "
                                 f"batch axis 0 is always shared).")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"PReLU needs every non-shared axis size to make alpha; got input "
                             f"shape {tuple(input_shape)}. Share the unknown axes with "
                             f"shared_axes=.")
        self.alpha = self.add_weight("alpha", tuple(shape), self.alpha_initializer)

    def forward(self, x, training=False):
        xp = array_module(x)
        self._x = x
        self._y = y = xp.where(x > 0, x, self.alpha * x)
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        x = self._x
        negative = xp.minimum(x, 0)
        reduce = (0,) + tuple(self.shared_axes or ())
        self.grads[0][...] = xp.sum(grad * negative, axis=reduce, keepdims=True).reshape(
            self.alpha.shape)
        if not need_input_grad:
            return None
        return xp.where(x > 0, grad, self.alpha * grad)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}

    def __repr__(self):
        return f"<PReLU name={self.name!r} shared_axes={self.shared_axes}>"


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
