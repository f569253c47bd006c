"""Layers (``keras.layers``): Input, Dense, Flatten, Activation, Dropout (and, from their own
modules, BatchNormalization, GaussianNoise, ReLU, LeakyReLU, Softmax, Reshape).

Each layer reads top to bottom as the chapter does: ``build`` makes the weights, ``forward``
computes the output and keeps what ``backward`` needs, ``backward`` turns the gradient of the
loss with respect to the output into the gradient with respect to the input and fills the
layer's parameter gradients (``grads``, aligned with ``params``). Optimizers apply them.

What ``forward`` keeps (read by ``glassnet.inspect`` and probes, never a second pass):
``_x`` the input, ``_y`` the output, and for Dense ``_z`` the pre-activation x @ kernel + bias.

Weights: ``params`` are the trainable ones (with ``grads``; the weight ``kernel`` is
penalized by the layer's ``kernel_regularizer``, if any, and so on by name, as Keras names
them); ``buffers`` hold non-trainable state such as BatchNormalization's moving statistics.
``weights`` / ``get_weights`` list ``params`` then ``buffers``, Keras's order.
"""
import difflib
import inspect

import numpy as np

from . import activations, config, initializers, regularizers, utils
from .naming import snake_case, unique_name

_BASE_ARGS = ("name", "trainable", "dtype", "input_shape", "input_dim", "batch_size",
              "activity_regularizer")


