"""Everyday Keras training (issue 6): fit's and evaluate's extra arguments, the batch methods,
lists and pandas objects as data, the learning-rate and logging callbacks, and the MNIST /
Fashion-MNIST loaders on small files written here."""
import csv
import gzip
import os

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers, optimizers


def _model(optimizer=None, metrics=None):
    model = glassnet.Sequential([layers.Input(shape=(3,)), layers.Dense(4, activation="tanh"),
                                 layers.Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer or optimizers.SGD(0.1),
                  loss="sparse_categorical_crossentropy", metrics=metrics)
    return model


def _data(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)).astype(np.float32), np.arange(n) % 3


# -- fit / evaluate arguments -----------------------------------------------------------------
def test_class_weight_is_sample_weight_by_class():
    x, y = _data()
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    by_class, by_sample = _model(), _model()
    by_sample.set_weights(by_class.get_weights())
    h1 = by_class.fit(x, y, class_weight=weights, shuffle=False, epochs=2, verbose=0)
    h2 = by_sample.fit(x, y, sample_weight=np.array([weights[c] for c in y]), shuffle=False,
                       epochs=2, verbose=0)
    assert h1.history == h2.history
    for a, b in zip(by_class.get_weights(), by_sample.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_initial_epoch_continues_the_count():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert history.epoch == [3, 4] and len(history.history["loss"]) == 2
    seen = []
    model.fit(x, y, epochs=2, initial_epoch=2, verbose=0,
              callbacks=[callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))])
    assert seen == []                       # nothing left to train, as Keras


@pytest.mark.parametrize("validation_freq, validated", [(2, [1, 3]), ([1, 4], [0, 3])])
def test_validation_freq(validation_freq, validated):
    x, y = _data()
    epochs = []
    model = _model()
    history = model.fit(
        x, y, epochs=4, validation_data=(x, y), validation_freq=validation_freq, verbose=0,
        callbacks=[callbacks.LambdaCallback(
            on_epoch_end=lambda e, logs: epochs.append(e) if "val_loss" in logs else None)])
    assert epochs == validated
    assert len(history.history["val_loss"]) == len(validated)
    assert len(history.history["loss"]) == 4


def test_evaluate_with_sample_weight_and_return_dict():
    x, y = _data()
    model = _model(metrics=["accuracy"])
    weights = np.linspace(0.0, 2.0, len(x))
    result = model.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
    assert list(result) == ["accuracy", "loss"]
    probabilities = model.predict(x, verbose=0)
    per_sample = -np.log(np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0))
    assert result["loss"] == pytest.approx(np.sum(per_sample * weights) / len(x), rel=1e-5)
    unweighted = model.evaluate(x, y, verbose=0)
    assert unweighted[0] == pytest.approx(per_sample.mean(), rel=1e-5)


def test_test_on_batch_and_predict_on_batch():
    x, y = _data()
    model = _model(metrics=["accuracy"])
    before = model.get_weights()
    loss, accuracy = model.test_on_batch(x, y)
    assert model.test_on_batch(x, y, return_dict=True) == {"accuracy": accuracy, "loss": loss}
    assert loss == pytest.approx(model.evaluate(x, y, batch_size=len(x), verbose=0)[0])
    np.testing.assert_array_equal(model.predict_on_batch(x), model.predict(x, verbose=0))
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_lists_and_pandas_objects_are_data():
    pandas = pytest.importorskip("pandas")
    x, y = _data()
    arrays, lists, frames = _model(), _model(), _model()
    lists.set_weights(arrays.get_weights())
    frames.set_weights(arrays.get_weights())
    h_arrays = arrays.fit(x, y, epochs=2, shuffle=False, verbose=0, validation_data=(x, y))
    h_lists = lists.fit(x.tolist(), y.tolist(), epochs=2, shuffle=False, verbose=0,
                        validation_data=(x.tolist(), y.tolist()))
    frame, series = pandas.DataFrame(x, columns=["a", "b", "c"]), pandas.Series(y)
    h_frames = frames.fit(frame, series, epochs=2, shuffle=False, verbose=0,
                          validation_data=(frame, series),
                          sample_weight=pandas.Series(np.ones(len(x))))
    assert h_arrays.history == h_lists.history == h_frames.history
    np.testing.assert_array_equal(frames.predict(frame, verbose=0), arrays.predict(x, verbose=0))
    assert frames.evaluate(frame, pandas.DataFrame(y), verbose=0) == pytest.approx(
        arrays.evaluate(x, y, verbose=0))
    with pytest.raises(ValueError, match="must be numbers"):
        frames.fit(pandas.DataFrame({"a": ["x"] * 12, "b": 1.0, "c": 2.0}), series, verbose=0)


