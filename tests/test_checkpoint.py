"""ModelCheckpoint: names from the epoch and logs, save_best_only, weights only, save_freq."""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.callbacks import ModelCheckpoint


def model_and_data(n=32):
    model = glassnet.Sequential([glassnet.Input((5,)), layers.Dense(8, activation="relu"),
                                 layers.Dense(3, activation="softmax")])
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5)).astype("float32")
    return model, x, (x[:, 0] > 0).astype(int) + (x[:, 1] > 1).astype(int)


def test_every_epoch_with_the_epoch_and_logs_in_the_name(tmp_path):
    model, x, y = model_and_data()
    pattern = str(tmp_path / "ckpt-{epoch:02d}-{loss:.3f}.keras")
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0,
                        callbacks=[ModelCheckpoint(pattern, monitor="loss")])
    names = sorted(p.name for p in tmp_path.iterdir())
    expected = [f"ckpt-{epoch:02d}-{loss:.3f}.keras"
                for epoch, loss in enumerate(history.history["loss"], start=1)]
    assert names == expected
    last = glassnet.models.load_model(tmp_path / expected[-1])
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), last.get_weights()))
    assert last.optimizer.iterations == model.optimizer.iterations == 12


def test_save_best_only_keeps_the_best_epoch(tmp_path, capsys):
    model, x, y = model_and_data()
    path = tmp_path / "best.keras"
    best_weights = {}

    class Remember(glassnet.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            best_weights[epoch] = (logs["val_loss"], self.model.get_weights())

    model.compile(optimizer=glassnet.optimizers.SGD(2.0), loss="sparse_categorical_crossentropy")
    checkpoint = ModelCheckpoint(path, save_best_only=True, verbose=1)
    model.fit(x, y, epochs=6, batch_size=8, verbose=0, validation_split=0.25,
              callbacks=[Remember(), checkpoint])
    losses = [best_weights[e][0] for e in range(6)]
    best = int(np.argmin(losses))
    assert checkpoint.best == losses[best]
    saved = glassnet.models.load_model(path)
    assert all(np.array_equal(a, b) for a, b in zip(best_weights[best][1], saved.get_weights()))
    out = capsys.readouterr().out
    assert f"Epoch 1: val_loss improved from None to {losses[0]:.5f}, saving model to {path}" in out
    improved = [e for e in range(1, 6) if losses[e] < min(losses[:e])]
    assert out.count("improved from") == 1 + len(improved)
    assert out.count("did not improve") == 5 - len(improved)


def test_mode_max_for_accuracy_and_initial_threshold(tmp_path):
    model, x, y = model_and_data()
    path = tmp_path / "acc.keras"
    checkpoint = ModelCheckpoint(path, monitor="accuracy", save_best_only=True,
                                 initial_value_threshold=1.01)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert checkpoint.monitor_op == "max" and not path.exists()      # nothing beats 101 %
    checkpoint = ModelCheckpoint(path, monitor="accuracy", save_best_only=True)
    model.fit(x, y, epochs=2, verbose=0, callbacks=[checkpoint])
    assert path.exists()


def test_save_weights_only_and_batch_frequency(tmp_path):
    model, x, y = model_and_data()                     # 32 samples: 4 batches of 8 an epoch
    pattern = str(tmp_path / "w-{epoch}-{batch}.weights.h5")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(pattern, save_weights_only=True, save_freq=3)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w-1-3.weights.h5",
                                                           "w-2-2.weights.h5"]
    model.fit(x, y, epochs=2, batch_size=8, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "e{epoch}.weights.h5"),
                                         save_weights_only=True, save_freq=4)])
    other, _, _ = model_and_data()
    other.load_weights(tmp_path / "e2.weights.h5")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), other.get_weights()))


def test_missing_monitor_warns_and_saves(tmp_path):
    model, x, y = model_and_data()
    with pytest.warns(UserWarning, match="val_loss available"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[ModelCheckpoint(tmp_path / "m.keras", save_best_only=True)])
    assert (tmp_path / "m.keras").exists()


def test_nan_is_never_the_best(tmp_path):
    model, x, y = model_and_data()
    checkpoint = ModelCheckpoint(tmp_path / "m.keras", monitor="loss", save_best_only=True)
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"loss": float("nan")})
    assert not (tmp_path / "m.keras").exists() and checkpoint.best is None
    checkpoint.on_epoch_end(1, {"loss": 0.5})
    assert (tmp_path / "m.keras").exists() and checkpoint.best == 0.5


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match=r"ending in \.keras"):
        ModelCheckpoint(tmp_path / "m.h5")
    with pytest.raises(ValueError, match=r"ending in \.weights\.h5"):
        ModelCheckpoint(tmp_path / "m.keras", save_weights_only=True)
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(tmp_path / "m.keras", save_freq="batch")
    model, x, y = model_and_data()
    with pytest.raises(KeyError, match="val_accuracy"):
        model.fit(x, y, epochs=1, verbose=0,
                  callbacks=[ModelCheckpoint(str(tmp_path / "{val_accuracy}.keras"))])
    with pytest.raises(ValueError, match="mode='max'"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[ModelCheckpoint(
            tmp_path / "m.keras", monitor="something", save_best_only=True)])


def test_nested_directories_are_made(tmp_path):
    model, x, y = model_and_data()
    model.fit(x, y, epochs=1, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "runs" / "{epoch}" / "m.keras"))])
    assert (tmp_path / "runs" / "1" / "m.keras").exists()
