"""Models in and out of glassnet: ONNX export, import from Keras, PyTorch and scikit-learn.

Each importer returns an uncompiled glassnet model (a ``Sequential``; ``from_keras`` also a
functional model) whose ``predict`` gives the source's predictions, so its inside can be looked at with ``glassnet.inspect``; ``to_torch``
goes the other way. Something a target cannot express raises ``UnsupportedLayerError``
naming it. The frameworks are imported only when their function is called.
"""


class UnsupportedLayerError(ValueError):
    """A layer, module or activation the other side has no equivalent for (the message names it)."""


from .keras import from_keras  # noqa: E402
from .onnx import to_onnx  # noqa: E402
from .sklearn import from_sklearn  # noqa: E402
from .torch import from_torch, to_torch  # noqa: E402

__all__ = ["UnsupportedLayerError", "from_keras", "from_sklearn", "from_torch", "to_onnx",
           "to_torch"]
