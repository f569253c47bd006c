"""Keras 3 (torch backend) as the oracle of the optimizers.

The same gradient sequence is applied to the same starting weights by Keras's optimizer
(``optimizer.apply`` on ``keras.Variable``) and by glassnet's; after every step all of
``optimizer.variables`` (step count, learning rate and every slot, in Keras's order) and the
weights must agree to float32 rounding.
"""
import re

import numpy as np
import pytest

import glassnet
from glassnet import optimizers
from tests.oracles.shared import (assert_close, assert_config_as_keras, gradient_sequence,
                                  keras_numpy, step_side_by_side)

STEPS = 6

# Keras's own conversions warn about NumPy 2's copy keyword; not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-4}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"rho": 0.5, "momentum": 0.5, "centered": True, "epsilon": 1e-3}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3}),
    ("Adam", {"clipnorm": 0.5}),
    ("SGD", {"momentum": 0.9, "global_clipnorm": 1.0}),
    ("RMSprop", {"clipvalue": 0.2}),
    ("Adam", {"weight_decay": 0.1}),
    ("SGD", {"weight_decay": 0.5, "clipnorm": 2.0}),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_every_variable_after_every_step(keras, name, kwargs):
    theirs, ours = step_side_by_side(keras, name, kwargs, kwargs, seed=7, steps=STEPS)
    assert ours.count_params() == sum(int(np.prod(v.shape)) for v in theirs.variables)


def test_a_learning_rate_changed_between_steps(keras):
    """Keras's momentum holds lr * g (PyTorch's holds g): a new rate changes only new steps."""
    start, grads = gradient_sequence(3, STEPS)
    theirs = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    ours = optimizers.SGD(learning_rate=0.1, momentum=0.9)
    keras_weights = [keras.Variable(w) for w in start]
    weights = [w.copy() for w in start]
    for step, step_grads in enumerate(grads):
        if step == 3:
            theirs.learning_rate = 0.01
            ours.learning_rate = 0.01
        theirs.apply([keras.ops.convert_to_tensor(g) for g in step_grads], keras_weights)
        ours.apply(weights, step_grads)
    assert_close([keras_numpy(keras, w) for w in keras_weights], weights, "weights")
    assert_close([keras_numpy(keras, v) for v in theirs.variables], ours.variables, "variables")


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_config_as_keras(keras, name, kwargs):
    assert_config_as_keras(keras, name, kwargs)
    # and a Keras config builds the same glassnet optimizer
    theirs = getattr(keras.optimizers, name)(**kwargs).get_config()
    rebuilt = getattr(optimizers, name).from_config(theirs)
    skip = ("learning_rate", "name")
    assert {k: v for k, v in rebuilt.get_config().items() if k not in skip} == \
        {k: v for k, v in theirs.items() if k not in skip}


@pytest.mark.parametrize("identifier", ["sgd", "SGD", "adam", "Adam", "ADAM", "rmsprop",
                                        "RMSprop", "RMSProp", "adagrad", "Adagrad"])
def test_names_resolve_as_keras(keras, identifier):
    theirs = keras.optimizers.get(identifier)
    ours = optimizers.get(identifier)
    assert type(ours).__name__ == type(theirs).__name__
    assert re.sub(r"_\d+$", "", ours.name) == re.sub(r"_\d+$", "", theirs.name)
    ignore = ("name", "learning_rate")
    assert {k: v for k, v in ours.get_config().items() if k not in ignore} == \
        {k: v for k, v in theirs.get_config().items() if k not in ignore}
    assert ours.learning_rate == pytest.approx(float(theirs.learning_rate), rel=1e-7)


def _optimizer_params(text):
    match = re.search(r"Optimizer params: ([\d,]+)", text)
    return None if match is None else int(match.group(1).replace(",", ""))


SUMMARY_CASES = [("SGD", {}), ("SGD", {"momentum": 0.9}), ("Adam", {}), ("Adam", {"amsgrad": True}),
                 ("RMSprop", {}), ("RMSprop", {"momentum": 0.5, "centered": True}),
                 ("Adagrad", {})]


@pytest.mark.parametrize("name, kwargs", SUMMARY_CASES,
                         ids=[f"{n}-{k}" for n, k in SUMMARY_CASES])
