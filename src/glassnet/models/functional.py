"""Functional models (``keras.Model(inputs, outputs)``): any graph of layers built by calling
them on symbolic tensors, with several inputs, several outputs, merges and shared layers.

Forward runs the graph's nodes in order (``graph.map_graph``), keeping each tensor's value;
backward runs them in reverse, giving each node the gradient on its output: the sum of what
every layer that read that tensor sent back (a tensor feeding two branches gets both). A layer
called at several nodes (weight sharing) keeps what its forward cached per call and restores it
before each backward; its parameter gradients are summed over its calls. Several outputs are
``outputs.Heads``' part; the training loop is ``Trainer``'s, as for ``Sequential``.
"""

from .. import config, data
from ..arrays import array_module
from ..layers import InputLayer
from .graph import flat_tensors, map_graph
from .model import Model
from .batching import Columns
from .outputs import Heads, loss_gradient, resolve_optimizer


class Functional(Model):
    """A model made from ``Model(inputs, outputs)``, as Keras's ``Functional``."""

    _default_name = "functional"

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        if kwargs:
            raise TypeError(f"Model got unexpected keyword argument(s) "
                            f"{', '.join(map(repr, kwargs))}. It takes: inputs, outputs, name, "
                            f"trainable.")
        self._input_tensors, self._input_keys = flat_tensors(_one_list(inputs), "inputs")
        self._output_tensors, self._output_keys = flat_tensors(_one_list(outputs), "outputs")
        nodes, layers = map_graph(self._input_tensors, self._output_tensors)
        super().__init__(name=name, trainable=trainable)
        self._nodes = nodes
        self._all_layers = layers
        self._layers = [l for l in layers if not isinstance(l, InputLayer)]
        self._shared = {l for l in self._layers if sum(n.layer is l for n in nodes) > 1}
        self._saved_calls = {}
        self._heads = None
        self._collect_params()

    # -- structure ----------------------------------------------------------------------------
    @property
    def layers(self):
        """Every layer, Inputs included, in Keras's order."""
        return list(self._all_layers)

    built = True

    @property
    def inputs(self):
        return list(self._input_tensors)

    @property
    def outputs(self):
        return list(self._output_tensors)

    @property
    def input_names(self):
        return self._input_keys or [t.layer.name for t in self._input_tensors]

    @property
    def output_names(self):
        return self._output_keys or [t.layer.name for t in self._output_tensors]

    @property
    def input_shape(self):
        shapes = [t.shape for t in self._input_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = [t.shape for t in self._output_tensors]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def _several_outputs(self):
        return len(self._output_tensors) > 1

    # -- data ---------------------------------------------------------------------------------
    def _inputs(self, x, what="x"):
        """``x`` checked against the Inputs: one array, or (several inputs) a list in
        ``inputs`` order or a dict by input name, returned as ``Columns``."""
        tensors = self._input_tensors
        if len(tensors) == 1:
            if isinstance(x, dict):
                x = _by_name(x, self.input_names, what, "input")[0]
            elif isinstance(x, (list, tuple)) and len(x) == 1 and hasattr(x[0], "shape"):
                x = x[0]
            return _checked_input(x, tensors[0], what)
        if isinstance(x, dict):
            arrays = _by_name(x, self.input_names, what, "input")
        elif isinstance(x, Columns):
            arrays = list(x)
        elif isinstance(x, (list, tuple)) and len(x) == len(tensors):
            arrays = list(x)
        else:
            raise ValueError(f"{self.name!r} has {len(tensors)} inputs "
                             f"({', '.join(self.input_names)}): pass {what} as a list of "
                             f"{len(tensors)} arrays or a dict by input name.")
        arrays = [_checked_input(a, t, f"{what}[{i}]") for i, (a, t)
                  in enumerate(zip(arrays, tensors))]
        for index, array in enumerate(arrays[1:], 1):
            if len(array) != len(arrays[0]):
                raise ValueError(f"The inputs have different numbers of samples: {what}[0] has "
                                 f"{len(arrays[0])}, {what}[{index}] has {len(array)}.")
        return Columns(arrays)

    def _targets(self, y, n, what="y"):
        if not self._several_outputs:
            return super()._targets(y, n, what)
        return self._heads.targets(y, n, what)

    def _checked(self, x, y, sample_weight, class_weight=None, what=""):
        if not self._several_outputs:
            return super()._checked(x, y, sample_weight, class_weight, what)
        return self._heads.checked(self, x, y, sample_weight, class_weight, what)

    # -- several outputs: compile, loss, metrics and logs per output --------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, **kwargs):
        """As ``Model.compile``; with several outputs ``loss``, ``loss_weights`` and ``metrics``
        may be lists in output order or dicts by output name (``heads.Heads``)."""
        if not self._several_outputs:
            return super().compile(optimizer, loss, loss_weights, metrics, weighted_metrics,
                                   **kwargs)
        heads = Heads(self.output_names, self.output_shape, loss, loss_weights, metrics,
                      weighted_metrics)
        self.optimizer = resolve_optimizer(optimizer)
        self._heads, self.loss = heads, loss
        self._metric_specs, self._metrics = [], []
        self.compiled = True
        return None

    def _build_metrics(self, y):
        if not self._several_outputs:
            return super()._build_metrics(y)
        self._metrics = self._heads.build_metrics(y)
        return self._metrics

    def _reset_metrics(self):
        if self._several_outputs:
            return self._heads.reset()
        return super()._reset_metrics()

    def _update_metrics(self, y, y_pred, sample_weight):
        if self._several_outputs:
            return self._heads.update(y, y_pred, sample_weight)
        return super()._update_metrics(y, y_pred, sample_weight)

    def _logs(self, loss_value):
        if self._several_outputs:
            return self._heads.logs(loss_value)
        return super()._logs(loss_value)

    def _loss_value(self, y, y_pred, sample_weight):
        if not self._several_outputs:
            return super()._loss_value(y, y_pred, sample_weight)
        value = self._heads.loss_value(y, y_pred, sample_weight)
        if self._regularized:
            value += float(sum(loss for layer in self._regularized for loss in layer.losses))
        return value

    @property
    def metrics_names(self):
        if not self._several_outputs:
            return super().metrics_names
        return list(self._heads.logs(0.0)) if self._heads else ["loss"]

    # -- one step -----------------------------------------------------------------------------
    def _run(self, x, training):
        """Every node forward, in order; the value of each tensor by ``id``."""
        arrays = list(x) if isinstance(x, Columns) else [x]
        values = {id(t): a for t, a in zip(self._input_tensors, arrays)}
        for node in self._nodes:
            layer = node.layer
            args = [values[id(t)] for t in node.inputs]
            y = layer.forward(args if node.takes_list else args[0], training=training)
            if layer in self._shared:
                self._saved_calls[node] = _call_state(layer)
            values[id(node.outputs[0])] = y
        return values

    def _forward(self, x, training):
        values = self._run(x, training)
        results = [values[id(t)] for t in self._output_tensors]
        return results if self._several_outputs else results[0]

    def layer_outputs(self, x, training=False):
        """The output of each entry of ``layers`` for the checked batch ``x`` (an Input's:
        its data; a layer called twice: its last call's), what ``inspect.activations`` shows."""
        values = self._run(x, training)
        outputs = {t.layer: values[id(t)] for t in self._input_tensors}
        outputs.update({node.layer: values[id(node.outputs[0])] for node in self._nodes})
        return [outputs[layer] for layer in self._all_layers]

    def _fused(self):
        """Per output: whether its loss gradient is taken on the logits (p - y), skipping the
        last activation's Jacobian; only for an output read by no other layer."""
        losses = self._heads.losses if self._heads is not None else [self.loss]
        return tuple(self._fuses(tensor, loss)
                     for tensor, loss in zip(self._output_tensors, losses))

    def _fuses(self, tensor, loss):
        layer = tensor.layer
        activation = getattr(layer, "activation", None)
        read_elsewhere = any(tensor in n.inputs for n in self._nodes)
        return (loss is not None and getattr(loss, "fuses_with", None) is not None
                and not getattr(loss, "from_logits", False) and not read_elsewhere
                and layer not in self._shared and layer.activity_regularizer is None
                and getattr(activation, "__name__", None) == loss.fuses_with)

    def _backward(self, y, y_pred, sample_weight, fused=None):
        """Fill every layer's gradients for the compiled loss(es) at ``y_pred``."""
        fused = self._fused() if fused is None else fused
        if self._several_outputs:
            seeds = self._heads.gradients(y, y_pred, sample_weight, fused)
        else:
            seeds = [loss_gradient(self.loss, self._loss_weight, y, y_pred, sample_weight,
                                   fused[0])]
        self.backward_from(seeds, fused)
        for layer in self._regularized:
            layer.add_regularization_gradients()

    def backward_from(self, output_grads, fused=None, input_grads=False):
        """Run the graph backward from the gradients on the outputs, filling parameter
        gradients; with ``input_grads``, return the gradients on the inputs."""
        fused = fused or (False,) * len(output_grads)
        grads, fused_nodes = {}, set()
        for tensor, grad, on_logits in zip(self._output_tensors, output_grads, fused):
            _accumulate(grads, tensor, grad)
            if on_logits:
                fused_nodes.add(tensor.node)
        sums = {layer: [array_module(g).zeros_like(g) for g in layer.grads]
                for layer in self._shared}
        for node in reversed(self._nodes):
            grad = grads.pop(id(node.outputs[0]), None)
            self._node_backward(node, grad, node in fused_nodes, grads, sums, input_grads)
        for layer, total in sums.items():
            for grad, value in zip(layer.grads, total):
                grad[...] = value
        if input_grads:
            return [grads.get(id(t)) for t in self._input_tensors]
        return None

    def _node_backward(self, node, grad, on_logits, grads, sums, input_grads):
        layer = node.layer
        if grad is None:                  # feeds no output: no gradient flows here
            if layer not in self._shared:
                for g in layer.grads:
                    g[...] = 0
            return
        if layer in self._shared:
            vars(layer).update(self._saved_calls[node])
        if layer.activity_regularizer is not None:     # d/dy of penalty(y) / batch size
            grad = grad + layer.activity_regularizer.gradient(layer._y) / len(layer._y)
        need = input_grads or any(not t.node.is_input for t in node.inputs)
        if on_logits:
            result = layer.backward(grad, need, through_activation=False)
        else:
            result = layer.backward(grad, need)
        if layer in self._shared:
            for total, g in zip(sums[layer], layer.grads):
                total += g
        if need:
            for tensor, g in zip(node.inputs, result if node.takes_list else [result]):
                _accumulate(grads, tensor, g)

    def _output_structure(self, outputs):
        """One array for one output, else a list (a dict when the outputs were a dict)."""
        if self._output_keys:
            return dict(zip(self._output_keys, outputs))
        return outputs[0] if len(outputs) == 1 else list(outputs)

    # -- config -------------------------------------------------------------------------------
    def get_config(self):
        """The graph as data: each layer's config and, per call in this model, the
        ``(layer name, node index, tensor index)`` of each input; then the inputs and outputs.
        (``glassnet.saving`` writes it in Keras's file format.)"""
        layers = [{"class_name": type(l).__name__, "config": l.get_config(), "name": l.name,
                   "inbound_nodes": [[_history(t) for t in node.inputs]
                                     for node in self.nodes_of(l)]}
                  for l in self._all_layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layers,
                "input_layers": [_history(t) for t in self._input_tensors],
                "output_layers": [_history(t) for t in self._output_tensors]}

    def nodes_of(self, layer):
        """The layer's calls that belong to this model (it may be called in other models)."""
        return [n for n in layer._inbound_nodes if n.is_input or n in self._nodes]

    def __repr__(self):
        return (f"<Functional name={self.name!r} inputs={self.input_names} "
                f"outputs={self.output_names}>")


def _history(tensor):
    layer, node_index, tensor_index = tensor._keras_history
    return [layer.name, node_index, tensor_index]


def _one_list(structure):
    """Keras's rule: a list or tuple of one tensor is that tensor."""
    if isinstance(structure, (list, tuple)) and len(structure) == 1:
        return structure[0]
    return structure


def _by_name(mapping, names, what, kind):
    missing = [n for n in names if n not in mapping]
    extra = [k for k in mapping if k not in names]
    if missing or extra:
        raise ValueError(f"{what} is a dict by {kind} name; the model's {kind}s are "
                         f"{names}, got keys {list(mapping)}"
                         + (f" (missing {missing})" if missing else "")
                         + (f" (unknown {extra})" if extra else "") + ".")
    return [mapping[n] for n in names]


def _checked_input(x, tensor, what):
    array = data.as_inputs(x, tensor.dtype or config.floatx(), what)
    expected = tuple(tensor.shape[1:])
    if array.shape[1:] != expected:
        raise ValueError(data.shape_message(array.shape, expected, "Input", what)
                         + f" (Input {tensor.name!r})")
    return array


def _call_state(layer):
    """What one forward call left on the layer (``_x``, ``_y``, masks...), to restore later."""
    return {k: v for k, v in vars(layer).items()
            if k.startswith("_") and k != "_inbound_nodes"}


def _accumulate(grads, tensor, grad):
    key = id(tensor)
    grads[key] = grad if key not in grads else grads[key] + grad


Model._functional_class = Functional
