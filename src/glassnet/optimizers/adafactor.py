"""Adafactor: factored second moments (row and column averages) and relative step sizes."""
import math

import numpy as np

from ..arrays import array_module
from .arguments import _check_bool, _check_range
from .base import Optimizer, registry


@registry.register("Adafactor", "adafactor")
class Adafactor(Optimizer):
    """Adam's second moment in factored form (Shazeer & Stern 2018): for a matrix, a row and
    a column average of g**2 instead of one value per weight; with Keras's rules.

    At step t: ``beta = 1 - t**beta_2_decay``, ``q = g**2 + epsilon_1``. For a weight with two
    or more axes, ``r = beta r + (1 - beta) mean(q, -1)``, ``c = beta c + (1 - beta)
    mean(q, -2)`` and ``v = (r / mean(r)) outer c``; otherwise ``v = beta v + (1 - beta) q``.
    ``u = g / sqrt(v)``, clipped to RMS ``clip_threshold``: ``u / max(1, rms(u) / clip)``;
    ``w -= max(epsilon_2, rms(w)) min(lr, 1/sqrt(t)) u`` (with ``relative_step`` and a
    number as learning rate, lr itself is first capped at 1/sqrt(t), as Keras).
    Keras keeps two placeholder int32 zeros as r and c of a weight with fewer than two axes;
    so does ``variables``. Defaults as Keras: ``learning_rate=0.001``, ``beta_2_decay=-0.8``,
    ``epsilon_1=1e-30``, ``epsilon_2=1e-3``, ``clip_threshold=1.0``, ``relative_step=True``.
    """

    default_name = "adafactor"

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = _check_range(beta_2_decay, "beta_2_decay", -math.inf, math.inf)
        self.epsilon_1 = _check_range(epsilon_1, "epsilon_1", 0.0, math.inf)
        self.epsilon_2 = _check_range(epsilon_2, "epsilon_2", 0.0, math.inf)
        self.clip_threshold = _check_range(clip_threshold, "clip_threshold", 0.0, math.inf)
        self.relative_step = _check_bool(relative_step, "relative_step")

    def slot_groups(self):
        return [("r", "c", "velocity")]

    def initial_slot(self, name, param):
        xp = array_module(param)
        if name == "velocity":
            return xp.zeros_like(param)
        if param.ndim < 2:
            return xp.zeros((), dtype=np.int32)       # Keras's placeholder
        shape = param.shape[:-1] if name == "r" else param.shape[:-2] + param.shape[-1:]
        return xp.zeros(shape, dtype=param.dtype)

    def begin_step(self, step, float_type):
        f = float_type
        t = f(step)
        lr = f(self._lr)
        if self.learning_rate_schedule is None and self.relative_step:
            lr = min(lr, f(1) / np.sqrt(t))
        self._rho = min(lr, f(1) / np.sqrt(t))
        self._beta = f(1) - t ** f(self.beta_2_decay)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        f = param.dtype.type
        beta, rest = self._beta, f(1) - self._beta
        alpha = max(f(self.epsilon_2), _rms(param)) * self._rho
        squares = grad * grad + f(self.epsilon_1)
        velocity = slots["velocity"]
        if param.ndim >= 2:
            r, c = slots["r"], slots["c"]
            r[...] = beta * r + rest * xp.mean(squares, axis=-1)
            c[...] = beta * c + rest * xp.mean(squares, axis=-2)
            velocity[...] = (r / xp.mean(r, axis=-1, keepdims=True))[..., None] * \
                c[..., None, :]
        else:
            velocity[...] = beta * velocity + rest * squares
        step = grad / xp.sqrt(velocity)
        step /= max(f(1), _rms(step) / f(self.clip_threshold))
        param -= alpha * step

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


def _rms(x):
    """sqrt(mean(x**2)), a number in x's float type."""
    xp = array_module(x)
    return x.dtype.type(float(xp.sqrt(xp.mean(x * x))))      # a host number, also for CuPy