def test_summary_optimizer_params_as_keras(keras, name, kwargs):
    """compile, fit one step, summary(): the "Optimizer params" line of both."""
    x = np.random.default_rng(0).standard_normal((8, 6)).astype(np.float32)
    y = np.zeros((8, 2), np.float32)

    theirs = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(2)])
    theirs.compile(optimizer=getattr(keras.optimizers, name)(**kwargs), loss="mse")
    theirs.fit(x, y, batch_size=8, epochs=1, verbose=0)
    keras_lines = []
    theirs.summary(print_fn=lambda line, *args, **kw: keras_lines.append(line))

    ours = glassnet.Sequential([glassnet.Input(shape=(6,)), glassnet.layers.Dense(5),
                                glassnet.layers.Dense(2)])
    ours.compile(optimizer=getattr(optimizers, name)(**kwargs), loss="mse")
    ours.fit(x, y, batch_size=8, epochs=1, verbose=0)
    our_lines = []
    ours.summary(print_fn=our_lines.append)

    expected = _optimizer_params("\n".join(keras_lines))
    assert expected is not None and expected == ours.optimizer.count_params()
    assert _optimizer_params("\n".join(our_lines)) == expected


# -- issue 11: Adadelta, Ftrl, Lion, Lamb, Adafactor; use_ema, gradient accumulation, ---------
# -- weight-decay exclusion and None gradients, on every optimizer ----------------------------

NEW_STEPS = 10
NEW_CASES = [
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-5}),
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "initial_accumulator_value": 0.5,
              "l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}),
    ("Lamb", {}),
    ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-4}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5, "epsilon_2": 1e-2,
                   "clip_threshold": 0.5}),
    ("Adafactor", {"relative_step": False, "learning_rate": 0.05}),
    ("Lion", {"weight_decay": 0.1, "clipnorm": 1.0}),
    ("Adadelta", {"global_clipnorm": 0.5}),
    ("Lamb", {"clipvalue": 0.3, "weight_decay": 0.05}),
]
EVERY = ["SGD", "RMSprop", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Adadelta", "Ftrl",
         "Lion", "Lamb", "Adafactor"]
FEATURE_CASES = [(name, features) for name in EVERY for features in (
    {"use_ema": True},
    {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 3},
    {"gradient_accumulation_steps": 3},
    {"gradient_accumulation_steps": 2, "use_ema": True, "ema_overwrite_frequency": 2},
)] + [("SGD", {"momentum": 0.9, "gradient_accumulation_steps": 2, "clipnorm": 0.5}),
      ("Adam", {"gradient_accumulation_steps": 2, "weight_decay": 0.1}),
      ("Adam", {"learning_rate": 0.1, "use_ema": True, "global_clipnorm": 1.0})]


@pytest.mark.parametrize("name, kwargs", NEW_CASES + FEATURE_CASES,
                         ids=[f"{n}-{k}" for n, k in NEW_CASES + FEATURE_CASES])
def test_ten_steps_of_every_variable_as_keras(keras, name, kwargs):
    """Weights and every optimizer variable (slots, moving averages, accumulators) after each
    of 10 float32 steps, to float32 rounding."""
    theirs, ours = step_side_by_side(keras, name, kwargs, kwargs, seed=11, steps=NEW_STEPS)
    assert ours.count_params() == sum(int(np.prod(v.shape)) for v in theirs.variables)
    assert ours.iterations == int(keras_numpy(keras, theirs.iterations))


@pytest.mark.parametrize("name, kwargs", NEW_CASES + FEATURE_CASES[:4],
                         ids=[f"{n}-{k}" for n, k in NEW_CASES + FEATURE_CASES[:4]])
def test_new_configs_as_keras(keras, name, kwargs):
    assert_config_as_keras(keras, name, kwargs)


def test_a_schedule_with_gradient_accumulation_counts_every_call(keras):
    """Keras evaluates the schedule at the raw call count; Adam's bias correction counts the
    applied steps."""
    schedule = {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5}
    theirs = {"learning_rate": keras.optimizers.schedules.ExponentialDecay(**schedule),
              "gradient_accumulation_steps": 2}
    ours = {"learning_rate": optimizers.schedules.ExponentialDecay(**schedule),
            "gradient_accumulation_steps": 2}
    step_side_by_side(keras, "Adam", theirs, ours, seed=4, steps=NEW_STEPS)


