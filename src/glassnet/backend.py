"""``keras.backend``'s settings that Keras code still calls, re-exported from config."""
from .config import epsilon, floatx, set_epsilon, set_floatx  # noqa: F401


def clear_session():
    """Reset layer and model name counters (``dense``, ``dense_1``, ...), as Keras does."""
    from . import naming
    naming.reset()


def backend():
    return "numpy"


def array_module(*arrays):
    """The array module that owns ``arrays``: ``numpy`` for NumPy arrays and Python numbers,
    ``cupy`` for CuPy (device) arrays, so one line of engine code serves both."""
    for array in arrays:
        if type(array).__module__.split(".", 1)[0] == "cupy":
            import cupy
            return cupy
    import numpy
    return numpy
