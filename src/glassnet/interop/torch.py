"""PyTorch to glassnet and back: ``from_torch(module)`` and ``to_torch(model)``.

``nn.Linear`` is ``Dense`` with ``kernel = weight.T`` (PyTorch keeps (out, in), Keras (in,
out)); an activation module right after a Linear becomes that Dense's ``activation``, elsewhere
an ``Activation`` layer; ``nn.Dropout`` is ``Dropout``, ``nn.Flatten()`` is ``Flatten``,
``nn.Identity`` disappears and nested ``nn.Sequential`` are unrolled. An activation module
maps only when its settings are glassnet's (e.g. ``LeakyReLU`` with negative_slope 0.2, as
Keras's ``leaky_relu``); anything else raises ``UnsupportedLayerError`` naming the module.
"""
import numpy as np

from .. import config, layers as layers_module
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


def _activation_name(module, where, rank):
    """The glassnet activation a torch activation module is, or an error saying why not."""
    kind = type(module).__name__
    name, settings = _BY_TORCH_CLASS[kind]
    for attribute, wanted in settings.items():
        value = getattr(module, attribute)
        if attribute == "dim" and value == 1 and rank == 2:
            continue                      # dim=1 is the last axis of (batch, features)
        if value != wanted:
            raise UnsupportedLayerError(
                f"{where}: {kind}({attribute}={value!r}) has no glassnet equivalent; glassnet's "
                f"{name!r} has {attribute}={wanted!r}.")
    return name


def from_torch(module, input_shape=None):
    """An uncompiled glassnet ``Sequential`` computing what ``module`` computes in eval mode.

    ``input_shape`` (without the batch size) is needed only when the first Linear is not the
    first module that shapes the input, e.g. after an ``nn.Flatten``.
    """
    import torch.nn as nn
    modules = list(_modules(module))
    input_shape = tuple(input_shape) if input_shape is not None else _input_shape(modules)
    if not any(isinstance(m, nn.Linear) for _, m in modules):
        unsupported = [f"{n!r} ({type(m).__name__})" for n, m in modules
                       if not isinstance(m, (nn.Dropout, nn.Flatten, nn.Identity))
                       and type(m).__name__ not in _BY_TORCH_CLASS]
        raise UnsupportedLayerError(
            "The module has no Linear layer, so there is nothing to import"
            + (f"; module {', '.join(unsupported)} has no glassnet equivalent." if unsupported
               else "."))
    steps, rank = [], len(input_shape or ()) + 1   # [glassnet class, arguments, torch module]
    for name, child in modules:
        where = f"module {name!r} ({type(child).__name__})"
        if isinstance(child, nn.Linear):
            steps.append([layers_module.Dense, {"units": child.out_features,
                                                "use_bias": child.bias is not None}, child])
        elif type(child).__name__ in _BY_TORCH_CLASS:
            activation = _activation_name(child, where, rank)
            last = steps[-1] if steps else None
            if last and last[0] is layers_module.Dense and "activation" not in last[1]:
                last[1]["activation"] = activation
            else:
                steps.append([layers_module.Activation, {"activation": activation}, child])
        elif isinstance(child, nn.Dropout):
            steps.append([layers_module.Dropout, {"rate": child.p}, child])
        elif isinstance(child, nn.Flatten):
            if (child.start_dim, child.end_dim) != (1, -1):
                raise UnsupportedLayerError(f"{where}: only Flatten(start_dim=1, end_dim=-1) "
                                            f"maps to glassnet's Flatten.")
            steps.append([layers_module.Flatten, {}, child])
            rank = 2
        elif not isinstance(child, nn.Identity):
            raise UnsupportedLayerError(
                f"{where} has no glassnet equivalent; from_torch converts Linear, Dropout, "
                f"Flatten, Identity and the activations {', '.join(sorted(_BY_TORCH_CLASS))}.")
    model = Sequential([layers_module.Input(shape=input_shape)]
                       + [cls(**arguments) for cls, arguments, _ in steps])
    for layer, (_, _, child) in zip(model.layers, steps):
        if isinstance(child, nn.Linear):
            kernel = child.weight.detach().cpu().numpy().T
            bias = [] if child.bias is None else [child.bias.detach().cpu().numpy()]
            layer.set_weights([kernel] + bias)
    return model


def _input_shape(modules):
    import torch.nn as nn
    first = next((m for _, m in modules if isinstance(m, (nn.Linear, nn.Flatten))), None)
    if first is None:
        return None
    if not isinstance(first, nn.Linear):
        raise ValueError("from_torch cannot tell the input shape (an nn.Flatten comes before the "
                         "first Linear): pass input_shape=, e.g. input_shape=(28, 28).")
    return (first.in_features,)


def to_torch(model):
    """An ``nn.Sequential`` computing what the built glassnet ``model`` computes, in the
    dtype of its weights (float32 or float64)."""
    import torch
    import torch.nn as nn
    if not model.built:
        raise ValueError("to_torch needs a built model: add an Input (or call fit/build) first.")
    float_type = next((w.dtype for w in model.weights), np.dtype(config.floatx()))
    dtype = getattr(torch, float_type.name)
    modules = []
    for layer in model.layers:
        where = f"layer {layer.name!r} ({type(layer).__name__})"
        if isinstance(layer, layers_module.Dense):
            linear = nn.Linear(layer.kernel.shape[0], layer.units, bias=layer.use_bias,
                               dtype=dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.kernel.T)))
                if layer.use_bias:
                    linear.bias.copy_(torch.from_numpy(layer.bias))
            modules.append(linear)
            modules += _torch_activation(layer.activation, where)
        elif isinstance(layer, layers_module.Activation):
            modules += _torch_activation(layer.activation, where)
        elif isinstance(layer, layers_module.Dropout):
            modules.append(nn.Dropout(layer.rate))
        elif isinstance(layer, layers_module.Flatten):
            if layer.data_format == "channels_first" and len(layer.input_shape) > 1:
                raise UnsupportedLayerError(f"{where}: channels_first flattening has no single "
                                            f"torch module; use channels_last.")
            modules.append(nn.Flatten())
        else:
            raise UnsupportedLayerError(f"{where} has no PyTorch equivalent in to_torch (it "
                                        f"converts Dense, Activation, Dropout, Flatten).")
    return nn.Sequential(*modules).to(dtype).eval()


def _torch_activation(activation, where):
    import torch.nn as nn
    name = activation.__name__
    if name == "linear":
        return []
    if name not in _TORCH_ACTIVATIONS:
        raise UnsupportedLayerError(f"{where}: the activation {name!r} has no torch.nn module.")
    torch_class, settings = _TORCH_ACTIVATIONS[name]
    return [getattr(nn, torch_class)(**settings)]
