"""Adagrad and Adadelta: per-coordinate step sizes from the sum (Adagrad) or moving average
(Adadelta) of squared gradients.
"""
import math

from ..arrays import array_module
from .arguments import _check_range
from .base import Optimizer, registry
from .moments import _divide_by_root, _move_square_average


@registry.register("Adagrad", "adagrad")
class Adagrad(Optimizer):
    """SGD with a step per weight that shrinks with the sum of that weight's squared gradients.

    ``a += g**2``, ``w -= lr * g / sqrt(a + epsilon)``, the accumulator ``a`` starting at
    ``initial_accumulator_value``. Defaults as Keras: ``learning_rate=0.001``,
    ``initial_accumulator_value=0.1``, ``epsilon=1e-7``.
    """

    default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _check_range(
            initial_accumulator_value, "initial_accumulator_value", 0.0, math.inf)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulator",)]

    def initial_slot(self, name, param):
        xp = array_module(param)
        return xp.full_like(param, self.initial_accumulator_value)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        accumulator = slots["accumulator"]
        accumulator += xp.multiply(grad, grad, out=scratch)
        param -= _divide_by_root(grad, accumulator, self.epsilon, self._lr, scratch)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@registry.register("Adadelta", "adadelta")
class Adadelta(Optimizer):
    """Adagrad's per-weight step without its decaying step size (Zeiler 2012): a moving
    average of squared gradients and one of squared updates, whose ratio sets the step.

    ``a = rho a + (1 - rho) g**2``, ``d = -sqrt(u + epsilon) g / sqrt(a + epsilon)``,
    ``u = rho u + (1 - rho) d**2``, ``w += lr d`` (``a`` "accumulated_grad", ``u``
    "accumulated_delta_var"; Keras on torch's order). Defaults as Keras: ``learning_rate=0.001``,
    ``rho=0.95``, ``epsilon=1e-7``.
    """

    default_name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_range(rho, "rho", 0.0, 1.0)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulated_grad", "accumulated_delta_var")]

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        squares, deltas = slots["accumulated_grad"], slots["accumulated_delta_var"]
        _move_square_average(squares, grad, self.rho, scratch)
        delta = xp.sqrt(deltas + self.epsilon) * grad     # d = -rms(u) g / rms(a)
        delta /= xp.sqrt(squares + self.epsilon)
        delta *= -1
        _move_square_average(deltas, delta, self.rho, scratch)
        param += xp.multiply(delta, param.dtype.type(self._lr), out=scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
