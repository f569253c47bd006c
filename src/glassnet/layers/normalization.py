"""``BatchNormalization`` (Ioffe & Szegedy 2015), as ``keras.layers.BatchNormalization``.

Each feature (the entries along ``axis``) is standardized, then scaled and shifted by two
learned weights: ``y = gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

- Training (``fit``): ``mean`` and ``variance`` are the batch's, over every axis but
  ``axis`` (the biased variance, dividing by the count, as Keras), and the moving statistics
  follow them: ``moving = moving * momentum + batch * (1 - momentum)``.
- Inference (``predict``, ``evaluate``) and a frozen layer (``trainable=False``, as Keras):
  the moving statistics stand in for the batch's, so the layer is a fixed affine map.

``moving_mean`` and ``moving_variance`` are non-trainable weights: in ``get_weights`` after
``gamma`` and ``beta`` (Keras's order), counted as "Non-trainable params", never given to the
optimizer.

Numerical choice: the batch variance is computed in two passes, ``mean((x - mean)**2)``;
Keras on torch computes ``mean(x**2) - mean**2``, the same to rounding for centered data
but subject to cancellation when ``|mean|`` is large against the spread.
"""
import numpy as np

from .. import constraints, initializers, regularizers
from ..arrays import array_module
from .base import Layer, _unsupported


