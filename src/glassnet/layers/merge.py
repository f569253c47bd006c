"""Merge layers (``keras.layers`` Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate): one output from a list of inputs, each forward formula with its backward beside it.

They are what lets a functional graph join its branches: a skip connection ``Add()([x, f(x)])``,
wide-and-deep's ``Concatenate()([wide, deep])``. ``backward`` returns one gradient per input.
Elementwise merges need inputs of one shape (glassnet does not broadcast between branches,
so a shape slip is caught when the graph is built); ``Concatenate`` needs equal sizes on every
axis but ``axis``.
"""
import numpy as np

from .. import config
from ..arrays import array_module
from .base import Layer
from .symbolic import is_symbolic, symbolic_call


class Merge(Layer):
    """What the merge layers share: a list of inputs in, one array out."""

    min_inputs = 2
    max_inputs = None

    def build(self, input_shape):
        self._check_shapes([tuple(s)[1:] for s in self._shape_list(input_shape)])
        self.input_shape = [tuple(s)[1:] for s in input_shape]
        self.built = True

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in self._shape_list(input_shape)]
        self._check_shapes(shapes)
        return shapes[0]

    def _shape_list(self, input_shape):
        if not isinstance(input_shape, (list, tuple)) or not input_shape or \
                not all(isinstance(s, (list, tuple)) for s in input_shape):
            raise ValueError(f"{type(self).__name__} {self.name!r} is called on a list of "
                             f"tensors, e.g. {type(self).__name__}()([a, b]); got shape "
                             f"{input_shape!r}.")
        count = len(input_shape)
        if count < self.min_inputs or (self.max_inputs and count > self.max_inputs):
            wanted = (f"exactly {self.max_inputs}" if self.max_inputs == self.min_inputs
                      else f"at least {self.min_inputs}")
            raise ValueError(f"{type(self).__name__} {self.name!r} takes {wanted} inputs, "
                             f"got {count}.")
        return input_shape

    def _check_shapes(self, shapes):
        """Elementwise merges: every input of one shape."""
        for shape in shapes[1:]:
            if tuple(shape) != tuple(shapes[0]):
                raise ValueError(f"{type(self).__name__} layer {self.name!r} needs inputs of one "
                                 f"shape, got {_batch(shapes[0])} and {_batch(shape)}. Make the "
                                 f"branches end in the same size (e.g. a Dense of equal units).")

    def __call__(self, inputs, training=False):
        """On symbolic tensors: a node of the graph. On a list of arrays: the merged batch."""
        if is_symbolic(inputs):
            return symbolic_call(self, inputs)
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"{type(self).__name__} takes a list of arrays, e.g. "
                             f"{type(self).__name__}()([a, b]); got {type(inputs).__name__}.")
        dtype = self.dtype or config.floatx()
        arrays = [np.asarray(x, dtype=dtype) if array_module(x) is np else x for x in inputs]
        if not self.built:
            self.build([x.shape for x in arrays])
        self.compute_output_shape([x.shape[1:] for x in arrays])
        return self.forward(arrays, training=bool(training))


def _batch(shape):
    return "(None, " + ", ".join(map(str, shape)) + ")"


class Add(Merge):
    """y = x_1 + x_2 + ... ; backward: each dx_i = dy."""

    def forward(self, inputs, training=False):
        self._x = inputs
        y = inputs[0] + inputs[1]
        for x in inputs[2:]:
            y += x                                  # in place: y is a fresh array
        self._y = y
        return y

    def backward(self, grad, need_input_grad=True):
        return [grad] * len(self._x)


class Subtract(Merge):
    """y = x_1 - x_2 (exactly two inputs); backward: dx_1 = dy, dx_2 = -dy."""

    min_inputs = max_inputs = 2

    def forward(self, inputs, training=False):
        self._x = inputs
        self._y = y = inputs[0] - inputs[1]
        return y

    def backward(self, grad, need_input_grad=True):
        return [grad, -grad]


