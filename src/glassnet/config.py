"""Global settings, as ``keras.config``: the float type and the fuzz factor epsilon."""
import numpy as np

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