class Layer:
    """Base of every layer: weights in ``params`` (kernel then bias), their gradients in ``grads``.

    ``input_shape=`` (or ``input_dim=``) on the first layer of a Sequential declares the
    model's input, as the notes write ``Flatten(input_shape=[28, 28])``.
    """

    def __init__(self, name=None, trainable=True, dtype=None, input_shape=None, input_dim=None,
                 batch_size=None, activity_regularizer=None, **unknown):
        if unknown:
            _reject_arguments(type(self), unknown)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__} name must be a string, got {name!r}.")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = bool(trainable)
        self.dtype = None if dtype is None else np.dtype(dtype).name
        if input_dim is not None:
            input_shape = (input_dim,)
        self.input_shape_hint = (None if input_shape is None
                                 else _as_shape(input_shape, "input_shape"))
        self.batch_size = batch_size
        self.built = False
        self.input_shape = None         # without the batch dimension, once built
        self.params, self.grads, self.param_names = [], [], []
        self.buffers, self.buffer_names = [], []
        self.activity_regularizer = regularizers.check_trainable(activity_regularizer,
                                                                 "activity_regularizer")

    # -- construction -------------------------------------------------------------------------
    def build(self, input_shape):
        """Make the weights for inputs of ``input_shape`` (no batch dimension)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape`` (no batch dimension)."""
        return tuple(input_shape)

    def add_weight(self, name, shape, initializer, trainable=True):
        """A new weight array drawn by ``initializer``: trainable, with a gradient array
        beside it, or a non-trainable buffer."""
        dtype = self.dtype or config.floatx()
        value = np.ascontiguousarray(initializer(shape, dtype=dtype), dtype=dtype)
        if value.shape != tuple(shape):
            raise ValueError(f"The initializer of {self.name}.{name} returned shape {value.shape}, "
                             f"expected {tuple(shape)}.")
        if not trainable:
            self.buffers.append(value)
            self.buffer_names.append(name)
            return value
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
        """Apply the layer to a batch, building it on first use (as a Keras layer call)."""
        x = np.asarray(x, dtype=self.dtype or config.floatx())
        if x.ndim < 2:
            raise ValueError(f"{self.name} needs a batch: an array of shape (batch, ...), got "
                             f"shape {x.shape}. Use x[None] for a single sample.")
        if not self.built:
            self.build(x.shape[1:])
        return self.forward(x, training=bool(training))

    # -- weights ------------------------------------------------------------------------------
    @property
    def weights(self):
        """Every weight array: the trainable ones, then the buffers (Keras's order)."""
        return self.params + self.buffers

    @property
    def trainable_weights(self):
        return list(self.params) if self.trainable else []

    @property
    def non_trainable_weights(self):
        return list(self.buffers) if self.trainable else self.weights

    def get_weights(self):
        """Copies of the weight arrays (kernel then bias; buffers last)."""
        return [p.copy() for p in self.weights]

    def set_weights(self, weights):
        """Copy ``weights`` into the layer's arrays (shapes must match exactly)."""
        weights, current = list(weights), self.weights
        names = self.param_names + self.buffer_names
        if len(weights) != len(current):
            raise ValueError(
                f"Layer {self.name!r} has {len(current)} weight arrays "
                f"({', '.join(names) or 'none'}), got {len(weights)}. Pass one array "
                f"per weight, in the order layer.get_weights() returns them.")
        values = [np.asarray(value) for value in weights]
        for param, name, value in zip(current, names, values):
            if value.shape != param.shape:
                raise ValueError(
                    f"Layer {self.name!r}: {name} has shape {param.shape}, got an array of shape "
                    f"{value.shape}. Give it an array of shape {param.shape}.")
        for param, value in zip(current, values):
            param[...] = value          # copy into place: optimizer state stays attached

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    # -- regularization -----------------------------------------------------------------------
    @property
    def regularizers(self):
        """Per trainable weight, its regularizer or None: the layer's ``<name>_regularizer``
        (``kernel_regularizer`` for ``kernel``, ``gamma_regularizer`` for ``gamma``, ...)."""
        return [getattr(self, f"{name}_regularizer", None) for name in self.param_names]

    @property
    def losses(self):
        """Keras's ``layer.losses``: the activity penalty of the last forward pass (divided by
        its batch size, as Keras 3) and each trainable weight's penalty."""
        losses = []
        output = getattr(self, "_y", None)
        if self.activity_regularizer is not None and output is not None:
            losses.append(self.activity_regularizer(output) / max(len(output), 1))
        if self.trainable:
            losses += [regularizer(param) for param, regularizer
                       in zip(self.params, self.regularizers) if regularizer is not None]
        return losses

    def add_regularization_gradients(self):
        """Add each trainable weight's penalty gradient to its ``grads`` (after ``backward``)."""
        for param, grad, regularizer in zip(self.params, self.grads, self.regularizers):
            if regularizer is not None:
                grad += regularizer.gradient(param)

    def get_config(self):
        config_ = {"name": self.name, "trainable": self.trainable,
                   "dtype": self.dtype or config.floatx()}
        if self.activity_regularizer is not None:
            config_["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self.input_shape_hint is not None:
            config_["input_shape"] = self.input_shape_hint
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _as_shape(shape, what):
    """A shape tuple of positive ints (None allowed) from a list, tuple or single int."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(None if d is None else int(d) for d in shape)
    except (TypeError, ValueError):
        shape = None
    if not shape or any(d is not None and d <= 0 for d in shape):
        raise ValueError(f"{what} must be a tuple of positive sizes such as (64,) or (8, 8), "
                         f"without the batch size; got {shape!r}.")
    return shape


def _reject_arguments(cls, unknown):
    """One TypeError naming each unknown keyword, its closest valid name, and the valid ones."""
    valid = [p for p in inspect.signature(cls.__init__).parameters
             if p not in ("self", "args", "kwargs", "unknown")]
    valid += [a for a in _BASE_ARGS if a not in valid]
    parts = []
    for key in unknown:
        close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
        parts.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    raise TypeError(f"{cls.__name__} got unexpected keyword argument(s) {', '.join(parts)}. "
                    f"It takes: {', '.join(valid)}.")


def _unsupported(cls_name, **options):
    """Keras arguments glassnet does not implement yet: accepted when None, refused otherwise."""
    given = [k for k, v in options.items() if v is not None]
    if given:
        raise ValueError(f"{cls_name}: {', '.join(given)} is not supported by glassnet yet; "
                         f"remove it (or leave it None).")


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
    """``keras.Input``: declares the input shape without the batch size, e.g.
    ``Input(shape=(64,))``."""
    return InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape,
                      name=name, **kwargs)


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
        _unsupported("Dense", kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.kernel_regularizer = regularizers.check_trainable(kernel_regularizer,
                                                               "kernel_regularizer")
        self.bias_regularizer = regularizers.check_trainable(bias_regularizer, "bias_regularizer")
        self.units = _positive_units(units)
        self.activation = _resolve_activation(options["activation"], units)
        self.use_bias = bool(options["use_bias"])
        self.kernel_initializer = _resolve_initializer(options["kernel_initializer"],
                                                       "kernel_initializer", units)
        self.bias_initializer = _resolve_initializer(options["bias_initializer"],
                                                     "bias_initializer", units)

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
        if self.use_bias:
            z += self.bias                   # in place: z is a fresh array
        self._x, self._z = x, z
        self._y = y = self.activation(z)
        return y

    def backward(self, grad, need_input_grad=True, through_activation=True):
        """``through_activation=False``: ``grad`` is already on z (a fused loss gave it)."""
        dz = self.activation.backward(grad, self._z, self._y) if through_activation else grad
        x = self._x
        if x.ndim > 2:
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
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer)}

    def __repr__(self):
        return (f"<Dense name={self.name!r} units={self.units} "
                f"activation={self.activation.__name__!r}>")


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
        self._x = x
        if self.data_format == "channels_first" and x.ndim > 2:
            x = np.moveaxis(x, 1, -1)
        self._y = y = x.reshape(len(x), -1)
        return y

    def backward(self, grad, need_input_grad=True):
        shape = self._x.shape
        if self.data_format == "channels_first" and len(shape) > 2:
            moved = (shape[0],) + shape[2:] + (shape[1],)
            return np.moveaxis(grad.reshape(moved), -1, 1)
        return grad.reshape(shape)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format or "channels_last"}


class Dropout(Layer):
    """Training: y = x * mask / (1 - rate), mask ~ Bernoulli(1 - rate); inference: y = x.

    Scaling at training time (inverted dropout, as Keras) keeps the expected output equal to
    the input, so inference needs no change. Backward: dx = dy * mask / (1 - rate).
    The masks come from ``self.generator``: seeded by ``seed``, else by glassnet's global seed.
    """

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
        self._scale = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - self.rate))
        self._y = y = x * self._scale
        return y

    def backward(self, grad, need_input_grad=True):
        return grad if self._scale is None else grad * self._scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}

    def __repr__(self):
        return f"<Dropout name={self.name!r} rate={self.rate}>"


# Layers defined in their own modules, reachable here as in keras.layers
from .activation_layers import LeakyReLU, ReLU, Softmax  # noqa: E402,F401
from .noise import GaussianNoise  # noqa: E402,F401
from .normalization import BatchNormalization  # noqa: E402,F401
from .reshaping import Reshape  # noqa: E402,F401
