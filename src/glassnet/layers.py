"""Layers (``keras.layers``): Input, Dense, Flatten, Activation, Dropout.

Each layer reads top to bottom as the chapter does: ``build`` makes the weights, ``forward``
computes the output and keeps what ``backward`` needs, ``backward`` turns the gradient of the
loss with respect to the output into the gradient with respect to the input and fills the
layer's parameter gradients (``grads``, aligned with ``params``). Optimizers apply them.
"""
import numpy as np

from . import activations, config, initializers, utils
from .naming import snake_case, unique_name

_BASE_ARGS = ("name", "trainable", "dtype", "input_shape", "input_dim", "batch_size")


class Layer:
    """Base of every layer: weights in ``params`` (kernel then bias), their gradients in ``grads``."""

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_size=None, **unknown):
        if unknown:
            _reject_arguments(type(self), unknown)
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = dtype
        if input_dim is not None:
            input_shape = (input_dim,)
        self.input_shape_hint = None if input_shape is None else _as_shape(input_shape, "input_shape")
        self.built = False
        self.input_shape = None         # without the batch dimension
        self.params, self.grads, self.param_names = [], [], []

    # -- construction -------------------------------------------------------------------------
    def build(self, input_shape):
        """Make the weights for inputs of ``input_shape`` (no batch dimension)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def add_weight(self, name, shape, initializer):
        dtype = self.dtype or config.floatx()
        value = np.ascontiguousarray(initializer(shape, dtype=dtype), dtype=dtype)
        self.params.append(value)
        self.grads.append(np.zeros_like(value))
        self.param_names.append(name)
        return value

    # -- computation --------------------------------------------------------------------------
    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad, need_input_grad=True):
        raise NotImplementedError

    def __call__(self, x, training=False):
        x = np.asarray(x, dtype=self.dtype or config.floatx())
        if not self.built:
            self.build(x.shape[1:])
        return self.forward(x, training=training)

    # -- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        return list(self.params)

    @property
    def trainable_weights(self):
        return list(self.params) if self.trainable else []

    def get_weights(self):
        return [p.copy() for p in self.params]

    def set_weights(self, weights):
        weights = list(weights)
        if len(weights) != len(self.params):
            raise ValueError(f"Layer {self.name!r} has {len(self.params)} weight arrays "
                             f"({', '.join(self.param_names) or 'none'}), got {len(weights)}.")
        for param, name, value in zip(self.params, self.param_names, weights):
            value = np.asarray(value)
            if value.shape != param.shape:
                raise ValueError(f"Layer {self.name!r}: {name} has shape {param.shape}, "
                                 f"got an array of shape {value.shape}.")
            param[...] = value          # copy into place: optimizer state stays attached

    def count_params(self):
        return int(sum(p.size for p in self.params))

    def get_config(self):
        config_ = {"name": self.name, "trainable": self.trainable,
                   "dtype": self.dtype or config.floatx()}
        if self.input_shape_hint is not None:
            config_["input_shape"] = self.input_shape_hint
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _as_shape(shape, what):
    try:
        shape = tuple(int(d) if d is not None else None for d in shape)
    except TypeError:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else None
    if shape is None or any(d is not None and d <= 0 for d in shape):
        raise ValueError(f"{what} must be a tuple of positive sizes such as (64,) or (8, 8), "
                         f"got {shape!r}.")
    return shape


def _reject_arguments(cls, unknown):
    import inspect
    valid = [p for p in inspect.signature(cls.__init__).parameters
             if p not in ("self", "args", "kwargs", "unknown")]
    names = ", ".join(repr(k) for k in unknown)
    raise TypeError(f"{cls.__name__} got unexpected argument(s) {names}. "
                    f"It takes: {', '.join(valid + [a for a in _BASE_ARGS if a not in valid])}.")


class InputLayer(Layer):
    """The model's input: its shape without the batch dimension. Holds no weights."""

    def __init__(self, shape=None, batch_size=None, dtype=None, name=None, **unknown):
        super().__init__(name=name or unique_name("input_layer"), dtype=dtype, **unknown)
        if shape is None:
            raise ValueError("Input needs a shape, e.g. Input(shape=(64,)).")
        self.shape = _as_shape(shape, "Input shape")
        self.batch_size = batch_size

    def get_config(self):
        return {"batch_shape": (self.batch_size,) + self.shape, "dtype": self.dtype or config.floatx(),
                "name": self.name}


