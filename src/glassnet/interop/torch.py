"""PyTorch to glassnet and back: ``from_torch(module)`` and ``to_torch(model)``.

``nn.Linear`` is ``Dense`` with ``kernel = weight.T`` (PyTorch keeps (out, in), Keras (in,
out)); an activation module right after a Linear becomes that Dense's ``activation``, elsewhere
an ``Activation`` layer; ``nn.Dropout`` is ``Dropout``, ``nn.Flatten()`` is ``Flatten``,
``nn.Unflatten(1, shape)`` is ``Reshape``, ``nn.BatchNorm1d`` on (batch, features) is
``BatchNormalization`` (torch's momentum m is Keras's 1 - m; at inference both use the running
statistics), ``nn.Hardtanh(0, m)`` is ``ReLU(max_value=m)``, ``nn.Identity`` disappears and
nested ``nn.Sequential`` are unrolled. An activation module maps when its settings are those of a glassnet activation (or of the
``LeakyReLU`` / ``Softmax`` layers); anything else raises ``UnsupportedLayerError`` naming it.
"""
import numpy as np

from .. import config, layers as layers_module
from ..arrays import to_host
from ..models import Sequential
from . import UnsupportedLayerError

# glassnet activation -> (torch.nn class, the settings it must have); one table both ways.
_TORCH_ACTIVATIONS = {
    "relu": ("ReLU", {}),
    "relu6": ("ReLU6", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.2}),
    "elu": ("ELU", {"alpha": 1.0}),
    "selu": ("SELU", {}),
    "celu": ("CELU", {"alpha": 1.0}),
    "sigmoid": ("Sigmoid", {}),
    "hard_sigmoid": ("Hardsigmoid", {}),
    "log_sigmoid": ("LogSigmoid", {}),
    "silu": ("SiLU", {}),
    "hard_silu": ("Hardswish", {}),
    "tanh": ("Tanh", {}),
    "hard_tanh": ("Hardtanh", {"min_val": -1.0, "max_val": 1.0}),
    "tanh_shrink": ("Tanhshrink", {}),
    "soft_shrink": ("Softshrink", {"lambd": 0.5}),
    "hard_shrink": ("Hardshrink", {"lambd": 0.5}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 20.0}),
    "softsign": ("Softsign", {}),
    "gelu": ("GELU", {"approximate": "none"}),
    "mish": ("Mish", {}),
    "softmax": ("Softmax", {"dim": -1}),
    "log_softmax": ("LogSoftmax", {"dim": -1}),
    "glu": ("GLU", {"dim": -1}),
}
_BY_TORCH_CLASS = {torch_class: (name, settings)
                   for name, (torch_class, settings) in _TORCH_ACTIVATIONS.items()}


# -- from PyTorch ---------------------------------------------------------------------------

def _modules(module):
    """The leaf modules of (nested) ``nn.Sequential`` containers, with their dotted names."""
    import torch.nn as nn
    if not isinstance(module, nn.Sequential):
        raise TypeError(f"from_torch takes a torch.nn.Sequential, got {type(module).__name__}.")
    for name, child in module.named_children():
        if isinstance(child, nn.Sequential):
            yield from ((f"{name}.{inner}", leaf) for inner, leaf in _modules(child))
        else:
            yield name, child


def _numpy(tensor):
    return tensor.detach().cpu().numpy()


def _activation_name(module, rank):
    """The glassnet activation an activation module is, or None when its settings differ."""
    name, settings = _BY_TORCH_CLASS[type(module).__name__]
    for attribute, wanted in settings.items():
        value = getattr(module, attribute)
        if not (value == wanted or (attribute == "dim" and value == rank - 1)):
            return None                   # dim = rank - 1 is the last axis too
    return name


