"""gradient_check's bounds (issue 9): a correct net scores below 1e-4, the same net with one
layer's gradient 1% off scores above 1e-3 — on the nets the README and the lab train."""
import pytest

import glassnet as keras
from glassnet import inspect
from glassnet.insight import measure


def digits():
    pytest.importorskip("sklearn")
    _, x, _, y, _, _ = keras.datasets.load_digits_split(seed=0, scale=16)
    return x[:64], y[:64]


def net(activation, depth, init, width=64):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,))] + [
        keras.layers.Dense(width, activation=activation, kernel_initializer=init)
        for _ in range(depth)] + [keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def one_layer_off(monkeypatch, layer, factor=1.01):
    """Backpropagation with ``layer``'s gradients scaled by ``factor`` (a 1% error)."""
    original = measure._loss_and_backward

    def wrong(model, x, y, sample_weight):
        out = original(model, x, y, sample_weight)
        for grad in model.layers[layer].grads:
            grad *= factor
        return out
    monkeypatch.setattr(measure, "_loss_and_backward", wrong)


@pytest.mark.parametrize("activation, depth, init", [
    ("sigmoid", 5, "glorot_uniform"),            # the README's vanishing example (was 3.7e-3)
    ("sigmoid", 3, "glorot_uniform"),
    ("relu", 8, "he_normal"),                    # the lab's deepest depth arm
    ("relu", 10, "glorot_uniform"),              # deep-relu's 10 layers
    ("relu", 30, "he_normal"),                   # deep-relu's 30 layers
])
def test_correct_nets_score_below_1e4_and_one_layer_1_percent_off_above_1e3(
        activation, depth, init, monkeypatch):
    x, y = digits()
    model = net(activation, depth, init)
    entries = 24 if depth > 10 else 64
    assert inspect.gradient_check(model, x, y, max_entries=entries) < 1e-4
    for layer in (0, depth // 2, depth):
        with monkeypatch.context() as patch:
            one_layer_off(patch, layer)
            assert inspect.gradient_check(model, x, y, max_entries=entries) > 1e-3, layer


def test_relu_kinks_do_not_count_but_a_wrong_relu_derivative_does(monkeypatch):
    x, y = digits()
    model = net("relu", 8, "he_normal")
    assert inspect.gradient_check(model, x, y, max_entries=32) < 1e-4
    from glassnet import activations
    relu = type(activations.get("relu"))
    backward = relu.backward
    monkeypatch.setattr(relu, "backward",
                        lambda self, grad, z, y_: backward(self, grad, z, y_) * 0.5)
    assert inspect.gradient_check(model, x, y, max_entries=32) > 1e-1


def test_one_given_step_is_used_alone():
    x, y = digits()
    model = net("sigmoid", 3, "glorot_uniform")
    assert inspect.gradient_check(model, x, y, eps=1e-4, max_entries=8) < 1e-4
