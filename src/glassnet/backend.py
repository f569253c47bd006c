"""``keras.backend``: the settings Keras code still reads here (``floatx``, ``epsilon``, the
active backend's name), ``clear_session``, and the array machinery of ``arrays`` (where the
arrays live, NumPy or CuPy: ``array_module``, ``xp``, ``to_host``, ``register_backend``, ...)."""
from .arrays import (BackendError, array_module, as_scalar, elementwise_kernel,  # noqa: F401
                     fits_on_device, host_copy, is_cupy, known, load, on_device,
                     register_backend, to_device, to_floats, to_host, xp)
from .config import backend, epsilon, floatx, set_epsilon, set_floatx  # noqa: F401


def clear_session():
    """Reset layer and model name counters (``dense``, ``dense_1``, ...), as Keras does."""
    from . import naming
    naming.reset()