def _layer(child, where, rank):
    """(glassnet layer class, its arguments, its weights) for one module that is not an
    activation fused into a Dense; None for ``nn.Identity``."""
    import torch.nn as nn
    if isinstance(child, nn.Linear):
        bias = [] if child.bias is None else [_numpy(child.bias)]
        return (layers_module.Dense, {"units": child.out_features,
                                      "use_bias": child.bias is not None},
                [_numpy(child.weight).T] + bias)
    if isinstance(child, nn.Dropout):
        return layers_module.Dropout, {"rate": child.p}, []
    if isinstance(child, nn.Flatten) and (child.start_dim, child.end_dim) == (1, -1):
        return layers_module.Flatten, {}, []
    if isinstance(child, nn.Unflatten) and child.dim in (1, -rank + 1) and rank == 2:
        return layers_module.Reshape, {"target_shape": tuple(child.unflattened_size)}, []
    if isinstance(child, nn.LeakyReLU):
        return layers_module.LeakyReLU, {"negative_slope": child.negative_slope}, []
    if isinstance(child, nn.Softmax) and child.dim is not None:
        return layers_module.Softmax, {"axis": child.dim}, []
    if isinstance(child, nn.Hardtanh) and child.min_val == 0 and child.max_val > 0:
        return layers_module.ReLU, {"max_value": float(child.max_val)}, []   # to_torch's form
    if isinstance(child, nn.BatchNorm1d) and rank == 2 and child.track_running_stats \
            and child.momentum is not None:
        weights = ([_numpy(child.weight), _numpy(child.bias)] if child.affine else []) + \
            [_numpy(child.running_mean), _numpy(child.running_var)]
        return (layers_module.BatchNormalization,
                {"epsilon": child.eps, "momentum": 1.0 - child.momentum,
                 "center": child.affine, "scale": child.affine}, weights)
    if isinstance(child, nn.Identity):
        return None
    if type(child).__name__ in _BY_TORCH_CLASS:
        name, settings = _BY_TORCH_CLASS[type(child).__name__]
        differ = ", ".join(f"{k}={getattr(child, k)!r}" for k, v in settings.items()
                           if getattr(child, k) != v)
        raise UnsupportedLayerError(
            f"{where}: {type(child).__name__}({differ}) has no glassnet equivalent; glassnet's "
            f"{name!r} has {', '.join(f'{k}={v!r}' for k, v in settings.items())}.")
    raise UnsupportedLayerError(
        f"{where} has no glassnet equivalent; from_torch converts Linear, Dropout, "
        f"Flatten(), Unflatten(1, ...), BatchNorm1d on (batch, features), Identity, LeakyReLU, "
        f"Softmax, Hardtanh(0, max) and the activations {', '.join(sorted(_BY_TORCH_CLASS))} (with the "
        f"settings glassnet's have).")


def from_torch(module, input_shape=None):
    """An uncompiled glassnet ``Sequential`` computing what ``module`` computes in eval mode.

    ``input_shape`` (without the batch size) is needed only when the first Linear is not the
    first module that shapes the input, e.g. after an ``nn.Flatten``.
    """
    import torch.nn as nn
    modules = list(_modules(module))
    if not any(isinstance(m, nn.Linear) for _, m in modules):
        raise UnsupportedLayerError(
            f"The module has no Linear layer, so there is nothing to import (it holds "
            f"{', '.join(f'{n!r} ({type(m).__name__})' for n, m in modules) or 'nothing'}).")
    input_shape = tuple(input_shape) if input_shape is not None else _input_shape(modules)
    steps, rank = [], len(input_shape) + 1            # steps: [class, arguments, weights]
    for name, child in modules:
        where = f"module {name!r} ({type(child).__name__})"
        activation = _activation_name(child, rank) \
            if type(child).__name__ in _BY_TORCH_CLASS else None
        if activation is not None:
            last = steps[-1] if steps else None
            if last and last[0] is layers_module.Dense and "activation" not in last[1]:
                last[1]["activation"] = activation
            else:
                steps.append([layers_module.Activation, {"activation": activation}, []])
            continue
        step = _layer(child, where, rank)
        if step is not None:
            steps.append(list(step))
            rank = {layers_module.Flatten: 2,
                    layers_module.Reshape: len(step[1].get("target_shape", ())) + 1
                    }.get(step[0], rank)
    model = Sequential([layers_module.Input(shape=input_shape)]
                       + [cls(**arguments) for cls, arguments, _ in steps])
    for layer, (_, _, weights) in zip(model.layers, steps):
        if weights:
            layer.set_weights(weights)
    return model


