"""Choosing where arrays live: ``GLASSNET_BACKEND`` / ``config.set_backend``, and the one
clear error when the GPU backend cannot run here."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

import glassnet as keras
from glassnet import backend, config

HAS_CUPY = importlib.util.find_spec("cupy") is not None


def test_numpy_is_the_default_and_both_modules_agree():
    assert config.backend() == backend.backend() == "numpy"
    assert backend.xp() is np and backend.array_module(np.ones(2), 1.0, None) is np


def test_an_unknown_backend_is_refused_by_name():
    with pytest.raises(ValueError, match="Unknown glassnet backend 'jax'.*'numpy', 'cupy'"):
        config.set_backend("jax")
    with pytest.raises(TypeError, match="backend name"):
        config.set_backend(np)
    assert config.backend() == "numpy"


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here: the missing-CuPy error cannot show")
def test_cupy_without_cupy_says_what_to_install():
    with pytest.raises(backend.BackendError, match=r"needs CuPy.*glassnet\[gpu\].*cupy-cuda13x"):
        config.set_backend("cupy")
    assert config.backend() == "numpy"                  # unchanged after the error


@pytest.mark.skipif(HAS_CUPY, reason="CuPy is installed here: the missing-CuPy error cannot show")
def test_the_environment_variable_is_read_at_import():
    env = {**os.environ, "GLASSNET_BACKEND": "cupy"}
    run = subprocess.run([sys.executable, "-c", "import glassnet"], env=env,
                         capture_output=True, text=True)
    assert run.returncode != 0 and "BackendError" in run.stderr and "needs CuPy" in run.stderr
    env["GLASSNET_BACKEND"] = "NumPy"
    run = subprocess.run([sys.executable, "-c", "import glassnet; "
                          "print(glassnet.config.backend())"], env=env, capture_output=True,
                         text=True)
    assert run.stdout.strip() == "numpy"


def test_host_helpers_leave_numpy_arrays_alone():
    a = np.arange(3.0)
    assert backend.to_host(a) is a and backend.to_device(a) is a
    copy = backend.host_copy(a)
    assert copy is not a and np.array_equal(copy, a)
    assert backend.as_scalar(np.float32(2.5)) == 2.5 and type(backend.as_scalar(1)) is float
    assert backend.to_floats([np.float32(1.5), 2]) == [1.5, 2.0]


def test_a_model_built_on_numpy_stays_on_numpy():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2)])
    assert all(type(w) is np.ndarray for w in model.weights)
