"""Weight initializers (``keras.initializers``): how a layer's kernel and bias start.

An initializer is called as ``init(shape, dtype=None)`` and returns a new array (floatx when
``dtype`` is None). Seeds follow Keras 3:

- ``seed=<int>``: every call returns the same numbers;
- ``seed=None``: the initializer takes a seed from glassnet's global generator when it is
  *created*, then behaves as if seeded with it: one instance returns the same numbers on
  every call (as Keras 3: share one unseeded instance between two layers of the same shape
  and they start identical), while a name such as ``"he_normal"`` creates a new instance,
  so every layer gets its own draw, and ``glassnet.utils.set_random_seed`` fixes them all;
- a Keras ``SeedGenerator`` config (from a saved Keras model): a stream that moves on at
  every call.

The family: ``VarianceScaling`` and its fixed settings (Glorot, He, Lecun; normal or
uniform), ``RandomNormal``, ``RandomUniform``, ``TruncatedNormal``, ``Orthogonal``, and the
constant ones ``Zeros``, ``Ones``, ``Constant``, ``Identity``. ``get`` accepts every name
Keras 3 accepts (``'glorot_uniform'``, ``'GlorotUniform'``, ``'normal'``, ``'zero'``, ...).
"""
import math
import numbers

import numpy as np

from . import config, utils
from ._registry import Configurable, Registry


class Initializer(Configurable):
    """Base class: ``__call__(shape, dtype=None)``, ``get_config``, ``from_config``, ``clone``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses implement __call__(shape, dtype=None).")

    def clone(self):
        return type(self).from_config(self.get_config())


registry = Registry("initializer", base=Initializer)


def _register(*aliases):
    """Register a class under its Keras names: ClassName, class_name, and ``aliases``."""
    def decorate(cls):
        registry.register(cls.__name__, _snake_case(cls.__name__), *aliases)(cls)
        return cls
    return decorate


def _snake_case(name):
    return "".join("_" + c.lower() if c.isupper() and i else c.lower()
                   for i, c in enumerate(name))


def _shape(shape):
    """``shape`` as a tuple of non-negative ints, or a ValueError that says what is wrong."""
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise TypeError(f"An initializer needs a shape such as (64, 300); got {shape!r}.") from None
    for dim in dims:
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 0:
            raise ValueError(f"An initializer needs a fully known shape of non-negative integers; "
                             f"got {shape!r}. Build the layer with a known input shape first.")
    return tuple(int(d) for d in dims)


def _dtype(dtype, random=False):
    dtype = np.dtype(dtype or config.floatx())
    if random and dtype.kind != "f":
        raise ValueError(f"Random initializers draw floats; dtype {dtype.name!r} is not a float "
                         f"type. Use dtype='float32' or 'float64'.")
    return dtype


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, as Keras counts them.

    A Dense kernel (in, out) has fan_in = in, fan_out = out; a vector (n,) has n and n; a
    scalar 1 and 1; a convolution kernel (..., in, out) multiplies both by the receptive field
    (the product of the leading axes). ``input_axes`` / ``output_axes`` name the axes instead.
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(math.prod(shape[a] for a in input_axes)),
                int(math.prod(shape[a] for a in output_axes)))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


# --- constant initializers -------------------------------------------------------------------

@_register("zero")
class Zeros(Initializer):
    """All zeros: the usual bias initializer (a kernel of zeros never breaks the symmetry)."""

    def __call__(self, shape, dtype=None):
        return np.zeros(_shape(shape), dtype=_dtype(dtype))


@_register("one")
class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return np.ones(_shape(shape), dtype=_dtype(dtype))


@_register()
class Constant(Initializer):
    """Every entry equal to ``value`` (0.0 by default): every unit in a layer starts the same,
    so they stay identical under training — the chapter's symmetry problem."""

    def __init__(self, value=0.0):
        if isinstance(value, np.generic):
            value = value.item()
        self.value = value

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        try:
            return np.full(shape, self.value, dtype=_dtype(dtype))
        except ValueError:
            raise ValueError(f"Constant({self.value!r}) cannot fill shape {shape}: give a "
                             f"scalar value.") from None

    def get_config(self):
        value = self.value.tolist() if isinstance(self.value, np.ndarray) else self.value
        return {"value": value}


