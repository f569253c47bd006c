"""Keras 3's ``Functional`` config (``config.json`` of a functional model) to glassnet and back.

Each layer entry is the Sequential's entry plus ``name`` and ``inbound_nodes``: one
``{"args": [...], "kwargs": {}}`` per call of the layer in this model, its argument a tensor
``{"class_name": "__keras_tensor__", "config": {"shape", "dtype", "keras_history":
[layer name, node index, tensor index]}}`` (or a list of them for a merge). ``input_layers`` and
``output_layers`` hold such histories: one for a single tensor, a list for several. Node indices
count the calls of a layer within this model, as Keras renumbers them on saving.

Reading replays the calls: layers are made from their entries, each Input starts its tensor,
then each layer is called on its recorded inputs as soon as they exist, which rebuilds the
same graph (and makes the same checks as building it by hand).
"""
from ..layers.symbolic import input_tensor
from . import keras_config
from .keras_config import ConfigError, _require


# -- writing --------------------------------------------------------------------------------

def model_config(model, compile_config):
    """The whole ``config.json`` entry of a functional model."""
    nested = [layer.name for layer in model.layers
              if getattr(layer, "_nodes", None) is not None]
    if nested:
        raise ValueError(f"Saving a functional model that holds a functional model as a layer "
                         f"({', '.join(map(repr, nested))}) is not supported yet (a Sequential "
                         f"is). Build the graph from that model's layers.")
    node_numbers = {id(node): index for layer in model.layers
                    for index, node in enumerate(model.nodes_of(layer))}
    layers = [_layer_entry(model, layer, node_numbers) for layer in model.layers]
    inner = {"name": model.name, "trainable": model.trainable, "layers": layers,
             "input_layers": _structure(model._input_tensors, model._input_keys, node_numbers),
             "output_layers": _structure(model._output_tensors, model._output_keys,
                                         node_numbers)}
    return {"module": "keras.src.models.functional", "class_name": "Functional",
            "config": inner, "registered_name": "Functional",
            "build_config": {"input_shape": None}, "compile_config": compile_config}


def _layer_entry(model, layer, node_numbers):
    if type(layer).__name__ == "InputLayer":
        entry = {"module": "keras.layers", "class_name": "InputLayer",
                 "config": {"batch_shape": list(layer.batch_shape), "dtype": layer.dtype or
                            keras_config.config_module.floatx(), "sparse": False,
                            "ragged": False, "name": layer.name},
                 "registered_name": None}
    elif hasattr(layer, "_layers"):                    # a Sequential used as a layer
        entry = keras_config.model_config(layer)
        entry["compile_config"] = {}
    else:
        entry = keras_config.layer_entry(layer)
    entry["name"] = layer.name
    entry["inbound_nodes"] = [
        {"args": [[_tensor(t, node_numbers) for t in node.inputs] if node.takes_list
                  else _tensor(node.inputs[0], node_numbers)], "kwargs": {}}
        for node in model.nodes_of(layer) if not node.is_input]
    return entry


def _history(tensor, node_numbers):
    layer, _, tensor_index = tensor._keras_history
    return [layer.name, node_numbers[id(tensor.node)], tensor_index]


def _tensor(tensor, node_numbers):
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": _history(tensor, node_numbers)}}


def _structure(tensors, keys, node_numbers):
    histories = [_history(t, node_numbers) for t in tensors]
    if keys:
        return dict(zip(keys, histories))
    return histories[0] if len(histories) == 1 else histories


# -- reading --------------------------------------------------------------------------------

def model_from_config(inner, custom_objects, before_build):
    """A glassnet functional model from the ``config`` of a ``Functional`` entry."""
    from ..models.functional import Functional
    entries = inner["layers"]
    nested = [e.get("name") for e in entries if isinstance(e, dict)
              and e.get("class_name") in ("Functional", "Model")]
    _require(not nested, f"a functional model nested as a layer ({', '.join(map(repr, nested))})"
                         f" is not supported yet; glassnet reads graphs of layers and "
                         f"Sequential models.")
    keys = keras_config.weight_keys(e.get("class_name") if isinstance(e, dict) else ""
                                    for e in entries)
    layers = [_nested_sequential(e, key, custom_objects, before_build)
              if isinstance(e, dict) and e.get("class_name") == "Sequential"
              else keras_config.layer_from_entry(e, i, custom_objects)
              for i, (e, key) in enumerate(zip(entries, keys))]
    _require(len({l.name for l in layers}) == len(layers), "two layers share a name.")
    if before_build is not None:
        before_build(layers)
    tensors = {}                                      # (layer name, node index) -> tensor
    for layer in layers:
        if type(layer).__name__ == "InputLayer":
            tensors[(layer.name, 0)] = input_tensor(layer)
    _replay_calls(layers, entries, tensors)
    inputs = _tensors_of(inner.get("input_layers"), tensors, "input_layers")
    outputs = _tensors_of(inner.get("output_layers"), tensors, "output_layers")
    try:
        return Functional(inputs, outputs, name=inner.get("name"),
                          trainable=bool(inner.get("trainable", True)))
    except (TypeError, ValueError) as error:
        raise ConfigError(f"the layers do not form a model: {error}") from None


