"""glassnet.diagnose: the chapter's textbook failures are found, healthy networks stay silent.

Each textbook case trains a small network on the notes' digits (pixels / 16) with a Probe and
asserts the finding and the layer it names; the healthy controls (ReLU + He, a sensible
learning rate, on digits and on a 2-D toy set) must give no finding at all.
"""
import re

import numpy as np
import pytest

import glassnet as keras
from glassnet.callbacks import Probe
from glassnet.insight.diagnosis import Finding
from glassnet.insight.messages import TEMPLATES

L, I = keras.layers, keras.initializers
SGD = keras.optimizers.SGD


@pytest.fixture(scope="module")
def digits():
    _, x, _, y, _, _ = keras.datasets.load_digits_split(seed=0, scale=16)
    return x[:512], y[:512]


def mlp(hidden, activation, kernel_initializer, bias_initializer="zeros",
        output_initializer="glorot_uniform", inputs=64, classes=10, output="softmax"):
    layers = [keras.Input(shape=(inputs,))]
    for units in hidden:
        layers.append(L.Dense(units, activation=activation, kernel_initializer=kernel_initializer,
                              bias_initializer=bias_initializer))
    layers.append(L.Dense(classes, activation=output, kernel_initializer=output_initializer))
    return keras.Sequential(layers)


def train(model, x, y, optimizer, epochs=3, loss="sparse_categorical_crossentropy", batch_size=32):
    model.compile(optimizer=optimizer, loss=loss)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=[Probe()])
    return history, keras.diagnose(history)


def codes(findings):
    return [f.code for f in findings]


def the(findings, code):
    matches = [f for f in findings if f.code == code]
    assert len(matches) == 1, f"expected one {code}, got {codes(findings)}"
    return matches[0]


# -- textbook cases -----------------------------------------------------------------------------
def test_deep_sigmoid_with_large_init_saturates(digits):
    large = I.RandomNormal(stddev=1.0)
    model = mlp([100] * 5, "sigmoid", large, output_initializer=large)
    history, findings = train(model, *digits, SGD(0.1))
    finding = the(findings, "saturation")
    hidden = [layer.name for layer in model.layers[:-1]]
    assert finding.layer in hidden and finding.severity == "warning"
    assert finding.evidence["share"] >= 0.5 and finding.evidence["layers"] >= 3
    assert the(findings, "initial_loss").evidence["loss"] > 2 * np.log(10)
    assert "vanishing_gradient" not in codes(findings)        # large weights carry it back


def test_deep_sigmoid_with_xavier_init_vanishes(digits):
    model = mlp([100] * 5, "sigmoid", "glorot_uniform")
    _, findings = train(model, *digits, SGD(0.1))
    assert codes(findings) == ["vanishing_gradient"]
    finding = findings[0]
    assert finding.layer == model.layers[0].name
    assert finding.evidence["ratio"] < 1e-2
    assert finding.evidence["per_layer"] == pytest.approx(0.25, abs=0.1)   # sigmoid' <= 1/4
    assert "at most 0.25" in finding.message()


def test_constant_init_keeps_every_hidden_unit_identical(digits, float64):
    model = mlp([20, 20], "tanh", I.Constant(0.02), output_initializer=I.Constant(0.02))
    history, findings = train(model, *digits, SGD(0.1))
    finding = the(findings, "symmetric_units")
    assert finding.layer == model.layers[0].name and finding.severity == "error"
    assert finding.evidence == {**finding.evidence, "groups": 1, "units": 20, "total": 20,
                                "distinct": 1, "layers": 2}
    for layer in model.layers[:-1]:
        kernel, bias = layer.get_weights()
        assert np.abs(kernel - 0.02).max() > 1e-5          # the weights learn, yet the units
        assert np.abs(bias).max() > 1e-5                     # never part
        assert np.ptp(kernel, axis=1).max() <= 1e-12 * np.abs(kernel).max()
        assert np.ptp(bias) <= 1e-12 * np.abs(bias).max()


