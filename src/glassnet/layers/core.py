"""The core layers (``keras.layers``): Input, Dense, Activation, Flatten, Dropout.

Each is a forward formula and its backward beside it; the base ``Layer`` (``base.py``) holds
what they share.
"""
import numpy as np

from .. import activations, config, constraints, initializers, regularizers, utils
from ..arrays import array_module, elementwise_kernel, is_cupy, on_device
from ..naming import unique_name
from .base import Layer, _as_shape
from .symbolic import input_tensor

class InputLayer(Layer):
    """The model's input: its shape without the batch dimension. Holds no weights."""

    def __init__(self, shape=None, batch_size=None, dtype=None, batch_shape=None, name=None,
                 **unknown):
        if batch_shape is not None:
            if shape is not None:
                raise ValueError("Give Input either shape= or batch_shape=, not both.")
            batch_shape = tuple(batch_shape)
            if len(batch_shape) < 2:
                raise ValueError(f"batch_shape is the batch size then the shape of one sample, "
                                 f"e.g. (None, 64); got {batch_shape!r}.")
            batch_size, shape = batch_shape[0], batch_shape[1:]
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **unknown)
        if shape is None:
            raise ValueError("Input needs a shape without the batch size, e.g. "
                             "Input(shape=(64,)) for rows of 64 features.")
        self.shape = _as_shape(shape, "Input shape")
        self.batch_size = batch_size
        self.built = True

    @property
    def batch_shape(self):
        return (self.batch_size,) + self.shape

    def forward(self, x, training=False):
        return x

    def backward(self, grad, need_input_grad=True):
        return grad

    def get_config(self):
        return {"batch_shape": self.batch_shape, "dtype": self.dtype or config.floatx(),
                "name": self.name}

    def __repr__(self):
        return f"<InputLayer name={self.name!r} shape={self.shape}>"


