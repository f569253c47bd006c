"""Activation functions, each beside its derivative (``keras.activations``).

An activation is called as Keras calls it, ``f(x)``. For backpropagation it also has
``f.backward(grad, x, y)``: the gradient with respect to its input ``x`` given the gradient
``grad`` with respect to its output ``y = f(x)``. Derivatives are written from the output ``y``
where that is cheaper (sigmoid' = y(1 - y), tanh' = 1 - y^2), from the input otherwise.
``backward`` never modifies ``grad``.
"""
import numpy as np

from ._registry import Registry


class ActivationFunction:
    """Base of every activation: a named callable with a ``backward``."""

    name = None

    def __call__(self, x):
        raise NotImplementedError

    def backward(self, grad, x, y):
        raise NotImplementedError

    @property
    def __name__(self):
        return self.name

    def __repr__(self):
        return f"<activation {self.name}>"

    def __reduce__(self):              # a registered activation is its name, even across processes
        return (get, (self.name,))


registry = Registry("activation", base=ActivationFunction)


def _register(*names):
    """Register one instance of the decorated class under ``names``."""
    def decorate(cls):
        instance = cls()
        instance.name = names[0]
        registry.register(*names)(instance)
        return instance
    return decorate


@_register("linear")
class _Linear(ActivationFunction):
    """linear(x) = x; linear' = 1."""

    def __call__(self, x):
        return x

    def backward(self, grad, x, y):
        return grad


@_register("relu")
class _ReLU(ActivationFunction):
    """relu(x) = max(x, 0); relu' = 1 where x > 0 else 0 (0 at x = 0, as Keras and PyTorch).

    Keras's options: ``negative_slope`` (slope below ``threshold``), ``max_value`` (clip above),
    ``threshold`` (values below it are zeroed or sloped).
    """

    def __call__(self, x, negative_slope=0.0, max_value=None, threshold=0.0):
        x = np.asarray(x)
        if negative_slope == 0.0 and max_value is None and threshold == 0.0:
            return np.maximum(x, 0, dtype=x.dtype if x.dtype.kind == "f" else None)
        y = np.where(x > threshold, x, negative_slope * (x - threshold))
        if max_value is not None:
            y = np.minimum(y, max_value)
        return y.astype(x.dtype, copy=False) if x.dtype.kind == "f" else y

    def backward(self, grad, x, y, negative_slope=0.0, max_value=None, threshold=0.0):
        slope = np.where(x > threshold, 1.0, negative_slope).astype(grad.dtype, copy=False)
        if max_value is not None:
            slope = np.where(x >= max_value, 0.0, slope).astype(grad.dtype, copy=False)
        return grad * slope


@_register("sigmoid")
class _Sigmoid(ActivationFunction):
    """sigmoid(x) = 1 / (1 + exp(-x)); sigmoid' = y (1 - y), at most 0.25 (the chapter's point).

    Computed as exp(min(x,0)) / (1 + exp(-|x|)) so that neither branch overflows.
    """

    def __call__(self, x):
        x = np.asarray(x)
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def backward(self, grad, x, y):
        return grad * (y * (1.0 - y))


@_register("tanh")
class _Tanh(ActivationFunction):
    """tanh(x); tanh' = 1 - y^2."""

    def __call__(self, x):
        return np.tanh(x)

    def backward(self, grad, x, y):
        return grad * (1.0 - y * y)


@_register("softmax")
class _Softmax(ActivationFunction):
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) over ``axis`` (-1 by default).

    Shifting by the max changes nothing mathematically and keeps exp from overflowing.
    Its Jacobian is diag(y) - y y^T, so the backward pass is y * (grad - sum(grad * y)).
    """

    def __call__(self, x, axis=-1):
        x = np.asarray(x)
        e = np.exp(x - np.max(x, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)

    def backward(self, grad, x, y, axis=-1):
        return y * (grad - np.sum(grad * y, axis=axis, keepdims=True))


linear = registry.lookup("linear")
relu = registry.lookup("relu")
sigmoid = registry.lookup("sigmoid")
tanh = registry.lookup("tanh")
softmax = registry.lookup("softmax")


def get(identifier):
    """Keras's ``activations.get``: None -> linear, a name -> the activation, a callable -> itself."""
    if identifier is None:
        return linear
    return registry.get(identifier)


def serialize(activation):
    return registry.serialize(activation)


def deserialize(config):
    return registry.deserialize(config)
