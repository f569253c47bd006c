"""Where the arrays live: the one place that gives the engine its array functions.

glassnet's engine is NumPy code. On the ``"numpy"`` backend (the default) its arrays are NumPy
arrays on the CPU; on ``"cupy"`` they are CuPy arrays on an NVIDIA GPU, and the same lines run
there because CuPy implements NumPy's API. Choose it as Keras's ``KERAS_BACKEND``:
``GLASSNET_BACKEND=cupy`` in the environment, or ``glassnet.config.set_backend("cupy")``
before building a model.

The engine asks this module for array functions in two ways:

- ``array_module(*arrays)``: the module owning the arrays at hand (``xp = array_module(x)``,
  then ``xp.exp(x)``), so a function works on whatever arrays it is given;
- ``xp()``: the active backend's module, for arrays made from nothing (a model's weights).

Data crosses between host and device in two places only: ``to_device`` (NumPy data and
freshly drawn weights go to the active backend) and ``to_host`` (predictions, weights for
files). ``as_scalar`` keeps a reduced value (a batch's loss) where it is, so the training loop
fetches numbers once per batch at most, not once per operation.

Another NumPy-compatible array library can be added with ``register_backend`` (the tests'
CPU stand-in for a GPU does, see ``tests/standin.py``).
"""

import os
import sys

import numpy


# name -> function returning (array module, its array type); loaded on first use
_LOADERS = {}
_MODULES = {"numpy": numpy}
# array type -> its module, for the device backends loaded so far (empty: NumPy only)
_DEVICE_TYPES = {}
# types known not to be device arrays (the fast path of array_module)
_HOST_TYPES = {numpy.ndarray, float, int, bool, type(None), str, tuple, list,
               numpy.float32, numpy.float64, numpy.int64, numpy.int32, numpy.bool_}


def register_backend(name, load):
    """Make ``name`` a backend: ``load()`` returns (array module, array type) or raises
    ``BackendError`` saying what is missing."""
    _LOADERS[name] = load


def load(name):
    """The array module of backend ``name`` (importing it on first use)."""
    if name in _MODULES:
        return _MODULES[name]
    if name not in _LOADERS:
        raise ValueError(f"Unknown glassnet backend {name!r}: use one of "
                         f"{', '.join(repr(n) for n in known())}.")
    module, array_type = _LOADERS[name]()
    _MODULES[name] = module
    _DEVICE_TYPES[array_type] = module
    return module


def known():
    return ["numpy"] + sorted(_LOADERS)


class BackendError(RuntimeError):
    """A backend was asked for but cannot run here (library or device missing)."""


def _load_cupy():
    """CuPy and a visible CUDA GPU, or one BackendError naming what is missing."""
    try:
        import cupy
    except ImportError as error:
        raise BackendError(
            f"glassnet backend 'cupy' needs CuPy, which is not installed ({error}). Install it "
            f"with pip install \"glassnet[gpu]\" (CuPy for CUDA 12), or cupy-cuda13x for a "
            f"CUDA 13 driver; or use the default backend: GLASSNET_BACKEND=numpy.") from None
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:          # no driver, or a driver CuPy cannot talk to
        raise BackendError(f"glassnet backend 'cupy' needs an NVIDIA GPU, but CUDA reports "
                           f"none ({type(error).__name__}: {error}). Use GLASSNET_BACKEND=numpy "
                           f"on this machine.") from None
    if count < 1:
        raise BackendError("glassnet backend 'cupy' needs an NVIDIA GPU, but CUDA sees none. "
                           "Use GLASSNET_BACKEND=numpy on this machine.")
    return cupy, cupy.ndarray


register_backend("cupy", _load_cupy)


# The active backend's name: GLASSNET_BACKEND, or what config.set_backend chose.
_ACTIVE = os.environ.get("GLASSNET_BACKEND", "numpy").strip().lower() or "numpy"


def active():
    """The active backend's name (what ``glassnet.config.backend`` returns)."""
    return _ACTIVE


