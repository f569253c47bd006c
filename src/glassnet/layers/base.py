"""The base ``Layer``: weights (``params`` with their ``grads``, then ``buffers``), the
shape bookkeeping, configs, and the argument checks every layer shares.

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

from .. import config, regularizers
from ..arrays import array_module, host_copy, to_device, to_host
from ..naming import snake_case, unique_name
from .symbolic import is_symbolic, symbolic_call

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
        self.input_shape = None         # one sample's shape (no batch axis), once built
        self.params, self.grads, self.param_names = [], [], []
        self.buffers, self.buffer_names = [], []
        self._inbound_nodes = []        # calls on symbolic tensors (functional API), in order
        self.activity_regularizer = regularizers.check_trainable(activity_regularizer,
                                                                 "activity_regularizer")

    # -- construction -------------------------------------------------------------------------
    # Elementwise layers (activations, noise, Identity) take any rank, as Keras's do; the rest
    # read axis 0 as the batch and refuse an input without one.
    needs_batch = True

    def build(self, input_shape):
        """Make the weights for inputs of ``input_shape``: the full shape, batch axis first
        (``None`` when unknown), as Keras's ``build``. ``self.input_shape`` keeps one
        sample's shape (``input_shape[1:]``)."""
        self.input_shape = tuple(input_shape)[1:]
        self.built = True

    def compute_output_shape(self, input_shape):
        """The output shape for inputs of ``input_shape`` (no batch dimension)."""
        return tuple(input_shape)

    def add_weight(self, name, shape, initializer, trainable=True):
        """A new weight array drawn by ``initializer``: trainable, with a gradient array
        beside it, or a non-trainable buffer."""
        dtype = self.dtype or config.floatx()
        # drawn on the host from the seeded NumPy generator, then moved to the active
        # backend: the same seed gives the same initial weights on the CPU and on a GPU
        value = to_device(np.ascontiguousarray(initializer(shape, dtype=dtype), dtype=dtype))
        if value.shape != tuple(shape):
            raise ValueError(f"The initializer of {self.name}.{name} returned shape {value.shape}, "
                             f"expected {tuple(shape)}.")
        if not trainable:
            self.buffers.append(value)
            self.buffer_names.append(name)
            return value
        self.params.append(value)
        self.grads.append(array_module(value).zeros_like(value))
        self.param_names.append(name)
        return value

    # -- computation --------------------------------------------------------------------------
    def forward(self, x, training=False):
        raise NotImplementedError

    def backward(self, grad, need_input_grad=True):
        raise NotImplementedError

    def __call__(self, x, training=False):
        """Apply the layer to a batch, building it on first use (as a Keras layer call).

        On symbolic tensors (from ``glassnet.Input``) it computes nothing: it records the
        call as a node of a functional graph and returns the output's symbolic tensor."""
        if is_symbolic(x):
            return symbolic_call(self, x)
        x = to_device(x, dtype=self.dtype or config.floatx())
        if x.ndim < 2 and self.needs_batch:
            raise ValueError(f"{self.name} needs a batch: an array of shape (batch, ...), got "
                             f"shape {x.shape}. Use x[None] for a single sample.")
        if not self.built:
            self.build(x.shape)
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
        return [host_copy(p) for p in self.weights]

    def set_weights(self, weights):
        """Copy ``weights`` into the layer's arrays (shapes must match exactly)."""
        weights, current = list(weights), self.weights
        names = self.param_names + self.buffer_names
        if len(weights) != len(current):
            raise ValueError(
                f"Layer {self.name!r} has {len(current)} weight arrays "
                f"({', '.join(names) or 'none'}), got {len(weights)}. Pass one array "
                f"per weight, in the order layer.get_weights() returns them.")
        values = [to_host(value) for value in weights]
        for param, name, value in zip(current, names, values):
            if value.shape != param.shape:
                raise ValueError(
                    f"Layer {self.name!r}: {name} has shape {param.shape}, got an array of shape "
                    f"{value.shape}. Give it an array of shape {param.shape}.")
        for param, value in zip(current, values):
            param[...] = array_module(param).asarray(value)   # into place: optimizer state
                                                              # stays attached

    def count_params(self):
        return int(sum(p.size for p in self.weights))

    # -- regularization -----------------------------------------------------------------------
    @property
    def constraints(self):
        """Per trainable weight, its constraint or None: the layer's ``<name>_constraint``
        (``kernel_constraint`` for ``kernel``, ...), applied by the optimizer after each
        update."""
        return [getattr(self, f"{name}_constraint", None) for name in self.param_names]

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