@_register("IdentityInitializer")
class Identity(Initializer):
    """``gain`` times the identity matrix (rectangular shapes get ones on the main diagonal);
    only for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity initializes 2-D matrices only; got shape {shape} of "
                             f"rank {len(shape)}.")
        dtype = _dtype(dtype)
        return (self.gain * np.eye(*shape)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}


# --- random initializers ---------------------------------------------------------------------

class RandomInitializer(Initializer):
    """An initializer that draws random numbers; ``seed`` as in the module docstring."""

    def __init__(self, seed=None):
        self.seed = seed                  # as given: what get_config writes
        if seed is None:
            self._seed = int(utils.global_generator().integers(2**63))
        elif isinstance(seed, dict) and seed.get("class_name") == "SeedGenerator":
            self._stream = np.random.default_rng(int(seed.get("config", {}).get("seed") or 0)
                                                 % 2**64)
        elif isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
            self.seed = self._seed = int(seed)
        else:
            raise ValueError(f"seed must be an integer or None, got {seed!r}.")

    def _generator(self):
        stream = getattr(self, "_stream", None)
        return stream if stream is not None else utils.generator(self._seed % 2**64)

    def get_config(self):
        return {"seed": self.seed}


def _truncated_normal(rng, shape, mean, stddev):
    """mean + stddev * z, z a unit normal with every value outside (-2, 2) drawn again.

    (Keras's torch backend instead keeps the first of four draws that falls inside, and the
    first draw when none does, so about 4 values in a million land outside two stddev; here
    none does.)
    """
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) >= 2.0
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) >= 2.0
    return mean + stddev * values


@_register("normal")
class RandomNormal(RandomInitializer):
    """N(mean, stddev^2), mean 0 and stddev 0.05 by default (Keras's numbers). This is the
    notes' ``'RandomNormal'``: a fixed scale that ignores the layer's size."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype, random=True)
        values = self.mean + self.stddev * self._generator().standard_normal(size=shape)
        return values.astype(dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@_register()
class TruncatedNormal(RandomInitializer):
    """N(mean, stddev^2) with values more than two stddev from the mean drawn again
    (mean 0, stddev 0.05 by default). The result's std is about 0.88 stddev."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev = mean, stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype, random=True)
        return _truncated_normal(self._generator(), shape, self.mean, self.stddev).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@_register("uniform")
class RandomUniform(RandomInitializer):
    """U[minval, maxval), -0.05 and 0.05 by default (Keras's numbers)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        if minval > maxval:
            raise ValueError(f"RandomUniform needs minval <= maxval, got minval={minval}, "
                             f"maxval={maxval}: swap them.")
        self.minval, self.maxval = minval, maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype, random=True)
        return self._generator().uniform(self.minval, self.maxval, size=shape).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


# 0.87962566103423978 is the standard deviation of a unit normal truncated to (-2, 2):
# dividing by it makes the truncated draws have exactly the asked variance.
_TRUNCATED_STD = 0.87962566103423978


@_register()
class VarianceScaling(RandomInitializer):
    """Zero-mean draws with variance ``scale / n``, n = fan_in, fan_out or (fan_in + fan_out) / 2
    (``mode``; n is at least 1), so a layer neither shrinks nor grows the signal's variance.

    ``distribution``:
    - "truncated_normal" (default; "normal" is accepted for it): a normal truncated at two
      stddev, with stddev = sqrt(scale / n) / 0.87962566103423978 so that the result has
      variance scale / n;
    - "untruncated_normal": N(0, scale / n);
    - "uniform": U(-limit, limit), limit = sqrt(3 scale / n) (a uniform's variance is limit^2 / 3).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not isinstance(scale, numbers.Real) or scale <= 0.0:
            raise ValueError(f"VarianceScaling needs scale > 0, got {scale!r}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}.")
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("distribution must be 'truncated_normal', 'untruncated_normal' or "
                             f"'uniform', got {distribution!r}.")
        self.scale, self.mode, self.distribution = scale, mode, distribution
        self.input_axes, self.output_axes = input_axes, output_axes
        super().__init__(seed)

    def variance(self, shape):
        """scale / n for a weight of this shape (the variance every draw has)."""
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        return self.scale / max(1.0, n)

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype, random=True)
        variance, rng = self.variance(shape), self._generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            values = math.sqrt(variance) * rng.standard_normal(size=shape)
        else:
            values = _truncated_normal(rng, shape, 0.0, math.sqrt(variance) / _TRUNCATED_STD)
        return values.astype(dtype)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _FixedVarianceScaling(VarianceScaling):
    """VarianceScaling with scale, mode and distribution fixed by the subclass (Keras's
    Glorot/He/Lecun); only ``seed`` and the fan axes remain arguments."""

    settings = None   # (scale, mode, distribution)

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(*self.settings, seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": self.seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


@_register()
class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))
    (Glorot & Bengio 2010). Keras's default kernel initializer."""
    settings = (1.0, "fan_avg", "uniform")


@_register()
class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with variance 2 / (fan_in + fan_out)."""
    settings = (1.0, "fan_avg", "truncated_normal")


@_register()
class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with variance 2 / fan_in, for ReLU layers (He et al. 2015)."""
    settings = (2.0, "fan_in", "truncated_normal")


@_register()
class HeUniform(_FixedVarianceScaling):
    """He uniform: U(-limit, limit), limit = sqrt(6 / fan_in) (He et al. 2015)."""
    settings = (2.0, "fan_in", "uniform")


@_register()
class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with variance 1 / fan_in, for SELU networks."""
    settings = (1.0, "fan_in", "truncated_normal")


@_register()
class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: U(-limit, limit), limit = sqrt(3 / fan_in)."""
    settings = (1.0, "fan_in", "uniform")


@_register("OrthogonalInitializer")
class Orthogonal(RandomInitializer):
    """A random orthogonal matrix times ``gain`` (Saxe et al. 2014).

    The shape is flattened to (rows, cols) = (prod of all but the last axis, last axis); the Q
    of a QR decomposition of a (max, min) unit-normal matrix, its columns' signs fixed by the
    diagonal of R so that Q is uniformly distributed; transposed when rows < cols. So the
    columns (or, for wide shapes, the rows) are orthonormal before ``gain``.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape, dtype = _shape(shape), _dtype(dtype, random=True)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal needs a shape of at least two dimensions; got {shape}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        normal = self._generator().standard_normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(normal)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


def get(identifier):
    """Keras's ``initializers.get``: None -> None; a name, a class or a config dict -> a new
    instance; an instance or callable -> itself; an array -> an initializer returning it."""
    if isinstance(identifier, (np.ndarray, np.generic)):
        return _from_array(identifier)
    return registry.get(identifier)


def _from_array(array):
    def initialize_fn(shape, dtype=None):
        if tuple(shape) != array.shape:
            raise ValueError(f"This initializer is a fixed array of shape {array.shape}; it "
                             f"cannot fill shape {tuple(shape)}.")
        return np.array(array, dtype=_dtype(dtype))
    return initialize_fn


def serialize(initializer):
    """Keras's form: ``{"module", "class_name", "config", "registered_name"}``."""
    serialized = registry.serialize(initializer)
    if isinstance(serialized, dict):
        serialized = {"module": "keras.initializers", **serialized, "registered_name": None}
    return serialized


def deserialize(config):
    """An initializer from ``serialize``'s dict (glassnet's or Keras's) or a name."""
    return registry.deserialize(config)