def _input_shape(modules):
    import torch.nn as nn
    first = next(m for _, m in modules if isinstance(m, (nn.Linear, nn.Flatten, nn.Unflatten)))
    if not isinstance(first, nn.Linear):
        raise ValueError(f"from_torch cannot tell the input shape (an nn.{type(first).__name__} "
                         f"comes before the first Linear): pass input_shape=, e.g. "
                         f"input_shape=(28, 28).")
    return (first.in_features,)


# -- to PyTorch -----------------------------------------------------------------------------

def to_torch(model):
    """An ``nn.Sequential`` (in eval mode) computing what the built glassnet ``model``
    computes, in the float type of its weights (float32 or float64). A functional model
    becomes a module that runs its graph (``_graph_module``)."""
    import torch
    import torch.nn as nn
    if not model.built:
        raise ValueError("to_torch needs a built model: add an Input (or call fit/build) first.")
    if getattr(model, "_nodes", None) is not None:
        return _graph_module(model, torch)
    float_type = next((w.dtype for w in model.weights), np.dtype(config.floatx()))
    modules, shape = [], model.input_shape[1:]
    for layer in model.layers:
        where = f"layer {layer.name!r} ({type(layer).__name__})"
        modules += _modules_for(layer, where, len(shape) + 1, nn)
        shape = layer.compute_output_shape(shape)
    net = nn.Sequential(*modules).to(getattr(torch, float_type.name))
    _copy_weights(model, net, torch)
    return net.eval()


def _modules_for(layer, where, rank, nn):
    L = layers_module
    if isinstance(layer, L.Dense):
        return [nn.Linear(layer.kernel.shape[0], layer.units, bias=layer.use_bias)] + \
            _torch_activation(layer.activation, where, nn)
    if isinstance(layer, L.Activation):
        return _torch_activation(layer.activation, where, nn)
    if isinstance(layer, L.Dropout):
        return [nn.Dropout(layer.rate)]
    if isinstance(layer, L.Flatten):
        if layer.data_format == "channels_first" and rank > 2:
            raise UnsupportedLayerError(f"{where}: channels_first flattening has no single "
                                        f"torch module; use channels_last.")
        return [nn.Flatten()]
    if isinstance(layer, L.Reshape):
        return ([nn.Flatten()] if rank > 2 else []) + [nn.Unflatten(1, layer.target_shape)]
    if isinstance(layer, L.LeakyReLU):
        return [nn.LeakyReLU(layer.negative_slope)]
    if isinstance(layer, L.ReLU):
        return [_torch_relu(layer, where, nn)]
    if isinstance(layer, L.Softmax) and not isinstance(layer.axis, tuple):
        return [nn.Softmax(dim=layer.axis)]
    if isinstance(layer, L.BatchNormalization) and rank == 2 and layer.center == layer.scale:
        return [nn.BatchNorm1d(layer.moving_mean.shape[0], eps=layer.epsilon,
                               momentum=1.0 - layer.momentum, affine=layer.center)]
    raise UnsupportedLayerError(
        f"{where} has no PyTorch equivalent in to_torch (it converts Dense, Activation, "
        f"Dropout, Flatten, Reshape, LeakyReLU, ReLU, Softmax, and BatchNormalization on "
        f"(batch, features); GaussianNoise has no torch module).")


def _torch_relu(layer, where, nn):
    settings = (layer.max_value, layer.negative_slope, layer.threshold)
    if settings == (None, 0.0, 0.0):
        return nn.ReLU()
    if settings[1:] == (0.0, 0.0):
        return nn.Hardtanh(0.0, float(layer.max_value))
    if settings[0] is None and settings[2] == 0.0:
        return nn.LeakyReLU(layer.negative_slope)
    raise UnsupportedLayerError(f"{where}: ReLU(max_value={settings[0]}, negative_slope="
                                f"{settings[1]}, threshold={settings[2]}) has no torch module.")


def _torch_activation(activation, where, nn):
    name = activation.__name__
    if name == "linear":
        return []
    if name not in _TORCH_ACTIVATIONS:
        raise UnsupportedLayerError(f"{where}: the activation {name!r} has no torch.nn module.")
    torch_class, settings = _TORCH_ACTIVATIONS[name]
    return [getattr(nn, torch_class)(**settings)]


