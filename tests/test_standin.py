"""The GPU path's discipline, proven on the CPU with ``tests/standin.py``: arrays that refuse
NumPy (as CuPy's do) run fit / evaluate / predict / Probe / diagnose / inspect / save, so a stray
``np.`` call on a device array fails here, in CI, without a GPU.

The stand-in computes with NumPy behind its wall, so every number must equal the NumPy
backend's exactly; and it counts device -> host transfers, so training must fetch nothing per
batch unless a callback reads the logs.
"""
import numpy as np
import pytest

import glassnet as keras
from glassnet import arrays, config
from glassnet.models import trainer

from . import backend_cases, standin


@pytest.fixture
def on_standin():
    standin.install()
    config.set_backend("standin")
    yield
    config.set_backend("numpy")


def _digits_like(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 10)).astype("float32")
    y = (x[:, :3].argmax(axis=1)).astype("int64")
    return x, y


def _model():
    keras.backend.clear_session()                     # the same layer names on each backend
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(10,)), keras.layers.Dense(16, activation="relu"),
        keras.layers.Dropout(0.2), keras.layers.BatchNormalization(),
        keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _train(epochs=2, **fit):
    x, y = _digits_like()
    model = _model()
    history = model.fit(x, y, batch_size=16, epochs=epochs, verbose=0, **fit)
    return model, history, x, y


def test_the_stand_in_refuses_numpy_as_cupy_does():
    device = standin.xp.ones(3)
    with pytest.raises(TypeError):
        np.asarray(device)
    with pytest.raises(TypeError):
        np.exp(device)
    with pytest.raises(TypeError):
        np.sum(device)
    with pytest.raises(TypeError):
        device + np.ones(3)                 # host and device data do not mix
    assert isinstance(standin.xp.exp(device) + 1.0, standin.DeviceArray)


def test_fit_evaluate_predict_equal_the_numpy_backend(on_standin):
    model, history, x, y = _train(validation_split=0.25)
    assert type(model.weights[0]) is standin.DeviceArray      # the model lives on the device
    scores = model.evaluate(x, y, verbose=0)
    predictions = model.predict(x, verbose=0)
    weights = model.get_weights()
    assert type(predictions) is np.ndarray and all(type(w) is np.ndarray for w in weights)
    config.set_backend("numpy")
    reference, reference_history, _, _ = _train(validation_split=0.25)
    assert history.history == reference_history.history
    assert scores == reference.evaluate(x, y, verbose=0)
    np.testing.assert_array_equal(predictions, reference.predict(x, verbose=0))
    for ours, theirs in zip(weights, reference.get_weights()):
        np.testing.assert_array_equal(ours, theirs)


def test_data_already_on_the_device_is_taken_too(on_standin):
    x, y = _digits_like()
    model = _model()
    device = standin.xp
    history = model.fit(device.asarray(x), device.asarray(y), batch_size=16, epochs=2,
                        verbose=0, sample_weight=device.asarray(np.ones(len(x))))
    assert history.history == _train()[1].history
    assert type(model.predict(device.asarray(x), verbose=0)) is np.ndarray


def test_data_too_large_for_the_device_moves_batch_by_batch(on_standin, monkeypatch):
    _, whole, _, _ = _train()
    monkeypatch.setattr(trainer, "DEVICE_DATA_SHARE", 0.0)
    monkeypatch.setattr(arrays, "fits_on_device", lambda module, size, share: size <= share)
    _, batched, _, _ = _train()
    assert batched.history == whole.history


