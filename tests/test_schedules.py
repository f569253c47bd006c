"""Learning-rate schedules: the formulas by hand, configs, errors, and an optimizer driven by
one (the value used at each step, the state without a learning-rate variable, saving)."""
import importlib
import math

import numpy as np
import pytest

import glassnet
from glassnet import optimizers
from glassnet.optimizers import schedules


def _values(schedule, steps):
    return [float(schedule(step)) for step in steps]


def test_exponential_decay_by_hand():
    smooth = schedules.ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    assert _values(smooth, [0, 2, 4, 8]) == pytest.approx([0.1, 0.1 * 0.5 ** 0.5, 0.05, 0.025])
    stairs = schedules.ExponentialDecay(0.1, 4, 0.5, staircase=True)
    assert _values(stairs, [0, 3, 4, 7, 8]) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])


def test_piecewise_constant_includes_each_boundary_in_the_earlier_piece():
    schedule = schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.25])
    assert _values(schedule, range(8)) == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_inverse_time_decay_by_hand():
    schedule = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5)
    assert _values(schedule, [0, 1, 2, 6]) == pytest.approx([0.1, 0.1 / 1.25, 0.1 / 1.5, 0.04])
    stairs = schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True)
    assert _values(stairs, [1, 2, 3]) == pytest.approx([0.1, 0.1 / 1.5, 0.1 / 1.5])


def test_cosine_decay_by_hand():
    schedule = schedules.CosineDecay(0.1, decay_steps=4, alpha=0.2)
    half = 0.1 * (0.8 * 0.5 + 0.2)
    assert _values(schedule, [0, 2, 4, 9]) == pytest.approx([0.1, half, 0.02, 0.02], rel=1e-6)


def test_cosine_decay_with_warmup():
    schedule = schedules.CosineDecay(0.0, decay_steps=4, warmup_target=0.1, warmup_steps=2)
    # linear up to the target in 2 steps, then the cosine from 0.1 down to 0
    expected = [0.0, 0.05, 0.1, 0.05 * (1 + math.cos(math.pi / 4)), 0.05,
                0.05 * (1 + math.cos(3 * math.pi / 4)), 0.0]
    assert _values(schedule, range(7)) == pytest.approx(expected, abs=1e-8)
    assert float(schedule(100)) == pytest.approx(0.0, abs=1e-8)


def test_polynomial_decay_and_its_cycle():
    schedule = schedules.PolynomialDecay(0.1, decay_steps=4, end_learning_rate=0.02, power=2.0)
    assert _values(schedule, [0, 2, 4, 9]) == pytest.approx([0.1, 0.04, 0.02, 0.02])
    cycling = schedules.PolynomialDecay(0.1, 4, 0.0, cycle=True)
    # at step 6 the horizon is 8: 0.1 * (1 - 6 / 8)
    assert _values(cycling, [0, 4, 6]) == pytest.approx([0.1, 0.0, 0.025])


def test_cosine_decay_restarts_periods_grow():
    schedule = schedules.CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=2.0, m_mul=0.5)
    # period 0: steps 0-1 (length 2); period 1 starts at 2 with half the rate, lasts 4
    assert _values(schedule, [0, 1, 2, 4, 6]) == pytest.approx([1.0, 0.5, 0.5, 0.25, 0.25],
                                                               rel=1e-6)


def test_values_follow_floatx(float64):
    assert isinstance(schedules.ExponentialDecay(0.1, 3, 0.9)(2), np.float64)
    glassnet.config.set_floatx("float32")
    assert isinstance(schedules.ExponentialDecay(0.1, 3, 0.9)(2), np.float32)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True, name="mine"),
    schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
    schedules.PolynomialDecay(0.1, 10, power=0.5),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
    schedules.CosineDecay(0.1, 10, alpha=0.1, warmup_target=0.2, warmup_steps=3),
    schedules.CosineDecayRestarts(0.1, 10, t_mul=1.0),
], ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    copy = schedules.deserialize(schedules.serialize(schedule))
    assert type(copy) is type(schedule) and copy.get_config() == schedule.get_config()
    assert _values(copy, range(25)) == _values(schedule, range(25))
    assert type(schedule).__name__ in repr(schedule)


