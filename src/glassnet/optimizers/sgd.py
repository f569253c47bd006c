"""Stochastic gradient descent, with momentum and Nesterov momentum."""
from ..arrays import array_module
from .arguments import _check_bool, _check_range
from .base import Optimizer, registry


@registry.register("SGD", "sgd")
class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum (Keras's form).

    ``w -= lr * g``. With momentum ``mu`` a velocity ``m`` (starting at 0) carries past steps:
    ``m = mu * m - lr * g`` and ``w += m``; Nesterov looks one step ahead:
    ``w += mu * m - lr * g`` with the new ``m``.

    PyTorch writes the same method with the learning rate outside the buffer
    (``b = mu * b + g``, ``w -= lr * b``): for a constant learning rate ``m = -lr * b`` at every
    step, so the weights agree; when the learning rate changes, Keras's velocity keeps the old
    rates' steps and PyTorch's rescales them.

    Defaults as Keras: ``learning_rate=0.01``, ``momentum=0.0``, ``nesterov=False``.
    """

    default_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.nesterov = _check_bool(nesterov, "nesterov")

    def slot_groups(self):
        return [("momentum",)] if self.momentum != 0 else []

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        step = xp.multiply(grad, self._lr, out=scratch)                    # lr * g
        if self.momentum == 0:
            param -= step
            return
        velocity = slots["momentum"]
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            param -= step
            param += xp.multiply(velocity, self.momentum, out=scratch)
        else:
            param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
