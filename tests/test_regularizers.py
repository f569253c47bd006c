"""Regularizers: penalties and their gradients by hand and by central differences, names and
configs as Keras 3, and inside a model: the loss, its gradient, layer.losses, History."""
import numpy as np
import pytest

import glassnet
from glassnet import layers, regularizers
from tests.helpers import numeric_gradient

X = np.array([[1.5, -2.0], [0.0, 0.5]])


@pytest.mark.parametrize("regularizer, penalty, gradient", [
    (regularizers.L1(0.1), 0.1 * 4.0, 0.1 * np.sign(X)),
    (regularizers.L2(0.1), 0.1 * 6.5, 0.2 * X),
    (regularizers.L1L2(l1=0.1, l2=0.2), 0.1 * 4.0 + 0.2 * 6.5, 0.1 * np.sign(X) + 0.4 * X),
    (regularizers.L1L2(), 0.0, np.zeros_like(X)),
], ids=["l1", "l2", "l1l2", "zeros"])
def test_penalty_and_gradient_by_hand(regularizer, penalty, gradient):
    assert float(regularizer(X)) == pytest.approx(penalty)
    np.testing.assert_allclose(regularizer.gradient(X), gradient)


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.3), regularizers.L2(0.7),
                                         regularizers.L1L2(0.2, 0.5)], ids=repr)
def test_gradient_matches_central_differences(regularizer):
    x = np.random.default_rng(0).standard_normal((3, 4))      # no entry at the kink of |x|
    numeric = numeric_gradient(lambda v: float(regularizer(v)), x)
    np.testing.assert_allclose(regularizer.gradient(x), numeric, rtol=1e-7, atol=1e-9)


def test_penalty_keeps_the_float_type():
    x = np.ones((2, 2), np.float32)
    assert regularizers.L2(0.5)(x).dtype == np.float32
    assert regularizers.L1L2(0.1, 0.1).gradient(x).dtype == np.float32


