"""Helpers shared by tests: central differences, a callback that records its hook calls."""
import numpy as np


def numeric_gradient(f, x, eps=1e-6):
    """Central differences of the scalar function f at x (float64), one coordinate at a time."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + eps
        plus = f(x)
        x[index] = saved - eps
        minus = f(x)
        x[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def hook_recorder(base):
    """An instance of a ``base`` (a Callback class: glassnet's or Keras's) subclass that writes
    down every hook call as (hook, integer arguments...) in ``.calls``."""
    class Recorder(base):
        def __init__(self):
            super().__init__()
            self.calls = []

        def __getattribute__(self, name):
            attribute = super().__getattribute__(name)
            if name.startswith("on_") and callable(attribute):
                calls = super().__getattribute__("calls")

                def record(*args, **kwargs):
                    calls.append((name,) + tuple(a for a in args if isinstance(a, int)))
                    return attribute(*args, **kwargs)
                return record
            return attribute

        def _uses(self, hook):
            return True
    return Recorder()
