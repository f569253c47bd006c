"""glassnet.callbacks.Probe: what it records during fit, and what it prints."""
import math

import numpy as np
import pytest

import glassnet as keras
from glassnet import inspect
from glassnet.callbacks import Probe

L, I = keras.layers, keras.initializers


def data(n=32, features=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)).astype("float32"), rng.integers(0, classes, n)


def mlp(hidden=(8,), activation="relu", kernel_initializer="he_normal", bias_initializer="zeros",
        optimizer="adam", features=6, classes=3, extra=()):
    layers = [keras.Input(shape=(features,))]
    for units in hidden:
        layers.append(L.Dense(units, activation=activation, kernel_initializer=kernel_initializer,
                              bias_initializer=bias_initializer))
    layers += list(extra) + [L.Dense(classes, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    return model


def test_one_record_per_batch_in_history_probes():
    model = mlp()
    x, y = data(30)
    probe = Probe()
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[probe])
    assert history.probes is probe.records
    assert [(r["epoch"], r["batch"], r["step"]) for r in history.probes] == \
        [(e, b, 4 * e + b) for e in range(2) for b in range(4)]
    row = history.probes[0]["layers"][0]
    assert set(row) == {"name", "class", "activation", "units", "fan_in", "kernel_norm",
                        "grad_norm", "update_ratio", "activation_mean", "activation_std",
                        "saturated_share", "dead_share", "dead_share_epoch",
                        "identical_groups", "identical_units"}
    assert (row["name"], row["class"], row["activation"], row["units"], row["fan_in"]) == \
        (model.layers[0].name, "Dense", "relu", 8, 6)


def test_every_n_batches_and_always_the_last_batch_of_an_epoch():
    model = mlp()
    x, y = data(40)
    history = model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[Probe(every=4)])
    assert [r["step"] for r in history.probes] == [0, 4, 8, 9, 12, 16, 19]
    epoch_ends = [r["step"] for r in history.probes
                  if r["layers"][0]["identical_units"] is not None]
    assert epoch_ends == [9, 19]


def test_loss_is_each_batch_loss_before_its_update():
    model = mlp()
    x, y = data(16)
    twin = mlp()
    twin.set_weights(model.get_weights())
    first = twin.evaluate(x[:8], y[:8], verbose=0)
    twin.train_on_batch(x[:8], y[:8])
    second = twin.evaluate(x[8:], y[8:], verbose=0)
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0,
                        callbacks=[Probe()])
    assert [r["loss"] for r in history.probes] == pytest.approx([first, second], rel=1e-5)


def test_norms_and_update_ratio_are_the_steps_own():
    model = mlp(optimizer=keras.optimizers.SGD(0.1))
    x, y = data(8)
    before = model.get_weights()
    grads = inspect.gradients(model, x, y)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Probe()])
    after = model.get_weights()
    rows = history.probes[0]["layers"]
    for row, grad, kernel_before, kernel_after in zip(rows, grads, before[::2], after[::2]):
        assert row["kernel_norm"] == pytest.approx(np.linalg.norm(kernel_before), rel=1e-5)
        assert row["grad_norm"] == pytest.approx(np.linalg.norm(grad["kernel"]), rel=1e-4)
        update = np.linalg.norm(kernel_after - kernel_before) / np.linalg.norm(kernel_before)
        assert row["update_ratio"] == pytest.approx(update, rel=1e-4)
        np.testing.assert_allclose(kernel_after - kernel_before, -0.1 * grad["kernel"],
                                   rtol=1e-3, atol=1e-6)


def test_activation_statistics_read_the_layer_outputs():
    model = mlp(hidden=(5,), activation="sigmoid", extra=[L.Dense(4), L.Activation("relu")])
    x, y = data(8)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Probe()])
    outputs = [layer._y for layer in model.layers]                # fit's last forward pass
    sigmoid, linear, relu, softmax = history.probes[-1]["layers"]
    assert sigmoid["activation_mean"] == pytest.approx(float(outputs[0].mean()), rel=1e-5)
    assert sigmoid["activation_std"] == pytest.approx(float(outputs[0].std()), rel=1e-3)
    assert 0.0 <= sigmoid["saturated_share"] <= 1.0 and sigmoid["dead_share"] is None
    assert linear["saturated_share"] is None and linear["dead_share"] is None
    assert relu["kernel_norm"] is None and relu["class"] == "Activation"
    expected_dead = float(np.mean(outputs[2].max(axis=0) <= 0))
    assert relu["dead_share"] == pytest.approx(expected_dead)
    assert relu["dead_share_epoch"] == pytest.approx(expected_dead)   # one batch per epoch
    assert softmax["identical_units"] == 0


