"""FTRL-Proximal (Follow The Regularized Leader), with L1 and L2 regularization."""
import math

from ..arrays import array_module
from .arguments import _check_range
from .base import Optimizer, registry


@registry.register("Ftrl", "ftrl")
class Ftrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al. 2013), Keras's form, with L1/L2 and
    shrinkage penalties built into the step.

    With ``n`` the sum of squared gradients (from ``initial_accumulator_value``), ``p =
    -learning_rate_power`` (0.5) and ``z`` the "linear" slot: ``n' = n + g**2``;
    ``z += g + 2 s w - (n'**p - n**p) / lr * w`` (``s`` the shrinkage strength);
    ``w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 l2 + beta / lr)``: 0 while ``|z| <= l1``.
    Defaults as Keras: ``learning_rate=0.001``, ``learning_rate_power=-0.5``,
    ``initial_accumulator_value=0.1``, all strengths 0, ``beta=0``.
    """

    default_name = "ftrl"

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.learning_rate_power = _check_range(learning_rate_power, "learning_rate_power",
                                                -math.inf, 0.0)
        self.initial_accumulator_value = _check_range(
            initial_accumulator_value, "initial_accumulator_value", 0.0, math.inf)
        self.l1_regularization_strength = _check_range(
            l1_regularization_strength, "l1_regularization_strength", 0.0, math.inf)
        self.l2_regularization_strength = _check_range(
            l2_regularization_strength, "l2_regularization_strength", 0.0, math.inf)
        self.l2_shrinkage_regularization_strength = _check_range(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", 0.0,
            math.inf)
        self.beta = _check_range(beta, "beta", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulator", "linear")]

    def initial_slot(self, name, param):
        if name == "accumulator":
            return array_module(param).full_like(param, self.initial_accumulator_value)
        return super().initial_slot(name, param)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        f = param.dtype.type
        lr, power = f(self._lr), -self.learning_rate_power
        accumulator, linear = slots["accumulator"], slots["linear"]
        l2 = self.l2_regularization_strength + self.beta / (f(2.0) * lr)
        new_accumulator = accumulator + grad * grad
        linear += grad + 2 * self.l2_shrinkage_regularization_strength * param
        linear -= (xp.power(new_accumulator, power) - xp.power(accumulator, power)) / lr * param
        quadratic = xp.power(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        param[...] = (xp.clip(linear, -l1, l1) - linear) / quadratic
        accumulator[...] = new_accumulator

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
