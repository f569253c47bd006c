"""Weight initializers (``keras.initializers``): how a layer's kernel and bias start.

An initializer is called as ``init(shape, dtype=None)`` and returns a new array. With
``seed=None`` each call draws fresh numbers from glassnet's global generator (so a string
name gives every layer its own draw); with an integer ``seed`` every call returns the same
numbers, as Keras does.
"""
import math

import numpy as np

from . import config, utils
from ._registry import Registry


class Initializer:
    """Base class: ``__call__(shape, dtype=None)``, ``get_config``, ``from_config``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


registry = Registry("initializer", base=Initializer)


def _dtype(dtype):
    return np.dtype(dtype or config.floatx())


def compute_fans(shape):
    """(fan_in, fan_out) of a kernel: for a Dense kernel (in, out) they are in and out."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


@registry.register("Zeros", "zeros")
class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return np.zeros(shape, dtype=_dtype(dtype))


class RandomInitializer(Initializer):
    """An initializer that draws random numbers; ``seed`` as Keras (see module docstring)."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"seed must be an integer or None, got {seed!r}.")
        self.seed = seed

    def _generator(self):
        return utils.generator(self.seed)

    def get_config(self):
        return {"seed": self.seed}


@registry.register("VarianceScaling", "variance_scaling")
class VarianceScaling(RandomInitializer):
    """Draws with variance ``scale / n`` where n is fan_in, fan_out or their mean (``mode``).

    ``distribution``: "truncated_normal" (std = sqrt(scale / n) / .87962566103423978, the
    std of a unit normal truncated at two standard deviations, so the result has the asked
    variance), "untruncated_normal" (std = sqrt(scale / n)), "uniform" (limit = sqrt(3 scale / n)).
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0:
            raise ValueError(f"VarianceScaling needs scale > 0, got {scale}.")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be 'fan_in', 'fan_out' or 'fan_avg', got {mode!r}.")
        distribution = distribution.lower()
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError("distribution must be 'truncated_normal', 'untruncated_normal' or "
                             f"'uniform', got {distribution!r}.")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._generator()
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, size=shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(variance), size=shape)
        else:
            values = _truncated_normal(rng, math.sqrt(variance) / 0.87962566103423978, shape)
        return values.astype(_dtype(dtype))

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _truncated_normal(rng, stddev, shape, mean=0.0):
    """Normal draws with values beyond two standard deviations redrawn (as Keras)."""
    values = rng.standard_normal(size=shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(values) > 2.0
    return mean + stddev * values


@registry.register("GlorotUniform", "glorot_uniform")
class GlorotUniform(VarianceScaling):
    """Xavier/Glorot uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)) (Glorot 2010)."""

    def __init__(self, seed=None):
        super().__init__(scale=1.0, mode="fan_avg", distribution="uniform", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


@registry.register("HeNormal", "he_normal")
class HeNormal(VarianceScaling):
    """He normal: truncated normal with std = sqrt(2 / fan_in) (He et al. 2015)."""

    def __init__(self, seed=None):
        super().__init__(scale=2.0, mode="fan_in", distribution="truncated_normal", seed=seed)

    def get_config(self):
        return {"seed": self.seed}


@registry.register("RandomNormal", "random_normal")
class RandomNormal(RandomInitializer):
    """N(mean, stddev^2), mean 0 and stddev 0.05 by default (Keras's numbers)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._generator().normal(self.mean, self.stddev, size=shape).astype(_dtype(dtype))

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


def get(identifier):
    return registry.get(identifier)


def serialize(initializer):
    return registry.serialize(initializer)


def deserialize(config):
    return registry.deserialize(config)
