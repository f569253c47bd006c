"""Optimizers (``keras.optimizers``) with Keras's defaults and update rules.

``optimizer.apply(params, grads)`` updates each parameter array in place. Gradients come from
the layers' ``backward``; only the optimizer changes weights.
"""
import numpy as np

from ._registry import Registry


class Optimizer:
    """Base class. Subclasses define ``build_slots(param)`` and ``update(param, grad, slots)``."""

    def __init__(self, learning_rate=0.001, name=None):
        self.learning_rate = float(learning_rate)
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self._slots = {}

    def apply(self, params, grads):
        """One step: ``iterations`` += 1, then each ``param`` is updated in place."""
        self.iterations += 1
        for param, grad in zip(params, grads):
            slots = self._slots.get(id(param))
            if slots is None:
                slots = self._slots[id(param)] = self.build_slots(param)
            self.update(param, grad, slots)

    def build_slots(self, param):
        return {}

    def update(self, param, grad, slots):
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


registry = Registry("optimizer", base=Optimizer)


@registry.register("SGD", "sgd")
class SGD(Optimizer):
    """w -= lr * g; with momentum: v = momentum * v - lr * g, w += v
    (nesterov: w += momentum * v - lr * g). Keras's defaults: lr 0.01, momentum 0."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD"):
        super().__init__(learning_rate, name)
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}.")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def build_slots(self, param):
        return {"momentum": np.zeros_like(param)} if self.momentum else {}

    def update(self, param, grad, slots):
        lr = self.learning_rate
        if not self.momentum:
            param -= lr * grad
            return
        velocity = slots["momentum"]
        velocity *= self.momentum
        velocity -= lr * grad
        if self.nesterov:
            param += self.momentum * velocity - lr * grad
        else:
            param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


@registry.register("Adam", "adam")
class Adam(Optimizer):
    """Keras's Adam: m += (g - m)(1 - b1); v += (g^2 - v)(1 - b2);
    w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps). Note eps is added to sqrt(v)
    before bias correction of v (PyTorch adds it after), eps = 1e-7."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="adam"):
        super().__init__(learning_rate, name)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build_slots(self, param):
        return {"m": np.zeros_like(param), "v": np.zeros_like(param)}

    def update(self, param, grad, slots):
        t = self.iterations
        lr_t = self.learning_rate * np.sqrt(1 - self.beta_2 ** t) / (1 - self.beta_1 ** t)
        m, v = slots["m"], slots["v"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        param -= lr_t * m / (np.sqrt(v) + self.epsilon)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


def get(identifier):
    return registry.get(identifier)


def serialize(optimizer):
    return registry.serialize(optimizer)


def deserialize(config):
    return registry.deserialize(config)