def _nested_sequential(entry, key, custom_objects, before_build):
    """A Sequential used as a layer, built from its entry; its layers' weights are limited to
    what the file stores under ``layers/<key>/layers`` (the group Keras nests them in)."""
    hook = None
    if before_build is not None:
        layer_entries = (entry.get("config") or {}).get("layers") or []
        names = [e.get("class_name") for e in layer_entries
                 if isinstance(e, dict) and e.get("class_name") != "InputLayer"]

        def hook(layers):
            before_build(layers, names, f"layers/{key}/layers")
    return keras_config.model_from_config(entry, custom_objects, compile=False,
                                          before_build=hook)


def _replay_calls(layers, entries, tensors):
    """Call each layer on its recorded inputs, in rounds, until every call is made."""
    pending = {layer.name: list(_calls(entry, index)) for index, (layer, entry)
               in enumerate(zip(layers, entries)) if type(layer).__name__ != "InputLayer"}
    by_name = {layer.name: layer for layer in layers}
    made = {name: 0 for name in pending}
    while any(pending.values()):
        progress = False
        for name, calls in pending.items():
            while calls and all(key in tensors for key in calls[0][1]):
                single, keys = calls.pop(0)
                args = [tensors[key] for key in keys]
                try:
                    output = by_name[name](args[0] if single else args)
                except (TypeError, ValueError) as error:
                    raise ConfigError(f"layer {name!r}: {error}") from None
                tensors[(name, made[name])] = output
                made[name] += 1
                progress = True
        _require(progress, "the inbound_nodes do not form a graph: some layers wait for "
                           "tensors no layer makes (" + ", ".join(
                               n for n, c in pending.items() if c) + ").")


def _calls(entry, index):
    """Per recorded call: (whether it took one tensor, the (layer, node) keys of its inputs)."""
    nodes = entry.get("inbound_nodes", [])
    _require(isinstance(nodes, list), f"layer {index}: inbound_nodes is not a list.")
    for node in nodes:
        _require(isinstance(node, dict) and isinstance(node.get("args"), list)
                 and len(node["args"]) == 1,
                 f"layer {index}: an inbound node is not Keras 3's {{'args': [tensor or list], "
                 f"'kwargs': {{}}}} (files from Keras 2 are not read).")
        kwargs = node.get("kwargs") or {}
        _require(isinstance(kwargs, dict) and all(keras_config._is_inert(v)
                                                  for v in kwargs.values()),
                 f"layer {index}: call arguments {kwargs!r} are not supported.")
        arg = node["args"][0]
        single = not isinstance(arg, list)
        yield single, [_key(t, index) for t in ([arg] if single else arg)]


def _key(tensor, index):
    history = tensor.get("config", {}).get("keras_history") if isinstance(tensor, dict) else None
    _require(isinstance(history, list) and len(history) == 3 and isinstance(history[0], str)
             and history[2] == 0, f"layer {index}: an input tensor has no keras_history "
                                  f"[layer, node, 0].")
    return (history[0], int(history[1]))


def _tensors_of(structure, tensors, what):
    def one(history):
        _require(isinstance(history, list) and len(history) == 3
                 and (history[0], history[1]) in tensors,
                 f"{what}: {history!r} names no tensor of the graph.")
        return tensors[(history[0], history[1])]
    _require(structure is not None, f"the Functional config has no {what}.")
    if isinstance(structure, dict):
        return {key: one(value) for key, value in structure.items()}
    if structure and isinstance(structure[0], list):
        return [one(h) for h in structure]
    return one(structure)
