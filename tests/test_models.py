"""Sequential: whole-model gradients against central differences for every loss (through
``_backward``, fused paths included), and fit/evaluate/predict/train_on_batch as Keras defines
them. Keras itself is the oracle in tests/oracles/test_keras_fit.py."""
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers, losses, models, optimizers
from tests.helpers import numeric_gradient


def _mlp(units, activation, hidden="tanh", inputs=4):
    return models.Sequential([layers.Input(shape=(inputs,)), layers.Dense(5, activation=hidden),
                              layers.Dense(units, activation=activation)])


def _labels(kind, n, units, rng):
    if kind == "regression":
        return rng.normal(size=(n, units))
    if kind == "positive":
        return rng.uniform(0.5, 2.0, size=(n, units))
    if kind == "counts":
        return rng.integers(0, 4, size=(n, units)).astype(float)
    if kind == "signs":
        return rng.choice([-1.0, 1.0], size=(n, units))
    if kind == "binary":
        return rng.integers(0, 2, size=(n, units)).astype(float)
    if kind == "onehot":
        return np.eye(units)[rng.integers(0, units, size=n)]
    if kind == "distribution":
        p = rng.uniform(0.1, 1.0, size=(n, units))
        return p / p.sum(axis=1, keepdims=True)
    if kind == "sparse":
        return rng.integers(0, units, size=n)
    raise ValueError(kind)


# (loss, output activation, label kind, whether the model takes the fused path)
LOSS_CASES = [
    ("mse", "linear", "regression", False),
    ("mae", "linear", "regression", False),
    ("mape", "linear", "positive", False),
    ("msle", "softplus", "positive", False),
    (losses.Huber(delta=0.5), "linear", "regression", False),
    ("log_cosh", "tanh", "regression", False),
    ("cosine_similarity", "linear", "regression", False),
    ("hinge", "tanh", "signs", False),
    ("squared_hinge", "tanh", "signs", False),
    ("categorical_hinge", "softmax", "onehot", False),
    ("kl_divergence", "softmax", "distribution", False),
    ("poisson", "softplus", "counts", False),
    ("binary_crossentropy", "sigmoid", "binary", True),
    (losses.BinaryCrossentropy(label_smoothing=0.1), "sigmoid", "binary", True),
    (losses.BinaryCrossentropy(from_logits=True), "linear", "binary", False),
    ("categorical_crossentropy", "softmax", "onehot", True),
    (losses.CategoricalCrossentropy(label_smoothing=0.2), "softmax", "onehot", True),
    (losses.CategoricalCrossentropy(from_logits=True), "linear", "onehot", False),
    ("categorical_crossentropy", "sigmoid", "onehot", False),
    ("sparse_categorical_crossentropy", "softmax", "sparse", True),
    (losses.SparseCategoricalCrossentropy(from_logits=True), "linear", "sparse", False),
    (losses.SparseCategoricalCrossentropy(ignore_class=0), "softmax", "sparse", True),
]


def _model_gradient_errors(model, x, y, sample_weight):
    """Backprop through the model's ``_backward`` against central differences of the
    compiled loss, weight array by weight array."""
    def loss_at():
        return model._loss_value(y, model._forward(x, training=False), sample_weight)

    y_pred = model._forward(x, training=False)
    model._backward(y, y_pred, sample_weight)
    backprop = [g.copy() for layer in model.layers for g in layer.grads]
    for param, grad in zip(model.weights, backprop):
        def loss_with(values, param=param):
            saved = param.copy()
            param[...] = values
            try:
                return loss_at()
            finally:
                param[...] = saved
        numeric = numeric_gradient(loss_with, param)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sample_weight"])
@pytest.mark.parametrize("loss, activation, kind, fused", LOSS_CASES,
                         ids=[f"{c[0] if isinstance(c[0], str) else repr(c[0])}-{c[1]}"
                              for c in LOSS_CASES])
