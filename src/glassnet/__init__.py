"""glassnet: a deep-neural-network library you can see through.

``import glassnet as keras`` runs ordinary Keras 3 code for dense networks on plain NumPy,
with every derivative readable. See ``glassnet.inspect`` and ``glassnet.diagnose`` for what
happens inside a network while it trains, and ``glassnet lab`` for the chapter's experiments.
"""
__version__ = "0.1.0"

from . import activations, backend, callbacks, config, constraints, initializers  # noqa: E402
from . import layers, losses  # noqa: E402
from . import metrics, models, optimizers, regularizers, utils  # noqa: E402
from .layers import Input  # noqa: E402
from .models import Model, Sequential  # noqa: E402

# Parts loaded on first use, so `import glassnet` stays NumPy-only and fast; the insight tools
# live in glassnet.insight and are public here under their Keras-style names.
_LAZY = {"datasets": "datasets", "inspect": "insight.inspect", "interop": "interop",
         "lab": "lab", "saving": "saving", "diagnosis": "insight.diagnosis",
         "insight": "insight"}


def __getattr__(name):
    import importlib
    import sys
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        sys.modules.setdefault(f"{__name__}.{name}", module)   # import glassnet.inspect works after
        return module
    if name == "diagnose":
        return importlib.import_module(".insight.diagnosis", __name__).diagnose
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "config",
           "constraints",
           "initializers", "layers", "losses", "metrics", "models", "optimizers", "regularizers",
           "utils",
           *_LAZY, "diagnose", "__version__"]
