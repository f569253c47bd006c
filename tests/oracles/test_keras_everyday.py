"""Keras 3 (torch backend) as the oracle of the everyday features: AdamW, Adamax, Nadam,
learning-rate schedules, regularizers, BatchNormalization and the other layers of issue 6,
the callbacks around the learning rate, and fit/evaluate's extra arguments.

float32 throughout, as Keras runs; agreement is to a few units in the last place of the
largest entry of each array, or a stated relative tolerance where float32 sums of different
order differ (a loss over a batch).
"""
import re

import numpy as np
import pytest

import glassnet
from glassnet import layers, optimizers
from glassnet.optimizers import schedules
from tests.oracles.shared import (assert_close, assert_config_as_keras, keras_numpy,
                                  step_side_by_side)


# Keras's own conversions warn about NumPy 2's copy keyword; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


# -- optimizers and schedules -----------------------------------------------------------------
OPTIMIZER_CASES = [
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.01, "beta_2": 0.9, "clipnorm": 1.0}),
    ("Nadam", {"weight_decay": 0.05, "global_clipnorm": 2.0}),
    ("Adamax", {"clipvalue": 0.5}),
]

SCHEDULE_CASES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5,
                          "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [2, 5], "values": [0.1, 0.05, 0.01]}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5,
                          "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 5}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 5, "alpha": 0.1,
                     "warmup_target": 0.1, "warmup_steps": 3}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "power": 2.0}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 3, "cycle": True}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 2}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 3,
                             "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
]


def _run_both(keras, name, keras_kwargs, our_kwargs, steps=8):
    return step_side_by_side(keras, name, keras_kwargs, our_kwargs, seed=11, steps=steps)


@pytest.mark.parametrize("name, kwargs", OPTIMIZER_CASES,
                         ids=[f"{n}-{k}" for n, k in OPTIMIZER_CASES])
def test_new_optimizers_every_variable_after_every_step(keras, name, kwargs):
    theirs, ours = _run_both(keras, name, kwargs, kwargs)
    assert ours.count_params() == sum(int(np.prod(v.shape)) for v in theirs.variables)


@pytest.mark.parametrize("name, kwargs", OPTIMIZER_CASES,
                         ids=[f"{n}-{k}" for n, k in OPTIMIZER_CASES])
def test_new_optimizers_config_as_keras(keras, name, kwargs):
    assert_config_as_keras(keras, name, kwargs)
    assert type(optimizers.get(name.lower())) is getattr(optimizers, name)
    assert type(keras.optimizers.get(name.lower())).__name__ == name


@pytest.mark.parametrize("name, kwargs", SCHEDULE_CASES,
                         ids=[f"{n}-{k}" for n, k in SCHEDULE_CASES])
def test_schedule_rate_per_step(keras, name, kwargs):
    theirs = getattr(keras.optimizers.schedules, name)(**kwargs)
    ours = getattr(schedules, name)(**kwargs)
    want = np.array([float(keras_numpy(keras, theirs(step))) for step in range(40)])
    got = np.array([float(ours(step)) for step in range(40)])
    np.testing.assert_allclose(got, want, rtol=2 * np.finfo(np.float32).eps, atol=1e-12)
    assert ours.get_config() == theirs.get_config()
    keras_form = keras.optimizers.schedules.serialize(theirs)
    assert schedules.deserialize(keras_form).get_config() == theirs.get_config()


@pytest.mark.parametrize("name, kwargs", SCHEDULE_CASES[::2],
                         ids=[f"{n}-{k}" for n, k in SCHEDULE_CASES[::2]])
@pytest.mark.parametrize("optimizer, options", [("SGD", {"momentum": 0.9, "weight_decay": 0.01}),
                                                ("Adam", {}), ("Nadam", {})])
