"""Export to ONNX: ``to_onnx(model, path)`` (the ``onnx`` extra).

The graph has one float32 input ``input`` of shape [batch, *input shape] with the batch size
left open, and one output ``output``, the predictions. A Dense layer is a ``Gemm`` (kernel and
bias stored as initializers; ``MatMul`` + ``Add`` on inputs with more than two axes), then its
activation: the ONNX operator of the same name where there is one with the same formula
(``Relu``, ``Sigmoid``, ``Softmax``, ``HardSigmoid`` with alpha 1/6, ...), otherwise composed
from primitives (GELU from ``Erf``, swish as x * sigmoid(x), mish as x * tanh(softplus(x)),
...). Dropout, the noise layers, Identity and ActivityRegularization are the identity at
inference; BatchNormalization uses its moving statistics, Normalization its learned ones;
LayerNormalization, RMSNormalization and UnitNormalization are composed from ReduceMean;
Flatten, Reshape and the activation layers (ELU, PReLU included) map to their operators.
The merge layers of a functional model map to ``Add``, ``Sub``, ``Mul``, ``Max``, ``Min``,
``Concat`` (Average: the sum divided by n); its graph keeps the model's input and output names.
Anything else raises ``UnsupportedLayerError`` naming it. onnxruntime's outputs agree with
``predict`` to 1e-5.
"""
import math

import numpy as np

from .. import layers as layers_module
from ..arrays import to_host
from . import UnsupportedLayerError

OPSET = 17


class _Graph:
    """Nodes and initializers under construction, with fresh names for every value."""

    def __init__(self, onnx):
        self.onnx, self.nodes, self.initializers, self.count = onnx, [], [], 0

    def _name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def constant(self, value, hint="const", dtype=np.float32):
        name = self._name(hint)
        array = np.asarray(to_host(value), dtype=dtype)      # a GPU model's, copied
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def op(self, op_type, inputs, outputs=1, **attributes):
        names = [self._name(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), names, **attributes))
        return names[0] if outputs == 1 else names


# Each activation as ONNX: a function of the graph and the input's name, giving the output's.
def _unary(op_type, **attributes):
    return lambda g, x: g.op(op_type, [x], **attributes)


def _clip(low, high):
    return lambda g, x: g.op("Clip", [x, g.constant(low), g.constant(high)])


def _gelu(g, x):
    """x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (Keras's default, approximate=False)."""
    erf = g.op("Erf", [g.op("Div", [x, g.constant(math.sqrt(2.0))])])
    return g.op("Mul", [g.op("Mul", [x, g.constant(0.5)]), g.op("Add", [erf, g.constant(1.0)])])


def _times(inner):
    """x * inner(x): swish (inner = sigmoid) and mish (inner = tanh(softplus))."""
    return lambda g, x: g.op("Mul", [x, inner(g, x)])


def _sparse_sigmoid(g, x):
    """clip((x + 1) / 2, 0, 1)."""
    half = g.op("Mul", [g.op("Add", [x, g.constant(1.0)]), g.constant(0.5)])
    return _clip(0.0, 1.0)(g, half)


def _squareplus(g, x):
    """(x + r) / 2 with r = sqrt(x^2 + 4); for x <= 0 as the equal 2 / (r - x), which does not
    cancel (the form glassnet computes)."""
    root = g.op("Sqrt", [g.op("Add", [g.op("Mul", [x, x]), g.constant(4.0)])])
    positive = g.op("Mul", [g.op("Add", [x, root]), g.constant(0.5)])
    negative = g.op("Div", [g.constant(2.0), g.op("Sub", [root, x])])
    return g.op("Where", [g.op("Greater", [x, g.constant(0.0)]), positive, negative])


def _sparse_plus(g, x):
    """(clip(x, -1, 1) + 1)^2 / 4 + relu(x - 1): 0, then the parabola, then x."""
    shifted = g.op("Add", [_clip(-1.0, 1.0)(g, x), g.constant(1.0)])
    parabola = g.op("Mul", [g.op("Mul", [shifted, shifted]), g.constant(0.25)])
    return g.op("Add", [parabola, g.op("Relu", [g.op("Sub", [x, g.constant(1.0)])])])


def _glu(g, x):
    """a * sigmoid(b) for the two halves a, b of the last axis."""
    a, b = g.op("Split", [x], outputs=2, axis=-1)
    return g.op("Mul", [a, g.op("Sigmoid", [b])])


