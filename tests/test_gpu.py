"""glassnet on a GPU (the ``cupy`` backend): the same numbers as the NumPy backend, and the
README's models trained, probed, diagnosed and saved there. Skipped, with the reason, where
CuPy or a GPU is missing (the CPU stand-in in ``test_standin.py`` runs everywhere instead).

Agreement, for every layer, loss, optimizer and activation of ``backend_cases``: gradients at
the seeded initial weights, five training steps' losses, the weights after them and the
predictions, within 1e-5 in float32 and 1e-10 in float64 (relative, and absolute on the
array's scale: cuBLAS and OpenBLAS sum in different orders).

``GLASSNET_TEST_GPU_BACKEND=standin`` runs these tests on the CPU stand-in instead of CuPy: a
dry run of the tests themselves where no GPU is.
"""
import importlib.util
import os

import numpy as np
import pytest

import glassnet as keras
from glassnet import backend, config
from glassnet.models import trainer

from . import backend_cases, standin

GPU = os.environ.get("GLASSNET_TEST_GPU_BACKEND", "cupy")
if GPU == "standin":
    standin.install()


def _missing():
    try:
        backend.load(GPU)
    except backend.BackendError as error:
        return str(error)
    return None


MISSING = _missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=f"no GPU backend here: {MISSING}")
TOLERANCE = {"float32": 1e-5, "float64": 1e-10}
CASES = backend_cases.cases()


@pytest.fixture
def on_gpu():
    config.set_backend(GPU)
    yield
    config.set_backend("numpy")


def _close(ours, theirs, tolerance, what):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = max(1.0, float(np.nanmax(np.abs(theirs)))) if theirs.size else 1.0
    np.testing.assert_allclose(ours, theirs, rtol=tolerance, atol=tolerance * scale,
                               err_msg=what)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", [kwargs for _, kwargs in CASES], ids=[name for name, _ in CASES])
def test_every_layer_loss_optimizer_and_activation_agrees_with_numpy(case, dtype):
    ours = backend_cases.run(GPU, dtype, **case)
    theirs = backend_cases.run("numpy", dtype, **case)
    tolerance = TOLERANCE[dtype]
    for index, (a, b) in enumerate(zip(ours["gradients"], theirs["gradients"])):
        _close(a, b, tolerance, f"gradient {index}")
    _close(ours["losses"], theirs["losses"], tolerance, "losses of 5 steps")
    for index, (a, b) in enumerate(zip(ours["weights"], theirs["weights"])):
        _close(a, b, tolerance, f"weight {index} after 5 steps")
    _close(ours["predictions"], theirs["predictions"], tolerance, "predictions")


def _notes_model():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = keras.models.Sequential()
    model.add(keras.layers.Input(shape=(64,)))
    model.add(keras.layers.Dense(300, kernel_initializer="he_normal", activation="relu"))
    model.add(keras.layers.Dense(100, kernel_initializer="he_normal", activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _digits():
    """The notes' digits split when scikit-learn is here, else digit-sized random data."""
    if importlib.util.find_spec("sklearn") is not None:
        x_valid, x_train, y_valid, y_train, _, _ = keras.datasets.load_digits_split(
            seed=0, scale=16)
        return x_train, y_train, x_valid, y_valid
    rng = np.random.default_rng(0)
    x = rng.random((1257, 64), dtype=np.float32)
    y = (x @ rng.standard_normal((64, 10))).argmax(axis=1)
    return x[50:], y[50:], x[:50], y[:50]


def test_the_notes_model_trains_on_the_gpu_as_on_the_cpu(on_gpu):
    x, y, x_valid, y_valid = _digits()
    model = _notes_model()
    assert backend.on_device(model.weights[0])
    history = model.fit(x, y, epochs=3, validation_data=(x_valid, y_valid), verbose=0)
    predictions = model.predict(x_valid, verbose=0)
    assert type(predictions) is np.ndarray and type(model.get_weights()[0]) is np.ndarray
    config.set_backend("numpy")
    reference = _notes_model()
    expected = reference.fit(x, y, epochs=3, validation_data=(x_valid, y_valid), verbose=0)
    for key, values in expected.history.items():   # 3 epochs of float32 rounding: an
        samples = len(x_valid) if key.startswith("val_") else len(x)   # accuracy may differ
        tolerance = 2.5 / samples if "accuracy" in key else 1e-4      # by a sample or two
        _close(history.history[key], values, tolerance, key)
    _close(predictions, reference.predict(x_valid, verbose=0), 1e-4, "predictions")


def test_the_same_seed_gives_the_same_initial_weights(on_gpu):
    ours = _notes_model().get_weights()
    config.set_backend("numpy")
    for a, b in zip(ours, _notes_model().get_weights()):
        np.testing.assert_array_equal(a, b)


def test_data_larger_than_the_share_moves_batch_by_batch(on_gpu, monkeypatch):
    x, y, _, _ = _digits()
    whole = _notes_model().fit(x, y, epochs=2, verbose=0).history
    monkeypatch.setattr(trainer, "DEVICE_DATA_SHARE", 0.0)
    batched = _notes_model().fit(x, y, epochs=2, verbose=0).history
    for key in whole:
        _close(batched[key], whole[key], 1e-6, key)


def test_probe_and_diagnose_the_sigmoid_network(on_gpu):
    x, y, _, _ = _digits()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,))]
                             + [keras.layers.Dense(100, activation="sigmoid") for _ in range(5)]
                             + [keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[keras.callbacks.Probe()])
    codes = {finding.code for finding in keras.diagnose(history)}
    if importlib.util.find_spec("sklearn") is not None:     # the README's digits
        assert "vanishing_gradient" in codes
    assert isinstance(keras.diagnose(model, x[:64], y[:64]), list)
    assert keras.inspect.gradient_check(model, x[:8], y[:8], directions=2) < 1e-4


