"""``GaussianNoise``, as ``keras.layers.GaussianNoise``: a regularizer that adds zero-mean
Gaussian noise of standard deviation ``stddev`` to its inputs during training only.

Training: ``y = x + stddev * z``, ``z ~ N(0, 1)`` drawn fresh for every batch from the
layer's generator (seeded by ``seed``, else by glassnet's global seed); ``dx = dy`` (the noise
does not depend on x). Inference: ``y = x``.
"""
import numbers

from .. import utils
from ..backend import array_module
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