def test_model_gradients_for_every_loss(float64, loss, activation, kind, fused, weighted):
    rng = np.random.default_rng(0)
    units = 3
    model = _mlp(units, activation)
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(6, 4))
    y = model._targets(_labels(kind, 6, units, rng), len(x))
    sample_weight = rng.uniform(0.0, 2.0, size=6) if weighted else None
    assert model._fused() is fused
    _model_gradient_errors(model, x, y, sample_weight)


def test_fused_and_chained_gradients_agree(float64):
    rng = np.random.default_rng(1)
    for loss, activation, kind in [("categorical_crossentropy", "softmax", "onehot"),
                                   ("sparse_categorical_crossentropy", "softmax", "sparse"),
                                   ("binary_crossentropy", "sigmoid", "binary")]:
        model = _mlp(3, activation)
        model.compile(optimizer="sgd", loss=loss)
        x, y = rng.normal(size=(5, 4)), _labels(kind, 5, 3, rng)
        y_pred = model._forward(x, training=False)
        model._backward(y, y_pred, None, fused=True)
        fused = [g.copy() for g in model._grads]
        model._backward(y, y_pred, None, fused=False)
        for a, b in zip(fused, model._grads):
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_fused_path_through_an_activation_layer(float64):
    rng = np.random.default_rng(2)
    model = models.Sequential([layers.Input(shape=(4,)), layers.Dense(3),
                               layers.Activation("softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    assert model._fused()
    _model_gradient_errors(model, rng.normal(size=(5, 4)), _labels("onehot", 5, 3, rng), None)


def test_model_gradients_with_flatten_and_dropout_in_inference(float64):
    rng = np.random.default_rng(3)
    model = models.Sequential([layers.Flatten(input_shape=[2, 3]), layers.Dense(4, "relu"),
                               layers.Dropout(0.5), layers.Dense(3, "softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    _model_gradient_errors(model, rng.normal(size=(5, 2, 3)), rng.integers(0, 3, 5), None)


def test_loss_weights_scale_loss_and_gradient(float64):
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(8, 4)), rng.normal(size=(8, 2))
    plain, scaled = _mlp(2, "linear"), _mlp(2, "linear")
    scaled.set_weights(plain.get_weights())
    plain.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    scaled.compile(optimizer=optimizers.SGD(0.05), loss="mse", loss_weights=[2.0])
    assert scaled.evaluate(x, y, verbose=0) == pytest.approx(2 * plain.evaluate(x, y, verbose=0))
    plain.train_on_batch(x, y)
    scaled.train_on_batch(x, y)
    for a, b in zip(plain.get_weights(), scaled.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    _model_gradient_errors(scaled, x, y, None)


# -- building -----------------------------------------------------------------------------------

def test_input_builds_at_construction_and_layers_exclude_it():
    model = models.Sequential([layers.Input(shape=(64,)), layers.Dense(300, activation="relu"),
                               layers.Dense(10, activation="softmax")])
    assert model.built and len(model.layers) == 2
    assert [w.shape for w in model.get_weights()] == [(64, 300), (300,), (300, 10), (10,)]
    assert model.count_params() == 64 * 300 + 300 + 300 * 10 + 10
    assert model.input_shape == (None, 64) and model.output_shape == (None, 10)


def test_input_shape_on_first_layer_builds_as_the_notes_write_it():
    model = models.Sequential()
    model.add(layers.Flatten(input_shape=[8, 8]))
    model.add(layers.Dense(300, activation="relu"))
    model.add(layers.Dense(10, activation="softmax"))
    assert model.built and model.count_params() == 64 * 300 + 300 + 3010
    assert model.output_shape == (None, 10)


def test_unbuilt_model_builds_on_first_data():
    model = models.Sequential([layers.Dense(3), layers.Dense(2)])
    assert not model.built
    with pytest.raises(ValueError, match="count_params"):
        model.count_params()
    assert model.predict(np.ones((4, 5)), verbose=0).shape == (4, 2)
    assert model.built and model.count_params() == 5 * 3 + 3 + 3 * 2 + 2


def test_build_with_batch_shape_then_add_and_pop():
    model = models.Sequential([layers.Dense(3)])
    model.build((None, 4))
    model.add(layers.Dense(2))
    assert model.layers[-1].built and model.output_shape == (None, 2)
    popped = model.pop()
    assert popped.units == 2 and model.output_shape == (None, 3)
    assert len(model.get_weights()) == 2


def test_get_weights_are_copies_and_set_weights_copies():
    model = _mlp(2, "linear")
    weights = model.get_weights()
    weights[0][...] = 7.0
    assert not np.any(model.layers[0].kernel == 7.0)
    new = [np.full(w.shape, 0.25, dtype=w.dtype) for w in model.get_weights()]
    model.set_weights(new)
    new[0][...] = 3.0
    assert np.all(model.get_weights()[0] == 0.25)


def test_call_and_predict_agree_and_do_not_depend_on_batch_size():
    rng = np.random.default_rng(5)
    model = models.Sequential([layers.Input(shape=(4,)), layers.Dense(6, "relu"),
                               layers.Dropout(0.5), layers.Dense(3, "softmax")])
    x = rng.normal(size=(10, 4)).astype("float32")
    full = model.predict(x, batch_size=10, verbose=0)
    np.testing.assert_array_equal(model.predict(x, batch_size=3, verbose=0), full)
    np.testing.assert_array_equal(model(x), full)          # dropout is off in inference
    assert model(x) is not model(x)                         # a new array each call
    np.testing.assert_array_equal(model.predict_on_batch(x), full)


def test_predict_keeps_the_models_float_type_and_takes_empty_input():
    glassnet.config.set_floatx("float64")
    model = _mlp(3, "softmax")
    glassnet.config.set_floatx("float32")
    assert model.predict(np.ones((2, 4)), verbose=0).dtype == np.float64
    assert model.predict(np.ones((0, 4)), verbose=0).shape == (0, 3)


# -- fit ------------------------------------------------------------------------------------------

def _classifier(seed=0):
    glassnet.utils.set_random_seed(seed)
    model = models.Sequential([layers.Input(shape=(4,)), layers.Dense(8, "relu"),
                               layers.Dense(3, "softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)


def test_history_keys_epochs_and_params_as_keras():
    model = _classifier()
    x, y = _data()
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert list(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert history.epoch == [0, 1, 2]
    assert history.params == {"verbose": 0, "epochs": 3, "steps": 2}
    assert model.history is history
    assert all(isinstance(v, float) for values in history.history.values() for v in values)


def test_validation_split_is_the_last_fraction_before_shuffling():
    model = _classifier()
    x, y = _data(40)
    history = model.fit(x, y, epochs=1, batch_size=8, validation_split=0.25, shuffle=True,
                        verbose=0)
    loss, accuracy = model.evaluate(x[30:], y[30:], verbose=0)
    assert history.history["val_loss"][0] == pytest.approx(loss, rel=1e-6)
    assert history.history["val_accuracy"][0] == pytest.approx(accuracy)
    assert history.params["steps"] == 4                      # 30 training samples, batches of 8


def test_validation_data_with_sample_weights():
    model = _classifier()
    x, y = _data(40)
    weights = np.linspace(0.0, 2.0, 10)
    history = model.fit(x[:30], y[:30], epochs=1, verbose=0,
                        validation_data=(x[30:], y[30:], weights))
    expected = model.evaluate(x[30:], y[30:], sample_weight=weights, verbose=0)[0]
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-6)


def test_epoch_loss_is_the_batch_size_weighted_mean_of_batch_losses():
    glassnet.config.set_floatx("float64")
    model = _classifier()
    model.compile(optimizer=optimizers.SGD(0.0), loss="sparse_categorical_crossentropy")
    x, y = _data(37)                                         # batches of 16, 16 and 5
    history = model.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(model.evaluate(x, y, verbose=0),
                                                       rel=1e-12)


def test_fit_without_shuffle_is_train_on_batch_in_order():
    x, y = _data(20)
    model, reference = _classifier(3), _classifier(3)
    model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for _ in range(2):
        for start in range(0, 20, 8):
            reference.train_on_batch(x[start:start + 8], y[start:start + 8])
    for a, b in zip(model.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_shuffle_changes_the_order_but_not_the_data_seen():
    x, y = _data(24)
    seen = []

    class Spy(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(self.model.layers[0]._x.copy())

    _classifier().fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[Spy()])
    epochs = [np.concatenate(seen[:3]), np.concatenate(seen[3:])]
    for rows in epochs:
        assert not np.array_equal(rows, x)
        np.testing.assert_array_equal(np.sort(rows, axis=0), np.sort(x, axis=0))
    assert not np.array_equal(epochs[0], epochs[1])


def test_sample_weight_scales_the_gradient(float64):
    x, y = _data(16)
    heavy, light = _classifier(1), _classifier(1)
    heavy.compile(optimizer=optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    light.compile(optimizer=optimizers.SGD(0.2), loss="sparse_categorical_crossentropy")
    heavy.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0,
              sample_weight=np.full(16, 2.0))
    light.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(heavy.get_weights(), light.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_zero_sample_weights_leave_weights_unchanged(float64):
    x, y = _data(8)
    model = _classifier(2)
    model.compile(optimizer=optimizers.SGD(0.5), loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    model.fit(x, y, epochs=1, verbose=0, sample_weight=np.zeros(8))
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_class_weight_is_a_per_class_sample_weight(float64):
    x, y = _data(20)
    by_class, by_sample = _classifier(4), _classifier(4)
    weights = {0: 0.5, 1: 2.0, 2: 1.0}
    by_class.fit(x, y, epochs=1, shuffle=False, verbose=0, class_weight=weights)
    by_sample.fit(x, y, epochs=1, shuffle=False, verbose=0,
                  sample_weight=np.array([weights[int(c)] for c in y]))
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_weighted_metrics_use_sample_weight_and_metrics_do_not():
    model = _classifier()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], weighted_metrics=["sparse_categorical_accuracy"])
    x, y = _data(30)
    correct = model.predict(x, verbose=0).argmax(axis=1) == y
    weights = correct.astype(float) + 0.5            # right answers weigh 3x the wrong ones
    loss, accuracy, weighted = model.evaluate(x, y, sample_weight=weights, verbose=0)
    assert accuracy == pytest.approx(correct.mean())
    assert weighted == pytest.approx(np.sum(weights * correct) / np.sum(weights))


def test_train_on_batch_returns_this_batchs_values_before_the_update():
    model = _classifier()
    x, y = _data(32)
    model.fit(x, y, epochs=1, verbose=0)
    expected = model.evaluate(x[:8], y[:8], verbose=0)
    before = model.get_weights()
    result = model.train_on_batch(x[:8], y[:8])
    assert result == pytest.approx(expected, rel=1e-6)
    assert any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.train_on_batch(x[:8], y[:8], return_dict=True).keys() == {"accuracy", "loss"}
    assert model.test_on_batch(x[:8], y[:8]) == pytest.approx(
        model.evaluate(x[:8], y[:8], verbose=0), rel=1e-6)


def test_evaluate_returns_keras_shapes():
    x, y = _data(20)
    model = _classifier()
    assert isinstance(model.evaluate(x, y, verbose=0), list)
    assert model.evaluate(x, y, verbose=0, return_dict=True).keys() == {"accuracy", "loss"}
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert isinstance(model.evaluate(x, y, verbose=0), float)
    assert isinstance(model.train_on_batch(x, y), float)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["acc", "sparse_top_k_categorical_accuracy"])
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(result) == ["acc", "loss", "sparse_top_k_categorical_accuracy"]


def test_validation_freq_and_initial_epoch():
    x, y = _data(20)
    history = _classifier().fit(x, y, epochs=4, initial_epoch=1, validation_split=0.2,
                                validation_freq=2, verbose=0)
    assert history.epoch == [1, 2, 3]
    assert len(history.history["loss"]) == 3
    assert len(history.history["val_loss"]) == 2            # after epochs 2 and 4 (1-based)


def test_frozen_layer_is_not_updated():
    x, y = _data(20)
    model = _classifier()
    model.layers[0].trainable = False
    frozen = model.layers[0].get_weights()
    model.fit(x, y, epochs=2, verbose=0)
    for a, b in zip(frozen, model.layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2


def test_early_callbacks_can_stop_training():
    class StopAtTwo(callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    x, y = _data(20)
    assert _classifier().fit(x, y, epochs=10, verbose=0, callbacks=[StopAtTwo()]).epoch == [0, 1]


# -- a loss that becomes NaN or inf ---------------------------------------------------------------

def _diverging_model():
    glassnet.utils.set_random_seed(0)
    model = models.Sequential([layers.Input(shape=(4,)), layers.Dense(8, "relu"),
                               layers.Dense(1)])
    model.compile(optimizer=optimizers.SGD(1e6), loss="mse")
    return model


def test_fit_never_raises_on_divergence_and_records_it():
    x, y = _data(32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = _diverging_model().fit(x, y * 1e3, epochs=3, batch_size=4, verbose=0)
    assert len(history.history["loss"]) == 3
    assert not np.isfinite(history.history["loss"][-1])
    assert not [w for w in caught if issubclass(w.category, models.DivergenceWarning)]


def test_divergence_warns_once_when_verbose(capsys):
    x, y = _data(32)
    with pytest.warns(models.DivergenceWarning, match="diverged") as caught:
        _diverging_model().fit(x, y * 1e3, epochs=3, batch_size=4, verbose=2)
    assert len([w for w in caught if issubclass(w.category, models.DivergenceWarning)]) == 1
    assert "TerminateOnNaN" in str(caught[0].message)


def test_terminate_on_nan_stops_at_that_batch_and_says_so(capsys):
    x, y = _data(32)
    batches = []

    class Count(callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            batches.append(logs["loss"])

    history = _diverging_model().fit(x, y * 1e3, epochs=5, batch_size=4, verbose=0,
                                     callbacks=[Count(), callbacks.TerminateOnNaN()])
    assert history.epoch == [0]
    assert not np.isfinite(batches[-1]) and all(np.isfinite(batches[:-1]))
    assert f"Batch {len(batches) - 1}: Invalid loss, terminating training" in \
        capsys.readouterr().out


def test_summary_prints_the_table(capsys):
    model = models.Sequential([layers.Input(shape=(64,)), layers.Dense(10, name="out")],
                              name="tiny")
    model.summary()
    text = capsys.readouterr().out
    assert text.startswith('Model: "tiny"\n')
    assert "│ out (Dense)" in text and "650 │" in text
    assert " Total params: 650 (2.54 KB)" in text
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [text]


def test_freezing_the_model_freezes_every_layer_as_keras():
    import glassnet as keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    model.trainable = False
    assert all(not layer.trainable for layer in model.layers)
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    x, y = np.random.default_rng(0).normal(size=(16, 3)), np.zeros((16, 2))
    model.fit(x, y, epochs=2, verbose=0)
    for old, new in zip(before, model.get_weights()):    # moving statistics included
        np.testing.assert_array_equal(old, new)
    model.trainable = True
    assert all(layer.trainable for layer in model.layers)
    assert len(model.trainable_weights) == 6
