"""Symbolic tensors and nodes: how the functional API records a graph (Keras's ``KerasTensor``
and ``Node``).

``Input(shape=(4,))`` returns a ``KerasTensor``: a shape with a ``None`` batch, a dtype and a
name, and no values. Calling a layer on symbolic tensors computes no numbers: the layer is
built for their shapes, a ``Node`` (this layer, these input tensors, this output tensor) is
appended to ``layer._inbound_nodes``, and a new ``KerasTensor`` is returned whose
``_keras_history`` = (layer, node index, tensor index) says where it came from. A layer
called twice has two nodes (weight sharing). ``glassnet.Model(inputs, outputs)`` walks these
records back from the outputs to build the graph.
"""
import numpy as np

from .. import config


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch first, ``None``), ``dtype``, ``name``, and
    ``_keras_history`` = (layer, node_index, tensor_index), as Keras's."""

    def __init__(self, shape, dtype=None, name=None, history=None):
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = np.dtype(dtype or config.floatx()).name
        self.name = name
        self._keras_history = history

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def layer(self):
        return self._keras_history[0]

    @property
    def node(self):
        layer, node_index, _ = self._keras_history
        return layer._inbound_nodes[node_index]

    def __array__(self, *args, **kwargs):
        raise TypeError(f"{self!r} is symbolic: it has a shape but no values. Feed arrays to "
                        f"the model built from it, e.g. model.predict(x).")

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"


class Node:
    """One call of a layer on symbolic tensors: ``inputs`` (a list), ``outputs`` (a list of
    one) and whether the layer took a list (merge layers) or one tensor."""

    def __init__(self, layer, inputs, outputs, takes_list):
        self.layer = layer
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.takes_list = takes_list
        self.is_input = not self.inputs

    @property
    def parent_nodes(self):
        return [tensor.node for tensor in self.inputs]

    @property
    def index(self):
        return self.layer._inbound_nodes.index(self)

    def __repr__(self):
        return f"<Node {self.layer.name}[{self.index}]>"


def is_symbolic(inputs):
    """True for a KerasTensor or a list/tuple holding one; a list mixing symbolic tensors
    with arrays is refused (an array cannot enter a graph being built)."""
    if isinstance(inputs, KerasTensor):
        return True
    if not isinstance(inputs, (list, tuple)):
        return False
    symbolic = [isinstance(t, KerasTensor) for t in inputs]
    if any(symbolic) and not all(symbolic):
        given = ", ".join("KerasTensor" if s else type(t).__name__
                          for s, t in zip(symbolic, inputs))
        raise TypeError(f"A layer was called on a mix of symbolic tensors and arrays ({given}). "
                        f"While building a functional model, call layers on tensors from "
                        f"glassnet.Input(...) or from other layers, never on NumPy arrays.")
    return any(symbolic)


def input_tensor(input_layer):
    """The ``KerasTensor`` an ``InputLayer`` starts, recorded as its node 0."""
    tensor = KerasTensor((input_layer.batch_size,) + tuple(input_layer.shape),
                         input_layer.dtype or config.floatx(), input_layer.name,
                         (input_layer, 0, 0))
    input_layer._inbound_nodes.append(Node(input_layer, [], [tensor], takes_list=False))
    return tensor


def symbolic_call(layer, inputs):
    """Record ``layer(inputs)`` on symbolic tensors: build the layer for their shapes, check
    them, append a node, return the output tensor."""
    takes_list = isinstance(inputs, (list, tuple))
    tensors = list(inputs) if takes_list else [inputs]
    shapes = [t.shape[1:] for t in tensors]
    shape = shapes if takes_list else shapes[0]
    if not layer.built:             # build takes Keras's full shapes, batch axis first
        layer.build([t.shape for t in tensors] if takes_list else tensors[0].shape)
    else:
        _check_built_shape(layer, shape)
    output_shape = layer.compute_output_shape(shape)     # one sample's shape in and out
    dtype = layer.dtype or tensors[0].dtype
    node_index = len(layer._inbound_nodes)
    output = KerasTensor((None,) + tuple(output_shape), dtype, layer.name,
                         (layer, node_index, 0))
    layer._inbound_nodes.append(Node(layer, tensors, [output], takes_list))
    return output


def _check_built_shape(layer, shape):
    """A shared layer takes inputs of the shape it was built for."""
    built = getattr(layer, "input_shape", None)
    if built is None or isinstance(shape, list):
        return
    if tuple(built) != tuple(shape):
        raise ValueError(f"Layer {layer.name!r} was built for inputs of shape "
                         f"(None, {', '.join(map(str, built))}), but here it is called on "
                         f"shape (None, {', '.join(map(str, shape))}). A shared layer takes "
                         f"inputs of one shape; use a new layer for this one.")
