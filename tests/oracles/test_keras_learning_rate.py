"""Issue 11 #9: the learning rate that LearningRateScheduler and ReduceLROnPlateau set, step by
step, against Keras 3 — read from the optimizer before every batch of a fit — including on an
optimizer built with a schedule, where Keras's rules are: the rate is the schedule's value at
the step count (History records it), and setting a number raises TypeError (at the scheduler's
first epoch, at the plateau's first cut), after the epochs already trained."""
import numpy as np
import pytest

import glassnet

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def _pair(keras, optimizer):
    """The same small regression network in Keras and glassnet, weights copied."""
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                               keras.layers.Dense(2)])
    ours = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(5, "tanh"),
                                glassnet.layers.Dense(2)])
    ours.set_weights(theirs.get_weights())
    theirs.compile(optimizer=optimizer(keras), loss="mse")
    ours.compile(optimizer=optimizer(glassnet), loss="mse")
    return theirs, ours


def _data(seed=0, n=24):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, rng.normal(size=(n, 2)).astype("float32")      # noise: the loss plateaus


def _rate_recorder(module):
    """A callback that writes down the optimizer's learning rate before every batch."""
    class Recorder(module.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.rates = []

        def on_train_batch_begin(self, batch, logs=None):
            self.rates.append(float(np.asarray(self.model.optimizer.learning_rate)))
    return Recorder()


def _fit_both(keras, optimizer, callbacks, epochs=6, **options):
    """Fit both with the callbacks each module makes; return their (rates, history)."""
    theirs, ours = _pair(keras, optimizer)
    x, y = _data()
    results = []
    for module, model in ((keras, theirs), (glassnet, ours)):
        recorder = _rate_recorder(module)
        history = model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0,
                            callbacks=[recorder, *callbacks(module)], **options)
        results.append((recorder.rates, history.history))
    return results


def _assert_same(results, rtol=1e-6):
    """Rates before each batch and every History entry; Keras holds rates in float32."""
    (keras_rates, keras_history), (rates, history) = results
    assert len(rates) == len(keras_rates)
    np.testing.assert_allclose(rates, keras_rates, rtol=rtol)
    assert list(history) == list(keras_history)
    for key in keras_history:
        np.testing.assert_allclose(history[key], keras_history[key], rtol=1e-5, err_msg=key)


@pytest.mark.parametrize("schedule", [
    lambda epoch, lr: lr * 0.7,
    lambda epoch, lr: 0.05 if epoch < 2 else lr * 0.5,
    lambda epoch: 0.1 / (1 + epoch),
    lambda epoch, lr: float(np.float32(lr) * np.float32(0.9)),
], ids=["compounding", "step", "one-argument", "float32"])
def test_scheduler_sets_the_rate_as_keras(keras, schedule):
    results = _fit_both(keras, lambda m: m.optimizers.SGD(0.1, momentum=0.5),
                        lambda m: [m.callbacks.LearningRateScheduler(schedule)])
    _assert_same(results)
    assert len(set(results[1][1]["learning_rate"])) > 1


@pytest.mark.parametrize("arguments", [
    {"monitor": "loss", "factor": 0.5, "patience": 1},
    {"monitor": "loss", "factor": 0.5, "patience": 1, "min_delta": 0.5, "cooldown": 2,
     "min_lr": 0.02},
    {"monitor": "val_loss", "factor": 0.2, "patience": 2, "mode": "min", "min_delta": 0.1},
], ids=["cut-every-epoch", "cooldown-min_lr", "val_loss"])
def test_plateau_cuts_the_rate_as_keras(keras, arguments):
    results = _fit_both(keras, lambda m: m.optimizers.Adam(0.1),
                        lambda m: [m.callbacks.ReduceLROnPlateau(**arguments)], epochs=8,
                        validation_split=0.25)
    _assert_same(results)
    assert len(set(results[1][1]["learning_rate"])) > 1


def _decay(module):
    return module.optimizers.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)


def test_a_schedule_sets_the_rate_every_step_as_keras(keras):
    """No callback: the rate before each batch is the schedule at the step count; History
    has no learning_rate key (neither writes one without a rate callback)."""
    results = _fit_both(keras, lambda m: m.optimizers.SGD(_decay(m)), lambda m: [], epochs=3)
    _assert_same(results)
    assert len(set(results[1][0])) == len(results[1][0])         # a new rate every step


def test_plateau_records_a_schedules_rate_until_it_would_cut(keras):
    """A plateau that never triggers: History's learning_rate is the schedule's value at each
    epoch's end, as Keras's."""
    results = _fit_both(keras, lambda m: m.optimizers.SGD(_decay(m)),
                        lambda m: [m.callbacks.ReduceLROnPlateau(monitor="loss",
                                                                 patience=100)], epochs=3)
    _assert_same(results)


@pytest.mark.parametrize("callback", [
    lambda m: m.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5),
    lambda m: m.callbacks.ReduceLROnPlateau(monitor="loss", min_delta=10.0, patience=2),
], ids=["scheduler", "plateau"])
def test_setting_a_schedules_rate_raises_type_error_where_keras_does(keras, callback):
    """Keras raises TypeError when a callback sets a number on an optimizer built with a
    schedule: the scheduler at the first epoch, the plateau at its first cut. Both stop after
    the same number of epochs, with the same weights."""
    theirs, ours = _pair(keras, lambda m: m.optimizers.SGD(_decay(m)))
    x, y = _data()
    trained = []
    for module, model in ((keras, theirs), (glassnet, ours)):
        epochs = []
        ender = module.callbacks.LambdaCallback(
            on_epoch_end=lambda epoch, logs, epochs=epochs: epochs.append(epoch))
        with pytest.raises(TypeError, match="schedule|LearningRateSchedule"):
            model.fit(x, y, batch_size=8, epochs=5, shuffle=False, verbose=0,
                      callbacks=[callback(module), ender])
        trained.append(epochs)
    assert trained[0] == trained[1]
    for mine, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, want, rtol=1e-5, atol=1e-6)
