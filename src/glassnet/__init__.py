"""glassnet: a deep-neural-network library you can see through.

``import glassnet as keras`` runs ordinary Keras 3 code for dense networks on plain NumPy,
with every derivative readable. See ``glassnet.inspect`` and ``glassnet.diagnose`` for what
happens inside a network while it trains, and ``glassnet lab`` for the chapter's experiments.
"""
__version__ = "0.1.0"

from . import activations, backend, callbacks, config, initializers, layers, losses  # noqa: E402
from . import metrics, models, optimizers, regularizers, utils  # noqa: E402
from .layers import Input  # noqa: E402
from .models import Model, Sequential  # noqa: E402

_LAZY = ("datasets", "inspect", "interop", "lab", "saving", "diagnosis")


def __getattr__(name):
    # Heavy or optional parts load on first use, so `import glassnet` stays NumPy-only and fast.
    import importlib
    if name in _LAZY:
        return importlib.import_module(f".{name}", __name__)
    if name == "diagnose":
        return importlib.import_module(".diagnosis", __name__).diagnose
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "config",
           "initializers", "layers", "losses", "metrics", "models", "optimizers", "regularizers",
           "utils",
           *_LAZY, "diagnose", "__version__"]