@pytest.mark.parametrize("name, cls, config", [
    ("l1", regularizers.L1, {"l1": 0.01}), ("L1", regularizers.L1, {"l1": 0.01}),
    ("l2", regularizers.L2, {"l2": 0.01}), ("L2", regularizers.L2, {"l2": 0.01}),
    ("l1l2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
    ("L1L2", regularizers.L1L2, {"l1": 0.0, "l2": 0.0}),
    ("l1_l2", regularizers.L1L2, {"l1": 0.01, "l2": 0.01}),     # as Keras documents it
])
def test_names(name, cls, config):
    regularizer = regularizers.get(name)
    assert type(regularizer) is cls and regularizer.get_config() == config


def test_lower_case_names_are_the_classes_as_in_keras_3():
    assert regularizers.l1 is regularizers.L1 and regularizers.l2 is regularizers.L2
    assert regularizers.l1_l2 is regularizers.L1L2
    assert regularizers.l1_l2(l1=0.1).get_config() == {"l1": 0.1, "l2": 0.0}


def test_serialize_round_trip_and_get_forms():
    l2 = regularizers.L2(0.05)
    assert regularizers.serialize(l2) == {"class_name": "L2", "config": {"l2": 0.05}}
    assert regularizers.get(regularizers.serialize(l2)).get_config() == {"l2": 0.05}
    assert regularizers.deserialize({"class_name": "L1L2", "config": {"l1": 1.0, "l2": 2.0}}
                                    ).get_config() == {"l1": 1.0, "l2": 2.0}
    assert regularizers.get(None) is None and regularizers.serialize(None) is None
    assert regularizers.get(l2) is l2
    assert type(regularizers.get(regularizers.L1)) is regularizers.L1
    assert repr(l2) == "L2(l2=0.05)"


@pytest.mark.parametrize("build, error, message", [
    (lambda: regularizers.L2(-0.1), ValueError, "non-negative"),
    (lambda: regularizers.L1(float("nan")), ValueError, "l1"),
    (lambda: regularizers.L1L2(l2="big"), ValueError, "l2"),
    (lambda: regularizers.get("l3"), ValueError, "Did you mean"),
    (lambda: layers.Dense(2, kernel_regularizer=lambda w: 0.0), TypeError, "gradient"),
    (lambda: layers.Dense(2, activity_regularizer=42), TypeError, "activity_regularizer"),
])
def test_bad_regularizers(build, error, message):
    with pytest.raises(error, match=message):
        build()


# -- in a model -------------------------------------------------------------------------------
def _model(**dense_options):
    model = glassnet.Sequential([
        layers.Input(shape=(3,)),
        layers.Dense(4, activation="tanh", **dense_options),
        layers.Dense(2, activation="softmax", kernel_regularizer=regularizers.L1(0.02))])
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return model


def _data():
    rng = np.random.default_rng(1)
    return rng.standard_normal((6, 3)), np.array([0, 1, 1, 0, 1, 0])


def test_loss_is_the_compiled_loss_plus_every_penalty(float64):
    model = _model(kernel_regularizer="l2", bias_regularizer=regularizers.L1(0.5),
                   activity_regularizer=regularizers.L2(0.1))
    x, y = _data()
    dense, output = model.layers
    dense.set_weights([dense.kernel, np.array([0.1, -0.2, 0.3, 0.0])])
    plain = float(model.loss(y, model.predict(x, verbose=0)))
    hidden = np.tanh(x @ dense.kernel + dense.bias)
    penalties = [0.1 * np.sum(hidden ** 2) / len(x), 0.01 * np.sum(dense.kernel ** 2),
                 0.5 * np.sum(np.abs(dense.bias)), 0.02 * np.sum(np.abs(output.kernel))]
    assert model.evaluate(x, y, verbose=0) == pytest.approx(plain + sum(penalties))
    assert [float(v) for v in model.losses] == pytest.approx(penalties)
    assert [float(v) for v in dense.losses] == pytest.approx(penalties[:3])


def test_backprop_is_the_gradient_of_the_total_loss(float64):
    model = _model(kernel_regularizer=regularizers.L1L2(0.01, 0.05),
                   bias_regularizer="l2", activity_regularizer=regularizers.L1L2(0.01, 0.2))
    x, y = _data()

    def total(weights):
        model.set_weights(weights)
        return model._loss_value(y, model._forward(x, training=True), None)

    weights = [w.copy() for w in model.get_weights()]
    model._collect_params()
    total(weights)
    model._backward(y, model._forward(x, training=True), None)
    analytic = [g.copy() for layer in model.layers for g in layer.grads]
    for index, grad in enumerate(analytic):
        def f(value, index=index):
            trial = [w.copy() for w in weights]
            trial[index] = value
            return total(trial)
        np.testing.assert_allclose(grad, numeric_gradient(f, weights[index]), rtol=1e-6,
                                   atol=1e-9, err_msg=f"weight {index}")


def test_an_activity_penalty_on_the_output_layer_still_gives_the_right_gradient(float64):
    model = glassnet.Sequential([layers.Input(shape=(3,)), layers.Dense(
        2, activation="softmax", activity_regularizer=regularizers.L2(0.3))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert not model._fused()                  # the penalty sits on the softmax's output
    x, y = _data()
    kernel = model.layers[0].kernel

    def total(value):
        kernel[...] = value
        return model._loss_value(y, model._forward(x, training=True), None)

    start = kernel.copy()
    total(start)
    model._backward(y, model._forward(x, training=True), None)
    analytic = model.layers[0].grads[0].copy()
    np.testing.assert_allclose(analytic, numeric_gradient(total, start), rtol=1e-6, atol=1e-9)


def test_history_loss_includes_the_penalties_as_keras():
    """One batch per epoch, plain SGD: the epoch's loss is the total loss before the step."""
    model = _model(kernel_regularizer=regularizers.L2(0.5))
    x, y = _data()
    before = model.evaluate(x, y, batch_size=6, verbose=0)
    history = model.fit(x, y, batch_size=6, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(before, rel=1e-6)
    assert before > model.loss(y, model.predict(x, verbose=0)) + 0.1


def test_l2_with_sgd_shrinks_the_weights_by_two_lr_l2():
    model = glassnet.Sequential([layers.Input(shape=(2,)), layers.Dense(
        2, kernel_initializer="ones", bias_initializer="ones",
        kernel_regularizer=regularizers.L2(0.25))])
    model.compile(optimizer=glassnet.optimizers.SGD(0.1), loss="mse")
    x, y = np.zeros((4, 2)), np.ones((4, 2))               # the loss's gradient is 0 here
    model.train_on_batch(x, y)
    np.testing.assert_allclose(model.layers[0].kernel, 1 - 2 * 0.1 * 0.25)
    np.testing.assert_allclose(model.layers[0].bias, 1.0)


def test_a_frozen_layer_has_no_weight_penalty_but_keeps_its_activity_penalty():
    model = _model(kernel_regularizer="l2", activity_regularizer="l1")
    x, y = _data()
    model.predict(x, verbose=0)
    dense = model.layers[0]
    assert len(dense.losses) == 2
    dense.trainable = False
    assert len(dense.losses) == 1                           # the activity penalty only


def test_config_carries_the_regularizers_and_rebuilds_them():
    dense = layers.Dense(3, kernel_regularizer=regularizers.L1L2(0.1, 0.2),
                         activity_regularizer="l2")
    config = dense.get_config()
    assert config["kernel_regularizer"] == {"class_name": "L1L2",
                                            "config": {"l1": 0.1, "l2": 0.2}}
    assert config["bias_regularizer"] is None
    assert config["activity_regularizer"] == {"class_name": "L2", "config": {"l2": 0.01}}
    keys = list(config)
    assert keys.index("activity_regularizer") < keys.index("units")     # Keras's order
    assert "activity_regularizer" not in layers.Dense(3).get_config()
    rebuilt = layers.Dense.from_config(config)
    assert rebuilt.kernel_regularizer.get_config() == {"l1": 0.1, "l2": 0.2}
    assert rebuilt.activity_regularizer.get_config() == {"l2": 0.01}