def test_zero_init_gives_no_learning_signal(digits):
    model = mlp([50, 50], "relu", "zeros", output_initializer="zeros")
    history, findings = train(model, *digits, SGD(0.1))
    assert codes(findings) == ["no_learning_signal"]
    finding = findings[0]
    assert finding.layer == model.layers[-1].name and finding.severity == "error"
    assert finding.variant == "zero_weights" and finding.evidence["layers"] == 3
    assert all(np.all(w == 0) for w in model.get_weights()[:-1])     # only the output bias moved


def test_huge_init_with_large_learning_rate_explodes_then_diverges(digits):
    model = mlp([100] * 5, "relu", I.RandomNormal(stddev=1.0))
    history, findings = train(model, *digits, SGD(0.1))                # fit does not raise
    assert codes(findings) == ["initial_loss", "exploding_gradient", "diverged"]
    exploding = findings[1]
    assert exploding.layer in [layer.name for layer in model.layers]
    assert exploding.evidence["update_ratio"] > 1
    assert exploding.evidence["grad_norm"] > exploding.evidence["kernel_norm"]
    assert findings[2].layer is None and findings[2].severity == "error"
    assert findings[2].evidence["step"] > exploding.evidence["step"]
    assert np.isnan(history.history["loss"][-1])


def test_deep_xavier_relu_stalls_while_the_gradient_ratio_looks_normal(digits):
    model = mlp([100] * 30, "relu", "glorot_uniform")
    _, findings = train(model, *digits, SGD(0.01), epochs=2)
    finding = the(findings, "stalled")
    assert finding.evidence["update_ratio"] < 1e-4
    assert finding.evidence["grad_ratio"] > 1e-2                  # not a vanishing gradient
    assert "vanishing_gradient" not in codes(findings)


def test_deep_he_relu_trains(digits):
    model = mlp([100] * 10, "relu", "he_normal")
    history, findings = train(model, *digits, "adam")
    assert findings == []
    assert history.history["loss"][-1] < 1.0


def test_relu_layer_with_large_negative_bias_has_dead_units(digits):
    model = mlp([100, 100], "relu", "he_normal")
    kernel, _ = model.layers[1].get_weights()
    model.layers[1].set_weights([kernel, np.full(100, -1.5)])
    _, findings = train(model, *digits, "adam")
    finding = the(findings, "dead_units")
    assert finding.layer == model.layers[1].name
    assert 0.5 <= finding.evidence["share"] < 1.0 and finding.severity == "warning"
    assert "no_learning_signal" not in codes(findings)


def test_a_whole_dead_layer_cuts_the_learning_signal(digits):
    model = mlp([100, 100], "relu", "he_normal", bias_initializer=I.Constant(-3.0))
    _, findings = train(model, *digits, "adam", epochs=1)
    assert codes(findings) == ["no_learning_signal", "dead_units"]
    assert findings[0].variant == "dead_layer"
    assert findings[0].context["dead"] == model.layers[0].name      # the first layer: no layer
    assert "layer after it" in findings[0].message()               # before it, yet 3 cut off
    assert "바로 뒤 층" in findings[0].message("ko")
    assert findings[1].severity == "error" and findings[1].evidence["share"] == 1.0


# -- the output layer and the loss --------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:You are using a softmax")
@pytest.mark.parametrize("output, units, loss, variant", [
    ("softmax", 10, "binary_crossentropy", "softmax_binary"),
    ("softmax", 10, keras.losses.SparseCategoricalCrossentropy(from_logits=True),
     "logits_on_probabilities"),
    ("linear", 10, "sparse_categorical_crossentropy", "probability_loss_on_logits"),
    ("softmax", 1, "binary_crossentropy", "single_softmax"),
])
def test_output_loss_mismatch(digits, output, units, loss, variant):
    x, y = digits
    if loss == "binary_crossentropy":
        y = keras.utils.to_categorical(y, 10)[:, :units]
    model = mlp([32], "relu", "he_normal", classes=units, output=output)
    _, findings = train(model, x, y, "adam", epochs=1, loss=loss)
    finding = the(findings, "output_loss_mismatch")
    assert (finding.layer, finding.variant, finding.severity) == \
        (model.layers[-1].name, variant, "error")
    assert codes(findings)[0] == "output_loss_mismatch"          # known before the first step


