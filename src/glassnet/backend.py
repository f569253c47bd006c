"""``keras.backend``'s settings that Keras code still calls, re-exported from config."""
from .config import epsilon, floatx, set_epsilon, set_floatx  # noqa: F401


def clear_session():
    """Reset layer and model name counters (``dense``, ``dense_1``, ...), as Keras does."""
    from . import naming
    naming.reset()


def backend():
    return "numpy"
