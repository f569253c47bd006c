"""A CPU stand-in for a GPU backend: arrays that live "on a device" and refuse NumPy.

CuPy's arrays are not NumPy arrays: ``np.asarray(cupy_array)`` raises ``TypeError``, and a
value only reaches the host through an explicit copy (``cupy.asnumpy``, ``.get()``) or a
synchronizing ``float()`` / ``.item()``. This module gives the CPU the same discipline, stricter
than CuPy where CuPy is lenient, so that a stray ``np.`` call on a device array fails here:

- ``DeviceArray`` wraps a NumPy array. ``np.asarray``, NumPy ufuncs (``np.exp(d)``) and NumPy
  functions (``np.sum(d)``) on it raise ``TypeError`` (CuPy would dispatch the last two to
  itself; glassnet must not rely on that). Mixing it with a NumPy array in an operator or an
  index raises too, as CuPy does.
- ``xp`` is its array module: NumPy's API, taking and returning ``DeviceArray`` (reductions
  return 0-d arrays, as CuPy's). ``xp.asarray(numpy_array)`` is the host -> device copy,
  ``xp.asnumpy(d)`` / ``d.get()`` the device -> host copy.
- ``TRANSFERS`` counts every device -> host crossing (``asnumpy``, ``get``, ``float``, ``int``,
  ``bool``, ``item``, ``tolist``), so a test can assert that training fetches nothing per batch.

``install()`` registers it as the glassnet backend ``"standin"``.
"""
import collections
import operator
import types

import numpy as np

TRANSFERS = collections.Counter()
_TO_DEVICE = {"asarray", "array", "asanyarray", "ascontiguousarray"}


class DeviceArray:
    """A NumPy array behind a wall: usable through ``xp`` and its own operators only."""

    __slots__ = ("_a",)
    __array_ufunc__ = None                  # np.exp(d), np.add(d, 1): TypeError
    __hash__ = None

    def __init__(self, array):
        self._a = array

    def __array__(self, dtype=None, copy=None):
        raise TypeError("Implicit conversion to a NumPy array is not allowed (stand-in device "
                        "array, as CuPy): use glassnet.backend.to_host or xp.asnumpy.")

    def __array_function__(self, func, types_, args, kwargs):
        raise TypeError(f"np.{func.__name__} on a stand-in device array: take the function from "
                        f"the array's module (xp = array_module(x); xp.{func.__name__}(...)).")

    # -- device -> host, counted ---------------------------------------------------------------
    def get(self):
        TRANSFERS["get"] += 1
        return self._a.copy()

    def item(self):
        TRANSFERS["item"] += 1
        return self._a.item()

    def tolist(self):
        TRANSFERS["tolist"] += 1
        return self._a.tolist()

    def __float__(self):
        TRANSFERS["float"] += 1
        return float(self._a)

    def __int__(self):
        TRANSFERS["int"] += 1
        return int(self._a)

    def __index__(self):
        TRANSFERS["index"] += 1
        return operator.index(self._a)

    def __bool__(self):
        TRANSFERS["bool"] += 1
        return bool(self._a)

    def __format__(self, spec):
        if spec:
            raise TypeError("A stand-in device array cannot be formatted with a format spec; "
                            "fetch it first (float(x)).")
        return repr(self)

    # -- metadata and methods ------------------------------------------------------------------
    def __getattr__(self, name):
        if name.startswith("__"):           # NumPy's protocols (__array_interface__, ...)
            raise AttributeError(name)
        value = getattr(self._a, name)
        if callable(value):
            return _wrap_function(value, name)
        return _wrap(value)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (_wrap(row) for row in self._a)

    def __repr__(self):
        return f"DeviceArray({self._a!r})"

    def __getitem__(self, key):
        return _wrap(self._a[_unwrap(key, "an index")])

    def __setitem__(self, key, value):
        self._a[_unwrap(key, "an index")] = _unwrap(value, "a value")

    def __copy__(self):
        return DeviceArray(self._a.copy())

    def __deepcopy__(self, memo):
        return DeviceArray(self._a.copy())


def _operator(name, inplace=False):
    method = getattr(operator, name)

    def apply(self, *others):
        result = method(self._a, *(_unwrap(o, "an operand") for o in others))
        if inplace:
            return self
        return _wrap(result)
    apply.__name__ = f"__{name.strip('_')}__"
    return apply


def _reflected(name):
    method = getattr(operator, name)

    def apply(self, other):
        return _wrap(method(_unwrap(other, "an operand"), self._a))
    return apply


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and_",
              "or_", "xor", "lt", "le", "gt", "ge", "eq", "ne"):
    _dunder = _name.rstrip("_")
    setattr(DeviceArray, f"__{_dunder}__", _operator(_name))
    if _name not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(DeviceArray, f"__r{_dunder}__", _reflected(_name))
        setattr(DeviceArray, f"__i{_dunder}__", _operator(f"i{_dunder}", inplace=True))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(DeviceArray, f"__{_name}__", _operator(_name))


def _unwrap(value, what):
    """The NumPy array behind ``value`` (recursing into tuples, lists, dicts); a host NumPy
    array here is a mix of host and device data, refused as CuPy refuses it."""
    if type(value) is DeviceArray:
        return value._a
    if isinstance(value, np.ndarray):
        raise TypeError(f"A host NumPy array of shape {value.shape} was given as {what} next to "
                        f"stand-in device arrays: move it with xp.asarray first (CuPy refuses "
                        f"the mix too).")
    if isinstance(value, tuple):
        return tuple(_unwrap(v, what) for v in value)
    if isinstance(value, list):
        return [_unwrap(v, what) for v in value]
    if isinstance(value, dict):
        return {k: _unwrap(v, what) for k, v in value.items()}
    return value


def _wrap(value):
    """Device arrays for NumPy results (a NumPy scalar becomes a 0-d array, as CuPy returns)."""
    if isinstance(value, np.ndarray):
        return DeviceArray(value)
    if isinstance(value, np.generic):
        return DeviceArray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _wrap_function(function, name):
    def call(*args, **kwargs):
        if name in _TO_DEVICE:              # host -> device: the one place NumPy data enters
            args = tuple(a if isinstance(a, np.ndarray) else _unwrap(a, "data") for a in args)
            kwargs = _unwrap(kwargs, "an argument")
        else:
            args, kwargs = _unwrap(args, "an argument"), _unwrap(kwargs, "an argument")
        result = function(*args, **kwargs)
        if name in _TO_DEVICE and isinstance(result, np.ndarray) and any(
                result is a for a in args):
            result = result.copy()          # a device copy never aliases host memory
        return _wrap(result)
    call.__name__ = name
    return call


class _ArrayModule(types.ModuleType):
    """NumPy's namespace, on stand-in device arrays."""

    def __init__(self, name, numpy_module):
        super().__init__(name)
        self._numpy = numpy_module

    def __getattr__(self, name):
        value = getattr(self._numpy, name)
        if isinstance(value, types.ModuleType):
            return _ArrayModule(f"{self.__name__}.{name}", value)
        if isinstance(value, type) or not callable(value):
            return value                    # dtypes, scalar types, constants, errstate
        return _wrap_function(value, name)

    def asnumpy(self, array):
        TRANSFERS["asnumpy"] += 1
        return array._a.copy() if type(array) is DeviceArray else np.asarray(array)


xp = _ArrayModule("standin", np)


def install():
    """Register the stand-in as glassnet's backend ``"standin"`` (idempotent)."""
    from glassnet import backend
    backend.register_backend("standin", lambda: (xp, DeviceArray))
