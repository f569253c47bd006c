"""Lion: the sign of an interpolation of momentum and gradient."""
import numbers

from ..arrays import array_module
from .arguments import _check_range
from .base import Optimizer, registry
from .moments import _move_average


@registry.register("Lion", "lion")
class Lion(Optimizer):
    """The sign of an interpolated momentum (Chen et al. 2023): every weight moves by exactly
    ``lr`` per step. ``c = sign(beta_1 m + (1 - beta_1) g)``, ``w -= lr c``, then
    ``m = beta_2 m + (1 - beta_2) g``. Defaults as Keras: ``learning_rate=0.001``,
    ``beta_1=0.9``, ``beta_2=0.99``; ``beta_1`` in (0, 1].
    """

    default_name = "lion"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if isinstance(beta_1, bool) or not isinstance(beta_1, numbers.Real) or \
                not 0 < beta_1 <= 1:
            raise ValueError(f"beta_1 must be in (0, 1] (otherwise Lion degenerates to SignSGD); "
                             f"got {beta_1!r}.")
        self.beta_1 = float(beta_1)
        self.beta_2 = _check_range(beta_2, "beta_2", 0.0, 1.0)

    def slot_groups(self):
        return [("momentum",)]

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        momentum = slots["momentum"]
        xp.multiply(momentum, self.beta_1, out=scratch)      # c = sign(beta_1 m + (1-b1) g)
        scratch += grad * (1 - self.beta_1)
        xp.sign(scratch, out=scratch)
        scratch *= param.dtype.type(self._lr)
        param -= scratch
        _move_average(momentum, grad, self.beta_2, scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