def Input(shape=None, batch_size=None, dtype=None, name=None, **kwargs):
    """``keras.Input``: declares the input shape, e.g. ``Input(shape=(64,))``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name, **kwargs)


class Dense(Layer):
    """y = activation(x @ kernel + bias), kernel of shape (fan_in, units).

    Backward, with dz the gradient on z = x @ kernel + bias:
    d kernel = x^T dz, d bias = sum of dz over the batch, dx = dz @ kernel^T.
    """

    _POSITIONAL = ("activation", "use_bias", "kernel_initializer", "bias_initializer")

    def __init__(self, units, *args, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        options = {"activation": activation, "use_bias": use_bias,
                   "kernel_initializer": kernel_initializer, "bias_initializer": bias_initializer}
        _bind_positional(units, args, options, kwargs)
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units <= 0:
            raise ValueError(f"Dense needs a positive integer number of units, got {units!r}.")
        self.units = int(units)
        self.activation = _resolve_activation(options["activation"], units)
        self.use_bias = bool(options["use_bias"])
        self.kernel_initializer = initializers.get(options["kernel_initializer"])
        self.bias_initializer = initializers.get(options["bias_initializer"])

    def build(self, input_shape):
        super().build(input_shape)
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def forward(self, x, training=False):
        z = x @ self.kernel
        if self.use_bias:
            z += self.bias                   # in place: z is ours
        self._x, self._z = x, z
        self._y = y = self.activation(z)
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        """``through_activation=False``: ``grad`` is already on z (a fused loss gave it)."""
        dz = self.activation.backward(grad, self._z, self._y) if through_activation else grad
        x = self._x
        if x.ndim > 2:                       # Dense acts on the last axis of N-d inputs
            x, dz = x.reshape(-1, x.shape[-1]), dz.reshape(-1, self.units)
        np.matmul(x.T, dz, out=self.grads[0])
        if self.use_bias:
            dz.sum(axis=0, out=self.grads[1])
        if need_input_grad:
            return (dz @ self.kernel.T).reshape(self._x.shape)
        return None

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer)}

    def __repr__(self):
        return (f"<Dense name={self.name!r} units={self.units} "
                f"activation={self.activation.__name__!r}>")


def _bind_positional(units, args, options, kwargs):
    """Map Keras's positional order (units, activation, use_bias, ...) onto ``options``.

    Catches the notes' slip ``Dense(300, weight_init, activation="relu")``: the second
    positional argument is ``activation``, so an initializer there is a mistake.
    """
    names = Dense._POSITIONAL
    if len(args) > len(names):
        raise TypeError(f"Dense takes at most {len(names) + 1} positional arguments "
                        f"(units, {', '.join(names)}); got {len(args) + 1}.")
    for name, value in zip(names, args):
        if name == "activation" and _is_initializer(value):
            raise TypeError(
                f"Dense({units}, {value!r}, ...): the second positional argument of Dense is "
                f"`activation`, and {value!r} is an initializer. Pass it by name: "
                f"Dense({units}, kernel_initializer={value!r}, activation=...).")
        default = {"activation": None, "use_bias": True, "kernel_initializer": "glorot_uniform",
                   "bias_initializer": "zeros"}[name]
        if options[name] is not default and options[name] != default:
            raise TypeError(f"Dense got two values for `{name}`: {value!r} by position and "
                            f"{options[name]!r} by name. Give it once.")
        options[name] = value


def _is_initializer(value):
    if isinstance(value, initializers.Initializer):
        return True
    return (isinstance(value, str) and initializers.registry.has(value)
            and not activations.registry.has(value))


def _resolve_activation(identifier, units=None):
    if _is_initializer(identifier):
        raise TypeError(f"activation={identifier!r} is an initializer, not an activation. Write "
                        f"Dense({units}, kernel_initializer={identifier!r}, activation='relu').")
    activation = activations.get(identifier)
    if not hasattr(activation, "backward"):
        raise TypeError(f"activation={identifier!r} has no derivative glassnet knows. Use a name "
                        f"such as 'relu', or a glassnet.activations.ActivationFunction subclass "
                        f"with a backward method.")
    return activation


class Activation(Layer):
    """Applies an activation: y = f(x); dx = f'(x) * dy (via ``f.backward``)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _resolve_activation(activation)

    def forward(self, x, training=False):
        self._x = x
        self._y = y = self.activation(x)
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        return self.activation.backward(grad, self._x, self._y) if through_activation else grad

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...); backward reshapes the gradient back."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def compute_output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, grad, need_input_grad=True):
        return grad.reshape(self._shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format or "channels_last"}


class Dropout(Layer):
    """Training: y = x * mask / (1 - rate), mask ~ Bernoulli(1 - rate); inference: y = x.

    Scaling at training time (inverted dropout, as Keras) keeps the expected output equal to
    the input, so inference needs no change. Backward: dx = dy * mask / (1 - rate).
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}.")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._generator = utils.generator(seed)

    def forward(self, x, training=False):
        if not training or self.rate == 0.0:
            self._scale = None
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = self._generator.random(shape) >= self.rate
        self._scale = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate))
        return x * self._scale

    def backward(self, grad, need_input_grad=True):
        return grad if self._scale is None else grad * self._scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}
