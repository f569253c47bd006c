"""Global settings, as ``keras.config``: the float type, the fuzz factor epsilon and the
backend (where arrays live: ``"numpy"`` on the CPU, ``"cupy"`` on an NVIDIA GPU)."""
import numpy as np

from . import arrays

_FLOATX = "float32"
_EPSILON = 1e-7
_FLOAT_TYPES = ("float16", "float32", "float64")


def floatx():
    """The default float type of weights and inputs: ``"float32"`` unless set (as Keras)."""
    return _FLOATX


def set_floatx(value):
    """Set the default float type; ``"float64"`` is what gradient checks and oracles use."""
    global _FLOATX
    value = np.dtype(value).name if not isinstance(value, str) else value
    if value not in _FLOAT_TYPES:
        raise ValueError(f"Unknown floatx {value!r}: use one of {', '.join(_FLOAT_TYPES)}.")
    _FLOATX = value


def epsilon():
    """The fuzz factor of losses and optimizers, 1e-7 as Keras."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def backend():
    """The active backend: ``"numpy"`` (the default) or ``"cupy"``, from ``GLASSNET_BACKEND``
    or ``set_backend`` (as ``keras.config.backend()``)."""
    return arrays.active()


def set_backend(name):
    """Run the engine on ``name``'s arrays from now on: ``"numpy"`` or ``"cupy"`` (an NVIDIA
    GPU). Call it before building a model: a model's weights stay where they were made.
    Raises ``ValueError`` for an unknown name and ``glassnet.backend.BackendError`` (saying
    what is missing) when CuPy or a GPU is not there."""
    arrays.activate(name)
