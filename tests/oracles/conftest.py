"""Outside answers: PyTorch, Keras 3 (on torch), scikit-learn, onnxruntime.

On a user's machine without them the oracle tests skip; in CI (GLASSNET_REQUIRE_ORACLES=1,
set by .ci/run and `make test`) a missing oracle is a failure, never a silent skip.
"""
import importlib
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")


def require(module_name):
    """Import an oracle module; skip without it, unless CI demands it."""
    if os.environ.get("GLASSNET_REQUIRE_ORACLES") == "1":
        return importlib.import_module(module_name)
    return pytest.importorskip(module_name)


@pytest.fixture(scope="session")
def torch():
    torch = require("torch")
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def keras():
    os.environ["KERAS_BACKEND"] = "torch"
    keras = require("keras")
    if keras.backend.backend() != "torch":
        pytest.fail("Keras must run on the torch backend here: set KERAS_BACKEND=torch.")
    return keras