class BatchNormalization(Layer):
    """Standardize each feature over the batch, then ``gamma * x_hat + beta``.

    Backward with ``x_hat = (x - mean) * r``, ``r = 1 / sqrt(variance + epsilon)`` and ``n``
    the number of values per feature: ``d beta = sum(dy)``, ``d gamma = sum(dy * x_hat)``;
    in training mode ``dx = r / n * (n * g - sum(g) - x_hat * sum(g * x_hat))`` with
    ``g = gamma * dy`` (the mean and variance depend on x too); in inference mode
    ``dx = r * g``. Defaults as Keras: ``axis=-1``, ``momentum=0.99``, ``epsilon=0.001``.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        _unsupported("BatchNormalization", beta_constraint=beta_constraint,
                     gamma_constraint=gamma_constraint, renorm_clipping=renorm_clipping,
                     renorm=renorm or None, synchronized=synchronized or None)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"BatchNormalization axis must be one integer (the feature axis, "
                            f"-1 for the last), got {axis!r}.")
        self.axis = int(axis)
        self.momentum = _fraction(momentum, "momentum")
        self.epsilon = float(epsilon)
        if not self.epsilon > 0:
            raise ValueError(f"epsilon must be positive (it keeps the division finite for a "
                             f"constant feature), got {epsilon!r}.")
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.check_trainable(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = regularizers.check_trainable(gamma_regularizer,
                                                              "gamma_regularizer")
        self.renorm, self.renorm_momentum, self.synchronized = False, renorm_momentum, False
        self.gamma = self.beta = None

    def build(self, input_shape):
        super().build(input_shape)
        rank = len(input_shape)                         # with the batch axis, as Keras counts
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"BatchNormalization axis={self.axis} is not a feature axis of "
                             f"inputs of shape {tuple(input_shape)}; use -1 for the last axis.")
        self._feature_axis = self.axis % rank
        shape = (input_shape[self._feature_axis],)
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer)
            self._gamma_grad = self.grads[-1]
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer)
            self._beta_grad = self.grads[-1]
        self.moving_mean = self.add_weight("moving_mean", shape, self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight("moving_variance", shape,
                                               self.moving_variance_initializer, trainable=False)

    def _along_feature(self, vector, ndim):
        """A per-feature vector shaped to broadcast against the inputs."""
        shape = [1] * ndim
        shape[self._feature_axis] = -1
        return vector.reshape(shape)

    def forward(self, x, training=False):
        xp = array_module(x)
        self._x = x
        reduce = tuple(i for i in range(x.ndim) if i != self._feature_axis)
        self._batch_mode = bool(training) and self.trainable
        if self._batch_mode:
            mean = x.mean(axis=reduce, keepdims=True)
            centered = x - mean
            variance = xp.mean(xp.square(centered), axis=reduce, keepdims=True)
            self._update_moving(mean.reshape(-1), variance.reshape(-1))
        else:
            centered = x - self._along_feature(self.moving_mean, x.ndim)
            variance = self._along_feature(self.moving_variance, x.ndim)
        inv_std = 1.0 / xp.sqrt(variance + x.dtype.type(self.epsilon))
        factor = inv_std if self.gamma is None else inv_std * self._along_feature(self.gamma,
                                                                                   x.ndim)
        y = centered * factor                          # (x - mean) * (gamma r) + beta, as Keras
        if self.beta is not None:
            y += self._along_feature(self.beta, x.ndim)
        self._centered, self._inv_std, self._reduce = centered, inv_std, reduce
        self._y = y
        return y

    def _update_moving(self, mean, variance):
        """moving = moving * momentum + batch * (1 - momentum), in place."""
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            moving *= self.momentum
            moving += batch * (1.0 - self.momentum)

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        reduce, inv_std = self._reduce, self._inv_std
        x_hat = self._centered * inv_std
        if self.beta is not None:
            grad.sum(axis=reduce, out=self._beta_grad)
        if self.gamma is not None:
            xp.sum(grad * x_hat, axis=reduce, out=self._gamma_grad)
        if not need_input_grad:
            return None
        g = grad if self.gamma is None else grad * self._along_feature(self.gamma, grad.ndim)
        if not self._batch_mode:
            return g * inv_std
        count = grad.size // g.shape[self._feature_axis]
        g_sum = g.sum(axis=reduce, keepdims=True)
        g_x_hat = xp.sum(g * x_hat, axis=reduce, keepdims=True)
        return (inv_std / count) * (count * g - g_sum - x_hat * g_x_hat)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None,
                "synchronized": False, "renorm": False, "renorm_clipping": None,
                "renorm_momentum": self.renorm_momentum}

    def __repr__(self):
        return (f"<BatchNormalization name={self.name!r} momentum={self.momentum} "
                f"epsilon={self.epsilon}>")


def _fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}.")
    return float(value)


# -- per-sample normalizations: statistics over the feature axes of each sample -------------

def _axes(axis, what):
    """``axis`` (an int or a list of ints) as a list, as Keras keeps it."""
    if isinstance(axis, (list, tuple)):
        axes = list(axis)
    else:
        axes = [axis]
    if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer))
                       for a in axes):
        raise TypeError(f"{what} axis must be an integer or a list of them (-1: the last), "
                        f"got {axis!r}.")
    return [int(a) for a in axes]


def _feature_axes(axes, input_shape, what):
    """The axes as sorted non-negative indices of inputs of ``input_shape`` (batch first)."""
    rank = len(input_shape)
    if any(not -rank <= a < rank or a % rank == 0 for a in axes) or \
            len({a % rank for a in axes}) < len(axes):
        raise ValueError(f"{what} axis={axes} must name distinct feature axes of inputs of "
                         f"shape {tuple(input_shape)} (not the batch axis 0); use -1 for the "
                         f"last axis.")
    return tuple(sorted(a % rank for a in axes))


class _PerSampleNormalization(Layer):
    """What LayerNormalization, RMSNormalization and UnitNormalization share: the axes each
    sample is normalized over (``_axes``), the weights' shape along them, and broadcasting."""

    def _build_axes(self, input_shape, what):
        self._axes_index = _feature_axes(self.axes, input_shape, what)
        shape = tuple(input_shape[a] for a in self._axes_index)
        if any(d is None for d in shape):
            raise ValueError(f"{what} needs the size of its axes {self.axes} to make its "
                             f"weights; got input shape {tuple(input_shape)}.")
        return shape

    def _broadcast(self, vector, ndim):
        """A weight over the normalized axes, shaped to broadcast against the inputs."""
        shape = [1] * ndim
        for a, d in zip(self._axes_index, vector.shape):
            shape[a] = d
        return vector.reshape(shape)

    def _reduce_rest(self, values, weight):
        """``values`` summed over every axis but the normalized ones, in ``weight``'s shape."""
        rest = tuple(i for i in range(values.ndim) if i not in self._axes_index)
        return values.sum(axis=rest).reshape(weight.shape)


