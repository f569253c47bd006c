"""Gradient clipping: ``clipnorm``, ``global_clipnorm``, ``clipvalue`` (``GradientClipping``
mixin).
"""
import math

from ..arrays import array_module


_CLIP_ARGS = ("clipnorm", "global_clipnorm", "clipvalue")


class GradientClipping:
    """Gradient clipping as keras/src/optimizers/base_optimizer.py: ``clipnorm`` (each
    gradient), ``global_clipnorm`` (all gradients together), ``clipvalue`` (each element)."""

    def _clips(self):
        return any(getattr(self, a) for a in _CLIP_ARGS)      # 0 means off, as in Keras

    def _global_clip_scale(self, grads):
        """clipnorm * min(1 / norm, 1 / clipnorm) over all gradients; NaN when norm is not finite."""
        xp = array_module(*grads)      # the norm is fetched: clipping syncs once per step
        norm = math.sqrt(sum(float(xp.vdot(g, g)) for g in grads))
        scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf,
                                           1.0 / self.global_clipnorm)
        return scale + (norm - norm)

    def _clip(self, grad, global_scale, out):
        xp = array_module(grad)
        if self.clipnorm:       # g * clipnorm / max(||g||, clipnorm)
            norm = math.sqrt(float(xp.vdot(grad, grad)))
            return xp.multiply(grad, self.clipnorm / max(norm, self.clipnorm), out=out)
        if self.global_clipnorm:
            return xp.multiply(grad, global_scale, out=out)
        return xp.clip(grad, -self.clipvalue, self.clipvalue, out=out)