def test_dead_and_identical_units_are_counted():
    model = mlp(hidden=(6, 4), kernel_initializer=I.Constant(0.1))
    model.layers[0].set_weights([model.layers[0].get_weights()[0], np.full(6, -50.0)])
    x, y = data(16)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Probe()])
    first, second, _ = history.probes[-1]["layers"]
    assert first["dead_share"] == 1.0 and first["dead_share_epoch"] == 1.0
    assert (first["identical_groups"], first["identical_units"]) == (1, 6)
    assert (second["identical_groups"], second["identical_units"]) == (1, 4)


def test_nan_and_inf_are_recorded_never_raised():
    model = mlp(hidden=(32, 32), kernel_initializer=I.RandomNormal(stddev=30.0),
                optimizer=keras.optimizers.SGD(10.0))
    x, y = data(64)
    history = model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[Probe()])
    losses = [r["loss"] for r in history.probes]
    assert len(losses) == 16 and not math.isfinite(losses[-1])
    assert any(not math.isfinite(row["kernel_norm"]) for row in history.probes[-1]["layers"]
               if row["kernel_norm"] is not None)


def test_works_with_dropout_and_flatten_layers():
    model = keras.Sequential([keras.Input(shape=(2, 3)), L.Flatten(), L.Dense(8, activation="relu"),
                              L.Dropout(0.5), L.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = data(16)
    history = model.fit(x.reshape(16, 2, 3), y, batch_size=8, epochs=1, verbose=0,
                        callbacks=[Probe()])
    rows = history.probes[-1]["layers"]
    assert [row["class"] for row in rows] == ["Flatten", "Dense", "Dropout", "Dense"]
    assert rows[0]["kernel_norm"] is None and rows[1]["kernel_norm"] > 0


def test_relu_and_leaky_relu_layers():
    model = keras.Sequential([keras.Input(shape=(6,)), L.Dense(8), L.ReLU(), L.Dense(8),
                              L.LeakyReLU(), L.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.layers[0].set_weights([np.zeros((6, 8)), np.full(8, -1.0)])
    x, y = data(16)
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Probe()])
    rows = history.probes[-1]["layers"]
    assert rows[1]["activation"] == "relu" and rows[1]["dead_share"] == 1.0
    assert rows[3]["activation"] == "leaky_relu" and rows[3]["dead_share"] is None


def test_a_second_fit_starts_new_records_and_a_fit_without_probe_has_none():
    model = mlp()
    x, y = data(16)
    probe = Probe()
    first = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    second = model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[probe])
    assert len(first.probes) == len(second.probes) == 2
    assert second.probes[0]["step"] == 0
    assert model.fit(x, y, batch_size=8, epochs=1, verbose=0).probes == []


def test_bad_arguments():
    with pytest.raises(ValueError, match="positive"):
        Probe(every=0)
    with pytest.raises(ValueError, match="'en' or 'ko'"):
        Probe(lang="fr")


def deep_sigmoid():
    return mlp(hidden=(16,) * 6, activation="sigmoid", kernel_initializer="glorot_uniform",
               optimizer=keras.optimizers.SGD(0.1))


def test_verbose_training_prints_a_finding_once_when_it_appears(capsys):
    x, y = data(64)
    history = deep_sigmoid().fit(x, y, batch_size=8, epochs=3, verbose=1, callbacks=[Probe()])
    lines = capsys.readouterr().out.splitlines()
    found = [i for i, line in enumerate(lines) if "vanishing_gradient" in line]
    assert len(found) == 1
    assert found[0] < lines.index("Epoch 2/3")                 # during epoch 1, not at the end
    assert lines[found[0]].startswith("[warning] vanishing_gradient (")
    printed = [line.split("]")[1].split()[0] for line in lines if line.startswith("[")]
    assert printed == [f.code for f in keras.diagnose(history)]


def test_quiet_training_prints_nothing_and_korean_on_request(capsys):
    x, y = data(64)
    deep_sigmoid().fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[Probe()])
    assert capsys.readouterr().out == ""
    deep_sigmoid().fit(x, y, batch_size=8, epochs=2, verbose=0,
                       callbacks=[Probe(verbose=1, lang="ko")])
    out = capsys.readouterr().out
    assert "vanishing_gradient" in out and "그래디언트가 소실되고 있습니다" in out