def test_exclude_from_weight_decay_by_name_and_by_array_as_keras(keras):
    start, grads = gradient_sequence(2, NEW_STEPS)
    names = ["kernel", "bias", "kernel", "bias"]
    theirs = keras.optimizers.AdamW(weight_decay=0.5, learning_rate=0.01)
    ours = optimizers.AdamW(weight_decay=0.5, learning_rate=0.01)
    keras_weights = [keras.Variable(w, name=n) for w, n in zip(start, names)]
    weights = [w.copy() for w in start]
    theirs.exclude_from_weight_decay(var_list=[keras_weights[2]], var_names=["bia"])
    ours.exclude_from_weight_decay(var_list=[weights[2]], var_names=["bia"])
    ours.build(weights, names=names)
    for step_grads in grads:
        theirs.apply([keras.ops.convert_to_tensor(g) for g in step_grads], keras_weights)
        ours.apply(weights, step_grads)
    assert_close([keras_numpy(keras, w) for w in keras_weights], weights, "weights")
    assert_close([keras_numpy(keras, v) for v in theirs.variables], ours.variables, "variables")
    decayed = optimizers.AdamW(weight_decay=0.5, learning_rate=0.01)
    plain = [w.copy() for w in start]
    for step_grads in grads:
        decayed.apply(plain, step_grads)
    assert not np.allclose(plain[1], weights[1])      # the exclusion changed the biases


@pytest.mark.parametrize("name", ["SGD", "Adam", "Lion"])
def test_none_gradients_as_keras(keras, name):
    """Issue 11 #6: a None gradient skips its weight, with Keras's warning; only None raises
    Keras's "No gradients provided for any variable"."""
    start, grads = gradient_sequence(6, 3)
    theirs = getattr(keras.optimizers, name)(learning_rate=0.1)
    ours = getattr(optimizers, name)(learning_rate=0.1)
    keras_weights = [keras.Variable(w) for w in start]
    weights = [w.copy() for w in start]
    for step_grads in grads:
        step_grads = [None if i == 1 else g for i, g in enumerate(step_grads)]
        with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
            theirs.apply_gradients([(None if g is None else keras.ops.convert_to_tensor(g), v)
                                    for g, v in zip(step_grads, keras_weights)])
        with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
            ours.apply_gradients(list(zip(step_grads, weights)))
    assert_close([keras_numpy(keras, w) for w in keras_weights], weights, "weights")
    np.testing.assert_array_equal(weights[1], start[1])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        theirs.apply_gradients([(None, v) for v in keras_weights])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        ours.apply_gradients([(None, w) for w in weights])


@pytest.mark.parametrize("name, kwargs", [
    ("Adam", {"use_ema": True, "ema_momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "use_ema": True, "ema_overwrite_frequency": 3}),
    ("RMSprop", {"gradient_accumulation_steps": 2}),
    ("AdamW", {"weight_decay": 0.5, "exclude": ["bias"]}),
    ("Lion", {"weight_decay": 0.2, "exclude": ["kern"], "gradient_accumulation_steps": 3}),
], ids=lambda value: str(value))
def test_fit_with_the_new_options_as_keras(keras, name, kwargs):
    """Through fit: the final weights (with use_ema, the averages fit puts in at the end),
    and weight decay left out by variable name ("bias" as Keras's variable.name)."""
    kwargs = dict(kwargs)
    exclude = kwargs.pop("exclude", None)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(24, 4)).astype(np.float32)
    y = rng.normal(size=(24, 2)).astype(np.float32)
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
                               keras.layers.Dense(2)])
    ours = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(3, "tanh"),
                                glassnet.layers.Dense(2)])
    ours.set_weights(theirs.get_weights())
    their_optimizer = getattr(keras.optimizers, name)(learning_rate=0.05, **kwargs)
    our_optimizer = getattr(optimizers, name)(learning_rate=0.05, **kwargs)
    if exclude:
        their_optimizer.exclude_from_weight_decay(var_names=exclude)
        our_optimizer.exclude_from_weight_decay(var_names=exclude)
    theirs.compile(optimizer=their_optimizer, loss="mse")
    ours.compile(optimizer=our_optimizer, loss="mse")
    want = theirs.fit(x, y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    got = ours.fit(x, y, batch_size=6, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], want.history["loss"], rtol=1e-5)
    assert_close(theirs.get_weights(), ours.get_weights(), "weights", 1e-5)
