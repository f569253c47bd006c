"""Optimizers: update rules against plain formulas, state layout, config, errors, no allocation.

The reference updates below are written straight from the formulas (new arrays every step,
float64), independently of optimizers.py's in-place code.
"""
import math
import tracemalloc
import warnings

import numpy as np
import pytest

import glassnet
from glassnet import optimizers

SHAPES = [(3, 4), (4,), (4, 2), (2,)]


def _arrays(seed, dtype=np.float64, scale=1.0):
    rng = np.random.default_rng(seed)
    return [(scale * rng.standard_normal(s)).astype(dtype) for s in SHAPES]


# -- reference updates, one weight at a time, from the docstring formulas ---------------------
def _sgd(w, g, state, t, lr=0.01, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    m = momentum * state.get("m", 0.0) - lr * g
    state["m"] = m
    return w + momentum * m - lr * g if nesterov else w + m


def _adagrad(w, g, state, t, lr=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
    a = state.get("a", initial_accumulator_value) + g * g
    state["a"] = a
    return w - lr * g / np.sqrt(a + epsilon)


def _rmsprop(w, g, state, t, lr=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    v = rho * state.get("v", 0.0) + (1 - rho) * g * g
    state["v"] = v
    if centered:
        gbar = rho * state.get("gbar", 0.0) + (1 - rho) * g
        state["gbar"] = gbar
        step = lr * g / np.sqrt(v - gbar ** 2 + epsilon)
    else:
        step = lr * g / np.sqrt(v + epsilon)
    if momentum > 0:
        step = state["m"] = momentum * state.get("m", 0.0) + step
    return w - step


def _adam(w, g, state, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    m = state["m"] = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
    v = state["v"] = beta_2 * state.get("v", 0.0) + (1 - beta_2) * g * g
    if amsgrad:
        v = state["v_hat"] = np.maximum(state.get("v_hat", 0.0), v)
    alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * m / (np.sqrt(v) + epsilon)


def _adadelta(w, g, state, t, lr=0.001, rho=0.95, epsilon=1e-7):
    a = state["a"] = rho * state.get("a", 0.0) + (1 - rho) * g * g
    d = -np.sqrt(state.get("u", 0.0) + epsilon) * g / np.sqrt(a + epsilon)
    state["u"] = rho * state.get("u", 0.0) + (1 - rho) * d * d
    return w + lr * d


def _lion(w, g, state, t, lr=0.001, beta_1=0.9, beta_2=0.99):
    m = state.get("m", 0.0)
    state["m"] = beta_2 * m + (1 - beta_2) * g
    return w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)


def _ftrl(w, g, state, t, lr=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
          l1_regularization_strength=0.0, l2_regularization_strength=0.0,
          l2_shrinkage_regularization_strength=0.0, beta=0.0):
    p = -learning_rate_power
    n = state.get("n", initial_accumulator_value)
    n_new = n + g * g
    z = state["z"] = state.get("z", 0.0) + g + 2 * l2_shrinkage_regularization_strength * w \
        - (n_new ** p - n ** p) / lr * w
    state["n"] = n_new
    l1 = l1_regularization_strength
    return (np.clip(z, -l1, l1) - z) / (n_new ** p / lr + 2 * l2_regularization_strength
                                         + beta / lr)


def _lamb(w, g, state, t, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = state["m"] = beta_1 * state.get("m", 0.0) + (1 - beta_1) * g
    v = state["v"] = beta_2 * state.get("v", 0.0) + (1 - beta_2) * g * g
    step = m / (1 - beta_1 ** t) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
    ratio = np.linalg.norm(w) / np.linalg.norm(step)
    return w - ratio * lr * step


def _adafactor(w, g, state, t, lr=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
               clip_threshold=1.0):
    rms = lambda x: np.sqrt(np.mean(x * x))              # noqa: E731
    rho = min(lr, 1 / math.sqrt(t))
    beta = 1 - t ** beta_2_decay
    q = g * g + epsilon_1
    if w.ndim >= 2:                          # the factored second moment
        r = state["r"] = beta * state.get("r", 0.0) + (1 - beta) * q.mean(axis=-1)
        c = state["c"] = beta * state.get("c", 0.0) + (1 - beta) * q.mean(axis=-2)
        v = np.outer(r / r.mean(), c)
    else:
        v = state["v"] = beta * state.get("v", 0.0) + (1 - beta) * q
    u = g / np.sqrt(v)
    u /= max(1.0, rms(u) / clip_threshold)
    return w - max(epsilon_2, rms(w)) * rho * u


CASES = [
    ("Adadelta", _adadelta, {}),
    ("Adadelta", _adadelta, {"rho": 0.5, "epsilon": 1e-3, "learning_rate": 1.0}),
    ("Lion", _lion, {}),
    ("Lion", _lion, {"beta_1": 0.3, "beta_2": 0.5, "learning_rate": 0.1}),
    ("Ftrl", _ftrl, {}),
    ("Ftrl", _ftrl, {"learning_rate_power": -0.3, "l1_regularization_strength": 0.001,
                     "l2_regularization_strength": 0.01, "beta": 0.1,
                     "l2_shrinkage_regularization_strength": 0.02, "learning_rate": 0.1}),
    ("Lamb", _lamb, {}),
    ("Lamb", _lamb, {"beta_1": 0.5, "epsilon": 1e-3, "learning_rate": 0.05}),
    ("Adafactor", _adafactor, {}),
    ("Adafactor", _adafactor, {"beta_2_decay": -0.5, "clip_threshold": 0.5,
                               "learning_rate": 0.2}),
    ("SGD", _sgd, {}),
    ("SGD", _sgd, {"momentum": 0.9}),
    ("SGD", _sgd, {"momentum": 0.5, "nesterov": True, "learning_rate": 0.1}),
    ("Adagrad", _adagrad, {}),
    ("Adagrad", _adagrad, {"initial_accumulator_value": 0.0, "epsilon": 1e-3}),
    ("RMSprop", _rmsprop, {}),
    ("RMSprop", _rmsprop, {"momentum": 0.8}),
    ("RMSprop", _rmsprop, {"centered": True, "rho": 0.7}),
    ("RMSprop", _rmsprop, {"centered": True, "momentum": 0.3}),
    ("Adam", _adam, {}),
    ("Adam", _adam, {"amsgrad": True}),
    ("Adam", _adam, {"beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3, "learning_rate": 0.01}),
]


@pytest.mark.parametrize("name, reference, kwargs", CASES,
                         ids=[f"{n}-{sorted(k.items())}" for n, _, k in CASES])
def test_updates_follow_the_formulas(name, reference, kwargs):
    optimizer = getattr(optimizers, name)(**kwargs)
    options = dict(kwargs)
    if "learning_rate" in options:
        options["lr"] = options.pop("learning_rate")
    params = _arrays(0)
    expected = [p.copy() for p in params]
    states = [{} for _ in params]
    for t in range(1, 7):
        grads = _arrays(t)
        optimizer.apply(params, grads)
        expected = [reference(w, g, s, t, **options) for w, g, s in zip(expected, grads, states)]
        for got, want in zip(params, expected):
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)
    assert optimizer.iterations == 6


def test_sgd_by_hand():
    # w = 1, g = 0.5, lr = 0.1: w = 1 - 0.05 = 0.95
    w = np.array([1.0])
    optimizers.SGD(0.1).apply([w], [np.array([0.5])])
    assert w[0] == pytest.approx(0.95)
    # momentum 0.9: m1 = -0.05, w = 0.95; m2 = 0.9 * -0.05 - 0.05 = -0.095, w = 0.855
    w = np.array([1.0])
    sgd = optimizers.SGD(0.1, momentum=0.9)
    sgd.apply([w], [np.array([0.5])])
    sgd.apply([w], [np.array([0.5])])
    assert w[0] == pytest.approx(0.855)
    assert sgd.slots[0]["momentum"][0] == pytest.approx(-0.095)


def test_adam_first_step_is_about_lr_times_sign():
    # t = 1: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1, so the step is
    # lr g / (|g| + eps / sqrt(0.001)): lr * sign(g) up to epsilon.
    w = np.zeros(3)
    g = np.array([2.0, -0.5, 1e-3])
    optimizers.Adam(learning_rate=0.01).apply([w], [g])
    expected = -0.01 * g / (np.abs(g) + 1e-7 / math.sqrt(0.001))
    np.testing.assert_allclose(w, expected, rtol=1e-12)


def test_weight_decay_and_clipping_formulas():
    w, g = np.array([2.0, -1.0]), np.array([3.0, 4.0])            # ||g|| = 5
    optimizers.SGD(0.1, weight_decay=0.5).apply([w], [g])          # w *= 1 - 0.05, then -= 0.1 g
    np.testing.assert_allclose(w, [2.0 * 0.95 - 0.3, -0.95 - 0.4])
    w = np.zeros(2)
    optimizers.SGD(1.0, clipnorm=1.0).apply([w], [g])              # g -> g / 5
    np.testing.assert_allclose(w, [-0.6, -0.8])
    w = np.zeros(2)
    optimizers.SGD(1.0, clipnorm=10.0).apply([w], [g])             # short enough: unchanged
    np.testing.assert_allclose(w, [-3.0, -4.0])
    w = np.zeros(2)
    optimizers.SGD(1.0, clipvalue=3.5).apply([w], [g])
    np.testing.assert_allclose(w, [-3.0, -3.5])
    w1, w2 = np.zeros(2), np.zeros(1)                              # global norm sqrt(25 + 144) = 13
    optimizers.SGD(1.0, global_clipnorm=1.0).apply([w1, w2], [g, np.array([12.0])])
    np.testing.assert_allclose(np.concatenate([w1, w2]), -np.array([3.0, 4.0, 12.0]) / 13)


def test_clipping_leaves_the_layer_gradients_alone():
    g = np.array([3.0, 4.0])
    optimizers.Adam(clipnorm=1.0).apply([np.zeros(2)], [g])
    np.testing.assert_array_equal(g, [3.0, 4.0])


def test_global_clipnorm_of_non_finite_gradients_gives_nan():
    w = np.zeros(2)
    optimizers.SGD(1.0, global_clipnorm=1.0).apply([w], [np.array([np.inf, 1.0])])
    assert np.isnan(w).all()


def test_learning_rate_is_a_settable_float():
    sgd = optimizers.SGD()
    assert isinstance(sgd.learning_rate, float) and sgd.learning_rate == 0.01
    w = np.array([1.0])
    sgd.learning_rate = 0.5
    sgd.apply([w], [np.array([1.0])])
    assert w[0] == pytest.approx(0.5)
    with pytest.raises(ValueError, match="learning_rate"):
        sgd.learning_rate = -1.0


# -- state: positional slots, Keras's variable order ------------------------------------------
def test_variables_in_keras_order():
    params = _arrays(0)
    adam = optimizers.Adam(amsgrad=True)
    assert len(adam.variables) == 2 and adam.count_params() == 0      # not built yet
    adam.apply(params, _arrays(1))
    variables = adam.variables
    assert int(variables[0]) == 1 and float(variables[1]) == 0.001
    # momentum and velocity interleaved weight by weight, then velocity_hat of each
    expected = [s for i in range(4) for s in (adam.slots[i]["momentum"], adam.slots[i]["velocity"])]
    expected += [adam.slots[i]["velocity_hat"] for i in range(4)]
    assert len(variables) == 2 + 12
    assert all(a is b for a, b in zip(variables[2:], expected))
    n = sum(p.size for p in params)
    assert adam.count_params() == 2 + 3 * n

    rms = optimizers.RMSprop(momentum=0.5, centered=True)
    rms.apply(params, _arrays(1))
    names = ["velocity"] * 4 + ["momentum"] * 4 + ["average_gradient"] * 4
    slots = [rms.slots[i % 4][name] for i, name in enumerate(names)]
    assert all(a is b for a, b in zip(rms.variables[2:], slots))
    assert rms.count_params() == 2 + 3 * n


@pytest.mark.parametrize("name, kwargs, slots_per_weight", [
    ("SGD", {}, 0), ("SGD", {"momentum": 0.9}, 1), ("Adagrad", {}, 1), ("RMSprop", {}, 1),
    ("RMSprop", {"momentum": 0.1}, 2), ("RMSprop", {"centered": True}, 2), ("Adam", {}, 2)])
def test_count_params(name, kwargs, slots_per_weight):
    optimizer = getattr(optimizers, name)(**kwargs)
    params = _arrays(0)
    optimizer.apply(params, _arrays(1))
    assert optimizer.count_params() == 2 + slots_per_weight * sum(p.size for p in params)


def test_adagrad_accumulator_starts_at_its_initial_value():
    adagrad = optimizers.Adagrad(initial_accumulator_value=0.25)
    adagrad.build(_arrays(0))
    assert all(np.all(v == 0.25) for v in adagrad.variables[2:])


def test_set_weights_continues_exactly():
    params_a, params_b = _arrays(0), _arrays(0)
    a = optimizers.Adam(learning_rate=0.01, amsgrad=True)
    for t in range(1, 4):
        a.apply(params_a, _arrays(t))
    b = optimizers.Adam(learning_rate=0.5, amsgrad=True)
    b.build(params_b)
    for param, value in zip(params_b, params_a):
        param[...] = value
    b.set_weights([v.copy() for v in a.variables])
    assert b.iterations == 3 and b.learning_rate == 0.01
    for t in range(4, 7):
        a.apply(params_a, _arrays(t))
        b.apply(params_b, _arrays(t))
    for x, y in zip(params_a + a.variables, params_b + b.variables):
        np.testing.assert_array_equal(x, y)


def test_save_and_load_own_variables():
    params = _arrays(0)
    sgd = optimizers.SGD(momentum=0.9)
    sgd.apply(params, _arrays(1))
    store = {}
    sgd.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(6)]
    fresh = optimizers.SGD(momentum=0.9)
    fresh.build([p.copy() for p in params])
    fresh.load_own_variables(store)
    for x, y in zip(sgd.variables, fresh.variables):
        np.testing.assert_array_equal(x, y)
    unbuilt = optimizers.SGD(momentum=0.9)
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        unbuilt.load_own_variables(store)


def test_set_weights_rejects_wrong_count_and_shape():
    adam = optimizers.Adam()
    adam.build(_arrays(0))
    with pytest.raises(ValueError, match="has 10 variables"):
        adam.set_weights(adam.variables[:-1])
    wrong = adam.variables
    wrong[3] = np.zeros((5, 5))
    with pytest.raises(ValueError, match="shape"):
        adam.set_weights(wrong)


def test_slots_follow_the_weights_dtype(float64):
    adam = optimizers.Adam()
    adam.apply(_arrays(0, np.float32), _arrays(1, np.float32))
    assert all(v.dtype == np.float32 for v in adam.variables[1:])
    with pytest.raises(TypeError, match="share a dtype"):
        optimizers.Adam().build([np.zeros(2, np.float32), np.zeros(2)])


def test_an_optimizer_belongs_to_its_weights():
    adam = optimizers.Adam()
    adam.apply(_arrays(0), _arrays(1))
    with pytest.raises(ValueError, match="built for other weight arrays"):
        adam.apply(_arrays(0), _arrays(1))
    with pytest.raises(ValueError, match="2 gradients"):
        optimizers.SGD().apply(_arrays(0), _arrays(1)[:2])


def test_no_weights_is_a_no_op():
    sgd = optimizers.SGD()
    sgd.apply([], [])
    assert sgd.iterations == 0 and not sgd.built


def test_apply_gradients_takes_keras_pairs():
    w = np.array([1.0])
    sgd = optimizers.SGD(0.1)
    assert sgd.apply_gradients([(np.array([1.0]), w)]) == 1
    assert w[0] == pytest.approx(0.9)


ALLOCATION_CASES = [
    ("SGD", {}), ("SGD", {"momentum": 0.9, "nesterov": True}), ("Adagrad", {}),
    ("RMSprop", {"centered": True, "momentum": 0.5}), ("Adam", {"amsgrad": True}),
    ("Adam", {"clipnorm": 1.0, "weight_decay": 0.01}), ("SGD", {"global_clipnorm": 1.0}),
    ("RMSprop", {"clipvalue": 0.1})]


@pytest.mark.parametrize("name, kwargs", ALLOCATION_CASES,
                         ids=[f"{n}-{sorted(k.items())}" for n, k in ALLOCATION_CASES])
def test_a_step_allocates_no_arrays(name, kwargs):
    optimizer = getattr(optimizers, name)(**kwargs)
    # a temporary array for the smaller weight alone would be 4000 bytes; Python's own
    # bookkeeping of a step (tuples, iterators) stays under 1000
    params = [np.ones((100, 1000), np.float32), np.ones(1000, np.float32)]
    grads = [np.full((100, 1000), 0.5, np.float32), np.full(1000, 0.5, np.float32)]
    optimizer.apply(params, grads)                  # the first step builds the state
    tracemalloc.start()
    try:
        for _ in range(3):
            optimizer.apply(params, grads)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < params[1].nbytes, f"a step allocated {peak} bytes"


# -- names and config -------------------------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("sgd", optimizers.SGD), ("SGD", optimizers.SGD), ("adam", optimizers.Adam),
    ("Adam", optimizers.Adam), ("rmsprop", optimizers.RMSprop), ("RMSprop", optimizers.RMSprop),
    ("RMSProp", optimizers.RMSprop), ("adagrad", optimizers.Adagrad),
    ("Adagrad", optimizers.Adagrad)])
def test_get_by_name(name, cls):
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert optimizer.get_config() == cls().get_config() | {"name": optimizer.name}


def test_get_passes_instances_and_reads_configs():
    adam = optimizers.Adam(0.01)
    assert optimizers.get(adam) is adam
    assert optimizers.get(None) is None
    copy = optimizers.get({"class_name": "Adam", "config": adam.get_config()})
    assert copy.get_config() == adam.get_config()
    assert optimizers.deserialize(optimizers.serialize(adam)).get_config() == adam.get_config()
    with pytest.raises(ValueError, match="Did you mean 'adam'"):
        optimizers.get("adamm")


def test_defaults_and_config_keys_as_keras():
    base = ["name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
            "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
            "gradient_accumulation_steps"]
    expected = {
        optimizers.SGD: {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
        optimizers.Adam: {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
                          "epsilon": 1e-7, "amsgrad": False},
        optimizers.RMSprop: {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
                             "epsilon": 1e-7, "centered": False},
        optimizers.Adagrad: {"learning_rate": 0.001, "initial_accumulator_value": 0.1,
                             "epsilon": 1e-7},
    }
    for cls, values in expected.items():
        config = cls().get_config()
        assert list(config) == base + [k for k in values if k != "learning_rate"]
        assert {k: config[k] for k in values} == values
        assert cls.from_config(config).get_config() == config


def test_names_as_keras():
    assert [optimizers.SGD().name, optimizers.SGD().name] == ["sgd", "sgd_1"]
    assert optimizers.RMSprop().name == "rm_sprop"
    assert optimizers.Adam(name="mine").name == "mine"
    assert "beta_1=0.9" in repr(optimizers.Adam())


@pytest.mark.parametrize("build, message", [
    (lambda: optimizers.SGD(learning_rate=-0.1), r"learning_rate must be in \[0, inf\]"),
    (lambda: optimizers.SGD(learning_rate=float("nan")), "learning_rate"),
    (lambda: optimizers.SGD(learning_rate="fast"), "learning_rate must be a number"),
    (lambda: optimizers.SGD(learning_rate=True), "learning_rate must be a number"),
    (lambda: optimizers.SGD(learning_rate=[0.1]), "learning_rate must be a number"),
    (lambda: optimizers.SGD(momentum=1.5), r"momentum must be in \[0, 1\]"),
    (lambda: optimizers.SGD(nesterov="yes"), "nesterov must be True or False"),
    (lambda: optimizers.Adam(beta_1=1.0), r"beta_1 must be in \[0, 1\)"),
    (lambda: optimizers.Adam(beta_2=-0.1), "beta_2"),
    (lambda: optimizers.Adam(epsilon=-1e-7), "epsilon"),
    (lambda: optimizers.RMSprop(rho=1.0), "rho"),
    (lambda: optimizers.RMSprop(momentum=-0.5), "momentum"),
    (lambda: optimizers.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda: optimizers.Adam(clipnorm=1.0, clipvalue=1.0), "Only one of"),
    (lambda: optimizers.Adam(weight_decay=-0.1), "weight_decay"),
    (lambda: optimizers.Adam(use_ema="yes"), "use_ema must be True or False"),
    (lambda: optimizers.Adam(use_ema=True, ema_momentum=1.5), r"ema_momentum must be in"),
    (lambda: optimizers.Adam(use_ema=True, ema_overwrite_frequency=0),
     "ema_overwrite_frequency must be an integer >= 1"),
    (lambda: optimizers.Adam(gradient_accumulation_steps=1), "gradient_accumulation_steps"),
    (lambda: optimizers.Adam(gradient_accumulation_steps=2.5), "gradient_accumulation_steps"),
    (lambda: optimizers.Adam(loss_scale_factor=128.0), "loss_scale_factor"),
    (lambda: optimizers.Adam(beta1=0.9), "unexpected argument"),
])
def test_bad_hyperparameters(build, message):
    with pytest.raises((ValueError, TypeError), match=message):
        build()


def test_decay_is_ignored_with_a_warning_as_keras():
    with pytest.warns(UserWarning, match="decay"):
        optimizers.SGD(decay=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optimizers.SGD(decay=None)


# -- with a model -----------------------------------------------------------------------------
def test_fit_steps_the_compiled_optimizer_and_summary_counts_it():
    model = glassnet.Sequential([glassnet.Input(shape=(5,)), glassnet.layers.Dense(3),
                                 glassnet.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    lines = []
    model.summary(print_fn=lines.append)
    assert "Optimizer params" not in "\n".join(lines)               # not built before fit
    x, y = np.ones((10, 5)), np.zeros((10, 2))
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert model.optimizer.iterations == 6
    assert model.optimizer.count_params() == 2 + 2 * model.count_params()
    model.summary(print_fn=lines.append)
    assert f"Optimizer params: {2 + 2 * 26}" in "\n".join(lines)


@pytest.mark.parametrize("name", ["adam", "rmsprop", "sgd_momentum"])
def test_state_of_a_weight_whose_gradient_stays_zero_never_turns_subnormal(name):
    # A dead unit's momentum decays geometrically; below float32's smallest normal number
    # CPU arithmetic slows many times, so the optimizer flushes such values to 0.
    optimizer = {"adam": glassnet.optimizers.Adam(), "rmsprop": glassnet.optimizers.RMSprop(
        momentum=0.9), "sgd_momentum": glassnet.optimizers.SGD(momentum=0.5)}[name]
    weight = np.ones(8, dtype="float32")
    optimizer.apply([weight], [np.ones(8, dtype="float32")])
    zero = np.zeros(8, dtype="float32")
    tiny = np.finfo(np.float32).tiny
    for _ in range(3000):
        optimizer.apply([weight], [zero])
    for slot in optimizer.slots[0].values():
        assert not np.any((slot != 0) & (np.abs(slot) < tiny))



# -- issue 11: moving averages, accumulation, weight-decay exclusion, None gradients -----------

def test_ema_averages_the_weights_and_finalize_puts_them_in():
    """a starts at w after the first step, then a = m a + (1 - m) w; finalize copies a."""
    optimizer = optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5)
    params, history = _arrays(0), []
    for t in range(1, 4):
        optimizer.apply(params, _arrays(t))
        history.append([p.copy() for p in params])
    expected = history[0]
    for weights in history[1:]:
        expected = [0.5 * a + 0.5 * w for a, w in zip(expected, weights)]
    for average, want in zip(optimizer.variables[2:6], expected):
        np.testing.assert_allclose(average, want, rtol=1e-14)
    optimizer.finalize_variable_values(params)
    for param, want in zip(params, expected):
        np.testing.assert_allclose(param, want, rtol=1e-14)


def test_ema_overwrite_frequency_puts_the_averages_in_every_n_steps():
    optimizer = optimizers.SGD(0.1, use_ema=True, ema_overwrite_frequency=2)
    params = _arrays(0)
    optimizer.apply(params, _arrays(1))
    optimizer.apply(params, _arrays(2))              # the 2nd step: weights = averages
    np.testing.assert_array_equal(params[0], optimizer._averages[0])
    moved = [p.copy() for p in params]
    optimizer.apply(params, _arrays(3))              # the 3rd: weights move on, averages lag
    assert not np.allclose(params[0], optimizer._averages[0])
    np.testing.assert_allclose(optimizer._averages[0], 0.99 * moved[0] + 0.01 * params[0])


def test_gradient_accumulation_applies_the_mean_every_n_calls():
    accumulating = optimizers.SGD(0.1, momentum=0.9, gradient_accumulation_steps=3)
    plain = optimizers.SGD(0.1, momentum=0.9)
    params, reference = _arrays(0), _arrays(0)
    for block in range(2):
        grads = [_arrays(10 * block + k) for k in range(3)]
        for k, step_grads in enumerate(grads):
            before = [p.copy() for p in params]
            accumulating.apply(params, step_grads)
            if k < 2:                                # between: only accumulate
                for p, b in zip(params, before):
                    np.testing.assert_array_equal(p, b)
        plain.apply(reference, [sum(g) / 3 for g in zip(*grads)])
        for got, want in zip(params, reference):
            np.testing.assert_allclose(got, want, rtol=1e-13)
    assert accumulating.iterations == 2 and int(accumulating.variables[0]) == 6


def test_exclude_from_weight_decay_by_name_and_array():
    optimizer = optimizers.SGD(0.0, weight_decay=0.5)      # lr 0: only the decay could move
    params = _arrays(0)
    optimizer.exclude_from_weight_decay(var_list=[params[0]], var_names=["bia"])
    optimizer.build(params, names=["kernel", "bias", "kernel", "bias"])
    optimizer.learning_rate = 0.0
    before = [p.copy() for p in params]
    optimizer.apply(params, _arrays(1))
    for p, b in zip(params, before):                 # lr 0 means decay 1 - 0.5 * 0 = 1
        np.testing.assert_array_equal(p, b)
    decaying = optimizers.SGD(1e-12, weight_decay=1e11)    # decay factor 1 - 0.1 = 0.9
    params = _arrays(0)
    decaying.exclude_from_weight_decay(var_list=[params[0]], var_names=["bia"])
    decaying.build(params, names=["kernel", "bias", "kernel", "bias"])
    before = [p.copy() for p in params]
    decaying.apply(params, [np.zeros_like(p) for p in params])
    np.testing.assert_allclose(params[0], before[0])          # by array
    np.testing.assert_allclose(params[1], before[1])          # "bias" matches "bia"
    np.testing.assert_allclose(params[3], before[3])
    np.testing.assert_allclose(params[2], 0.9 * before[2])    # the second kernel decays


def test_none_gradients_skip_their_weight_and_all_none_is_an_error():
    optimizer = optimizers.Adam(0.1)
    params = _arrays(0)
    before = [p.copy() for p in params]
    grads = _arrays(1)
    grads[2] = None
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['weight 2'\]"):
        optimizer.apply_gradients(zip(grads, params))
    np.testing.assert_array_equal(params[2], before[2])
    assert not np.array_equal(params[0], before[0])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        optimizer.apply_gradients([(None, p) for p in params])


def test_constraints_given_to_build_apply_after_each_update():
    from glassnet import constraints
    optimizer = optimizers.SGD(0.5)
    params = _arrays(0)
    optimizer.build(params, constraints=[constraints.NonNeg(), None, constraints.MaxNorm(0.1),
                                         None])
    optimizer.apply(params, _arrays(1))
    assert params[0].min() >= 0 and params[1].min() < 0
    assert np.linalg.norm(params[2], axis=0).max() <= 0.1 + 1e-12


@pytest.mark.parametrize("name", ["Adadelta", "Ftrl", "Lion", "Lamb", "Adafactor"])
def test_new_optimizers_resolve_and_round_trip(name):
    optimizer = optimizers.get(name.lower())
    assert type(optimizer).__name__ == name
    again = optimizers.deserialize(optimizers.serialize(optimizer))
    assert again.get_config() == optimizer.get_config()


def test_an_ema_model_saves_and_loads_its_optimizer_state(tmp_path):
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x[:, :1] * 2
    model = glassnet.Sequential([glassnet.Input((3,)), glassnet.layers.Dense(1)])
    model.compile(optimizer=optimizers.Lamb(0.01, use_ema=True, gradient_accumulation_steps=2),
                  loss="mse")
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.optimizer.get_config() == model.optimizer.get_config()
    for mine, theirs in zip(again.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(mine, theirs)