class LayerNormalization(_PerSampleNormalization):
    """Each sample standardized over ``axis`` (Ba et al. 2016), then ``gamma * x_hat + beta``:
    ``x_hat = (x - mean) / sqrt(variance + epsilon)``, the mean and the biased variance over
    ``axis`` of that sample alone (no batch statistics, no moving averages).

    Backward with ``r = 1 / sqrt(variance + epsilon)``, ``n`` the values per sample and
    ``g = gamma * dy``: ``dx = r / n * (n g - sum(g) - x_hat sum(g x_hat))``, sums over
    ``axis``; ``d gamma = sum(dy x_hat)``, ``d beta = sum(dy)`` over the other axes.
    Defaults as Keras: ``axis=-1``, ``epsilon=0.001``.
    """

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 rms_scaling=False, **kwargs):
        super().__init__(**kwargs)
        _unsupported("LayerNormalization", rms_scaling=rms_scaling or None)
        self.beta_constraint = constraints.get(beta_constraint)     # applied after each update
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.axes = _axes(axis, "LayerNormalization")
        self.epsilon = _positive_epsilon(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.check_trainable(beta_regularizer, "beta_regularizer")
        self.gamma_regularizer = regularizers.check_trainable(gamma_regularizer,
                                                              "gamma_regularizer")
        self.gamma = self.beta = None

    def build(self, input_shape):
        super().build(input_shape)
        shape = self._build_axes(input_shape, "LayerNormalization")
        if self.scale:
            self.gamma = self.add_weight("gamma", shape, self.gamma_initializer)
            self._gamma_grad = self.grads[-1]
        if self.center:
            self.beta = self.add_weight("beta", shape, self.beta_initializer)
            self._beta_grad = self.grads[-1]

    def forward(self, x, training=False):
        xp = array_module(x)
        axes = self._axes_index
        centered = x - x.mean(axis=axes, keepdims=True)
        variance = xp.mean(xp.square(centered), axis=axes, keepdims=True)
        inv_std = 1.0 / xp.sqrt(variance + x.dtype.type(self.epsilon))
        x_hat = centered * inv_std
        y = x_hat if self.gamma is None else x_hat * self._broadcast(self.gamma, x.ndim)
        if self.beta is not None:
            y = y + self._broadcast(self.beta, x.ndim)
        self._x, self._x_hat, self._inv_std, self._y = x, x_hat, inv_std, y
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        x_hat, axes = self._x_hat, self._axes_index
        if self.beta is not None:
            self._beta_grad[...] = self._reduce_rest(grad, self.beta)
        if self.gamma is not None:
            self._gamma_grad[...] = self._reduce_rest(grad * x_hat, self.gamma)
        if not need_input_grad:
            return None
        g = grad if self.gamma is None else grad * self._broadcast(self.gamma, grad.ndim)
        count = int(np.prod([grad.shape[a] for a in axes]))
        g_sum = g.sum(axis=axes, keepdims=True)
        g_x_hat = xp.sum(g * x_hat, axis=axes, keepdims=True)
        return (self._inv_std / count) * (count * g - g_sum - x_hat * g_x_hat)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint)}

    def __repr__(self):
        return f"<LayerNormalization name={self.name!r} axis={self.axis} epsilon={self.epsilon}>"


