"""Callbacks: the hooks fit/evaluate/predict call and in what order, History, EarlyStopping on
scripted loss sequences (Keras 3's rules), TerminateOnNaN, the progress bar's lines. Keras runs
the same scripts in tests/oracles/test_keras_fit.py."""
import io
import re

import numpy as np
import pytest

import glassnet
from glassnet import callbacks, layers, models
from tests.helpers import hook_recorder


def _model(seed=0):
    glassnet.utils.set_random_seed(seed)
    model = models.Sequential([layers.Input(shape=(3,)), layers.Dense(4, "relu"),
                               layers.Dense(2, "softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _data(n=12):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype(int)


FIT_HOOKS = [("on_train_begin",), ("on_epoch_begin", 0),
             ("on_train_batch_begin", 0), ("on_batch_begin", 0),
             ("on_train_batch_end", 0), ("on_batch_end", 0),
             ("on_train_batch_begin", 1), ("on_batch_begin", 1),
             ("on_train_batch_end", 1), ("on_batch_end", 1),
             ("on_test_begin",), ("on_test_batch_begin", 0), ("on_test_batch_end", 0),
             ("on_test_end",), ("on_epoch_end", 0), ("on_train_end",)]


def test_fit_calls_the_hooks_in_keras_order():
    recorder = hook_recorder(callbacks.Callback)
    x, y = _data(12)
    _model().fit(x, y, batch_size=5, epochs=1, validation_split=0.25, verbose=0,
                 callbacks=[recorder])
    assert recorder.calls == FIT_HOOKS


def test_evaluate_and_predict_hooks():
    x, y = _data(6)
    model = _model()
    recorder = hook_recorder(callbacks.Callback)
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("on_test_begin",), ("on_test_batch_begin", 0),
                              ("on_test_batch_end", 0), ("on_test_batch_begin", 1),
                              ("on_test_batch_end", 1), ("on_test_end",)]
    recorder.calls.clear()
    model.predict(x, batch_size=4, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("on_predict_begin",), ("on_predict_batch_begin", 0),
                              ("on_predict_batch_end", 0), ("on_predict_batch_begin", 1),
                              ("on_predict_batch_end", 1), ("on_predict_end",)]


def test_batch_logs_are_running_means_and_batch_end_alias_works():
    seen = []

    class OldStyle(callbacks.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append((batch, sorted(logs)))

    x, y = _data(12)
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[OldStyle()])
    assert seen == [(0, ["accuracy", "loss"]), (1, ["accuracy", "loss"]),
                    (2, ["accuracy", "loss"])]


def test_callback_list_skips_unused_batch_hooks():
    plain = callbacks.CallbackList([callbacks.EarlyStopping()], add_history=True,
                                   add_progbar=True, verbose=1, epochs=1, steps=1)
    assert not any(plain.uses(h) for h in ("on_train_batch_begin", "on_train_batch_end",
                                           "on_test_batch_end", "on_predict_batch_end"))
    nan = callbacks.CallbackList([callbacks.TerminateOnNaN()], verbose=0, epochs=1, steps=1)
    assert nan.uses("on_train_batch_end") and not nan.uses("on_train_batch_begin")


def test_callback_list_adds_history_and_progbar_once():
    history = callbacks.History()
    listed = callbacks.CallbackList([history], add_history=True, add_progbar=True)
    assert listed.history is history
    assert sum(isinstance(c, callbacks.ProgbarLogger) for c in listed) == 1
    assert [type(c).__name__ for c in callbacks.CallbackList([], add_history=True,
                                                              add_progbar=True)] == \
        ["History", "ProgbarLogger"]


def test_callbacks_must_be_callbacks():
    x, y = _data()
    with pytest.raises(TypeError, match="Callback"):
        _model().fit(x, y, verbose=0, callbacks=[print])


def test_a_history_passed_in_accumulates_over_fits():
    history = callbacks.History()
    x, y = _data()
    model = _model()
    model.fit(x, y, epochs=2, verbose=0, callbacks=[history])
    returned = model.fit(x, y, epochs=1, verbose=0, callbacks=[history])
    assert returned is history and len(history.history["loss"]) == 3
    assert history.epoch == [0] and history.probes == []


# -- EarlyStopping on scripted values --------------------------------------------------------------

class Script(callbacks.Callback):
    """Replaces the monitored value by a scripted one, and keeps each epoch's weights."""

    def __init__(self, values, key="val_loss"):
        super().__init__()
        self.values, self.key, self.weights = values, key, []

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]
        self.weights.append(self.model.get_weights())


def run_early_stopping(values, key="val_loss", epochs=None, **options):
    """(epochs run, best epoch, which epoch's weights the model ends with) for a script."""
    script, stopper = Script(values, key), callbacks.EarlyStopping(monitor=key, **options)
    x, y = _data()
    model = _model()
    history = model.fit(x, y, epochs=epochs or len(values), batch_size=4, verbose=0,
                        validation_split=0.25, callbacks=[script, stopper])
    final = model.get_weights()
    ends_with = [i for i, w in enumerate(script.weights)
                 if all(np.array_equal(a, b) for a, b in zip(w, final))]
    return len(history.epoch), stopper.best_epoch, ends_with


# (values, options, epochs run, best epoch) worked by hand from Keras 3's early_stopping.py
EARLY_STOPPING_CASES = [
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 2}, 4, 1),
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 0}, 3, 1),
    ([1.0, 1.0, 1.0], {}, 2, 0),                               # equal is no improvement
    ([1.0, 0.95, 0.94, 0.93], {"min_delta": 0.1, "patience": 1}, 2, 0),
    ([1.0, 0.95, 0.94, 0.93], {"min_delta": -0.1, "patience": 1}, 2, 0),   # |min_delta|
    ([1.0, 0.9, 0.8, 0.85], {"baseline": 0.5, "patience": 2}, 4, 2),
    ([1.0, 1.1, 1.2], {"baseline": 0.5, "patience": 2}, 2, 0),
    ([1.0, 2.0, 3.0, 3.5, 3.6], {"start_from_epoch": 2, "patience": 1}, 4, 2),
    ([1.0, 2.0, 3.0, 3.5, 3.6], {"patience": 1}, 2, 0),
    ([0.5, 0.6, 0.4, 0.7], {"mode": "max", "patience": 1}, 3, 1),
    ([float("nan"), 1.0, 0.5], {"patience": 1}, 2, 0),
]