def test_scheduled_optimizer_every_variable_after_every_step(keras, name, kwargs, optimizer,
                                                            options):
    theirs, ours = _run_both(
        keras, optimizer,
        {**options, "learning_rate": getattr(keras.optimizers.schedules, name)(**kwargs)},
        {**options, "learning_rate": getattr(schedules, name)(**kwargs)})
    assert float(ours.learning_rate) == pytest.approx(float(keras_numpy(keras, theirs.learning_rate)),
                                                      rel=1e-6, abs=1e-12)
    config = theirs.get_config()
    rebuilt = getattr(optimizers, optimizer).from_config(config)
    assert rebuilt.learning_rate_schedule.get_config() == config["learning_rate"]["config"]


# -- the same code on both: `import glassnet as keras` ----------------------------------------
def _pair(keras, build, **compile_args):
    """The model ``build(module)`` makes, in Keras and in glassnet, with Keras's weights."""
    theirs, ours = build(keras), build(glassnet)
    ours.set_weights(theirs.get_weights())
    if compile_args:
        for module, model in ((keras, theirs), (glassnet, ours)):
            args = {k: v(module) if callable(v) else v for k, v in compile_args.items()}
            model.compile(**args)
    return theirs, ours


def _xy(n=16, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, features)).astype(np.float32), np.arange(n) % classes


def _regularized(k):
    return k.Sequential([
        k.Input(shape=(4,)),
        k.layers.Dense(6, activation="tanh", kernel_regularizer=k.regularizers.L2(0.05),
                       bias_regularizer=k.regularizers.L1(0.02),
                       activity_regularizer=k.regularizers.L1L2(l1=0.01, l2=0.03)),
        k.layers.Dense(3, activation="softmax", kernel_regularizer=k.regularizers.L1L2(0.01,
                                                                                       0.01))])


def test_regularized_loss_and_training_steps(keras):
    theirs, ours = _pair(keras, _regularized, optimizer=lambda k: k.optimizers.SGD(0.1),
                         loss="sparse_categorical_crossentropy")
    x, y = _xy()
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0),
                                                           rel=1e-6)
    assert float(sum(ours.losses)) == pytest.approx(
        float(sum(keras_numpy(keras, v) for v in theirs.losses)), rel=1e-6)
    for step in range(5):
        batch = slice(4 * step % 16, 4 * step % 16 + 4)
        want = theirs.train_on_batch(x[batch], y[batch])
        got = ours.train_on_batch(x[batch], y[batch])
        assert got == pytest.approx(want, rel=1e-5), f"step {step}"
        assert_close(theirs.get_weights(), ours.get_weights(), f"step {step}", 1e-5)


def test_regularized_history_as_keras(keras):
    theirs, ours = _pair(keras, _regularized, optimizer="adam",
                         loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = _xy()
    kwargs = dict(batch_size=5, epochs=3, shuffle=False, verbose=0, validation_split=0.25)
    want, got = theirs.fit(x, y, **kwargs).history, ours.fit(x, y, **kwargs).history
    assert list(got) == list(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, err_msg=key)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 1e-5)


def test_regularizer_configs_as_keras(keras):
    for name in ("l1", "l2", "L1", "L2", "L1L2", "l1l2"):
        want = keras.regularizers.get(name).get_config()
        got = glassnet.regularizers.get(name).get_config()
        assert got == pytest.approx(want, rel=1e-7), name        # Keras's L1 is float32
    dense_theirs = keras.layers.Dense(3, kernel_regularizer="l2", bias_regularizer="l1",
                                      activity_regularizer=keras.regularizers.L1L2(0.1, 0.2))
    dense_ours = layers.Dense(3, kernel_regularizer="l2", bias_regularizer="l1",
                              activity_regularizer=glassnet.regularizers.L1L2(0.1, 0.2))
    want, got = dense_theirs.get_config(), dense_ours.get_config()
    for key in ("kernel_regularizer", "bias_regularizer", "activity_regularizer"):
        assert got[key]["class_name"] == want[key]["class_name"]
        assert got[key]["config"] == pytest.approx(want[key]["config"], rel=1e-7)
    assert [k for k in got if k in want] == [k for k in want if k in got]   # Keras's order