_ACTIVATIONS = {
    "linear": lambda g, x: x,
    "relu": _unary("Relu"),
    "leaky_relu": _unary("LeakyRelu", alpha=0.2),
    "relu6": _clip(0.0, 6.0),
    "elu": _unary("Elu", alpha=1.0),
    "selu": _unary("Selu", alpha=1.6732632423543772, gamma=1.0507009873554805),
    "celu": _unary("Celu", alpha=1.0),
    "sigmoid": _unary("Sigmoid"),
    "hard_sigmoid": _unary("HardSigmoid", alpha=1.0 / 6.0, beta=0.5),
    "sparse_sigmoid": _sparse_sigmoid,
    "log_sigmoid": lambda g, x: g.op("Neg", [g.op("Softplus", [g.op("Neg", [x])])]),
    "silu": _times(_unary("Sigmoid")),
    "hard_silu": _unary("HardSwish"),
    "tanh": _unary("Tanh"),
    "hard_tanh": _clip(-1.0, 1.0),
    "tanh_shrink": lambda g, x: g.op("Sub", [x, g.op("Tanh", [x])]),
    "soft_shrink": _unary("Shrink", lambd=0.5, bias=0.5),
    "hard_shrink": _unary("Shrink", lambd=0.5, bias=0.0),
    "softplus": _unary("Softplus"),
    "softsign": _unary("Softsign"),
    "squareplus": _squareplus,
    "sparse_plus": _sparse_plus,
    "gelu": _gelu,
    "mish": _times(lambda g, x: g.op("Tanh", [g.op("Softplus", [x])])),
    "exponential": _unary("Exp"),
    "softmax": _unary("Softmax", axis=-1),
    "log_softmax": _unary("LogSoftmax", axis=-1),
    "glu": _glu,
}


def _activation(g, x, activation, where):
    name = getattr(activation, "__name__", repr(activation))
    if name not in _ACTIVATIONS:
        raise UnsupportedLayerError(
            f"{where}: the activation {name!r} has no ONNX form in glassnet's exporter (it has "
            f"{', '.join(sorted(_ACTIVATIONS))}).")
    return _ACTIVATIONS[name](g, x)


def _dense(g, x, layer, rank):
    kernel = g.constant(layer.kernel, f"{layer.name}_kernel")
    if rank == 2 and layer.use_bias:
        z = g.op("Gemm", [x, kernel, g.constant(layer.bias, f"{layer.name}_bias")])
    else:
        z = g.op("MatMul", [x, kernel])
        if layer.use_bias:
            z = g.op("Add", [z, g.constant(layer.bias, f"{layer.name}_bias")])
    return _activation(g, z, layer.activation, f"layer {layer.name!r}")


def _flatten(g, x, layer, rank):
    if layer.data_format == "channels_first" and rank > 2:
        x = g.op("Transpose", [x], perm=[0] + list(range(2, rank)) + [1])
    return g.op("Flatten", [x], axis=1)


def _relu_layer(g, x, layer, rank):
    """Keras's ReLU layer: positive = x where x > threshold, else 0; clipped to [0, max_value]
    when set; minus negative_slope * relu(threshold - x)."""
    if (layer.max_value, layer.negative_slope, layer.threshold) == (None, 0.0, 0.0):
        return g.op("Relu", [x])
    threshold = g.constant(layer.threshold)
    y = g.op("Where", [g.op("Greater", [x, threshold]), x, g.constant(0.0)])
    if layer.max_value is not None:
        y = _clip(0.0, layer.max_value)(g, y)
    if layer.negative_slope:
        below = g.op("Relu", [g.op("Sub", [threshold, x])])
        y = g.op("Sub", [y, g.op("Mul", [below, g.constant(layer.negative_slope)])])
    return y


def _softmax_layer(g, x, layer, rank):
    axis = layer.axis if not isinstance(layer.axis, tuple) or len(layer.axis) != 1 \
        else layer.axis[0]
    if isinstance(axis, tuple):
        raise UnsupportedLayerError(f"layer {layer.name!r}: a softmax over several axes "
                                    f"{axis} has no ONNX operator.")
    return g.op("Softmax", [x], axis=axis)


def _batch_normalization(g, x, layer, rank):
    """Inference: (x - moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta, in the
    order glassnet computes it, each per-feature vector shaped to broadcast on its axis."""
    shape = [1] * rank
    shape[layer.axis % rank] = -1
    variance, gamma = to_host(layer.moving_variance), layer.gamma
    inv_std = 1.0 / np.sqrt(variance + variance.dtype.type(layer.epsilon))
    factor = inv_std if gamma is None else inv_std * to_host(gamma)
    y = g.op("Sub", [x, g.constant(layer.moving_mean.reshape(shape), f"{layer.name}_mean")])
    y = g.op("Mul", [y, g.constant(factor.reshape(shape), f"{layer.name}_factor")])
    if layer.beta is not None:
        y = g.op("Add", [y, g.constant(layer.beta.reshape(shape), f"{layer.name}_beta")])
    return y


