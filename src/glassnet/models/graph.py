"""The graph of a functional model: which nodes run, in which order, checked before any work.

Walking back from the outputs through each tensor's ``_keras_history`` gives the nodes in an
order where every node comes after the nodes that feed it (a depth-first post-order, as
Keras's ``map_graph``); forward runs them in that order, backward in reverse. The layers are
listed as Keras lists ``model.layers``: by depth from the inputs (deepest first), ties in the
order the walk first met them, so names, the summary and the ``.keras`` weight keys match.
"""
from ..layers.symbolic import KerasTensor


def flat_tensors(structure, what):
    """``(tensors, names or None)`` from one tensor, a list of them or a dict by name."""
    if isinstance(structure, dict):
        names, tensors = list(structure), list(structure.values())
    elif isinstance(structure, (list, tuple)):
        names, tensors = None, list(structure)
    else:
        names, tensors = None, [structure]
    if not tensors:
        raise ValueError(f"Model {what} is empty: give at least one tensor.")
    for index, tensor in enumerate(tensors):
        if not isinstance(tensor, KerasTensor):
            kind = ("a NumPy array: calling a layer on an array computes it at once instead "
                    "of building a graph" if hasattr(tensor, "__array__") and
                    not isinstance(tensor, KerasTensor) else f"a {type(tensor).__name__}")
            raise TypeError(f"Model {what}[{index}] is {kind}. Build the model from symbolic "
                            f"tensors: x = glassnet.Input(shape=(...)); y = Dense(...)(x); "
                            f"Model(x, y).")
    return tensors, names


def map_graph(inputs, outputs):
    """(nodes in execution order, layers in Keras's order), or a clear error when an output
    cannot be computed from ``inputs``, an input is not used, or two layers share a name."""
    for index, tensor in enumerate(inputs):
        if not tensor.node.is_input:
            raise ValueError(f"Model inputs[{index}] ({tensor.name!r}) comes from layer "
                             f"{tensor.layer.name!r}; the inputs of a model are tensors made by "
                             f"glassnet.Input(...).")
    input_ids = {id(t) for t in inputs}
    nodes, order, reached = [], {}, set()
    for tensor in outputs:
        _visit(tensor, input_ids, nodes, set(), order, reached, tensor)
    unused = [t for t in inputs if id(t) not in reached]
    if unused:
        names = ", ".join(repr(t.name) for t in unused)
        raise ValueError(f"Input {names} is not used by any output of the model. Connect it to "
                         f"an output or leave it out of Model(inputs=...).")
    layers = _keras_order(nodes, order, inputs)
    _check_unique_names(layers)
    return [n for n in nodes if not n.is_input], layers


def _visit(tensor, input_ids, nodes, in_progress, order, reached, output):
    node = tensor.node
    if id(tensor) in input_ids:
        reached.add(id(tensor))
    elif node.is_input:
        raise ValueError(f"Output {output.name!r} is not reachable from the model's inputs: it "
                         f"depends on Input {tensor.name!r}, which is not in Model(inputs=...). "
                         f"Add it to the inputs.")
    if node in nodes:
        return
    if node in in_progress:
        raise ValueError(f"The graph has a cycle at layer {node.layer.name!r}.")
    order.setdefault(node.layer, len(order))
    in_progress.add(node)
    if not node.is_input:
        for parent in node.inputs:
            _visit(parent, input_ids, nodes, in_progress, order, reached, output)
    in_progress.discard(node)
    nodes.append(node)


def _keras_order(nodes, order, inputs):
    """Layers by depth (the longest path to an output), deepest first; ties by ``order``."""
    node_depth, layer_depth = {}, {}
    for node in reversed(nodes):
        depth = max(node_depth.setdefault(node, 0), layer_depth.get(node.layer, 0))
        layer_depth[node.layer] = node_depth[node] = depth
        for parent in (node.parent_nodes if not node.is_input else []):
            if parent in node_depth or parent in nodes:
                node_depth[parent] = max(depth + 1, node_depth.get(parent, 0))
    return sorted(layer_depth, key=lambda layer: (-layer_depth[layer], order[layer]))


def _check_unique_names(layers):
    seen = set()
    for layer in layers:
        if layer.name in seen:
            raise ValueError(f"Two layers of the model are named {layer.name!r}; layer names in "
                             f"a model must be unique. Give one of them another name=.")
        seen.add(layer.name)