# -- BatchNormalization -----------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"momentum": 0.5, "epsilon": 1e-2},
                                     {"center": False}, {"scale": False}],
                         ids=["defaults", "momentum-epsilon", "no-center", "no-scale"])
def test_batchnorm_outputs_in_both_modes(keras, options):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((10, 5)) * 3 + 1).astype(np.float32)
    theirs, ours = keras.layers.BatchNormalization(**options), layers.BatchNormalization(**options)
    theirs.build((None, 5))
    ours.build((None, 5))
    start = [rng.standard_normal(w.shape).astype(np.float32) for w in theirs.get_weights()]
    start[-1] = np.abs(start[-1]) + 0.5                            # a variance
    theirs.set_weights(start)
    ours.set_weights(start)
    for training in (False, True, False):
        want = keras_numpy(keras, theirs(x, training=training))
        got = ours(x, training=training)
        assert_close([want], [got], f"training={training}", 1e-5)
        assert_close(theirs.get_weights(), ours.get_weights(), "weights after", 1e-6)


def _normalized(k):
    return k.Sequential([k.Input(shape=(4,)), k.layers.Dense(6, use_bias=False),
                         k.layers.BatchNormalization(momentum=0.8), k.layers.Activation("relu"),
                         k.layers.Dense(3, activation="softmax")])


def test_batchnorm_moving_statistics_after_training_steps(keras):
    theirs, ours = _pair(keras, _normalized, optimizer=lambda k: k.optimizers.SGD(0.05,
                                                                                  momentum=0.9),
                         loss="sparse_categorical_crossentropy")
    x, y = _xy(24)
    kwargs = dict(batch_size=8, epochs=3, shuffle=False, verbose=0)
    want, got = theirs.fit(x, y, **kwargs).history, ours.fit(x, y, **kwargs).history
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights and moving statistics",
                  1e-5)
    assert_close([theirs.predict(x, verbose=0)], [ours.predict(x, verbose=0)], "predict", 1e-5)
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0),
                                                           rel=1e-5)


def test_batchnorm_weights_and_summary_as_keras(keras):
    theirs, ours = _pair(keras, _normalized)
    assert [w.shape for w in ours.get_weights()] == [w.shape for w in theirs.get_weights()]
    assert len(ours.non_trainable_weights) == len(theirs.non_trainable_weights) == 2
    assert ours.count_params() == theirs.count_params()
    lines_theirs, lines_ours = [], []
    theirs.summary(print_fn=lambda text, **_: lines_theirs.append(text))
    ours.summary(print_fn=lines_ours.append)
    totals = lambda text: [l for l in text.splitlines() if "params" in l]   # noqa: E731
    assert totals(lines_ours[0]) == totals(lines_theirs[0])


# -- the other layers -------------------------------------------------------------------------
LAYER_CASES = [
    ("LeakyReLU", {}), ("LeakyReLU", {"negative_slope": 0.05}),
    ("ReLU", {}), ("ReLU", {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.5}),
    ("Softmax", {}), ("Softmax", {"axis": 1}),
    ("Reshape", {"target_shape": (2, -1)}), ("Reshape", {"target_shape": (4, 3)}),
    ("GaussianNoise", {"stddev": 0.3}),
]


@pytest.mark.parametrize("name, options", LAYER_CASES, ids=[f"{n}-{o}" for n, o in LAYER_CASES])
def test_layer_outputs_and_config_as_keras(keras, name, options):
    x = (np.random.default_rng(4).standard_normal((5, 3, 4)) * 2).astype(np.float32)
    theirs, ours = getattr(keras.layers, name)(**options), getattr(layers, name)(**options)
    assert_close([keras_numpy(keras, theirs(x))], [ours(x)], name)          # inference mode
    want, got = theirs.get_config(), ours.get_config()
    for key in ("name", "dtype"):
        want.pop(key), got.pop(key)
    assert got == want


