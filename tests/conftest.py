"""Shared fixtures: float64 for checks, a fixed seed, and name counters reset per test."""
import numpy as np
import pytest

import glassnet


@pytest.fixture(autouse=True)
def _fresh_session():
    glassnet.backend.clear_session()
    glassnet.config.set_floatx("float32")
    glassnet.utils.set_random_seed(1234)
    yield
    glassnet.config.set_floatx("float32")


@pytest.fixture
def float64():
    """Run the test with float64 weights and inputs (gradient checks, oracles)."""
    glassnet.config.set_floatx("float64")
    yield np.float64
    glassnet.config.set_floatx("float32")


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