@pytest.mark.parametrize("output, loss", [
    ("softmax", "sparse_categorical_crossentropy"), ("sigmoid", "binary_crossentropy"),
    ("linear", keras.losses.SparseCategoricalCrossentropy(from_logits=True)),
    ("linear", "mse")])
def test_matching_output_and_loss_are_fine(output, loss):
    units = 1 if output == "sigmoid" else 3
    model = mlp([8], "relu", "he_normal", inputs=4, classes=units, output=output)
    model.compile(optimizer="adam", loss=loss)
    x = np.random.default_rng(0).standard_normal((30, 4))
    y = np.arange(30) % 3 if units == 3 and loss != "mse" else (np.arange(30) % 2).astype(float)
    if loss == "mse":
        y = np.tile(y[:, None], (1, 3))
    assert "output_loss_mismatch" not in codes(keras.diagnose(model, x, y))


# -- healthy controls ---------------------------------------------------------------------------
@pytest.mark.parametrize("optimizer", ["adam", "sgd_0.1", "sgd_0.01"])
def test_healthy_network_on_digits_gets_no_finding(optimizer):
    _, x, _, y, _, _ = keras.datasets.load_digits_split(seed=0, scale=16)
    model = mlp([300, 100], "relu", "he_normal")
    opt = "adam" if optimizer == "adam" else SGD(float(optimizer.split("_")[1]))
    history, findings = train(model, x, y, opt, epochs=5)
    assert findings == []
    assert keras.diagnose(model, x, y) == []
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_healthy_network_on_a_toy_set_gets_no_finding():
    x, y = keras.datasets.make_moons(300, noise=0.15, seed=0)
    model = mlp([32, 32], "relu", "he_normal", inputs=2, classes=2)
    history, findings = train(model, x, y, keras.optimizers.Adam(0.01), epochs=40)
    assert findings == []
    assert keras.diagnose(model, x, y) == []
    assert history.history["loss"][-1] < 0.2


def test_shallow_sigmoid_and_tanh_networks_get_no_finding(digits):
    for activation in ("sigmoid", "tanh"):
        _, findings = train(mlp([64, 64], activation, "glorot_uniform"), *digits, "adam")
        assert findings == [], activation


