"""``Reshape``, as ``keras.layers.Reshape``: each sample's values in a new shape.

``target_shape`` excludes the batch axis and may hold one ``-1``, inferred from the input
size. Forward ``x.reshape(batch, *target_shape)`` (a view); backward reshapes the gradient
back to the input's shape.
"""
import math

import numpy as np

from ..arrays import array_module
from .base import Layer


class Reshape(Layer):
    """(batch, *input_shape) -> (batch, *target_shape), same number of values per sample."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise TypeError(f"Reshape target_shape must be a tuple of sizes such as (4, 4), "
                            f"without the batch size; got {target_shape!r}.") from None
        if target_shape.count(-1) > 1 or any(d == 0 or d < -1 for d in target_shape):
            raise ValueError(f"Reshape target_shape takes positive sizes and at most one -1 "
                             f"(inferred); got {target_shape}.")
        self.target_shape = target_shape

    def compute_output_shape(self, input_shape):
        if -1 not in self.target_shape:
            return self.target_shape
        if any(d is None for d in input_shape):
            return tuple(None if d == -1 else d for d in self.target_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        size = math.prod(input_shape)
        return tuple(size // known if d == -1 else d for d in self.target_shape)

    def build(self, input_shape):
        super().build(input_shape)
        input_shape = tuple(input_shape)[1:]            # one sample's shape
        if any(d is None for d in input_shape):
            return
        size, output_shape = math.prod(input_shape), self.compute_output_shape(input_shape)
        if math.prod(output_shape) != size:
            raise ValueError(f"{self.name}: cannot reshape inputs of shape "
                             f"{tuple(input_shape)} ({size} values per sample) into "
                             f"{self.target_shape}. The sizes must multiply to {size}.")

    def forward(self, x, training=False):
        self._x = x
        self._y = y = x.reshape((len(x),) + self.target_shape)
        return y

    def backward(self, grad, need_input_grad=True):
        xp = array_module(grad)
        return xp.reshape(grad, self._x.shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}

    def __repr__(self):
        return f"<Reshape name={self.name!r} target_shape={self.target_shape}>"
