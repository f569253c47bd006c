"""RMSprop: the step divided by the root of a moving average of squared gradients."""
import math

import numpy as np

from ..arrays import array_module, is_cupy
from .arguments import _check_bool, _check_range
from .base import Optimizer, registry
from .fused import _kernel
from .moments import _divide_by_root, _move_average, _move_square_average


@registry.register("RMSprop", "rmsprop")
class RMSprop(Optimizer):
    """Adagrad whose sum of squared gradients becomes a moving average, so steps do not
    shrink forever; optionally centered and with momentum.

    ``v = rho * v + (1 - rho) * g**2``; the step is ``lr * g / sqrt(v + epsilon)``, or
    centered ``lr * g / sqrt(v - gbar**2 + epsilon)`` with ``gbar = rho * gbar + (1 - rho) * g``
    (the variance instead of the second moment). With momentum ``mu``:
    ``m = mu * m + step``, ``w -= m``; otherwise ``w -= step``.
    Defaults as Keras: ``learning_rate=0.001``, ``rho=0.9``, ``momentum=0.0``,
    ``epsilon=1e-7``, ``centered=False``.
    """

    default_name = "rm_sprop"           # what Keras names it

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_range(rho, "rho", 0.0, 1.0, high_open=True)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)
        self.centered = _check_bool(centered, "centered")

    def slot_groups(self):
        groups = [("velocity",)]
        if self.momentum > 0:
            groups.append(("momentum",))
        if self.centered:
            groups.append(("average_gradient",))
        return groups

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        velocity = slots["velocity"]                    # v = rho v + (1 - rho) g^2
        if xp is not np and not self.centered and not self.momentum and is_cupy(xp):  # fused
            _kernel("rmsprop")(grad, self.rho, 1 - self.rho, self.epsilon, self._lr,
                               param, velocity)
            return
        _move_square_average(velocity, grad, self.rho, scratch)
        square_mean = velocity
        if self.centered:
            average = slots["average_gradient"]         # gbar = rho gbar + (1 - rho) g
            _move_average(average, grad, self.rho, scratch)
            xp.multiply(average, average, out=scratch)  # v - gbar^2
            square_mean = xp.subtract(velocity, scratch, out=scratch)
        step = _divide_by_root(grad, square_mean, self.epsilon, self._lr, scratch)
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum *= self.momentum
            momentum += step
            step = momentum
        param -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}