def test_gaussian_noise_trains_with_the_right_spread(keras):
    x = np.zeros((2000, 10), np.float32)
    theirs = keras_numpy(keras, keras.layers.GaussianNoise(0.3, seed=1)(x, training=True))
    ours = layers.GaussianNoise(0.3, seed=1)(x, training=True)
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert abs(ours.mean()) < 0.01 and abs(theirs.mean()) < 0.01


def test_activation_layers_train_as_keras(keras):
    def build(k):
        return k.Sequential([k.Input(shape=(4,)), k.layers.Dense(6), k.layers.LeakyReLU(0.1),
                             k.layers.Dense(5), k.layers.ReLU(max_value=2.0),
                             k.layers.Reshape((5, 1)), k.layers.Reshape((5,)),
                             k.layers.Dense(3), k.layers.Softmax()])
    theirs, ours = _pair(keras, build, optimizer="rmsprop",
                         loss="sparse_categorical_crossentropy")
    x, y = _xy(20)
    kwargs = dict(batch_size=4, epochs=2, shuffle=False, verbose=0)
    want, got = theirs.fit(x, y, **kwargs).history, ours.fit(x, y, **kwargs).history
    np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-5)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 2e-5)


def test_keras_files_with_the_new_parts_round_trip(keras, tmp_path):
    def build(k):
        return k.Sequential([
            k.Input(shape=(4,)),
            k.layers.Dense(6, kernel_regularizer=k.regularizers.L2(0.1),
                           activity_regularizer=k.regularizers.L1(0.01)),
            k.layers.BatchNormalization(momentum=0.9), k.layers.LeakyReLU(0.2),
            k.layers.GaussianNoise(0.1), k.layers.Reshape((3, 2)), k.layers.Reshape((6,)),
            k.layers.Dense(3), k.layers.ReLU(), k.layers.Softmax()])
    theirs, ours = _pair(keras, build)
    x, y = _xy()
    for module, model in ((keras, theirs), (glassnet, ours)):
        model.compile(optimizer=module.optimizers.Nadam(module.optimizers.schedules.CosineDecay(
            0.01, 100)), loss="sparse_categorical_crossentropy")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    theirs.save(tmp_path / "keras.keras")
    ours.save(tmp_path / "glassnet.keras")
    from_keras = glassnet.models.load_model(tmp_path / "keras.keras")
    from_glassnet = keras.models.load_model(tmp_path / "glassnet.keras")
    assert_close([theirs.predict(x, verbose=0)], [from_keras.predict(x, verbose=0)],
                  "glassnet reads Keras's file", 1e-5)
    assert_close([ours.predict(x, verbose=0)], [from_glassnet.predict(x, verbose=0)],
                  "Keras reads glassnet's file", 1e-5)
    assert from_keras.optimizer.iterations == 2
    assert isinstance(from_keras.optimizer.learning_rate_schedule, schedules.CosineDecay)
    assert type(from_glassnet.optimizer.learning_rate).__name__ != "float"


# -- fit / evaluate arguments, batch methods, data types --------------------------------------
def _classifier(k):
    return k.Sequential([k.Input(shape=(4,)), k.layers.Dense(5, activation="relu"),
                         k.layers.Dense(3, activation="softmax")])


def _compiled_pair(keras, optimizer=lambda k: k.optimizers.SGD(0.1)):
    return _pair(keras, _classifier, optimizer=optimizer,
                 loss="sparse_categorical_crossentropy", metrics=["accuracy"])


def _assert_histories(want, got, rtol=1e-5):
    assert list(got.history) == list(want.history)
    assert got.epoch == want.epoch
    for key in want.history:
        np.testing.assert_allclose(got.history[key], want.history[key], rtol=rtol, err_msg=key)


