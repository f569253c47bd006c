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