@pytest.mark.parametrize("build, error, message", [
    (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), ValueError, "decay_steps` must be > 0"),
    (lambda: schedules.CosineDecay(0.1, -5), ValueError, "decay_steps"),
    (lambda: schedules.CosineDecayRestarts(0.1, 0), ValueError, "first_decay_steps"),
    (lambda: schedules.InverseTimeDecay("0.1", 10, 0.5), TypeError, "initial_learning_rate"),
    (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1]), ValueError, "1 less"),
    (lambda: schedules.PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3]), ValueError,
     "increase strictly"),
    (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), ValueError, "warmup_steps"),
    (lambda: schedules.deserialize({"class_name": "Nope", "config": {}}), ValueError, "Nope"),
])
def test_bad_arguments(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_importable_under_keras_name():
    assert importlib.import_module("glassnet.optimizers.schedules") is schedules
    assert glassnet.optimizers.schedules.ExponentialDecay is schedules.ExponentialDecay


# -- an optimizer driven by a schedule --------------------------------------------------------
def test_each_step_uses_the_value_at_the_steps_already_taken():
    schedule = schedules.PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.25])
    sgd = optimizers.SGD(learning_rate=schedule)
    w = np.zeros(1, np.float32)
    seen = []
    for _ in range(4):
        seen.append(float(sgd.learning_rate))
        before = w.copy()
        sgd.apply([w], [np.ones(1, np.float32)])
        assert before[0] - w[0] == pytest.approx(seen[-1])
    assert seen == [1.0, 1.0, 0.5, 0.25]


def test_weight_decay_uses_the_scheduled_rate():
    sgd = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.5, 1, 0.5), weight_decay=1.0)
    w = np.ones(1)
    sgd.apply([w], [np.zeros(1)])              # step 0: rate 0.5, w *= 1 - 0.5
    sgd.apply([w], [np.zeros(1)])              # step 1: rate 0.25, w *= 1 - 0.25
    assert w[0] == pytest.approx(0.5 * 0.75)


def test_a_callable_of_no_argument_is_a_learning_rate_too():
    rate = [0.5]
    sgd = optimizers.SGD(learning_rate=lambda: rate[0])
    w = np.zeros(1)
    sgd.apply([w], [np.ones(1)])
    rate[0] = 0.25
    sgd.apply([w], [np.ones(1)])
    assert w[0] == pytest.approx(-0.75)
    assert "SGD(learning_rate=<function" in repr(sgd)             # repr and config work
    assert optimizers.SGD.from_config(sgd.get_config()).learning_rate == 0.25


def test_state_has_no_learning_rate_variable_and_round_trips():
    params = [np.ones((3, 2), np.float32), np.ones(2, np.float32)]
    adam = optimizers.Adam(learning_rate=schedules.InverseTimeDecay(0.01, 1, 0.5))
    adam.apply(params, [np.full_like(p, 0.1) for p in params])
    variables = adam.variables
    assert len(variables) == 1 + 2 * len(params) and int(variables[0]) == 1
    assert adam.count_params() == 1 + 2 * sum(p.size for p in params)
    again = optimizers.Adam.from_config(adam.get_config())
    again.build(params)
    again.set_weights(adam.variables)
    assert again.iterations == 1 and float(again.learning_rate) == pytest.approx(0.01 / 1.5)
    with pytest.raises(ValueError, match=r"iteration and 4 state arrays"):
        again.set_weights(adam.variables[:-1])


def test_config_holds_the_schedule():
    schedule = schedules.CosineDecay(0.1, 100)
    config = optimizers.SGD(learning_rate=schedule, momentum=0.9).get_config()
    assert config["learning_rate"] == {"class_name": "CosineDecay",
                                       "config": schedule.get_config()}
    rebuilt = optimizers.get({"class_name": "SGD", "config": config})
    assert isinstance(rebuilt.learning_rate_schedule, schedules.CosineDecay)
    assert float(rebuilt.learning_rate) == pytest.approx(0.1)
    assert "CosineDecay" in repr(rebuilt)


def test_a_scheduled_rate_cannot_be_set():
    sgd = optimizers.SGD(learning_rate=schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="cannot be set"):
        sgd.learning_rate = 0.01
    sgd.learning_rate = schedules.ExponentialDecay(0.2, 10, 0.9)     # another schedule: fine
    assert float(sgd.learning_rate) == pytest.approx(0.2)


def test_fit_with_a_schedule():
    model = glassnet.Sequential([glassnet.Input(shape=(3,)), glassnet.layers.Dense(2)])
    schedule = schedules.PiecewiseConstantDecay([3], [0.1, 0.0])
    model.compile(optimizer=optimizers.SGD(schedule), loss="mse")
    x, y = np.ones((8, 3), np.float32), np.zeros((8, 2), np.float32)
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)        # 4 steps: rates 0.1 x 4
    after_first = model.get_weights()
    model.fit(x, y, batch_size=2, epochs=1, verbose=0)        # steps 4..7: rate 0
    assert all(np.array_equal(a, b) for a, b in zip(after_first, model.get_weights()))