@pytest.mark.parametrize("kwargs", [
    {"class_weight": {0: 1.0, 1: 2.5, 2: 0.5}},
    {"epochs": 4, "initial_epoch": 2},
    {"epochs": 4, "validation_split": 0.25, "validation_freq": 2},
    {"epochs": 3, "validation_split": 0.25, "validation_freq": [1, 3]},
], ids=["class_weight", "initial_epoch", "validation_freq", "validation_freq-list"])
def test_fit_arguments_as_keras(keras, kwargs):
    theirs, ours = _compiled_pair(keras)
    x, y = _xy(24)
    options = {"batch_size": 6, "epochs": 2, "shuffle": False, "verbose": 0, **kwargs}
    _assert_histories(theirs.fit(x, y, **options), ours.fit(x, y, **options))
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 1e-5)


def test_evaluate_and_batch_methods_as_keras(keras):
    theirs, ours = _compiled_pair(keras)
    x, y = _xy(20)
    weights = np.linspace(0.0, 2.0, len(x)).astype(np.float32)
    want = theirs.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
    got = ours.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
    assert list(got) == list(want)
    assert got == pytest.approx(want, rel=1e-5)
    assert ours.test_on_batch(x, y) == pytest.approx(theirs.test_on_batch(x, y), rel=1e-5)
    assert ours.test_on_batch(x, y, sample_weight=weights, return_dict=True) == pytest.approx(
        theirs.test_on_batch(x, y, sample_weight=weights, return_dict=True), rel=1e-5)
    assert_close([theirs.predict_on_batch(x)], [ours.predict_on_batch(x)], "predict", 1e-6)
    assert ours.train_on_batch(x, y, class_weight={0: 2.0}) == pytest.approx(
        theirs.train_on_batch(x, y, class_weight={0: 2.0}), rel=1e-5)


def test_metrics_sharing_a_name_are_logged_apart_as_keras(keras):
    theirs, ours = _pair(keras, _classifier, optimizer=lambda k: k.optimizers.SGD(0.1),
                         loss="sparse_categorical_crossentropy",
                         metrics=["accuracy", "accuracy"], weighted_metrics=["accuracy"])
    x, y = _xy(20)
    weights = np.linspace(0.0, 2.0, len(x)).astype(np.float32)
    want = theirs.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
    got = ours.evaluate(x, y, sample_weight=weights, return_dict=True, verbose=0)
    assert sorted(got) == sorted(want) == ["accuracy", "accuracy_1", "loss",
                                           "weighted_accuracy"]
    assert got == pytest.approx(want, rel=1e-5)
    assert got["weighted_accuracy"] != pytest.approx(got["accuracy"])   # both are there
    options = dict(batch_size=5, epochs=1, shuffle=False, verbose=0, sample_weight=weights)
    assert sorted(ours.fit(x, y, **options).history) == sorted(theirs.fit(x, y, **options).history)


def test_pandas_objects_as_keras(keras):
    pandas = require_pandas()
    theirs, ours = _compiled_pair(keras)
    x, y = _xy(16)
    frame, series = pandas.DataFrame(x, columns=list("abcd")), pandas.Series(y)
    options = dict(batch_size=4, epochs=2, shuffle=False, verbose=0,
                   validation_data=(frame, series))
    _assert_histories(theirs.fit(frame, series, **options), ours.fit(frame, series, **options))
    assert ours.evaluate(frame, series, verbose=0) == pytest.approx(
        theirs.evaluate(frame, series, verbose=0), rel=1e-5)
    assert_close([theirs.predict(frame, verbose=0)], [ours.predict(frame, verbose=0)],
                  "predict", 1e-5)


def require_pandas():
    from tests.oracles.conftest import require
    return require("pandas")


