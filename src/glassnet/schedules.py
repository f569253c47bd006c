"""Learning-rate schedules (``keras.optimizers.schedules``): the step size as a function of
the optimizer's step count.

Pass one as ``learning_rate`` to any optimizer: before each step the optimizer evaluates it
at the number of steps already taken (0 for the first step), as Keras does, and
``optimizer.learning_rate`` reads its current value. Formulas and defaults are Keras 3's
(``keras/src/optimizers/schedules/learning_rate_schedule.py``); each value is computed in
the float type of ``glassnet.config.floatx()``, as Keras computes it in its float type, so a
float32 run sees the same float32 rates.

Reachable as ``glassnet.optimizers.schedules`` (Keras's name) and ``glassnet.schedules``.
"""
import bisect
import math
import numbers

import numpy as np

from . import config
from ._registry import Configurable, Registry


class LearningRateSchedule(Configurable):
    """Base class: ``schedule(step)`` -> learning rate; ``get_config`` gives Keras's keys.

    A subclass defines ``__call__(step)`` and ``get_config()``, as in Keras.
    """

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__!r} must "
                                  f"override __call__(self, step).")

    def get_config(self):
        raise NotImplementedError(f"Learning rate schedule {type(self).__name__!r} must "
                                  f"override get_config() to be saved.")


registry = Registry("learning-rate schedule", base=LearningRateSchedule)


def _float_type():
    return np.dtype(config.floatx()).type


class _StepDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: the same arguments, and the progress
    ``p = step / decay_steps`` (floored with ``staircase``) that their formulas use."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.decay_rate = _number(decay_rate, "decay_rate")
        self.staircase = bool(staircase)
        self.name = name or type(self).__name__

    def _progress(self, step, f):
        p = f(step) / f(self.decay_steps)
        return np.floor(p) if self.staircase else p

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@registry.register("ExponentialDecay")
class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase`` the
    exponent is floored, so the rate drops by ``decay_rate`` once every ``decay_steps`` steps.
    """

    def __call__(self, step):
        f = _float_type()
        return f(self.initial_learning_rate) * np.power(f(self.decay_rate), self._progress(step, f))


@registry.register("PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, ``values[-1]`` after the last boundary.

    E.g. ``PiecewiseConstantDecay([100, 200], [0.1, 0.01, 0.001])``: 0.1 for steps 0..100.
    Where Keras accepts unsorted boundaries silently, this raises.
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of "
                             f"values: got {len(boundaries)} boundaries and {len(values)} "
                             f"values.")
        for index, boundary in enumerate(boundaries):
            _number(boundary, f"boundaries[{index}]")
        if any(low >= high for low, high in zip(boundaries, boundaries[1:])):
            raise ValueError(f"boundaries must increase strictly, got {boundaries}.")
        for index, value in enumerate(values):
            _number(value, f"values[{index}]")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        return _float_type()(self.values[bisect.bisect_left(self.boundaries, step)])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@registry.register("PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - s / decay_steps) ** power + end`` with ``s = min(step,
    decay_steps)``: from ``initial_learning_rate`` to ``end_learning_rate`` in ``decay_steps``
    steps, then constant. With ``cycle`` the horizon grows to the first multiple of
    ``decay_steps`` at or past the step (``decay_steps`` itself at step 0), as Keras.
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.end_learning_rate = _number(end_learning_rate, "end_learning_rate")
        self.power = _number(power, "power")
        self.cycle = bool(cycle)
        self.name = name

    def __call__(self, step):
        f = _float_type()
        step, horizon = f(step), f(self.decay_steps)
        if self.cycle:
            horizon = horizon * (f(1) if step == 0 else np.ceil(step / f(self.decay_steps)))
        else:
            step = min(step, horizon)
        initial, end = f(self.initial_learning_rate), f(self.end_learning_rate)
        return (initial - end) * np.power(f(1) - step / horizon, f(self.power)) + end

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


@registry.register("InverseTimeDecay")
class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with ``staircase``
    the fraction ``step / decay_steps`` is floored."""

    def __call__(self, step):
        f = _float_type()
        return f(self.initial_learning_rate) / (f(1) + f(self.decay_rate) * self._progress(step, f))