@pytest.mark.parametrize("values, options, epochs_run, best", EARLY_STOPPING_CASES)
def test_early_stopping_follows_keras_rules(values, options, epochs_run, best):
    ran, best_epoch, _ = run_early_stopping(values, **options)
    assert (ran, best_epoch) == (epochs_run, best)


def test_early_stopping_monitors_accuracy_upward():
    ran, best, _ = run_early_stopping([0.5, 0.7, 0.6, 0.65], key="val_accuracy", patience=2)
    assert (ran, best) == (4, 1)


def test_restore_best_weights_when_stopped():
    ran, best, ends_with = run_early_stopping([1.0, 0.5, 0.7, 0.8, 0.9], patience=2,
                                              restore_best_weights=True)
    assert (ran, best) == (4, 1) and ends_with == [1]


def test_restore_best_weights_also_without_stopping():
    ran, best, ends_with = run_early_stopping([1.0, 0.5, 0.7], patience=5,
                                              restore_best_weights=True)
    assert (ran, best) == (3, 1) and ends_with == [1]


def test_no_restore_keeps_the_last_weights():
    _, _, ends_with = run_early_stopping([1.0, 0.5, 0.7, 0.8], patience=2)
    assert ends_with == [3]


def test_early_stopping_messages(capsys):
    run_early_stopping([1.0, 0.5, 0.7, 0.8], patience=2, restore_best_weights=True, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 4: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 2." in out


def test_early_stopping_on_a_missing_value_warns_and_trains_on():
    x, y = _data()
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        history = _model().fit(x, y, epochs=3, verbose=0,
                               callbacks=[callbacks.EarlyStopping(patience=0)])
    assert len(history.epoch) == 3


def test_early_stopping_without_a_direction_fails_before_training():
    x, y = _data()
    model = _model()
    before = model.get_weights()
    with pytest.raises(ValueError, match="mode='max'"):
        model.fit(x, y, epochs=2, verbose=0,
                  callbacks=[callbacks.EarlyStopping(monitor="val_mystery")])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_unknown_mode_falls_back_to_auto_with_a_warning():
    with pytest.warns(UserWarning, match="fallback to auto"):
        assert callbacks.EarlyStopping(mode="lowest").mode == "auto"


# -- TerminateOnNaN --------------------------------------------------------------------------------

def test_terminate_on_nan_can_raise():
    stopper = callbacks.TerminateOnNaN(raise_error=True)
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 3"):
        stopper.on_batch_end(3, {"loss": float("inf")})
    stopper.on_batch_end(4, {"loss": 1.0})


# -- the progress bar ------------------------------------------------------------------------------

BAR_LINE = r"\d+/\d+ ━{20} \d+s \d+(us|ms|s)/step"
VALUES = r" - accuracy: \d\.\d{4}(e[-+]\d\d)? - loss: \d\.\d{4}(e[-+]\d\d)?"


def test_verbose_1_prints_keras_lines_off_a_terminal(capsys):
    x, y = _data(12)
    _model().fit(x, y, batch_size=4, epochs=2, validation_split=0.25)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    for line in (lines[1], lines[3]):
        assert re.fullmatch("3/3 ━{20} " + r"\d+s \d+(us|ms|s)/step" + VALUES
                            + r" - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}", line), line


def test_verbose_2_prints_one_plain_line_per_epoch(capsys):
    x, y = _data(12)
    _model().fit(x, y, batch_size=4, epochs=1, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1                                    # no "Epoch 1/1" for one epoch
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step" + VALUES, lines[0]), lines[0]


def test_evaluate_and_predict_print_one_line_and_verbose_0_nothing(capsys):
    x, y = _data(12)
    model = _model()
    model.evaluate(x, y, batch_size=4)
    model.predict(x, batch_size=4)
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch("3/3 ━{20} " + r"\d+s \d+(us|ms|s)/step" + VALUES, lines[0]), lines[0]
    assert re.fullmatch("3/3 ━{20} " + r"\d+s \d+(us|ms|s)/step", lines[1]), lines[1]
    model.fit(x, y, verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr().out == ""


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_redraws_in_place_on_a_terminal():
    stream = Terminal()
    bar = callbacks.Progbar(target=4, stream=stream, interval=0.0)
    for step in range(1, 4):
        bar.update(step, [("loss", 0.5)], finalize=False)
    bar.update(4, [("loss", 0.25)], finalize=True)
    text = stream.getvalue()
    assert text.count("\r") == 4 and text.endswith("\n") and text.count("\n") == 1
    assert "\x1b[32m" in text                                  # Keras's green for the done part
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text.split("\r")[-1])
    assert re.fullmatch(r"4/4 ━{20} \d+s \d+(us|ms|s)/step - loss: 0\.2500\n", plain)


def test_progress_values_use_keras_number_format():
    stream = io.StringIO()
    bar = callbacks.Progbar(target=10, stream=stream)
    bar.update(10, [("a", 0.0005), ("b", 12.3456789), ("c", float("nan")), ("d", 0.0)])
    line = stream.getvalue()
    assert "a: 5.0000e-04 - b: 12.3457 - c: nan - d: 0.0000e+00" in line
    assert line.startswith("10/10 ")