# -- callbacks --------------------------------------------------------------------------------
def test_learning_rate_scheduler_history_as_keras(keras, capsys):
    theirs, ours = _compiled_pair(keras, optimizer=lambda k: k.optimizers.Adam(0.01))
    x, y = _xy(24)

    def schedule(epoch, lr):
        return lr if epoch < 1 else lr * 0.5
    options = dict(batch_size=8, epochs=3, shuffle=False, verbose=0)
    want = theirs.fit(x, y, callbacks=[keras.callbacks.LearningRateScheduler(schedule,
                                                                             verbose=1)],
                      **options)
    keras_out = capsys.readouterr().out
    got = ours.fit(x, y, callbacks=[glassnet.callbacks.LearningRateScheduler(schedule,
                                                                            verbose=1)],
                   **options)
    _assert_histories(want, got)
    ours_out = capsys.readouterr().out
    number = r"\d+\.\d+(?:e-?\d+)?"
    # the same lines; Keras reads its rates back from float32 (0.009999999776482582)
    assert re.sub(number, "#", ours_out) == re.sub(number, "#", keras_out)
    np.testing.assert_allclose([float(v) for v in re.findall(number, ours_out)],
                               [float(v) for v in re.findall(number, keras_out)], rtol=1e-7)


def test_reduce_lr_on_plateau_history_as_keras(keras):
    theirs, ours = _compiled_pair(keras, optimizer=lambda k: k.optimizers.SGD(0.5))
    x, y = _xy(24, seed=5)
    y = np.random.default_rng(9).integers(0, 3, len(y))           # noise: val_loss plateaus
    options = dict(batch_size=8, epochs=8, shuffle=False, verbose=0, validation_split=0.25)
    arguments = dict(factor=0.5, patience=1, min_delta=0.05, cooldown=2, min_lr=0.05)
    want = theirs.fit(x, y, callbacks=[keras.callbacks.ReduceLROnPlateau(**arguments)],
                      **options)
    got = ours.fit(x, y, callbacks=[glassnet.callbacks.ReduceLROnPlateau(**arguments)],
                   **options)
    _assert_histories(want, got)
    assert len(set(got.history["learning_rate"])) > 1                 # it did cut


def test_csv_logger_file_as_keras(keras, tmp_path):
    theirs, ours = _compiled_pair(keras)
    x, y = _xy(24)
    files = {}
    for module, model in (("keras", theirs), ("glassnet", ours)):
        callback = (keras if module == "keras" else glassnet).callbacks.CSVLogger(
            tmp_path / f"{module}.csv")
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0, callbacks=[callback])
        files[module] = (tmp_path / f"{module}.csv").read_bytes().decode().split("\r\n")
    want, got = files["keras"], files["glassnet"]
    assert len(got) == len(want) and got[0] == want[0]
    for ours_line, keras_line in zip(got[1:], want[1:]):
        ours_cells, keras_cells = ours_line.split(","), keras_line.split(",")
        assert [c for c in ours_cells if not _is_number(c)] == \
            [c for c in keras_cells if not _is_number(c)]
        np.testing.assert_allclose([float(c) for c in ours_cells if _is_number(c)],
                                   [float(c) for c in keras_cells if _is_number(c)], rtol=1e-5)


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return text not in ("NA", "nan")


def test_lambda_callback_hooks_as_keras(keras):
    theirs, ours = _compiled_pair(keras)
    x, y = _xy(12)
    calls = {}
    for name, module, model in (("keras", keras, theirs), ("glassnet", glassnet, ours)):
        seen = calls[name] = []
        callback = module.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs, seen=seen: seen.append(("epoch_begin", epoch)),
            on_epoch_end=lambda epoch, logs, seen=seen: seen.append(
                ("epoch_end", epoch, sorted(logs))),
            on_train_begin=lambda logs, seen=seen: seen.append("train_begin"),
            on_train_end=lambda logs, seen=seen: seen.append("train_end"),
            on_train_batch_begin=lambda batch, logs, seen=seen: seen.append(("batch", batch)),
            on_test_begin=lambda logs, seen=seen: seen.append("test_begin"))
        model.fit(x, y, batch_size=6, epochs=2, validation_split=0.5, verbose=0,
                  callbacks=[callback])
    assert calls["glassnet"] == calls["keras"]