def _copy_weights(model, net, torch):
    """Kernel (in, out) -> weight (out, in); BatchNormalization's gamma, beta, moving mean and
    variance -> weight, bias, running_mean, running_var."""
    targets = [m for m in net if isinstance(m, (torch.nn.Linear, torch.nn.BatchNorm1d))]
    sources = [l for l in model.layers if l.weights]
    with torch.no_grad():
        for layer, module in zip(sources, targets):
            weights = [torch.from_numpy(np.ascontiguousarray(to_host(w))) for w in layer.weights]
            if isinstance(module, torch.nn.Linear):
                module.weight.copy_(weights[0].T)
                if module.bias is not None:
                    module.bias.copy_(weights[1])
            else:
                tensors = ([module.weight, module.bias] if module.affine else []) + \
                    [module.running_mean, module.running_var]
                for tensor, value in zip(tensors, weights):
                    tensor.copy_(value)


# -- a functional model as a torch module ---------------------------------------------------

# Merge layers as torch: each takes the list of input tensors.
def _merge_functions(torch):
    def fold(op):
        def run(xs, layer):
            y = xs[0]
            for x in xs[1:]:
                y = op(y, x)
            return y
        return run
    L = layers_module
    return {L.Add: fold(torch.add), L.Subtract: lambda xs, layer: xs[0] - xs[1],
            L.Multiply: fold(torch.mul),
            L.Average: lambda xs, layer: fold(torch.add)(xs, layer) / len(xs),
            L.Maximum: fold(torch.maximum), L.Minimum: fold(torch.minimum),
            L.Concatenate: lambda xs, layer: torch.cat(xs, dim=layer.axis)}


def _graph_module(model, torch):
    """A ``torch.nn.Module`` whose ``forward(*inputs)`` runs the functional model's nodes in
    order: each layer is the ``nn.Sequential`` ``to_torch`` makes for it (shared by all its
    calls, so shared weights stay shared), each merge its torch operation. It returns one
    tensor, or a tuple in the model's output order."""
    nn = torch.nn
    merges = _merge_functions(torch)
    modules, steps = nn.ModuleDict(), []
    for node in model._nodes:
        layer = node.layer
        if node.takes_list:
            if type(layer) not in merges:
                raise UnsupportedLayerError(f"layer {layer.name!r} ({type(layer).__name__}) "
                                            f"has no torch form in to_torch.")
            step = (layer.name, merges[type(layer)], layer)
        else:
            if layer.name not in modules:
                modules[layer.name] = _layer_module(layer, node.inputs[0].shape, torch)
            step = (layer.name, None, None)
        steps.append(step + ([id(t) for t in node.inputs], id(node.outputs[0])))
    input_ids = [id(t) for t in model.inputs]
    output_ids = [id(t) for t in model.outputs]

    class GraphModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = modules

        def forward(self, *inputs):
            values = dict(zip(input_ids, inputs))
            for name, merge, layer, sources, target in steps:
                args = [values[key] for key in sources]
                values[target] = merge(args, layer) if merge else self.layers[name](args[0])
            outputs = tuple(values[key] for key in output_ids)
            return outputs[0] if len(outputs) == 1 else outputs

    GraphModule.__name__ = GraphModule.__qualname__ = f"{model.name}_graph"
    float_type = next((w.dtype for w in model.weights), np.dtype(config.floatx()))
    return GraphModule().to(getattr(torch, float_type.name)).eval()


def _layer_module(layer, input_shape, torch):
    """One layer as an ``nn.Sequential`` holding its weights (a nested model: its own)."""
    if hasattr(layer, "_layers"):
        return to_torch(layer)

    class One:
        layers = [layer]
    where = f"layer {layer.name!r} ({type(layer).__name__})"
    net = torch.nn.Sequential(*_modules_for(layer, where, len(input_shape), torch.nn))
    float_type = next((w.dtype for w in layer.weights), np.dtype(config.floatx()))
    net = net.to(getattr(torch, float_type.name))
    _copy_weights(One, net, torch)
    return net
