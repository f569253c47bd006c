"""Noise layers, as Keras's: regularizers active during training only, the identity at
inference. Each draws fresh noise for every batch on the host from its generator (seeded by
``seed``, else by glassnet's global seed), so the noise is the same on any backend.

- ``GaussianNoise``: ``y = x + stddev * z``, ``z ~ N(0, 1)``; ``dx = dy`` (the noise does
  not depend on x).
- ``GaussianDropout``: ``y = x * m``, ``m ~ N(1, rate / (1 - rate))``; ``dx = dy * m``.
- ``AlphaDropout`` (for SELU networks): dropped entries are set to SELU's negative
  saturation value ``-alpha * scale`` instead of 0, then an affine map ``a x + b`` restores
  the mean and variance; ``dx = a * keep * dy``.
"""
import math
import numbers

import numpy as np

from .. import utils
from ..arrays import array_module
from .base import Layer


class GaussianNoise(Layer):
    """Add ``N(0, stddev**2)`` noise while training; the identity otherwise. ``stddev`` in
    [0, 1], as Keras requires."""

    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(stddev, bool) or not isinstance(stddev, numbers.Real) \
                or not 0 <= stddev <= 1:
            raise ValueError(f"GaussianNoise stddev must be a number between 0 and 1, got "
                             f"{stddev!r}.")
        self.stddev = stddev
        self.seed = seed
        self.generator = utils.generator(seed)

    def forward(self, x, training=False):
        self._x = x
        if training and self.stddev > 0:
            # drawn on the host from the seeded generator (the same noise on any backend)
            noise = array_module(x).asarray(self.generator.standard_normal(x.shape, dtype=x.dtype))
            noise *= self.stddev
            noise += x
            self._y = noise
        else:
            self._y = x
        return self._y

    def backward(self, grad, need_input_grad=True):
        return grad

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}

    def __repr__(self):
        return f"<GaussianNoise name={self.name!r} stddev={self.stddev}>"


def _rate(rate, layer):
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
        raise ValueError(f"{layer} rate is the fraction of units to drop, a number in [0, 1); "
                         f"got {rate!r}.")
    return float(rate)


class GaussianDropout(Layer):
    """Multiply by ``N(1, rate / (1 - rate))`` noise while training (the variance of inverted
    dropout's scaled Bernoulli mask); the identity otherwise."""

    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _rate(rate, "GaussianDropout")
        self.seed = seed
        self.generator = utils.generator(seed)
        self._noise = None

    def forward(self, x, training=False):
        self._x = x
        self._noise = None
        if not training or self.rate == 0:
            self._y = x
            return x
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self.generator.standard_normal(x.shape, dtype=np.float64) * stddev + 1.0
        self._noise = array_module(x).asarray(noise.astype(x.dtype))
        self._y = y = x * self._noise
        return y

    def backward(self, grad, need_input_grad=True):
        return grad if self._noise is None else grad * self._noise

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}

    def __repr__(self):
        return f"<GaussianDropout name={self.name!r} rate={self.rate}>"


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Dropout that keeps SELU's self-normalization (Klambauer et al. 2017): with
    ``alpha_p = -alpha * scale`` (SELU's negative limit), ``keep ~ Bernoulli(1 - rate)``,
    ``a = ((1 - rate) (1 + rate alpha_p**2)) ** -0.5`` and ``b = -a alpha_p rate``:
    ``y = a (x keep + alpha_p (1 - keep)) + b``, so zero-mean unit-variance inputs stay so.
    Backward ``dx = a keep dy``. The identity at inference."""

    needs_batch = False                 # elementwise: any rank, as Keras

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = _rate(rate, "AlphaDropout")
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.generator = utils.generator(seed)
        self._scale = None

    def forward(self, x, training=False):
        self._x = x
        self._scale = None
        if not training or self.rate == 0:
            self._y = x
            return x
        shape = x.shape if self.noise_shape is None else tuple(
            x.shape[i] if d is None else d for i, d in enumerate(self.noise_shape))
        keep = array_module(x).asarray(
            (self.generator.random(shape, dtype=np.float64) >= self.rate).astype(x.dtype))
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        self._scale = keep * x.dtype.type(a)
        self._y = y = (x * keep + x.dtype.type(alpha_p) * (1 - keep)) * x.dtype.type(a) \
            + x.dtype.type(b)
        return y

    def backward(self, grad, need_input_grad=True):
        return grad if self._scale is None else grad * self._scale

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}

    def __repr__(self):
        return f"<AlphaDropout name={self.name!r} rate={self.rate}>"