def test_generators_and_dicts_are_refused_clearly():
    x, y = _data()
    model = _model()
    with pytest.raises(ValueError, match="y must be None when x is a generator"):
        model.fit((row for row in x), y, verbose=0)      # a generator gives (x, y) batches
    with pytest.raises(ValueError, match="x is a dict"):
        model.predict({"features": x}, verbose=0)


# -- AdamW, Adamax, Nadam by hand -------------------------------------------------------------
def test_adamw_is_adam_after_shrinking_the_weights():
    grads = [np.array([0.5, -2.0, 1e-3])]
    adam_w, decayed = [np.array([1.0, -1.0, 2.0])], [np.array([1.0, -1.0, 2.0]) * (1 - 0.01 * 0.2)]
    optimizers.AdamW(0.01, weight_decay=0.2).apply(adam_w, grads)
    optimizers.Adam(0.01).apply(decayed, grads)
    np.testing.assert_allclose(adam_w[0], decayed[0], rtol=1e-15)
    assert optimizers.AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)


def test_adamax_steps_by_hand():
    lr, beta_1, beta_2, eps = 0.1, 0.9, 0.99, 1e-7
    w, g1, g2 = np.array([1.0, -1.0]), np.array([0.5, -2.0]), np.array([-1.0, 0.25])
    adamax = optimizers.Adamax(lr, beta_1=beta_1, beta_2=beta_2, epsilon=eps)
    adamax.apply([w], [g1])
    adamax.apply([w], [g2])
    m = (1 - beta_1) * (beta_1 * g1 + g2)
    u = np.maximum(beta_2 * np.abs(g1), np.abs(g2))
    first = lr * (1 - beta_1) * g1 / ((np.abs(g1) + eps) * (1 - beta_1))
    expected = np.array([1.0, -1.0]) - first - lr * m / ((u + eps) * (1 - beta_1 ** 2))
    np.testing.assert_allclose(w, expected, rtol=1e-14)
    assert [v.shape for v in adamax.variables] == [(), (), (2,), (2,)]


def test_nadam_steps_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    w, grads = np.array([0.5, -0.5]), [np.array([0.3, -1.0]), np.array([0.1, 0.4])]
    nadam = optimizers.Nadam(lr)
    expected, m, v, product = w.copy(), np.zeros(2), np.zeros(2), 1.0
    for t, g in enumerate(grads, 1):
        nadam.apply([w], [g])
        u_t, u_next = b1 * (1 - 0.5 * 0.96 ** t), b1 * (1 - 0.5 * 0.96 ** (t + 1))
        product *= u_t
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        m_hat = u_next * m / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
        expected -= lr * m_hat / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(w, expected, rtol=1e-14)
    assert float(nadam.variables[-1]) == pytest.approx(product, rel=1e-15)
    assert nadam.count_params() == 2 + 2 * 2 + 1


@pytest.mark.parametrize("optimizer", [optimizers.AdamW, optimizers.Adamax, optimizers.Nadam])
def test_new_optimizers_keep_their_state_through_set_weights(optimizer):
    params = [np.ones((3, 2), np.float32), np.ones(2, np.float32)]
    grads = [np.full((3, 2), 0.5, np.float32), np.full(2, -0.25, np.float32)]
    first, second = optimizer(0.01), optimizer(0.01)
    first.apply(params, grads)
    copies = [p.copy() for p in params]
    second.build(copies)
    second.set_weights(first.variables)
    first.apply(params, grads)
    second.apply(copies, grads)
    for a, b in zip(params, copies):
        np.testing.assert_array_equal(a, b)
    assert type(optimizers.get(optimizer.__name__.lower())) is optimizer


# -- LearningRateScheduler --------------------------------------------------------------------
def test_learning_rate_scheduler_sets_the_rate_each_epoch_and_logs_it(capsys):
    x, y = _data()
    model = _model(optimizer=optimizers.SGD(0.1))
    rates = []
    scheduler = callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch else lr,
                                                verbose=1)
    watch = callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: rates.append(model.optimizer.learning_rate))
    history = model.fit(x, y, epochs=3, batch_size=6, verbose=0, callbacks=[scheduler, watch])
    assert history.history["learning_rate"] == [0.1, 0.05, 0.025]
    assert rates == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    assert list(history.history) == ["loss", "learning_rate"]        # appended, as Keras
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.05." in \
        capsys.readouterr().out


