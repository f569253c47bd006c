"""Keras 3 (torch backend) reading glassnet's .keras files, and glassnet reading Keras's.

Both directions: the architecture, the weights (bit for bit), the predictions (float32
rounding), the compile settings and the optimizer's variables (bit for bit), and Keras going on
training from a glassnet file without a warning.
"""
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import layers

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

OPTIMIZERS = [("adam", {}), ("sgd", {"momentum": 0.9, "nesterov": True}),
              ("rmsprop", {"momentum": 0.5, "centered": True}), ("adagrad", {})]


def _data(n=16, seed=0, shape=(4, 3)):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n,) + shape).astype("float32"), rng.integers(0, 3, n)


def _glassnet_model(optimizer=None, settings=None):
    model = glassnet.Sequential([
        glassnet.Input((4, 3)), layers.Flatten(),
        layers.Dense(6, activation="tanh", kernel_initializer="he_normal"),
        layers.Dropout(0.25), layers.Dense(5, activation="relu"), layers.Dense(3),
        layers.Activation("softmax")])
    if optimizer:
        optimizer = glassnet.optimizers.get({"class_name": optimizer, "config": settings or {}})
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


def _keras_model(keras, optimizer=None, settings=None, dropout=0.25):
    model = keras.Sequential([
        keras.Input((4, 3)), keras.layers.Flatten(),
        keras.layers.Dense(6, activation="tanh", kernel_initializer="he_normal"),
        keras.layers.Dropout(dropout), keras.layers.Dense(5, activation="relu"),
        keras.layers.Dense(3), keras.layers.Activation("softmax")])
    if optimizer:
        model.compile(optimizer=keras.optimizers.get({"class_name": optimizer,
                                                      "config": settings or {}}),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _keras_load(keras, path):
    """keras.models.load_model, failing on any warning Keras gives (e.g. skipped state)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = keras.models.load_model(path)
    relevant = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert not relevant, [str(w.message) for w in relevant]
    return model


def _numpy(variables):
    return [np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in variables]


@pytest.mark.parametrize("optimizer, settings", OPTIMIZERS)
def test_keras_loads_a_trained_glassnet_model(keras, tmp_path, optimizer, settings):
    model = _glassnet_model(optimizer, settings)
    x, y = _data()
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "g.keras")
    loaded = _keras_load(keras, tmp_path / "g.keras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    assert loaded.layers[1].get_config()["activation"] == "tanh"
    for want, got in zip(model.get_weights(), loaded.get_weights()):
        assert want.dtype == got.dtype and np.array_equal(want, got)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert type(loaded.optimizer).__name__.lower() == optimizer
    assert int(loaded.optimizer.iterations.numpy()) == model.optimizer.iterations == 8
    keras_state = _numpy(loaded.optimizer.variables)
    assert len(keras_state) == len(model.optimizer.variables)
    for index, (want, got) in enumerate(zip(model.optimizer.variables, keras_state)):
        assert want.shape == got.shape, index
        np.testing.assert_array_equal(np.asarray(want, dtype=got.dtype), got)
    history = loaded.fit(x, y, epochs=1, batch_size=4, verbose=0)     # Keras trains on from it
    assert np.isfinite(history.history["loss"][0])


def test_keras_loads_uncompiled_and_untrained_glassnet_models(keras, tmp_path):
    plain = _glassnet_model()
    plain.save(tmp_path / "plain.keras")
    loaded = _keras_load(keras, tmp_path / "plain.keras")
    x, _ = _data()
    np.testing.assert_allclose(loaded.predict(x, verbose=0), plain.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    fresh = _glassnet_model("adam")
    fresh.save(tmp_path / "fresh.keras")          # compiled, never trained: the fresh state
    loaded = _keras_load(keras, tmp_path / "fresh.keras")
    assert int(loaded.optimizer.iterations.numpy()) == 0
    assert len(loaded.optimizer.variables) == 2 + 2 * len(fresh.trainable_weights)


@pytest.mark.parametrize("optimizer, settings", OPTIMIZERS)
def test_glassnet_loads_a_trained_keras_model(keras, tmp_path, optimizer, settings):
    source = _keras_model(keras, optimizer, settings, dropout=0.0)   # the last step compares
    x, y = _data()
    source.fit(x, y, epochs=2, batch_size=4, verbose=0)
    source.save(tmp_path / "k.keras")
    model = glassnet.models.load_model(tmp_path / "k.keras")
    assert [type(l).__name__ for l in model.layers] == [type(l).__name__ for l in source.layers]
    assert [l.name for l in model.layers] == [l.name for l in source.layers]
    for want, got in zip(source.get_weights(), model.get_weights()):
        assert np.array_equal(want, got)
    np.testing.assert_allclose(model.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert model.compiled and type(model.optimizer).__name__.lower() == optimizer
    for key, value in settings.items():
        assert getattr(model.optimizer, key) == value
    keras_state = _numpy(source.optimizer.variables)
    assert len(model.optimizer.variables) == len(keras_state)
    for want, got in zip(keras_state, model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(got, dtype=want.dtype), want)
    # One more step on the same batch from the same state: the two agree to float32 rounding,
    # which they could not if a slot had landed on the wrong weight.
    source.train_on_batch(x[:4], y[:4])
    model.train_on_batch(x[:4], y[:4])
    for want, got in zip(source.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_weights_files_both_ways(keras, tmp_path):
    source = _keras_model(keras, "adam")
    x, y = _data()
    source.fit(x, y, epochs=1, batch_size=4, verbose=0)
    source.save_weights(tmp_path / "k.weights.h5")
    model = _glassnet_model("adam")
    model.load_weights(tmp_path / "k.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(source.get_weights(), model.get_weights()))
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save_weights(tmp_path / "g.weights.h5")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        source.load_weights(tmp_path / "g.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), source.get_weights()))
    for want, got in zip(model.optimizer.variables, _numpy(source.optimizer.variables)):
        np.testing.assert_array_equal(np.asarray(want, dtype=got.dtype), got)


SHARED_ACTIVATIONS = ["linear", "relu", "leaky_relu", "relu6", "elu", "selu", "celu",
                      "sigmoid", "hard_sigmoid", "sparse_sigmoid", "log_sigmoid", "silu",
                      "hard_silu", "tanh", "hard_tanh", "tanh_shrink", "soft_shrink",
                      "hard_shrink", "softplus", "softsign", "squareplus", "sparse_plus",
                      "gelu", "mish", "exponential", "softmax", "log_softmax", "sparsemax"]


@pytest.mark.parametrize("direction", ["keras_to_glassnet", "glassnet_to_keras"])
def test_every_shared_activation_travels(keras, tmp_path, direction):
    x, _ = _data(8, shape=(5,))
    for name in SHARED_ACTIVATIONS:
        path = tmp_path / f"{name}.keras"
        if direction == "keras_to_glassnet":
            source = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation=name),
                                       keras.layers.Activation(name)])
            source.save(path)
            model = glassnet.models.load_model(path)
            want, got = source.predict(x, verbose=0), model.predict(x, verbose=0)
        else:
            source = glassnet.Sequential([glassnet.Input((5,)), layers.Dense(4, activation=name),
                                          layers.Activation(name)])
            source.save(path)
            model = _keras_load(keras, path)
            want, got = source.predict(x, verbose=0), model.predict(x, verbose=0)
        assert model.layers[0].get_config()["activation"] == name
        if name == "sparsemax":
            continue    # Keras 3.15's sparsemax on torch is wrong: [0.3, 1.2, -0.5, 0.1] -> 0.35
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)


def test_initializer_and_layer_settings_travel(keras, tmp_path):
    source = keras.Sequential([
        keras.Input((6,)),
        keras.layers.Dense(3, use_bias=False, name="first",
                           kernel_initializer=keras.initializers.RandomNormal(0.0, 0.3, seed=4)),
        keras.layers.Dropout(0.4, seed=7),
        keras.layers.Dense(2, kernel_initializer=keras.initializers.HeNormal(seed=3),
                           bias_initializer="ones", trainable=False)])
    source.save(tmp_path / "k.keras")
    model = glassnet.models.load_model(tmp_path / "k.keras")
    first, dropout, last = model.layers
    assert first.name == "first" and not first.use_bias and len(first.get_weights()) == 1
    assert first.kernel_initializer.get_config()["stddev"] == 0.3
    assert dropout.rate == 0.4 and dropout.seed == 7
    assert not last.trainable and type(last.kernel_initializer).__name__ == "HeNormal"
    model.save(tmp_path / "g.keras")
    again = _keras_load(keras, tmp_path / "g.keras")
    assert again.layers[0].get_config()["kernel_initializer"]["config"]["stddev"] == 0.3
    assert again.layers[2].trainable is False and again.layers[1].seed == 7


@pytest.mark.parametrize("loss", ["mse", "mae", "binary_crossentropy", "huber",
                                  "categorical_crossentropy", "kl_divergence", "hinge"])
def test_compiled_losses_travel(keras, tmp_path, loss):
    model = glassnet.Sequential([glassnet.Input((5,)), layers.Dense(3, activation="sigmoid")])
    loss_object = glassnet.losses.get(loss)
    model.compile(optimizer="sgd", loss=loss_object if not isinstance(loss_object, str) else loss)
    model.save(tmp_path / "g.keras")
    loaded = _keras_load(keras, tmp_path / "g.keras")
    x = np.random.default_rng(0).random((6, 5)).astype("float32")
    y = np.random.default_rng(1).random((6, 3)).astype("float32")
    np.testing.assert_allclose(loaded.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-5)
    source = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3, activation="sigmoid")])
    source.compile(optimizer="sgd", loss=keras.losses.get(loss))
    source.save(tmp_path / "k.keras")
    back = glassnet.models.load_model(tmp_path / "k.keras")
    np.testing.assert_allclose(back.evaluate(x, y, verbose=0), source.evaluate(x, y, verbose=0),
                               rtol=1e-5)


def test_keras_models_glassnet_cannot_hold_are_refused_by_name(keras, tmp_path):
    conv = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3),
                             keras.layers.Flatten(), keras.layers.Dense(2)])
    conv.save(tmp_path / "conv.keras")
    with pytest.raises(glassnet.saving.ModelFileError, match="Conv2D"):
        glassnet.models.load_model(tmp_path / "conv.keras")
    inputs = keras.Input((3,))                 # a functional model loads; its Dot merge does not
    functional = keras.Model(inputs, keras.layers.Dot(axes=1)([inputs, inputs]))
    functional.save(tmp_path / "functional.keras")
    with pytest.raises(glassnet.saving.ModelFileError, match="is a Dot, which glassnet does"):
        glassnet.models.load_model(tmp_path / "functional.keras")
    lambda_model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2)])
    lambda_model.save(tmp_path / "lambda.keras")
    with pytest.raises(glassnet.saving.ModelFileError, match="Lambda layer"):
        glassnet.models.load_model(tmp_path / "lambda.keras")


def test_from_keras_live_model_and_file(keras, tmp_path):
    source = _keras_model(keras, "adam")
    x, y = _data()
    source.fit(x, y, epochs=1, batch_size=4, verbose=0)
    live = glassnet.interop.from_keras(source)
    assert not live.compiled
    np.testing.assert_allclose(live.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    source.save(tmp_path / "k.keras")
    from_file = glassnet.interop.from_keras(tmp_path / "k.keras")
    assert not from_file.compiled
    assert all(np.array_equal(a, b) for a, b in zip(live.get_weights(),
                                                    from_file.get_weights()))
    conv = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3)])
    with pytest.raises(glassnet.interop.UnsupportedLayerError, match="Conv2D"):
        glassnet.interop.from_keras(conv)
    with pytest.raises(TypeError, match="from_keras takes"):
        glassnet.interop.from_keras(object())


def test_normalization_activation_noise_reshape_layers_and_regularizers_travel(keras, tmp_path):
    x, y = _data(16, shape=(12,))
    source = keras.Sequential([
        keras.Input((12,)), keras.layers.Reshape((3, 4)), keras.layers.Flatten(),
        keras.layers.Dense(8, kernel_regularizer=keras.regularizers.L2(0.01),
                           bias_regularizer="l1"),
        keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3),
        keras.layers.ReLU(max_value=6.0, negative_slope=0.1), keras.layers.GaussianNoise(0.1),
        keras.layers.Dense(5), keras.layers.LeakyReLU(negative_slope=0.1),
        keras.layers.Dense(3), keras.layers.Softmax()])
    source.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    source.fit(x, y, epochs=2, batch_size=4, verbose=0)
    source.save(tmp_path / "k.keras")
    model = glassnet.models.load_model(tmp_path / "k.keras")
    assert [type(l).__name__ for l in model.layers] == [type(l).__name__ for l in source.layers]
    assert all(np.array_equal(a, b) for a, b in zip(source.get_weights(), model.get_weights()))
    np.testing.assert_allclose(model.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0),            # the penalties too
                               source.evaluate(x, y, verbose=0), rtol=1e-5)
    for want, got in zip(_numpy(source.optimizer.variables), model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(got, dtype=want.dtype), want)
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "g.keras")
    again = _keras_load(keras, tmp_path / "g.keras")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), again.get_weights()))
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    assert again.layers[2].get_config()["kernel_regularizer"]["config"] == {"l2": 0.01}
    for want, got in zip(model.optimizer.variables, _numpy(again.optimizer.variables)):
        np.testing.assert_array_equal(np.asarray(want, dtype=got.dtype), got)


def test_learning_rate_schedules_travel(keras, tmp_path):
    x, y = _data()
    source = _keras_model(keras, dropout=0.0)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.01, 10, 0.5)
    source.compile(optimizer=keras.optimizers.Adam(schedule),
                   loss="sparse_categorical_crossentropy")
    source.fit(x, y, epochs=2, batch_size=4, verbose=0)
    source.save(tmp_path / "k.keras")
    model = glassnet.models.load_model(tmp_path / "k.keras")
    assert model.optimizer.learning_rate_schedule.get_config()["decay_steps"] == 10
    for want, got in zip(_numpy(source.optimizer.variables), model.optimizer.variables):
        np.testing.assert_array_equal(np.asarray(got, dtype=want.dtype), want)
    source.train_on_batch(x[:4], y[:4])
    model.train_on_batch(x[:4], y[:4])
    for want, got in zip(source.get_weights(), model.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    model.save(tmp_path / "g.keras")
    again = _keras_load(keras, tmp_path / "g.keras")
    assert int(again.optimizer.iterations.numpy()) == model.optimizer.iterations == 9
    np.testing.assert_allclose(float(again.optimizer.learning_rate), schedule(9), rtol=1e-6)


@pytest.mark.parametrize("settings", [
    {"monitor": "val_loss", "save_best_only": True},
    {"monitor": "val_accuracy", "save_best_only": True},
    {"monitor": "loss", "save_best_only": True, "mode": "max"},
    {"monitor": "val_loss", "save_best_only": True, "initial_value_threshold": 0.5},
    {"monitor": "val_loss", "save_best_only": False},
])
def test_model_checkpoint_saves_when_keras_saves(keras, tmp_path, settings):
    """The same epoch logs through Keras's ModelCheckpoint and glassnet's: the same files."""
    logs = [{"loss": 1.0, "val_loss": 0.9, "val_accuracy": 0.5},
            {"loss": 0.8, "val_loss": 0.95, "val_accuracy": 0.6},
            {"loss": 0.9, "val_loss": 0.4, "val_accuracy": 0.6},
            {"loss": 0.7, "val_loss": 0.4, "val_accuracy": 0.55},
            {"loss": 1.2, "val_loss": 0.3, "val_accuracy": 0.7}]
    saved = {}
    for name, library, model in [("keras", keras, _keras_model(keras, "adam")),
                                 ("glassnet", glassnet, _glassnet_model("adam"))]:
        folder = tmp_path / name
        pattern = str(folder / "e{epoch:02d}-{val_loss:.2f}.keras")
        callback = library.callbacks.ModelCheckpoint(pattern, **settings)
        model.fit(*_data(4), epochs=1, verbose=0)         # metric directions come from here
        callback.set_model(model)
        for epoch, epoch_logs in enumerate(logs):
            callback.on_epoch_begin(epoch)
            callback.on_epoch_end(epoch, dict(epoch_logs))
        saved[name] = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
    assert saved["glassnet"] == saved["keras"]
