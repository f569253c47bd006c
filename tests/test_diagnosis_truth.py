"""diagnose neither misses nor cries wolf (issue 9): a net at chance with a flat loss gets a
finding naming the layers that do not move; a stall that recovers is kept with its start and
end as 'info'; 56 healthy configurations stay silent; the Korean words are the glossary's."""
import itertools

import pytest

import glassnet as keras
from glassnet import glossary
from glassnet.callbacks import Probe
from glassnet.insight.messages import RESOLVED, TEMPLATES

L = keras.layers


@pytest.fixture(scope="module")
def digits():
    _, x, _, y, _, _ = keras.datasets.load_digits_split(seed=0, scale=16)
    return x, y


def fit(hidden, activation, init, optimizer, x, y, epochs, loss="sparse_categorical_crossentropy",
        classes=10, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(x.shape[1],))] + [
        L.Dense(units, activation=activation, kernel_initializer=init) for units in hidden]
        + [L.Dense(classes, activation="softmax")])
    model.compile(optimizer=optimizer, loss=loss)
    targets = keras.utils.to_categorical(y, classes) if loss == "mse" else y
    history = model.fit(x, targets, batch_size=32, epochs=epochs, verbose=0, callbacks=[Probe()])
    return model, history, keras.diagnose(history)


def test_a_sigmoid_mse_net_at_chance_is_stalled_and_the_still_layers_are_named(digits):
    model, history, findings = fit([64, 64], "sigmoid", "glorot_uniform",
                                   keras.optimizers.SGD(0.1), *digits, epochs=20, loss="mse")
    losses = history.history["loss"]
    assert losses[-1] > 0.95 * losses[0]                      # flat: it never learned
    stalled = [f for f in findings if f.code == "stalled"]
    assert len(stalled) == 1 and stalled[0].severity == "warning"
    hidden = [layer.name for layer in model.layers[:2]]
    assert stalled[0].evidence["layers"] == hidden           # judged per layer: not the output
    assert all(f"'{name}'" in stalled[0].message() for name in hidden)
    assert "정체" in stalled[0].message("ko")


def test_a_stall_that_recovers_is_kept_as_info_with_its_start_and_end(digits):
    x, y = digits
    _, history, findings = fit([64] * 10, "relu", "glorot_uniform", keras.optimizers.SGD(0.01),
                               x[:512], y[:512], epochs=60)
    assert history.history["loss"][-1] < 0.9 * history.history["loss"][0]    # it recovered
    stalled = next(f for f in findings if f.code == "stalled")
    assert stalled.severity == "info"
    assert 0 <= stalled.evidence["start_step"] < stalled.evidence["end_step"]
    assert stalled.message().startswith("Resolved: this held from step ")
    assert stalled.message("ko").startswith("해결됨: 스텝 ")
    assert not [f for f in findings if f.severity != "info"]


HEALTHY = (
    [(depth, activation, init, optimizer, "digits")
     for depth, activation, init, optimizer in itertools.product(
        (1, 2, 3), ("relu", "elu", "leaky_relu", "tanh"), ("he_normal", "glorot_uniform"),
        ("adam", "sgd"))]
    + [(depth, "sigmoid", "glorot_uniform", "adam", "digits") for depth in (1, 2)]
    + [(depth, activation, init, "adam", "moons")
       for depth, activation, init in itertools.product((1, 2), ("relu", "tanh"),
                                                        ("he_normal", "glorot_uniform"))
       if (depth, init) != (1, "glorot_uniform")])


def test_the_healthy_grid_has_56_configurations():
    assert len(HEALTHY) == 56


@pytest.mark.parametrize("depth, activation, init, optimizer, data", HEALTHY)
def test_healthy_configurations_stay_silent(depth, activation, init, optimizer, data, digits):
    if data == "moons":
        x, y = keras.datasets.make_moons(300, noise=0.15, seed=0)
        opt, classes, epochs = keras.optimizers.Adam(0.01), 2, 30
    else:
        (x, y), classes, epochs = (digits[0][:512], digits[1][:512]), 10, 5
        opt = "adam" if optimizer == "adam" else keras.optimizers.SGD(0.1)
    _, history, findings = fit([64] * depth, activation, init, opt, x, y, epochs,
                               classes=classes)
    assert findings == [], [f.format() for f in findings]
    assert history.history["loss"][-1] < history.history["loss"][0]       # it learns


def test_korean_messages_use_the_glossary_terms():
    for key, words in TEMPLATES.items():
        for avoided, term in glossary.AVOID.items():
            assert avoided not in words["ko"], (key, avoided, term)
    assert glossary.term("gradient") in TEMPLATES[("vanishing_gradient", "bounded")]["ko"]
    assert all(avoided not in RESOLVED["ko"] for avoided in glossary.AVOID)


def test_a_run_shorter_than_the_patience_is_judged_without_error(digits):
    x, y = digits
    _, history, findings = fit([8], "sigmoid", "glorot_uniform", "adam", x[:64], y[:64], epochs=1)
    assert len(history.probes) < 5 and isinstance(findings, list)