def _reshape(g, x, layer, rank):
    shape = g.constant([0, *layer.target_shape], "shape", dtype=np.int64)   # 0: keep the batch
    return g.op("Reshape", [x, shape])


def _identity(g, x, layer, rank):
    return x                              # Dropout and GaussianNoise do nothing at inference


def _layer_normalization(g, x, layer, rank):
    """(x - mean) / sqrt(variance + epsilon) * gamma + beta, statistics over the layer's axes
    (ReduceMean, whatever the axes; ONNX's LayerNormalization covers trailing axes only)."""
    axes = list(layer._axes_index)
    centered = g.op("Sub", [x, g.op("ReduceMean", [x], axes=axes, keepdims=1)])
    variance = g.op("ReduceMean", [g.op("Mul", [centered, centered])], axes=axes, keepdims=1)
    y = g.op("Div", [centered, g.op("Sqrt", [g.op("Add", [variance,
                                                          g.constant(layer.epsilon)])])])
    if layer.gamma is not None:
        y = g.op("Mul", [y, g.constant(_broadcastable(layer, layer.gamma, rank))])
    if layer.beta is not None:
        y = g.op("Add", [y, g.constant(_broadcastable(layer, layer.beta, rank))])
    return y


def _rms_normalization(g, x, layer, rank):
    """x / sqrt(mean(x**2) + epsilon) * scale over the layer's axes."""
    mean_square = g.op("ReduceMean", [g.op("Mul", [x, x])], axes=list(layer._axes_index),
                       keepdims=1)
    y = g.op("Div", [x, g.op("Sqrt", [g.op("Add", [mean_square, g.constant(layer.epsilon)])])])
    return g.op("Mul", [y, g.constant(_broadcastable(layer, layer.scale, rank))])


def _unit_normalization(g, x, layer, rank):
    """x * min(1 / sqrt(sum(x**2)), 1e12) over the layer's axes (sum = mean * count)."""
    axes = list(layer._axes_index)
    count = float(np.prod([layer.input_shape[a - 1] for a in axes]))
    square_sum = g.op("Mul", [g.op("ReduceMean", [g.op("Mul", [x, x])], axes=axes, keepdims=1),
                              g.constant(count)])
    inv_norm = g.op("Min", [g.op("Reciprocal", [g.op("Sqrt", [square_sum])]),
                            g.constant(1.0 / layer._EPSILON)])
    return g.op("Mul", [x, inv_norm])


def _normalization(g, x, layer, rank):
    """(x - mean) / max(sqrt(variance), epsilon), or its inverse, with the learned statistics."""
    std = np.maximum(np.sqrt(layer.variance.astype(np.float64)), layer._EPSILON)
    mean = g.constant(layer.mean, f"{layer.name}_mean")
    std = g.constant(std, f"{layer.name}_std")
    if layer.invert:
        return g.op("Add", [mean, g.op("Mul", [x, std])])
    return g.op("Div", [g.op("Sub", [x, mean]), std])


def _broadcastable(layer, weight, rank):
    return layer._broadcast(weight, rank)


_LAYERS = {
    layers_module.ELU: lambda g, x, layer, rank: g.op("Elu", [x], alpha=float(layer.alpha)),
    layers_module.PReLU: lambda g, x, layer, rank: g.op(
        "PRelu", [x, g.constant(layer.alpha, f"{layer.name}_alpha")]),
    layers_module.LayerNormalization: _layer_normalization,
    layers_module.RMSNormalization: _rms_normalization,
    layers_module.UnitNormalization: _unit_normalization,
    layers_module.Normalization: _normalization,
    layers_module.Identity: _identity,
    layers_module.ActivityRegularization: _identity,
    layers_module.GaussianDropout: _identity,
    layers_module.AlphaDropout: _identity,
    layers_module.Dense: _dense,
    layers_module.Activation: lambda g, x, layer, rank: _activation(
        g, x, layer.activation, f"layer {layer.name!r}"),
    layers_module.Dropout: _identity,
    layers_module.GaussianNoise: _identity,
    layers_module.Flatten: _flatten,
    layers_module.Reshape: _reshape,
    layers_module.BatchNormalization: _batch_normalization,
    layers_module.ReLU: _relu_layer,
    layers_module.LeakyReLU: lambda g, x, layer, rank: g.op("LeakyRelu", [x],
                                                            alpha=float(layer.negative_slope)),
    layers_module.Softmax: _softmax_layer,
}


# Merge layers: several inputs, one output (Average divides the sum, as glassnet does).
def _chain(op_type):
    def convert(g, xs, layer):
        y = xs[0]
        for x in xs[1:]:
            y = g.op(op_type, [y, x])
        return y
    return convert