def test_save_load_and_export_a_gpu_model(on_gpu, tmp_path):
    pytest.importorskip("h5py", reason="h5py writes the .keras file's weights")
    x, y, _, _ = _digits()
    model = _notes_model()
    model.fit(x, y, epochs=1, verbose=0)
    model.save(tmp_path / "notes.keras")
    loaded = keras.models.load_model(tmp_path / "notes.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    config.set_backend("numpy")
    on_cpu = keras.models.load_model(tmp_path / "notes.keras")
    _close(on_cpu.predict(x, verbose=0), model.predict(x, verbose=0), 1e-5, "CPU predictions")
    if all(importlib.util.find_spec(name) is not None for name in ("onnx", "onnxruntime")):
        from glassnet.interop import to_onnx
        to_onnx(model, tmp_path / "notes.onnx")
        assert (tmp_path / "notes.onnx").stat().st_size > 0


def test_fused_updates_equal_the_numpy_lines(on_gpu):
    """Adam's and RMSprop's one-kernel updates against the same optimizer on the host."""
    xp = backend.xp()
    rng = np.random.default_rng(1)
    for make in (lambda: keras.optimizers.Adam(0.01), lambda: keras.optimizers.RMSprop(0.01),
                 lambda: keras.optimizers.AdamW(0.01)):
        host_param = rng.standard_normal((64, 32)).astype(np.float32)
        grads = [rng.standard_normal((64, 32)).astype(np.float32) for _ in range(5)]
        device_param = xp.asarray(host_param)
        on_host, on_device = make(), make()
        for grad in grads:
            on_host.apply([host_param], [grad])
            on_device.apply([device_param], [xp.asarray(grad)])
        _close(backend.to_host(device_param), host_param, 1e-6, type(on_host).__name__)


def test_fused_bias_relu_equals_the_numpy_lines(on_gpu):
    """Dense's bias + ReLU forward and ReLU's gradient as one kernel each, NaN kept."""
    xp = backend.xp()
    rng = np.random.default_rng(2)
    x = rng.standard_normal((32, 5)).astype(np.float32)
    x[0, 0] = np.nan
    grad = rng.standard_normal((32, 7)).astype(np.float32)
    keras.utils.set_random_seed(0)
    layer = keras.layers.Dense(7, activation="relu", input_shape=(5,))
    layer.build((None, 5))
    kernel, bias = layer.get_weights()
    y = layer.forward(xp.asarray(x))
    dx = layer.backward(xp.asarray(grad))
    z = x @ kernel + bias
    np.testing.assert_allclose(backend.to_host(y), np.maximum(z, 0.0), rtol=1e-6, atol=1e-6)
    assert np.isnan(backend.to_host(y)[0]).all()
    dz = grad * (z > 0)
    np.testing.assert_allclose(backend.to_host(dx), dz @ kernel.T, rtol=1e-5, atol=1e-5)