class Multiply(Merge):
    """y = x_1 * x_2 * ... ; backward: dx_i = dy * (product of the other inputs), formed
    without dividing by x_i (a zero input would give 0/0)."""

    def forward(self, inputs, training=False):
        self._x = inputs
        y = inputs[0] * inputs[1]
        for x in inputs[2:]:
            y *= x
        self._y = y
        return y

    def backward(self, grad, need_input_grad=True):
        grads = []
        for i in range(len(self._x)):
            others = grad
            for j, x in enumerate(self._x):
                if j != i:
                    others = others * x
            grads.append(others)
        return grads


class Average(Merge):
    """y = (x_1 + ... + x_n) / n ; backward: each dx_i = dy / n."""

    def forward(self, inputs, training=False):
        self._x = inputs
        y = inputs[0] + inputs[1]
        for x in inputs[2:]:
            y += x
        y /= len(inputs)
        self._y = y
        return y

    def backward(self, grad, need_input_grad=True):
        share = grad / len(self._x)
        return [share] * len(self._x)


class _Extremum(Merge):
    """y = the elementwise max (or min) of the inputs; backward: dy goes to the input that
    gave y, split evenly where several tie (the subgradient PyTorch takes for two inputs)."""

    def forward(self, inputs, training=False):
        self._x = inputs
        y = inputs[0]
        for x in inputs[1:]:
            y = self._pick(y, x)
        self._y = y
        return y

    def backward(self, grad, need_input_grad=True):
        masks = [(x == self._y) for x in self._x]
        count = masks[0].astype(grad.dtype)
        for mask in masks[1:]:
            count = count + mask
        share = grad / count
        return [share * mask for mask in masks]


class Maximum(_Extremum):
    __doc__ = _Extremum.__doc__.replace("max (or min)", "max")

    def _pick(self, a, b):
        return array_module(a).maximum(a, b)


class Minimum(_Extremum):
    __doc__ = _Extremum.__doc__.replace("max (or min)", "min")

    def _pick(self, a, b):
        return array_module(a).minimum(a, b)


class Concatenate(Merge):
    """y = the inputs joined along ``axis`` (-1: the features); backward: dy cut back into
    the inputs' sizes along that axis. ``axis`` counts the batch axis as 0, as Keras."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis == 0:
            raise ValueError(f"Concatenate axis must be a non-zero integer (0 is the batch "
                             f"axis), e.g. -1 for the features; got {axis!r}.")
        self.axis = int(axis)

    def _sample_axis(self, rank):
        """``axis`` in one sample's shape (which has no batch axis)."""
        axis = self.axis - 1 if self.axis > 0 else self.axis + rank
        if not 0 <= axis < rank:
            raise ValueError(f"Concatenate {self.name!r}: axis {self.axis} does not exist for "
                             f"inputs of rank {rank + 1} (batch axis included).")
        return axis

    def _check_shapes(self, shapes):
        rank = len(shapes[0])
        axis = self._sample_axis(rank)
        for shape in shapes[1:]:
            same = len(shape) == rank and all(
                a == b for i, (a, b) in enumerate(zip(shape, shapes[0])) if i != axis)
            if not same:
                raise ValueError(f"Concatenate layer {self.name!r} (axis={self.axis}) needs "
                                 f"inputs of equal sizes on every other axis, got "
                                 f"{_batch(shapes[0])} and {_batch(shape)}.")

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in self._shape_list(input_shape)]
        self._check_shapes(shapes)
        axis = self._sample_axis(len(shapes[0]))
        sizes = [s[axis] for s in shapes]
        joined = None if any(d is None for d in sizes) else sum(sizes)
        return shapes[0][:axis] + (joined,) + shapes[0][axis + 1:]

    def forward(self, inputs, training=False):
        self._x = inputs
        self._y = y = array_module(*inputs).concatenate(inputs, axis=self.axis)
        return y

    def backward(self, grad, need_input_grad=True):
        ends = np.cumsum([x.shape[self.axis] for x in self._x])[:-1].tolist()   # host ints
        return array_module(grad).split(grad, ends, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
