"""Outside answers: PyTorch, Keras 3 (on torch), scikit-learn, onnxruntime.

On a user's machine without them the oracle tests skip; in CI (GLASSNET_REQUIRE_ORACLES=1,
set by .ci/run and `make test`) a missing oracle is a failure, never a silent skip.
"""
import importlib
import os
import sys

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


@pytest.fixture(autouse=True)
def _keras_sees_torch_defaults(request):
    """The torch fixture sets torch's default dtype to float64 for the whole session (its
    oracles compute in float64); Keras on torch expects the float32 default (its fit fails in
    scatter otherwise). A test that uses Keras without the torch fixture gets float32."""
    torch = sys.modules.get("torch")
    if torch is None or "keras" not in request.fixturenames or "torch" in request.fixturenames:
        yield
        return
    saved = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    yield
    torch.set_default_dtype(saved)