def test_training_fetches_nothing_per_batch(on_standin):
    standin.TRANSFERS.clear()
    _train(epochs=3)                                  # 6 batches per epoch, verbose=0
    fetched = sum(standin.TRANSFERS.values())
    assert fetched <= 3 * 2, dict(standin.TRANSFERS)  # the epoch's logs, once per epoch

    class ReadsLogs(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            assert isinstance(logs["loss"], float) and isinstance(logs["accuracy"], float)

    standin.TRANSFERS.clear()
    _train(epochs=3, callbacks=[ReadsLogs()])         # logs each batch: one fetch per batch
    assert sum(standin.TRANSFERS.values()) <= 3 * 6 + 3 * 2, dict(standin.TRANSFERS)


def test_probe_diagnose_inspect_on_the_device(on_standin):
    probe = keras.callbacks.Probe(every=2)
    model, history, x, y = _train(callbacks=[probe])
    assert history.probes and all(isinstance(row["grad_norm"], float)
                                  for record in history.probes for row in record["layers"]
                                  if row["grad_norm"] is not None)
    assert isinstance(keras.diagnose(history), list)
    assert isinstance(keras.diagnose(model, x, y), list)
    outputs = keras.inspect.activations(model, x[:5])
    assert [type(o) for o in outputs] == [np.ndarray] * len(model.layers)
    grads = keras.inspect.gradients(model, x[:8], y[:8])
    assert type(grads[0]["kernel"]) is np.ndarray
    assert keras.inspect.gradient_check(model, x[:4], y[:4], directions=1) < 1e-4


def test_probe_records_equal_the_numpy_backend(on_standin):
    ours = _train(callbacks=[keras.callbacks.Probe()])[1].probes
    config.set_backend("numpy")
    theirs = _train(callbacks=[keras.callbacks.Probe()])[1].probes
    assert ours == theirs


def test_save_and_load_a_device_model(on_standin, tmp_path):
    model, _, x, _ = _train()
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "m.weights.h5")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert type(loaded.weights[0]) is standin.DeviceArray
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    config.set_backend("numpy")
    on_host = keras.models.load_model(tmp_path / "m.keras")   # a GPU file reads on the CPU
    np.testing.assert_array_equal(on_host.predict(x, verbose=0), model.predict(x, verbose=0))


def test_onnx_and_torch_export_a_device_model(on_standin, tmp_path):
    onnxruntime = pytest.importorskip("onnxruntime")
    torch = pytest.importorskip("torch")
    from glassnet.interop import to_onnx, to_torch
    model, _, x, _ = _train()
    expected = model.predict(x, verbose=0)
    to_onnx(model, tmp_path / "m.onnx")
    session = onnxruntime.InferenceSession(str(tmp_path / "m.onnx"))
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    module = to_torch(model).eval()
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(x)).numpy(), expected, rtol=1e-5,
                                   atol=1e-6)


def test_train_on_batch_and_call(on_standin):
    x, y = _digits_like(16)
    model = _model()
    loss, accuracy = model.train_on_batch(x, y)
    assert isinstance(loss, float) and isinstance(accuracy, float)
    assert isinstance(model.test_on_batch(x, y)[0], float)
    assert type(model(x)) is standin.DeviceArray      # a call returns the backend's array


@pytest.mark.parametrize("case", [kwargs for _, kwargs in backend_cases.cases()],
                         ids=[name for name, _ in backend_cases.cases()])
def test_every_layer_loss_optimizer_and_activation_equals_numpy(case):
    standin.install()
    ours = backend_cases.run("standin", **case)
    theirs = backend_cases.run("numpy", **case)
    np.testing.assert_array_equal(ours["losses"], theirs["losses"])
    for key in ("gradients", "weights"):
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ours["predictions"], theirs["predictions"])


