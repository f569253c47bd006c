"""Helpers shared by tests: central differences."""
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