@registry.register("CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Half a cosine from a start rate down to ``alpha`` times it over ``decay_steps`` steps,
    optionally after a linear warmup (Loshchilov & Hutter 2016; Goyal et al. 2017).

    Without ``warmup_target``: ``lr0 * ((1 - alpha) * c + alpha)`` with
    ``c = (1 + cos(pi * min(step, decay_steps) / decay_steps)) / 2`` and ``lr0 =
    initial_learning_rate``. With ``warmup_target``: for ``step < warmup_steps`` the rate
    rises linearly, ``initial + (warmup_target - initial) * step / warmup_steps``; then the
    decay above runs from ``warmup_target`` on the steps counted after the warmup.
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.decay_steps = _positive(decay_steps, "decay_steps")
        self.alpha = _number(alpha, "alpha")
        self.name = name
        self.warmup_target = None if warmup_target is None else _number(warmup_target,
                                                                         "warmup_target")
        self.warmup_steps = _number(warmup_steps, "warmup_steps")
        if self.warmup_steps < 0:
            raise ValueError(f"warmup_steps cannot be negative, got {warmup_steps!r}.")

    def __call__(self, step):
        f = _float_type()
        step, decay_steps = f(step), f(self.decay_steps)
        if self.warmup_target is None:
            return self._decay(min(step, decay_steps), f(self.initial_learning_rate), f)
        warmup_steps, target = f(self.warmup_steps), f(self.warmup_target)
        step = min(step, decay_steps + warmup_steps)
        if step < warmup_steps:
            initial = f(self.initial_learning_rate)
            return (target - initial) * (step / warmup_steps) + initial
        return self._decay(step - warmup_steps, target, f)

    def _decay(self, step, start, f):
        cosine = f(0.5) * (f(1) + np.cos(f(math.pi) * (step / f(self.decay_steps))))
        return start * ((f(1) - f(self.alpha)) * cosine + f(self.alpha))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


@registry.register("CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the first period decays over
    ``first_decay_steps`` steps, each next period lasts ``t_mul`` times longer and starts
    ``m_mul`` times lower. Within a period at fraction ``f`` done:
    ``lr = initial * ((1 - alpha) * m_mul**i * (1 + cos(pi f)) / 2 + alpha)``, ``i`` the
    period's index (from ``1 - fraction * (1 - t_mul) = t_mul**i`` when ``t_mul != 1``).
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = _number(initial_learning_rate, "initial_learning_rate")
        self.first_decay_steps = _positive(first_decay_steps, "first_decay_steps")
        self.t_mul = _number(t_mul, "t_mul")
        self.m_mul = _number(m_mul, "m_mul")
        self.alpha = _number(alpha, "alpha")
        self.name = name

    def __call__(self, step):
        f = _float_type()
        one, t_mul = f(1), f(self.t_mul)
        fraction = f(step) / f(self.first_decay_steps)
        if t_mul == one:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:
            restart = np.floor(np.log(one - fraction * (one - t_mul)) / np.log(t_mul))
            done = (one - np.power(t_mul, restart)) / (one - t_mul)
            fraction = (fraction - done) / np.power(t_mul, restart)
        cosine = f(0.5) * np.power(f(self.m_mul), restart) * (
            one + np.cos(f(math.pi) * fraction))
        alpha = f(self.alpha)
        return f(self.initial_learning_rate) * ((one - alpha) * cosine + alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


def serialize(schedule):
    """``{"class_name": ..., "config": ...}``, as Keras's (without its module fields)."""
    if not isinstance(schedule, LearningRateSchedule):
        raise ValueError(f"The learning rate {schedule!r} is a plain function, which a file "
                         f"cannot hold (a file holds no code). Write it as a "
                         f"LearningRateSchedule subclass with get_config() (and load it with "
                         f"custom_objects=...), or use a glassnet.optimizers.schedules class.")
    return registry.serialize(schedule)


def deserialize(config_):
    """A schedule from ``serialize``'s dict (or from Keras's, module fields ignored)."""
    return registry.deserialize(config_)


def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"{name} must be a finite number, got {value!r}.")
    return value


def _positive(value, name):
    if _number(value, name) <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value!r}")
    return value