def _fit_everything(tmp, case):
    """fit with one of the options beside the plain loop; returns the History's dict."""
    x, y = _digits_like()
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    metrics = ["accuracy", "sparse_top_k_categorical_accuracy"]
    kwargs, callbacks, optimizer = {}, [], {}
    if case == "metrics":                                   # the counting and per-class ones
        y = np.eye(3, dtype="float32")[y]
        metrics = [keras.metrics.AUC(), keras.metrics.Precision(), keras.metrics.F1Score(),
                   keras.metrics.MeanIoU(num_classes=3, sparse_y_true=False,
                                         sparse_y_pred=False),
                   keras.metrics.R2Score(), keras.metrics.PearsonCorrelation(),
                   keras.metrics.PrecisionAtRecall(0.5), keras.metrics.TopKCategoricalAccuracy(2)]
    elif case == "weights":
        kwargs = {"sample_weight": np.linspace(0.5, 1.5, len(x)),
                  "validation_data": (x[:20], y[:20])}
    elif case == "class_weight":
        kwargs = {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}}
    elif case == "callbacks":
        callbacks = [keras.callbacks.EarlyStopping(monitor="loss", patience=0,
                                                   restore_best_weights=True),
                     keras.callbacks.ModelCheckpoint(str(tmp / "c.keras")),
                     keras.callbacks.ReduceLROnPlateau(monitor="loss", patience=0),
                     keras.callbacks.TerminateOnNaN(),
                     keras.callbacks.CSVLogger(str(tmp / "log.csv")),
                     keras.callbacks.BackupAndRestore(str(tmp / "backup"))]
    else:
        optimizer = {"ema": {"use_ema": True},
                     "accumulation": {"gradient_accumulation_steps": 2}}[case]
    model = keras.Sequential([
        keras.Input(shape=(10,)),
        keras.layers.Dense(16, activation="relu", kernel_regularizer="l2",
                           activity_regularizer="l1",
                           kernel_constraint=keras.constraints.MaxNorm(2.0)),
        keras.layers.Dense(3, activation="softmax")])
    loss = "categorical_crossentropy" if case == "metrics" else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(0.01, **optimizer), loss=loss, metrics=metrics)
    return model.fit(x, y, batch_size=16, epochs=3, verbose=0, callbacks=callbacks,
                     **kwargs).history


@pytest.mark.parametrize("case", ["metrics", "weights", "class_weight", "callbacks", "ema",
                                  "accumulation"])
def test_fit_options_equal_the_numpy_backend(on_standin, tmp_path, case):
    (tmp_path / "standin").mkdir()
    (tmp_path / "numpy").mkdir()
    ours = _fit_everything(tmp_path / "standin", case)
    config.set_backend("numpy")
    theirs = _fit_everything(tmp_path / "numpy", case)
    assert ours.keys() == theirs.keys()
    for key in theirs:
        for a, b in zip(ours[key], theirs[key]):
            np.testing.assert_array_equal(a, b, err_msg=key)


def _functional_run():
    """A functional model: two inputs, Concatenate, Add, Multiply, two weighted outputs."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal((64, 6)).astype("float32"), \
        rng.standard_normal((64, 4)).astype("float32")
    y1, y2 = x1[:, :3].argmax(axis=1), x2.sum(axis=1, keepdims=True)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    a, b = keras.Input(shape=(6,)), keras.Input(shape=(4,))
    h = keras.layers.Concatenate()([keras.layers.Dense(8, activation="relu")(a),
                                    keras.layers.Dense(8)(b)])
    s = keras.layers.Add()([h, keras.layers.Dense(16)(h)])
    outputs = [keras.layers.Dense(3, activation="softmax")(s),
               keras.layers.Dense(1)(keras.layers.Multiply()([s, s]))]
    model = keras.Model([a, b], outputs)
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"],
                  loss_weights=[1.0, 0.5], metrics=[["accuracy"], ["mae"]])
    history = model.fit([x1, x2], [y1, y2], batch_size=16, epochs=2, verbose=0,
                        validation_split=0.25)
    return (history.history, model.predict([x1, x2], verbose=0),
            model.evaluate([x1, x2], [y1, y2], verbose=0))


def test_a_functional_model_equals_the_numpy_backend(on_standin):
    history, predictions, scores = _functional_run()
    assert all(type(p) is np.ndarray for p in predictions)
    config.set_backend("numpy")
    expected = _functional_run()
    assert history == expected[0] and scores == expected[2]
    for ours, theirs in zip(predictions, expected[1]):
        np.testing.assert_array_equal(ours, theirs)