# -- a model on one batch -----------------------------------------------------------------------
def test_diagnose_a_model_on_a_batch_without_training_it(digits):
    x, y = digits
    model = mlp([100] * 5, "sigmoid", "glorot_uniform")
    model.compile(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy")
    before = model.get_weights()
    findings = keras.diagnose(model, x, y)
    assert codes(findings) == ["vanishing_gradient"]
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.iterations == 0


def test_diagnose_a_model_finds_what_training_would(digits):
    x, y = digits[0][:128], digits[1][:128]
    cases = [(mlp([100] * 30, "relu", "glorot_uniform"), SGD(0.01), "stalled"),
             (mlp([50, 50], "relu", "zeros", output_initializer="zeros"), "sgd",
              "no_learning_signal"),
             (mlp([50, 50], "tanh", I.Constant(0.1)), "sgd", "symmetric_units"),
             (mlp([100] * 3, "relu", I.RandomNormal(stddev=1.0)), SGD(0.1), "exploding_gradient"),
             (mlp([100], "relu", "he_normal", bias_initializer=I.Constant(-1.5)), "adam",
              "dead_units")]
    for model, optimizer, code in cases:
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        assert code in codes(keras.diagnose(model, x, y)), code
    stalled = mlp([100] * 30, "relu", "glorot_uniform")
    stalled.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert "stalled" not in codes(keras.diagnose(stalled, x, y))     # Adam rescales its steps


def test_initial_loss_only_judges_an_untrained_model(digits):
    x, y = digits
    model = mlp([32], "relu", I.RandomNormal(stddev=2.0))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert "initial_loss" in codes(keras.diagnose(model, x * 16, y))    # raw pixels 0..16
    model.fit(x, y, epochs=1, verbose=0)
    assert "initial_loss" not in codes(keras.diagnose(model, x * 16, y))


# -- the findings themselves --------------------------------------------------------------------
def test_each_condition_is_reported_once(digits):
    model = mlp([100] * 5, "sigmoid", "glorot_uniform")
    _, findings = train(model, *digits, SGD(0.1), epochs=6)
    assert len(codes(findings)) == len(set(codes(findings)))


def test_diagnose_without_probe_still_sees_divergence_and_the_setup(digits):
    x, y = digits
    model = mlp([32], "relu", I.RandomNormal(stddev=30.0), output="linear")
    model.compile(optimizer=SGD(10.0), loss="mse")
    history = model.fit(x, keras.utils.to_categorical(y, 10), epochs=2, verbose=0)
    with pytest.warns(UserWarning, match="no Probe records"):
        assert codes(keras.diagnose(history)) == ["diverged"]
    model = mlp([32], "relu", "he_normal", output="linear")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.warns(UserWarning, match=r"callbacks=\[glassnet.callbacks.Probe\(\)\]"):
        assert codes(keras.diagnose(model.fit(x, y, verbose=0))) == ["output_loss_mismatch"]


def test_diagnose_takes_the_probe_records_themselves(digits):
    model = mlp([100] * 5, "sigmoid", "glorot_uniform")
    history, findings = train(model, *digits, SGD(0.1), epochs=1)
    assert codes(keras.diagnose(history.probes)) == codes(findings) == ["vanishing_gradient"]


def test_bad_arguments(digits):
    model = mlp([8], "relu", "he_normal")
    with pytest.raises(ValueError, match="x, y"):
        keras.diagnose(model)
    with pytest.raises(ValueError, match="compile"):
        keras.diagnose(model, *digits)
    with pytest.raises(ValueError, match="both x and y"):
        keras.diagnose(model, digits[0])
    with pytest.raises(TypeError, match="History"):
        keras.diagnose(42)
    with pytest.raises(ValueError, match="'en' or 'ko'"):
        Finding("stalled", None, "warning", {}).message("de")


HANGUL = re.compile("[\uac00-\ud7a3]")


def sample_evidence():
    numbers = dict(step=3, epoch=0, batch=3, loss=7.4, expected=2.30, classes=10, grad_norm=4.8e3,
                   kernel_norm=79.6, update_ratio=6.05, ratio=7.8e-4, per_layer=0.24, depth=6,
                   max_derivative=0.25, share=0.75, layers=2, groups=1, units=50, total=50,
                   distinct=1, loss_start=2.303, loss_now=2.302, grad_ratio=0.02, window=20,
                   baseline=2.30, records=100, largest_update=4.2e-4)
    words = dict(last="dense_5", activation="sigmoid", others_en=" (also in 'dense_2')",
                 others_ko=" 'dense_2' 층도 마찬가지입니다.", names="'dense', 'dense_1'",
                 dead="dense_1", what_en="the loss", what_ko="손실", value="nan",
                 loss_name="binary_crossentropy", moving="'dense_2'")
    return numbers, words


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_message_reads_in_english_and_korean(key):
    numbers, words = sample_evidence()
    finding = Finding(key[0], "dense", "warning", numbers, key[1], words)
    english, korean = finding.message("en"), finding.message(lang="ko")
    assert "{" not in english and "{" not in korean
    assert "Why:" in english and "Try:" in english
    assert "원인:" in korean and "해결:" in korean
    sentences = [s for s in re.split(r"(?<=[.])\s", korean) if s]
    assert len(sentences) >= 3
    assert all(s.rstrip().endswith(("다.", "요.", "세요.")) for s in sentences), sentences
    letters = [c for c in re.sub(r"'[^']*'|\([^)]*\)|[a-z_]+\w*", "", korean) if c.isalpha()]
    assert sum(bool(HANGUL.match(c)) for c in letters) >= 0.9 * len(letters)
    assert str(finding).startswith("[warning] " + key[0])


def test_divergence_and_explosion_name_the_batch_within_its_epoch():
    from glassnet.insight.diagnosis import Watcher
    row = {"name": "dense", "activation": "relu", "units": 4, "fan_in": 2, "kernel_norm": 2.0,
           "grad_norm": 50.0, "update_ratio": 5.0}
    watcher = Watcher()
    watcher.add({"step": 45, "epoch": 1, "batch": 7, "loss": 2.0, "layers": [row]})
    watcher.add({"step": 46, "epoch": 1, "batch": 8, "loss": float("nan"), "layers": [row]})
    exploding, diverged = watcher.findings
    assert "epoch 2, batch 8" in exploding.message() and "batch 46" not in exploding.message()
    assert "epoch 2, batch 9" in diverged.message()
    assert "에폭 2의 9번째 배치" in diverged.message("ko")


def test_divergence_seen_only_in_the_epoch_losses_names_the_epoch_not_a_batch():
    history = keras.callbacks.History()
    history.history = {"loss": [2.3, float("nan")]}
    with pytest.warns(UserWarning, match="no Probe records"):
        (finding,) = keras.diagnose(history)
    assert "epoch 2" in finding.message() and "batch" not in finding.message()
    assert "에폭 2" in finding.message("ko") and "배치" not in finding.message("ko")


def test_stalled_message_does_not_claim_the_loss_stayed_the_same_when_it_rose():
    numbers, words = sample_evidence()
    finding = Finding("stalled", None, "warning", {**numbers, "loss_start": 2.3, "loss_now": 2.9},
                      "history", words)
    assert "2.3" in finding.message("ko") and "2.9" in finding.message("ko")
    assert "거의 같" not in finding.message("ko")


def test_initial_loss_of_several_sigmoid_outputs_is_judged_against_ln_2():
    x = np.random.default_rng(0).standard_normal((64, 4))
    y = (np.random.default_rng(1).random((64, 10)) < 0.5).astype(float)     # 10 yes/no labels
    model = mlp([8], "relu", "he_normal", inputs=4, output="sigmoid")
    model.layers[-1].set_weights([model.layers[-1].get_weights()[0], np.full(10, -6.0)])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    finding = the(keras.diagnose(model, x, y), "initial_loss")
    assert finding.evidence["classes"] == 2 and finding.evidence["expected"] == np.log(2)


def test_after_an_explosion_small_steps_are_not_reported_as_stalled():
    _, x, _, y, _, _ = keras.datasets.load_digits_split(seed=0, scale=16)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,)), L.Dense(32, activation="relu"), L.Dense(1)])
    _, findings = train(model, x, y.astype(float) * 10, SGD(0.03), epochs=4, loss="mse")
    assert codes(findings)[0] == "exploding_gradient"
    assert "dead_units" in codes(findings)                 # the explosion's aftermath
    assert "stalled" not in codes(findings)                # not a deep net's tiny steps


def test_explosion_on_a_model_not_trained_speaks_of_the_next_step(digits):
    x, y = digits[0][:128], digits[1][:128]
    model = mlp([100] * 3, "relu", I.RandomNormal(stddev=1.0))
    model.compile(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy")
    finding = the(keras.diagnose(model, x, y), "exploding_gradient")
    assert "would change" in finding.message() and "epoch" not in finding.message()
    assert "바뀌게 됩니다" in finding.message("ko") and "에폭" not in finding.message("ko")


def test_divergence_of_a_model_on_a_batch_names_no_epoch(digits):
    x, y = digits[0][:64], digits[1][:64]
    model = mlp([16], "relu", "he_normal")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    kernel, bias = model.layers[0].get_weights()
    model.layers[0].set_weights([np.full_like(kernel, np.inf), bias])
    finding = the(keras.diagnose(model, x, y), "diverged")
    assert "this batch" in finding.message() and "epoch" not in finding.message()
    assert "이 배치" in finding.message("ko") and "에폭" not in finding.message("ko")