def Input(shape=None, batch_size=None, dtype=None, batch_shape=None, name=None, **kwargs):
    """``keras.Input``: a symbolic tensor of the given shape without the batch size, e.g.
    ``Input(shape=(64,))`` has shape ``(None, 64)``. Start a functional model with it
    (``Model(inputs, outputs)``) or a ``Sequential`` (which takes its ``InputLayer``)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype,
                       batch_shape=batch_shape, name=name, **kwargs)
    return input_tensor(layer)


class Dense(Layer):
    """y = activation(x @ kernel + bias), kernel of shape (fan_in, units), bias of shape (units,).

    Backward, with dz = activation'(z) * dy the gradient on z = x @ kernel + bias:
    d kernel = x^T dz, d bias = sum of dz over the batch, dx = dz @ kernel^T.
    On N-d inputs Dense acts on the last axis (the other axes are batch-like).
    """

    _POSITIONAL = ("activation", "use_bias", "kernel_initializer", "bias_initializer")
    _DEFAULTS = {"activation": None, "use_bias": True, "kernel_initializer": "glorot_uniform",
                 "bias_initializer": "zeros"}

    def __init__(self, units, *args, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        options = {"activation": activation, "use_bias": use_bias,
                   "kernel_initializer": kernel_initializer, "bias_initializer": bias_initializer}
        _bind_positional(units, args, options)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel_regularizer = regularizers.check_trainable(kernel_regularizer,
                                                               "kernel_regularizer")
        self.bias_regularizer = regularizers.check_trainable(bias_regularizer, "bias_regularizer")
        self.units = _positive_units(units)
        self.activation = options["activation"]
        self.use_bias = bool(options["use_bias"])
        self.kernel_initializer = _resolve_initializer(options["kernel_initializer"],
                                                       "kernel_initializer", units)
        self.bias_initializer = _resolve_initializer(options["bias_initializer"],
                                                     "bias_initializer", units)

    @property
    def activation(self):
        return self._activation

    @activation.setter
    def activation(self, identifier):
        """Set after construction too, as Keras: ``dense.activation = None`` makes it linear."""
        self._activation = _resolve_activation(identifier, getattr(self, "units", None))

    def build(self, input_shape):
        super().build(input_shape)
        fan_in = input_shape[-1]
        if fan_in is None:
            raise ValueError(f"{self.name} needs the size of the last input axis to make its "
                             f"kernel; got input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight("kernel", (fan_in, self.units), self.kernel_initializer)
        self.bias = self.add_weight("bias", (self.units,), self.bias_initializer) \
            if self.use_bias else None

    def compute_output_shape(self, input_shape):
        return self.activation.output_shape(tuple(input_shape[:-1]) + (self.units,))

    def forward(self, x, training=False):
        z = x @ self.kernel
        self._x, self._z = x, z
        if (on_device(z) and self.use_bias and is_cupy(array_module(z))
                and getattr(self.activation, "__name__", None) == "relu"):
            self._y = y = _bias_relu(self.bias, z)     # the two lines below as one GPU kernel
            return y
        if self.use_bias:
            z += self.bias                   # in place: z is a fresh array
        self._y = y = self.activation(z)
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        """``through_activation=False``: ``grad`` is already on z (a fused loss gave it)."""
        xp = array_module(grad)
        dz = self.activation.backward(grad, self._z, self._y) if through_activation else grad
        x = self._x
        if x.ndim > 2:
            x, dz = x.reshape(-1, x.shape[-1]), dz.reshape(-1, self.units)
        xp.matmul(x.T, dz, out=self.grads[0])
        if self.use_bias:
            dz.sum(axis=0, out=self.grads[1])
        if need_input_grad:
            return (dz @ self.kernel.T).reshape(self._x.shape)
        return None

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}

    def __repr__(self):
        return (f"<Dense name={self.name!r} units={self.units} "
                f"activation={self.activation.__name__!r}>")


def _bias_relu(bias, z):
    """On CuPy: ``z += bias`` and ``y = relu(z)`` (max(z, 0), NaN kept as np.maximum keeps it)
    in one kernel launch instead of two; z stays for backward."""
    kernel = elementwise_kernel("bias_relu", "B b", "T z, T y",
                                "z += (T)b; y = (z > (T)0 || z != z) ? z : (T)0;")
    return kernel(bias, z, array_module(z).empty_like(z))[1]


def _positive_units(units):
    integral = isinstance(units, (int, np.integer)) or (
        isinstance(units, float) and units.is_integer())
    if isinstance(units, bool) or not integral or units <= 0:
        raise ValueError(f"Dense needs a positive integer number of units (output neurons), "
                         f"e.g. Dense(10); got {units!r}.")
    return int(units)


def _bind_positional(units, args, options):
    """Map Keras's positional order (units, activation, use_bias, ...) onto ``options``.

    Catches the notes' slip ``Dense(300, weight_init, activation="relu")``: the second
    positional argument is ``activation``, so an initializer there is a mistake.
    """
    names = Dense._POSITIONAL
    if len(args) > len(names):
        raise TypeError(f"Dense takes at most {len(names) + 1} positional arguments "
                        f"(units, {', '.join(names)}); got {len(args) + 1}. Pass the rest by name.")
    for name, value in zip(names, args):
        if name == "activation" and _is_initializer(value):
            raise TypeError(
                f"Dense({units}, {value!r}, ...): the second positional argument of Dense is "
                f"`activation`, and {value!r} is an initializer. Pass it by name: "
                f"Dense({units}, kernel_initializer={value!r}, activation=...).")
        if name == "use_bias" and (isinstance(value, str) or _is_initializer(value)):
            raise TypeError(
                f"Dense({units}, {args[0]!r}, {value!r}): the third positional argument of Dense "
                f"is `use_bias` (True or False), not {value!r}. Pass it by name, e.g. "
                f"Dense({units}, activation={args[0]!r}, kernel_initializer=...).")
        given = options[name]
        if given is not Dense._DEFAULTS[name] and not _same(given, Dense._DEFAULTS[name]):
            raise TypeError(f"Dense got two values for `{name}`: {value!r} by position and "
                            f"{given!r} by name. Give it once.")
        options[name] = value


def _same(a, b):
    try:
        return bool(a == b)
    except Exception:
        return False


def _is_initializer(value):
    if isinstance(value, initializers.Initializer) or (
            isinstance(value, type) and issubclass(value, initializers.Initializer)):
        return True
    return (isinstance(value, str) and initializers.registry.has(value)
            and not activations.registry.has(value))


def _resolve_initializer(identifier, argument, units):
    if (isinstance(identifier, str) and activations.registry.has(identifier)
            and not initializers.registry.has(identifier)):
        raise TypeError(f"{argument}={identifier!r} is an activation, not an initializer. Write "
                        f"Dense({units}, activation={identifier!r}, "
                        f"kernel_initializer='he_normal') or another initializer.")
    return initializers.get(identifier)


def _resolve_activation(identifier, units=None):
    if _is_initializer(identifier):
        where = f"Dense({units}, " if units is not None else "Dense(units, "
        raise TypeError(f"activation={identifier!r} is an initializer, not an activation. Write "
                        f"{where}kernel_initializer={identifier!r}, activation='relu').")
    activation = activations.get(identifier)
    if not hasattr(activation, "backward"):
        raise TypeError(f"activation={identifier!r} has no derivative glassnet knows. Use a name "
                        f"such as 'relu', or a glassnet.activations.ActivationFunction subclass "
                        f"with a backward method.")
    return activation


class Activation(Layer):
    """Applies an activation: y = f(x); dx = f'(x) * dy (via ``f.backward``)."""

    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _resolve_activation(activation)

    def compute_output_shape(self, input_shape):
        return self.activation.output_shape(input_shape)

    def forward(self, x, training=False):
        self._x = x
        self._y = y = self.activation(x)
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        return self.activation.backward(grad, self._x, self._y) if through_activation else grad

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}

    def __repr__(self):
        return f"<Activation name={self.name!r} activation={self.activation.__name__!r}>"


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...); backward reshapes the gradient back.

    A view, not a copy, when the input is contiguous (it always is inside ``fit``).
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got "
                             f"{data_format!r}.")
        self.data_format = data_format

    def compute_output_shape(self, input_shape):
        if any(d is None for d in input_shape):
            return (None,)
        return (int(np.prod(input_shape, dtype=np.int64)),)

    def forward(self, x, training=False):
        xp = array_module(x)
        self._x = x
        if self.data_format == "channels_first" and x.ndim > 2:
            x = xp.moveaxis(x, 1, -1)
        self._y = y = x.reshape(len(x), -1)
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        shape = self._x.shape
        if self.data_format == "channels_first" and len(shape) > 2:
            moved = (shape[0],) + shape[2:] + (shape[1],)
            return xp.moveaxis(grad.reshape(moved), -1, 1)
        return grad.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format or "channels_last"}


class Dropout(Layer):
    """Training: y = x * mask / (1 - rate), mask ~ Bernoulli(1 - rate); inference: y = x.

    Scaling at training time (inverted dropout, as Keras) keeps the expected output equal to
    the input, so inference needs no change. Backward: dx = dy * mask / (1 - rate).
    The masks come from ``self.generator``: seeded by ``seed``, else by glassnet's global seed.
    """

    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) \
                or not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate is the fraction of units to drop, a number in [0, 1); "
                             f"got {rate!r}.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.generator = utils.generator(seed)
        self._scale = None

    def forward(self, x, training=False):
        self._x = x
        if not training or self.rate == 0.0:
            self._scale = None
            self._y = x
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = self.generator.random(shape, dtype=np.float64) >= self.rate
        # the mask is drawn on the host from the seeded generator (the same masks on any
        # backend), then moved beside x
        self._scale = array_module(x).asarray(keep.astype(x.dtype)
                                              * x.dtype.type(1.0 / (1.0 - self.rate)))
        self._y = y = x * self._scale
        return y

    def backward(self, grad, need_input_grad=True):
        return grad if self._scale is None else grad * self._scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}

    def __repr__(self):
        return f"<Dropout name={self.name!r} rate={self.rate}>"
