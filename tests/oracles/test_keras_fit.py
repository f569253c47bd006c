"""Keras 3 (torch backend) as the oracle for the engine's surface: summary() text and
parameter counts, which samples validation_split holds out, what evaluate/train_on_batch
return, History keys and params, the hooks fit calls, EarlyStopping on scripted values, the
progress lines, and whole training runs from the same weights."""
import contextlib
import io
import re

import numpy as np
import pytest

import glassnet
from tests.helpers import hook_recorder


def _both(keras, build):
    """The same model built by Keras and by glassnet, glassnet holding Keras's weights."""
    keras.backend.clear_session()
    glassnet.backend.clear_session()
    theirs, ours = build(keras), build(glassnet)
    if ours.built:
        ours.set_weights(theirs.get_weights())
    return theirs, ours


def _classifier(lib, hidden=8, classes=3, inputs=4):
    return lib.Sequential([lib.Input(shape=(inputs,)),
                           lib.layers.Dense(hidden, activation="relu", name="hidden"),
                           lib.layers.Dense(classes, activation="softmax", name="out")])


def _data(n=40, inputs=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, inputs)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5).astype("int64")


def _compile(model, lib, learning_rate=0.1, **kwargs):
    kwargs.setdefault("loss", "sparse_categorical_crossentropy")
    model.compile(optimizer=lib.optimizers.SGD(learning_rate), **kwargs)


# -- summary ---------------------------------------------------------------------------------------

def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lambda text, line_break=True: lines.append(text), **kwargs)
    return "".join(lines)


SUMMARY_MODELS = {
    "notes": lambda lib: lib.Sequential([
        lib.Input(shape=(8, 8)), lib.layers.Flatten(name="flatten"),
        lib.layers.Dense(300, activation="relu", name="dense"),
        lib.layers.Dense(100, activation="relu", name="dense_1"),
        lib.layers.Dense(10, activation="softmax", name="dense_2")], name="sequential"),
    "unbuilt": lambda lib: lib.Sequential([lib.layers.Dense(3, name="a"),
                                           lib.layers.Dense(2, name="b")], name="unbuilt"),
    "long-names-dropout-no-bias": lambda lib: lib.Sequential([
        lib.Input(shape=(5,)),
        lib.layers.Dense(300_000, use_bias=False, name="a_very_long_layer_name_for_the_table"),
        lib.layers.Dropout(0.5, name="drop"),
        lib.layers.Activation("relu", name="act")], name="wide_model_with_a_long_name"),
    "empty": lambda lib: lib.Sequential(name="empty"),
}


@pytest.mark.parametrize("name", list(SUMMARY_MODELS))
@pytest.mark.parametrize("options", [{}, {"line_length": 100}, {"show_trainable": True},
                                     {"line_length": 60, "positions": [0.5, 0.8, 1.0]}],
                         ids=["default", "line_length", "show_trainable", "positions"])
def test_summary_text_is_keras_text(keras, name, options):
    theirs, ours = _both(keras, SUMMARY_MODELS[name])
    assert _summary(ours, **options) == _summary(theirs, **options)


def test_summary_with_frozen_layer_and_optimizer_state(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data()
    for model, lib in ((theirs, keras), (ours, glassnet)):
        model.layers[0].trainable = False
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        assert "Optimizer params" not in _summary(model)
        model.fit(x, y, epochs=1, verbose=0)
    assert _summary(ours) == _summary(theirs)
    assert "Optimizer params" in _summary(ours)


def test_summary_of_the_notes_model_as_the_notes_build_it(keras):
    def notes(lib):
        model = lib.models.Sequential(name="sequential")
        model.add(lib.layers.Flatten(input_shape=[28, 28], name="flatten"))
        model.add(lib.layers.Dense(300, activation="relu", name="dense"))
        model.add(lib.layers.Dense(100, activation="relu", name="dense_1"))
        model.add(lib.layers.Dense(10, activation="softmax", name="dense_2"))
        return model

    with pytest.warns(UserWarning):                  # Keras warns about input_shape=; we do not
        theirs, ours = _both(keras, notes)
    assert _summary(ours) == _summary(theirs)
    assert ours.count_params() == theirs.count_params() == 266_610


def test_weights_in_keras_order_and_shapes(keras):
    theirs, ours = _both(keras, _classifier)
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.get_weights()]
    assert len(ours.layers) == len(theirs.layers) == 2


# -- fit, evaluate, train_on_batch ---------------------------------------------------------------