def activate(name):
    """Make ``name`` the active backend, loading it first so that a missing library or device
    is one ``BackendError`` now, not an obscure failure in the first layer
    (``glassnet.config.set_backend``)."""
    global _ACTIVE
    if not isinstance(name, str):
        raise TypeError(f"set_backend takes a backend name such as 'numpy' or 'cupy', got "
                        f"{name!r}.")
    name = name.strip().lower()
    load(name)
    _ACTIVE = name


def xp():
    """The active backend's array module (``numpy`` unless ``set_backend`` chose another)."""
    return load(_ACTIVE)


def array_module(*arrays):
    """The array module that owns ``arrays``: ``numpy`` for NumPy arrays and Python numbers,
    ``cupy`` for CuPy (device) arrays, so one line of engine code serves both."""
    if not _DEVICE_TYPES and "cupy" not in sys.modules:      # the CPU's case: nothing to look at
        return numpy
    for array in arrays:
        kind = type(array)
        if kind in _HOST_TYPES:
            continue
        module = _DEVICE_TYPES.get(kind)
        if module is not None:
            return module
        if kind.__module__.split(".", 1)[0] == "cupy":       # CuPy arrays before set_backend
            return load("cupy")
    return numpy


def is_cupy(module):
    """Whether ``module`` is CuPy: where a fused GPU kernel may replace several NumPy lines."""
    return module.__name__ == "cupy"


_KERNELS = {}


def elementwise_kernel(name, in_params, out_params, body):
    """``cupy.ElementwiseKernel(in_params, out_params, body)``, compiled once per ``name``:
    several elementwise lines as one GPU kernel launch (CuPy only; see ``is_cupy``)."""
    kernel = _KERNELS.get(name)
    if kernel is None:
        import cupy
        kernel = _KERNELS[name] = cupy.ElementwiseKernel(in_params, out_params, body,
                                                         f"glassnet_{name}")
    return kernel


def on_device(array):
    """Whether ``array`` lives on a device backend (not in NumPy's memory)."""
    return type(array) in _DEVICE_TYPES


def to_device(array, dtype=None):
    """``array`` on the active backend (NumPy: itself, no copy, when the dtype matches)."""
    return xp().asarray(array, dtype=dtype)


def to_host(array):
    """``array`` as a NumPy array: the same array when it is one already, else a copy
    fetched from the device (the only device -> host transfer the engine makes)."""
    if type(array) is numpy.ndarray:
        return array
    if on_device(array):
        return _DEVICE_TYPES[type(array)].asnumpy(array)
    return numpy.asarray(array)


def fits_on_device(module, nbytes, share):
    """Whether ``nbytes`` of data take at most ``share`` of the device's free memory (CuPy:
    free device memory plus what its memory pool holds unused). True when the module cannot
    say (the tests' CPU stand-in)."""
    try:
        free = module.cuda.runtime.memGetInfo()[0] + module.get_default_memory_pool().free_bytes()
    except AttributeError:
        return True
    return nbytes <= share * free


def host_copy(array):
    """A NumPy copy of ``array``, wherever it lives (what ``get_weights`` returns)."""
    return to_host(array) if on_device(array) else numpy.array(array)


def as_scalar(value):
    """A reduced value (a loss) kept where it was computed: a Python float on the host, a
    float64 0-d array on a device (no transfer; ``float()`` it when a number is needed)."""
    if type(value) in _DEVICE_TYPES:
        return value.astype(numpy.float64)
    return float(value)


def to_floats(values):
    """Python floats of ``values`` (numbers or 0-d arrays; a per-class metric's vector becomes
    a NumPy array), with one device transfer for all the device scalars."""
    scalars = [v for v in values if on_device(v) and v.ndim == 0]
    fetched = iter(())
    if scalars:
        module = array_module(*scalars)
        fetched = iter(module.asnumpy(module.stack([v.astype(numpy.float64)
                                                    for v in scalars])).tolist())
    return [next(fetched) if on_device(v) and v.ndim == 0 else _host_number(v) for v in values]


def _host_number(value):
    value = to_host(value) if on_device(value) else value
    return float(value) if numpy.ndim(value) == 0 else numpy.array(value, dtype=numpy.float64)


if _ACTIVE != "numpy":                      # GLASSNET_BACKEND asked for another: check it now
    load(_ACTIVE)