def test_learning_rate_scheduler_of_the_epoch_alone():
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=3, verbose=0, callbacks=[
        callbacks.LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))])
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_learning_rate_scheduler_errors():
    x, y = _data()
    with pytest.raises(ValueError, match="should be a float"):
        _model().fit(x, y, verbose=0, callbacks=[callbacks.LearningRateScheduler(lambda e: 1)])
    with pytest.raises(TypeError, match="function"):
        callbacks.LearningRateScheduler(0.1)
    scheduled = _model(optimizer=optimizers.SGD(
        optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)))
    with pytest.raises(TypeError, match="schedule"):
        scheduled.fit(x, y, verbose=0, callbacks=[callbacks.LearningRateScheduler(
            lambda e, lr: lr)])


# -- ReduceLROnPlateau ------------------------------------------------------------------------
def _plateau_script(callback, values, rate=1.0):
    """Run ``callback`` over scripted epoch logs; the learning rate after each epoch."""
    model = _model(optimizer=optimizers.SGD(rate))
    callback.set_model(model)
    callback.on_train_begin()
    seen = []
    for epoch, value in enumerate(values):
        logs = {"val_loss": value}
        callback.on_epoch_end(epoch, logs)
        seen.append((logs["learning_rate"], model.optimizer.learning_rate))
    return seen


def test_reduce_lr_on_plateau_patience_and_factor():
    seen = _plateau_script(callbacks.ReduceLROnPlateau(factor=0.5, patience=2),
                           [1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8])
    # the logged rate is the one the epoch trained with; the cut happens after logging
    assert [logged for logged, _ in seen] == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5]
    assert [after for _, after in seen] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]


def test_reduce_lr_on_plateau_min_delta_cooldown_and_min_lr():
    # an improvement smaller than min_delta does not count
    seen = _plateau_script(callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_delta=0.1),
                           [1.0, 0.95])
    assert seen[-1][1] == pytest.approx(0.1)
    # cooldown: Keras counts it down before checking it, so cooldown=2 leaves one quiet
    # epoch after a cut and cooldown=1 none
    seen = _plateau_script(callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=2),
                           [1.0, 1.0, 1.0, 1.0, 1.0])
    assert [after for _, after in seen] == [1.0, 0.5, 0.5, 0.25, 0.25]
    seen = _plateau_script(callbacks.ReduceLROnPlateau(factor=0.5, patience=1, cooldown=1),
                           [1.0, 1.0, 1.0])
    assert [after for _, after in seen] == [1.0, 0.5, 0.25]
    # never below min_lr, and no cut at min_lr
    seen = _plateau_script(callbacks.ReduceLROnPlateau(factor=0.1, patience=1, min_lr=0.05),
                           [1.0, 1.0, 1.0, 1.0])
    assert [after for _, after in seen] == [1.0, 0.1, 0.05, 0.05]


def test_reduce_lr_on_plateau_in_fit_and_its_errors(capsys):
    x, y = _data()
    model = _model(optimizer=optimizers.SGD(0.0))            # nothing improves
    history = model.fit(x, y, epochs=4, validation_data=(x, y), verbose=0, callbacks=[
        callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, verbose=1,
                                    min_delta=0.0)])
    assert history.history["learning_rate"] == [0.0, 0.0, 0.0, 0.0]   # at min_lr 0: no cut
    model = _model(optimizer=optimizers.SGD(0.1))
    model.optimizer.learning_rate = 0.1
    callback = callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=0,
                                           min_delta=10.0, verbose=1)
    history = model.fit(x, y, epochs=2, validation_data=(x, y), verbose=0, callbacks=[callback])
    assert history.history["learning_rate"] == [0.1, 0.1]
    assert model.optimizer.learning_rate == 0.05
    assert "Epoch 2: ReduceLROnPlateau reducing learning rate to 0.05." in capsys.readouterr().out
    with pytest.raises(ValueError, match="factor >= 1.0"):
        callbacks.ReduceLROnPlateau(factor=1.5)
    with pytest.warns(UserWarning, match="not available"):
        _plateau_script(callbacks.ReduceLROnPlateau(monitor="val_accuracy", mode="max"), [1.0])


# -- CSVLogger and LambdaCallback -------------------------------------------------------------
def _read(path):
    with open(path, newline="") as stream:
        return list(csv.reader(stream))


def test_csv_logger_writes_keras_columns(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    model = _model(metrics=["accuracy"])
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[callbacks.CSVLogger(path)])
    rows = _read(path)
    # without validation Keras still writes val_ columns, filled with NA
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1"]
    assert [float(row[2]) for row in rows[1:]] == history.history["loss"]
    assert rows[1][3:] == ["NA", "NA"]
    assert path.read_bytes().count(b"\r\n") == 3              # csv's excel line ends, as Keras