def test_training_run_matches_keras(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(50)
    weights = np.linspace(0.5, 1.5, 50)
    results = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["accuracy"])
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0,
                            validation_split=0.2, sample_weight=weights)
        results.append((history, model.get_weights()))
    (keras_history, keras_weights), (our_history, our_weights) = results
    assert list(our_history.history) == list(keras_history.history)
    assert our_history.params == keras_history.params
    assert our_history.epoch == keras_history.epoch
    for key in keras_history.history:
        np.testing.assert_allclose(our_history.history[key], keras_history.history[key],
                                   rtol=2e-5, atol=1e-6, err_msg=key)
    for a, b in zip(our_weights, keras_weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("n, split", [(40, 0.25), (10, 0.25), (7, 0.5), (33, 0.1)])
def test_validation_split_holds_out_the_same_samples(keras, n, split):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(n)
    results = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, learning_rate=0.0)        # no training: val_loss is a plain loss
        history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, validation_split=split)
        results.append((history.history["val_loss"][0], history.params["steps"]))
    assert results[1][1] == results[0][1]
    assert results[1][0] == pytest.approx(results[0][0], rel=1e-5)
    held_out = int(n - np.floor(n * (1 - split)))
    assert results[1][0] == pytest.approx(ours.evaluate(x[-held_out:], y[-held_out:], verbose=0),
                                          rel=1e-6)


@pytest.mark.parametrize("metrics", [None, ["accuracy"],
                                     ["sparse_categorical_crossentropy", "accuracy"],
                                     ["acc", "sparse_categorical_accuracy"]])
def test_evaluate_and_train_on_batch_return_keras_shapes(keras, metrics):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(16)
    results = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=metrics)
        results.append([model.evaluate(x, y, verbose=0),
                        model.evaluate(x, y, verbose=0, return_dict=True),
                        model.train_on_batch(x[:8], y[:8]),
                        model.train_on_batch(x[8:], y[8:], return_dict=True),
                        model.test_on_batch(x, y)])
    keras_results, our_results = results
    for theirs_value, ours_value in zip(keras_results, our_results):
        assert type(ours_value) is type(theirs_value)
        if isinstance(theirs_value, dict):
            assert list(ours_value) == list(theirs_value)
            theirs_value, ours_value = list(theirs_value.values()), list(ours_value.values())
        np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("steps", [2, 9])
def test_steps_limits_evaluate_and_predict_to_the_first_batches(keras, steps):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(20)
    results = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["accuracy"])
        results.append((model.evaluate(x, y, batch_size=4, steps=steps, verbose=0),
                        np.asarray(model.predict(x, batch_size=4, steps=steps, verbose=0))))
    (keras_evaluation, keras_outputs), (our_evaluation, our_outputs) = results
    np.testing.assert_allclose(our_evaluation, keras_evaluation, rtol=1e-5)
    assert our_outputs.shape == keras_outputs.shape == (min(4 * steps, 20), 3)
    np.testing.assert_allclose(our_outputs, keras_outputs, rtol=1e-5, atol=1e-6)


def test_history_keys_without_validation_and_with_validation_data(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(20)
    keys = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["sparse_categorical_crossentropy", "accuracy"])
        plain = model.fit(x, y, epochs=1, verbose=0)
        validated = model.fit(x, y, epochs=2, verbose=0, validation_data=(x[:5], y[:5]))
        keys.append((list(plain.history), list(validated.history), validated.params))
    assert keys[1] == keys[0]


def test_class_weight_matches_keras(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(24)
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib)
        model.fit(x, y, batch_size=6, epochs=2, shuffle=False, verbose=0,
                  class_weight={0: 0.3, 1: 2.0})
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


def test_to_categorical_matches_keras(keras):
    for labels, classes in [([0, 2, 1], None), ([[1], [0]], 4), ([3, 3, 0], 5)]:
        expected = keras.utils.to_categorical(labels, classes)
        ours = glassnet.utils.to_categorical(labels, classes)
        assert ours.dtype == expected.dtype and ours.shape == expected.shape
        np.testing.assert_array_equal(ours, expected)


# -- callbacks ------------------------------------------------------------------------------------

def test_fit_evaluate_predict_call_the_hooks_keras_calls(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(12)
    calls = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["accuracy"])
        recorder = hook_recorder(lib.callbacks.Callback)
        model.fit(x, y, batch_size=5, epochs=2, validation_split=0.25, verbose=0,
                  callbacks=[recorder])
        model.evaluate(x, y, batch_size=5, verbose=0, callbacks=[recorder])
        model.predict(x, batch_size=5, verbose=0, callbacks=[recorder])
        calls.append(recorder.calls)
    assert calls[1] == calls[0]