_MERGES = {
    layers_module.Add: _chain("Add"),
    layers_module.Subtract: lambda g, xs, layer: g.op("Sub", xs),
    layers_module.Multiply: _chain("Mul"),
    layers_module.Average: lambda g, xs, layer: g.op(
        "Div", [_chain("Add")(g, xs, layer), g.constant(float(len(xs)))]),
    layers_module.Maximum: lambda g, xs, layer: g.op("Max", xs),
    layers_module.Minimum: lambda g, xs, layer: g.op("Min", xs),
    layers_module.Concatenate: lambda g, xs, layer: g.op("Concat", xs, axis=layer.axis),
}


def _convert(g, x, layer, shape):
    """One layer on the value named ``x`` of one sample's ``shape``; a Sequential inside a
    functional model is its layers in turn."""
    if hasattr(layer, "_layers") and getattr(layer, "_nodes", None) is None:
        for inner in layer.layers:
            x = _convert(g, x, inner, shape)
            shape = inner.compute_output_shape(shape)
        return x
    convert = _LAYERS.get(type(layer))
    if convert is None:
        raise UnsupportedLayerError(
            f"layer {layer.name!r} is a {type(layer).__name__}, which glassnet's ONNX "
            f"exporter does not convert (it converts "
            f"{', '.join(sorted(cls.__name__ for cls in list(_LAYERS) + list(_MERGES)))}).")
    return convert(g, x, layer, len(shape) + 1)


def _sequential_nodes(g, model):
    x, shape = "input", model.input_shape[1:]
    for layer in model.layers:
        x = _convert(g, x, layer, shape)
        shape = layer.compute_output_shape(shape)
    return [("input", model.input_shape)], [("output", x)]


def _functional_nodes(g, model):
    """Each node of the graph in order, a merge as its ONNX operator; the graph's inputs and
    outputs named as the model's."""
    values = {id(t): name for t, name in zip(model.inputs, model.input_names)}
    for node in model._nodes:
        layer = node.layer
        names = [values[id(t)] for t in node.inputs]
        if node.takes_list:
            merge = _MERGES.get(type(layer))
            if merge is None:
                raise UnsupportedLayerError(f"layer {layer.name!r} ({type(layer).__name__}) "
                                            f"has no ONNX form in glassnet's exporter.")
            y = merge(g, names, layer)
        else:
            y = _convert(g, names[0], layer, node.inputs[0].shape[1:])
        values[id(node.outputs[0])] = y
    inputs = [(name, t.shape) for t, name in zip(model.inputs, model.input_names)]
    return inputs, [(name, values[id(t)]) for t, name in zip(model.outputs, model.output_names)]


def graph(model):
    """The ONNX ``ModelProto`` of a built glassnet model (checked by ``onnx.checker``): a
    Sequential's input ``input`` and output ``output``; a functional model's inputs and
    outputs under the model's input and output names."""
    import onnx
    from .. import __version__
    if not model.built:
        raise ValueError("to_onnx needs a built model: add an Input (or call fit/build) first.")
    g = _Graph(onnx)
    functional = getattr(model, "_nodes", None) is not None
    inputs, outputs = (_functional_nodes if functional else _sequential_nodes)(g, model)
    for name, value in outputs:
        g.nodes.append(onnx.helper.make_node("Identity", [value], [name]))
    zeros = [np.zeros((1,) + tuple(shape[1:])) for _, shape in inputs]     # glu halves it
    predicted = model(zeros if len(zeros) > 1 else zeros[0])
    predicted = list(predicted.values()) if isinstance(predicted, dict) else \
        predicted if isinstance(predicted, list) else [predicted]
    float32 = onnx.TensorProto.FLOAT
    proto = onnx.helper.make_model(
        onnx.helper.make_graph(
            g.nodes, model.name,
            [onnx.helper.make_tensor_value_info(name, float32, ["batch", *shape[1:]])
             for name, shape in inputs],
            [onnx.helper.make_tensor_value_info(name, float32, ["batch", *value.shape[1:]])
             for (name, _), value in zip(outputs, predicted)],
            g.initializers),
        opset_imports=[onnx.helper.make_opsetid("", OPSET)],
        producer_name="glassnet", producer_version=__version__)
    onnx.checker.check_model(proto)
    return proto


def to_onnx(model, path):
    """Write ``model`` as an ONNX file at ``path`` (atomically); returns the ``ModelProto``."""
    from ..atomic import write_atomically
    proto = graph(model)
    data = proto.SerializeToString()
    write_atomically(path, lambda file: file.write(data))
    return proto