class RMSNormalization(_PerSampleNormalization):
    """Root-mean-square normalization (Zhang & Sennrich 2019): ``y = x r * scale`` with
    ``r = 1 / sqrt(mean(x**2) + epsilon)`` over ``axis`` of each sample; no centering, no
    shift. ``epsilon=1e-6`` as Keras; the learned ``scale`` starts at ones.

    Backward with ``h = dy * scale`` and ``n`` values per sample:
    ``dx = r h - x r**3 sum(h x) / n`` (sum over ``axis``); ``d scale = sum(dy x r)`` over the
    other axes.
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.axes = _axes(axis, "RMSNormalization")
        self.epsilon = _positive_epsilon(epsilon)

    def build(self, input_shape):
        super().build(input_shape)
        shape = self._build_axes(input_shape, "RMSNormalization")
        self.scale = self.add_weight("scale", shape, initializers.get("ones"))

    def forward(self, x, training=False):
        xp = array_module(x)
        mean_square = xp.mean(xp.square(x), axis=self._axes_index, keepdims=True)
        inv_rms = 1.0 / xp.sqrt(mean_square + x.dtype.type(self.epsilon))
        normalized = x * inv_rms
        self._x, self._inv_rms, self._normalized = x, inv_rms, normalized
        self._y = y = normalized * self._broadcast(self.scale, x.ndim)
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        self.grads[0][...] = self._reduce_rest(grad * self._normalized, self.scale)
        if not need_input_grad:
            return None
        x, inv_rms, axes = self._x, self._inv_rms, self._axes_index
        h = grad * self._broadcast(self.scale, grad.ndim)
        count = int(np.prod([grad.shape[a] for a in axes]))
        h_x = xp.sum(h * x, axis=axes, keepdims=True)
        return inv_rms * h - x * (inv_rms ** 3) * (h_x / count)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}

    def __repr__(self):
        return f"<RMSNormalization name={self.name!r} axis={self.axis} epsilon={self.epsilon}>"


class UnitNormalization(_PerSampleNormalization):
    """Each sample scaled to unit L2 norm over ``axis``: ``y = x * min(1 / ||x||, 1e12)`` (Keras's
    ``normalize`` with epsilon 1e-12 bounds the factor, so an all-zero sample stays 0).
    No weights.

    Backward where ``||x|| > 1e-12``: ``dx = (dy - y sum(dy y)) / ||x||`` (sum over ``axis``);
    where the bound holds: ``dx = 1e12 dy``.
    """

    needs_batch = False

    _EPSILON = 1e-12

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis if isinstance(axis, int) else list(axis)
        self.axes = _axes(axis, "UnitNormalization")

    def build(self, input_shape):
        super().build(input_shape)
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in self.axes):
            raise ValueError(f"UnitNormalization axis={self.axis} is not an axis of inputs of "
                             f"shape {tuple(input_shape)}; use -1 for the last axis.")
        self._axes_index = tuple(sorted(a % rank for a in self.axes))

    def forward(self, x, training=False):
        xp = array_module(x)
        if not self.built:
            self.build(x.shape)
        square_sum = xp.sum(xp.square(x), axis=self._axes_index, keepdims=True)
        with np.errstate(divide="ignore"):
            inv_norm = xp.minimum(1.0 / xp.sqrt(square_sum), x.dtype.type(1.0 / self._EPSILON))
        self._x, self._inv_norm = x, inv_norm
        self._bounded = square_sum <= self._EPSILON ** 2
        self._y = y = x * inv_norm
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        y, inv_norm = self._y, self._inv_norm
        projected = grad - y * xp.sum(grad * y, axis=self._axes_index, keepdims=True)
        return xp.where(self._bounded, grad, projected) * inv_norm

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}

    def __repr__(self):
        return f"<UnitNormalization name={self.name!r} axis={self.axis}>"


def _positive_epsilon(epsilon):
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.number)) \
            or not epsilon > 0:
        raise ValueError(f"epsilon must be a positive number (it keeps the division finite "
                         f"for a constant sample), got {epsilon!r}.")
    return float(epsilon)
