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
from tests.oracles.shared import (assert_close, gradient_sequence, keras_numpy,
                                  step_side_by_side)

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
    theirs = getattr(keras.optimizers, name)(**kwargs).get_config()
    ours = getattr(optimizers, name)(**kwargs).get_config()
    assert list(ours) == list(theirs)
    # Keras keeps the learning rate in a float32 variable: 0.001 reads back as 0.0010000000474...
    assert ours.pop("learning_rate") == pytest.approx(theirs.pop("learning_rate"), rel=1e-7)
    assert ours.pop("name") == re.sub(r"_\d+$", "", theirs.pop("name"))   # Keras's counter
    assert ours == theirs
    # and a Keras config builds the same glassnet optimizer
    rebuilt = getattr(optimizers, name).from_config(
        getattr(keras.optimizers, name)(**kwargs).get_config())
    assert {k: v for k, v in rebuilt.get_config().items()
            if k not in ("learning_rate", "name")} == theirs


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