def test_csv_logger_append_and_separator(tmp_path):
    x, y = _data()
    path = tmp_path / "log.csv"
    model = _model()
    model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.CSVLogger(path, separator=";")])
    model.fit(x, y, epochs=2, initial_epoch=1, verbose=0, validation_data=(x, y),
              callbacks=[callbacks.CSVLogger(path, separator=";", append=True)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch;loss;val_loss" and len(lines) == 3
    assert lines[2].startswith("1;")
    with pytest.raises(ValueError, match="cannot open"):
        model.fit(x, y, verbose=0, callbacks=[callbacks.CSVLogger(tmp_path / "no" / "x.csv")])


def test_lambda_callback_calls_each_given_hook():
    x, y = _data()
    calls = []
    callback = callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch)),
        on_test_end=lambda logs: calls.append("test_end"))
    _model().fit(x, y, epochs=1, batch_size=6, validation_data=(x, y), verbose=0,
                 callbacks=[callback])
    assert calls == ["train_begin", ("batch_end", 0), ("batch_end", 1), "test_end",
                     ("epoch_end", 0, ["loss", "val_loss"])]
    with pytest.raises(TypeError, match="must be a function"):
        callbacks.LambdaCallback(on_epoch_end=3)


# -- MNIST and Fashion-MNIST from local files -------------------------------------------------
def _images(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), \
        rng.integers(0, 10, n, dtype=np.uint8)


def test_mnist_reads_keras_npz(tmp_path, monkeypatch):
    (x_train, y_train), (x_test, y_test) = _images(5, 0), _images(3, 1)
    np.savez(tmp_path / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test,
             y_test=y_test)
    loaded = glassnet.datasets.mnist.load_data(path=str(tmp_path / "mnist.npz"))
    for got, want in zip([*loaded[0], *loaded[1]], [x_train, y_train, x_test, y_test]):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    # a relative path lives in Keras's data folder, $KERAS_HOME/datasets
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    os.makedirs(tmp_path / "home" / "datasets")
    os.replace(tmp_path / "mnist.npz", tmp_path / "home" / "datasets" / "mnist.npz")
    assert glassnet.datasets.mnist.load_data()[1][1].tolist() == y_test.tolist()


def test_mnist_missing_or_wrong_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        glassnet.datasets.mnist.load_data()
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert message.startswith("mnist.npz not found in " + str(tmp_path / "datasets") + ".")
    assert message.endswith("or pass path= to where it is.")          # as README shows it
    assert info.value.filename == str(tmp_path / "datasets" / "mnist.npz")
    assert "does not download" in message and "tf-keras-datasets/mnist.npz" in message
    np.savez(tmp_path / "other.npz", x_train=np.zeros(2))
    with pytest.raises(ValueError, match="lacks y_train, x_test, y_test"):
        glassnet.datasets.mnist.load_data(path=str(tmp_path / "other.npz"))
    (tmp_path / "text.npz").write_text("not a zip")
    with pytest.raises(ValueError, match="not a NumPy .npz"):
        glassnet.datasets.mnist.load_data(path=str(tmp_path / "text.npz"))


def _write_idx(path, array):
    header = np.array([2051 if array.ndim == 3 else 2049, *array.shape], ">u4").tobytes()
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.tobytes())


def test_fashion_mnist_reads_keras_idx_files(tmp_path, monkeypatch):
    (x_train, y_train), (x_test, y_test) = _images(4, 2), _images(2, 3)
    folder = tmp_path / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name, array in zip(glassnet.image_datasets.FASHION_FILES,
                           (y_train, x_train, y_test, x_test)):
        _write_idx(folder / name, array)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (a, b), (c, d) = glassnet.datasets.fashion_mnist.load_data()
    for got, want in ((a, x_train), (b, y_train), (c, x_test), (d, y_test)):
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    assert glassnet.datasets.fashion_mnist.load_data(path=folder)[0][0].shape == (4, 28, 28)
    from glassnet.datasets import fashion_mnist, mnist        # as Keras code imports them
    assert callable(mnist.load_data) and callable(fashion_mnist.load_data)


def test_fashion_mnist_missing_or_wrong_files(tmp_path):
    _write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(3, np.uint8))
    with pytest.raises(FileNotFoundError, match=r"train-images-idx3-ubyte.gz, t10k-labels"):
        glassnet.datasets.fashion_mnist.load_data(path=tmp_path)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((2, 28, 28), np.uint8))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(1, np.uint8))
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x01"))
    with pytest.raises(ValueError, match="too short"):
        glassnet.datasets.fashion_mnist.load_data(path=tmp_path)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((1, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"training images \(2\) and labels \(3\)"):
        glassnet.datasets.fashion_mnist.load_data(path=tmp_path)