def _script(base, values, key):
    class Script(base):
        """Overwrites the monitored value with a scripted one; keeps each epoch's weights."""

        def __init__(self):
            super().__init__()
            self.weights = []

        def on_epoch_end(self, epoch, logs=None):
            logs[key] = values[epoch]
            self.weights.append(self.model.get_weights())
    return Script()


EARLY_STOPPING_SCRIPTS = [
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 2}),
    ([1.0, 0.9, 0.95, 0.96, 0.8, 0.7], {"patience": 0}),
    ([1.0, 1.0, 1.0], {}),
    ([1.0, 0.95, 0.94, 0.93], {"min_delta": 0.1, "patience": 1}),
    ([1.0, 0.9, 0.8, 0.85], {"baseline": 0.5, "patience": 2}),
    ([1.0, 1.1, 1.2], {"baseline": 0.5, "patience": 2}),
    ([1.0, 2.0, 3.0, 3.5, 3.6], {"start_from_epoch": 2, "patience": 1}),
    ([0.5, 0.6, 0.4, 0.7], {"mode": "max", "patience": 1}),
    ([1.0, 0.5, 0.7, 0.8, 0.9], {"patience": 2, "restore_best_weights": True}),
    ([1.0, 0.5, 0.7], {"patience": 5, "restore_best_weights": True}),
    ([1.2, 1.1, 1.3], {"patience": 1, "restore_best_weights": True, "baseline": 0.1}),
    ([float("nan"), 1.0, 0.5], {"patience": 1}),
]


@pytest.mark.parametrize("values, options", EARLY_STOPPING_SCRIPTS)
def test_early_stopping_matches_keras_on_scripts(keras, values, options):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(12)
    outcomes = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib)
        script = _script(lib.callbacks.Callback, values, "val_loss")
        stopper = lib.callbacks.EarlyStopping(**options)
        history = model.fit(x, y, batch_size=4, epochs=len(values), verbose=0,
                            validation_split=0.25, callbacks=[script, stopper])
        final = model.get_weights()
        restored = [i for i, w in enumerate(script.weights)
                    if all(np.array_equal(a, b) for a, b in zip(w, final))]
        outcomes.append((history.epoch, stopper.stopped_epoch, stopper.best_epoch, stopper.wait,
                         restored))
    assert outcomes[1] == outcomes[0]


def test_early_stopping_on_accuracy_in_auto_mode_matches_keras(keras):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(12)
    outcomes = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["accuracy"])
        script = _script(lib.callbacks.Callback, [0.5, 0.7, 0.6, 0.65, 0.9], "val_accuracy")
        stopper = lib.callbacks.EarlyStopping(monitor="val_accuracy", patience=2)
        history = model.fit(x, y, epochs=5, verbose=0, validation_split=0.25,
                            callbacks=[script, stopper])
        outcomes.append((history.epoch, stopper.best_epoch))
    assert outcomes[1] == outcomes[0]


# -- progress lines -------------------------------------------------------------------------------

def _final_lines(text):
    """What a terminal finally shows: ANSI codes removed, each line's last redraw."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\b", "")
    return [line.split("\r")[-1].rstrip() for line in text.split("\n") if line.split("\r")[-1]]


def _masked(line):
    """Times and numbers replaced, so that lines from two libraries compare."""
    line = re.sub(r"\d+(us|ms|s)/step", "T/step", line)
    line = re.sub(r" \d+s ", " Ts ", line)
    line = re.sub(r" - \d+s - ", " - Ts - ", line)
    return re.sub(r": -?\d\.\d{4}(e[-+]\d\d)?", ": V", line)


@pytest.mark.parametrize("verbose", [1, 2])
def test_progress_lines_have_keras_format(keras, verbose):
    theirs, ours = _both(keras, _classifier)
    x, y = _data(40)
    outputs = []
    for model, lib in ((theirs, keras), (ours, glassnet)):
        _compile(model, lib, metrics=["accuracy"])
        stream = io.StringIO()
        with contextlib.redirect_stdout(stream):
            model.fit(x, y, batch_size=8, epochs=2, validation_split=0.25, verbose=verbose)
            model.evaluate(x, y, batch_size=8, verbose=verbose)
            model.predict(x, batch_size=8, verbose=verbose)
        outputs.append([_masked(line) for line in _final_lines(stream.getvalue())])
    assert outputs[1] == outputs[0]
