"""A model used as a layer inside a functional model (``Model(x, Sequential([...])(x))``).

Called on a symbolic tensor, a model records one node, as a layer does; the graph then treats
it as one: ``forward`` runs the model's own forward, ``backward`` its own backward from the
gradient on its output (returning the gradient on its input), and its trainable weights and
their gradients join the outer model's through ``params`` / ``grads``.
"""
from ..layers.symbolic import KerasTensor, Node


class LayerRole:
    """What a ``Model`` needs to stand where a layer stands in a graph."""

    activity_regularizer = None          # the inner layers' own penalties act inside

    @property
    def params(self):
        return list(self._params)

    @property
    def grads(self):
        return list(self._grads)

    @property
    def param_names(self):
        return [f"{layer.name}/{name}" for layer in self._layers if layer.trainable
                for name in layer.param_names]

    @property
    def regularizers(self):
        return [r for layer in self._layers if layer.trainable for r in layer.regularizers]

    def add_regularization_gradients(self):
        for layer in self._regularized:
            layer.add_regularization_gradients()

    def compute_output_shape(self, input_shape):
        return tuple(self.output_shape[1:])

    def forward(self, x, training=False):
        self._x = x
        self._y = y = self._forward(x, training)
        return y

    def backward(self, grad, need_input_grad=True):
        if hasattr(self, "_backward_layers"):                  # Sequential
            return self._backward_layers(grad, False, need_input_grad)
        return self.backward_from([grad], input_grads=need_input_grad)[0]

    def _symbolic_call(self, x):
        """Record this model as one node of a graph under construction."""
        if not isinstance(x, KerasTensor):
            raise TypeError(f"Model {self.name!r} inside a functional model takes one "
                            f"symbolic tensor, got {type(x).__name__}.")
        if self._inbound_nodes:
            raise ValueError(f"Model {self.name!r} is already called in a graph; glassnet does "
                             f"not share a whole model between calls. Share its layers instead.")
        if not self.built:
            self.build(x.shape)
        expected = tuple(self.input_shape[1:])
        if tuple(x.shape[1:]) != expected:
            raise ValueError(f"Model {self.name!r} takes inputs of shape (None, "
                             f"{', '.join(map(str, expected))}), but is called on {x.shape}.")
        self._collect_params()
        output = KerasTensor((None,) + self.compute_output_shape(x.shape[1:]), x.dtype,
                             self.name, (self, 0, 0))
        self._inbound_nodes.append(Node(self, [x], [output], takes_list=False))
        return output
