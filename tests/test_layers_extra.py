"""The layers of issue 6: BatchNormalization, GaussianNoise, ReLU, LeakyReLU, Softmax, Reshape.

Every backward pass is checked against central differences in float64 (inputs and weights,
training and inference modes); forward values against the formulas by hand; weights,
configs and errors as Keras has them.
"""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from tests.helpers import numeric_gradient


def _gradient_errors(layer, x, training, reseed=None):
    """Largest relative error of backward (input and each weight) against central
    differences of L = sum(forward(x) * R); ``reseed`` restarts random draws per call."""
    def forward(value):
        if reseed:
            reseed()
        return layer.forward(value, training=training)

    layer(x, training=training)                               # build
    rng = np.random.default_rng(5)
    upstream = rng.standard_normal(forward(x).shape)
    analytic_x = layer.backward(upstream.copy())
    analytic = [g.copy() for g in layer.grads]
    loss = lambda value: float(np.sum(forward(value) * upstream))      # noqa: E731
    errors = {"x": _relative(analytic_x, numeric_gradient(loss, x))}
    for name, param, grad in zip(layer.param_names, layer.params, analytic):
        start = param.copy()

        def of_param(value, param=param):
            param[...] = value
            return loss(x)
        errors[name] = _relative(grad, numeric_gradient(of_param, start))
        param[...] = start
    return errors


def _relative(analytic, numeric):
    scale = max(float(np.max(np.abs(numeric))), 1e-12)
    return float(np.max(np.abs(analytic - numeric))) / scale


def _batch(shape, seed=0, loc=0.0):
    return np.random.default_rng(seed).standard_normal(shape) * 2.0 + loc


# -- BatchNormalization -----------------------------------------------------------------------
def test_batchnorm_training_output_by_formula(float64):
    bn = layers.BatchNormalization(epsilon=1e-3)
    x = _batch((8, 3), loc=1.5)
    bn.build((None, 3))
    bn.set_weights([np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0]),
                    np.zeros(3), np.ones(3)])
    y = bn(x, training=True)
    mean, var = x.mean(0), x.var(0)                           # biased variance, as Keras
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3) * [1, 2, 0.5] + [0, -1, 3])
    np.testing.assert_allclose(bn.moving_mean, 0.01 * mean)
    np.testing.assert_allclose(bn.moving_variance, 0.99 + 0.01 * var)


def test_batchnorm_inference_uses_the_moving_statistics(float64):
    bn = layers.BatchNormalization(epsilon=0.01)
    bn.build((None, 2))
    bn.set_weights([np.array([2.0, 1.0]), np.array([0.5, 0.0]), np.array([1.0, -1.0]),
                    np.array([4.0, 0.25])])
    x = _batch((5, 2))
    expected = (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 0.01) * [2, 1] + [0.5, 0]
    np.testing.assert_allclose(bn(x, training=False), expected)
    np.testing.assert_allclose(bn.moving_mean, [1.0, -1.0])         # untouched


def test_batchnorm_frozen_layer_runs_in_inference_mode_even_in_training(float64):
    bn = layers.BatchNormalization()
    bn.build((None, 2))
    bn.trainable = False
    x = _batch((4, 2))
    np.testing.assert_allclose(bn(x, training=True), x / np.sqrt(1 + 1e-3))
    np.testing.assert_array_equal(bn.moving_mean, 0.0)


def test_batchnorm_moving_statistics_follow_training_steps(float64):
    bn = layers.BatchNormalization(momentum=0.5)
    bn.build((None, 1))
    mean, variance = 0.0, 1.0
    for step in range(4):
        x = _batch((6, 1), seed=step, loc=step)
        bn(x, training=True)
        mean = 0.5 * mean + 0.5 * x.mean()
        variance = 0.5 * variance + 0.5 * x.var()
    np.testing.assert_allclose(bn.moving_mean, [mean])
    np.testing.assert_allclose(bn.moving_variance, [variance])


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("shape, axis", [((6, 3), -1), ((4, 3, 2), -1), ((4, 3, 2), 1)],
                         ids=["2d", "3d-last", "3d-axis1"])
def test_batchnorm_gradients(float64, training, shape, axis):
    bn = layers.BatchNormalization(axis=axis, gamma_initializer="random_normal",
                                   beta_initializer="random_normal")
    x = _batch(shape, loc=0.7)
    if not training:
        bn.build(shape)
        bn.moving_mean[...] = 0.3
        bn.moving_variance[...] = 1.7
    errors = _gradient_errors(bn, x, training)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("center, scale", [(False, True), (True, False), (False, False)])
def test_batchnorm_without_center_or_scale(float64, center, scale):
    bn = layers.BatchNormalization(center=center, scale=scale)
    errors = _gradient_errors(bn, _batch((5, 2)), training=True)
    assert max(errors.values()) < 1e-7, errors
    assert bn.param_names == ["gamma"] * scale + ["beta"] * center
    assert bn.buffer_names == ["moving_mean", "moving_variance"]


def test_batchnorm_weights_order_counts_and_optimizer_sees_only_trainable():
    model = glassnet.Sequential([layers.Input(shape=(3,)), layers.Dense(4),
                                 layers.BatchNormalization(), layers.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 4), (4,), (4,), (4,), (4,), (4,), (4, 2), (2,)]
    bn = model.layers[1]
    assert [id(w) for w in bn.weights] == [id(bn.gamma), id(bn.beta), id(bn.moving_mean),
                                           id(bn.moving_variance)]
    assert model.count_params() == 16 + 16 + 10
    assert len(model.trainable_weights) == 6 and len(model.non_trainable_weights) == 2
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), batch_size=4, verbose=0)
    assert model.optimizer.count_params() == 2 + 2 * (16 + 8 + 10)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 8 (32.00 B)" in lines[0]
    weights = model.get_weights()
    weights[4] = np.full(4, 7.0)
    model.set_weights(weights)
    np.testing.assert_array_equal(bn.moving_mean, 7.0)
    with pytest.raises(ValueError, match="8 arrays"):
        model.set_weights(weights[:6])


def test_batchnorm_in_fit_updates_statistics_and_predict_uses_them():
    model = glassnet.Sequential([layers.Input(shape=(2,)), layers.BatchNormalization(
        momentum=0.0)])
    model.compile(optimizer=glassnet.optimizers.SGD(0.0), loss="mse")
    x = _batch((16, 2), loc=3.0).astype(np.float32)
    model.fit(x, np.zeros((16, 2)), batch_size=16, shuffle=False, verbose=0)
    bn = model.layers[0]
    np.testing.assert_allclose(bn.moving_mean, x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance, x.var(0), rtol=1e-5)
    y = model.predict(x, verbose=0)
    np.testing.assert_allclose(y.mean(0), 0.0, atol=1e-5)
    assert bn.moving_mean == pytest.approx(x.mean(0), rel=1e-5)       # predict left them


def test_batchnorm_config_and_errors():
    bn = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, gamma_regularizer="l2")
    config = bn.get_config()
    assert list(config)[3:] == [
        "axis", "momentum", "epsilon", "center", "scale", "beta_initializer",
        "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer",
        "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint",
        "synchronized", "renorm", "renorm_clipping", "renorm_momentum"]
    rebuilt = layers.BatchNormalization.from_config(config)
    assert rebuilt.get_config() == config
    assert rebuilt.gamma_regularizer.get_config() == {"l2": 0.01}
    with pytest.raises(ValueError, match="renorm"):
        layers.BatchNormalization(renorm=True)
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(TypeError, match="one integer"):
        layers.BatchNormalization(axis=[1, 2])
    with pytest.raises(ValueError, match="not a feature axis"):
        layers.BatchNormalization(axis=0).build((None, 3))


def test_batchnorm_gamma_penalty_counts_in_losses():
    bn = layers.BatchNormalization(gamma_regularizer=glassnet.regularizers.L2(0.5))
    bn.build((None, 4))
    assert [float(v) for v in bn.losses] == [pytest.approx(0.5 * 4)]


# -- activation layers ------------------------------------------------------------------------
X = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0, 7.0]])


@pytest.mark.parametrize("layer, expected", [
    (layers.ReLU(), [0, 0, 0, 0.5, 3, 7]),
    (layers.ReLU(max_value=6.0), [0, 0, 0, 0.5, 3, 6]),
    (layers.ReLU(negative_slope=0.1, threshold=1.0), [-0.3, -0.15, -0.1, -0.05, 3, 7]),
    (layers.LeakyReLU(), [-0.6, -0.15, 0, 0.5, 3, 7]),
    (layers.LeakyReLU(negative_slope=0.01), [-0.02, -0.005, 0, 0.5, 3, 7]),
], ids=["relu", "relu6", "relu-slope-threshold", "leaky", "leaky-0.01"])
def test_rectifier_layers_by_hand(float64, layer, expected):
    np.testing.assert_allclose(layer(X), [expected])


def test_softmax_layer_by_hand(float64):
    x = np.array([[0.0, np.log(3.0)], [1.0, 1.0]])
    np.testing.assert_allclose(layers.Softmax()(x), [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(layers.Softmax(axis=0)(x).sum(axis=0), [1.0, 1.0])


@pytest.mark.parametrize("layer", [
    layers.ReLU(), layers.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.3),
    layers.LeakyReLU(), layers.Softmax(), layers.Softmax(axis=1), layers.Softmax(axis=(1, 2)),
], ids=["relu", "relu-options", "leaky", "softmax", "softmax-axis1", "softmax-axes"])
def test_activation_layer_gradients(float64, layer):
    x = _batch((3, 4, 2))
    x[np.abs(x - 0.3) < 0.02] += 0.1                    # keep off the kinks
    x[np.abs(x - 1.0) < 0.02] += 0.1
    errors = _gradient_errors(layer, x, training=True)
    assert errors["x"] < 1e-7, errors


@pytest.mark.parametrize("axis", [2, -3, 10**9, (1, 1), (1, -1), ()])
def test_softmax_axis_outside_the_inputs_is_refused_when_built(axis):
    with pytest.raises(ValueError, match=r"Softmax axis=.* is not an axis .*\(None, 4\)"):
        glassnet.Sequential([layers.Input(shape=(4,)), layers.Softmax(axis=axis)])


def test_softmax_layer_fuses_with_cross_entropy_only_over_the_last_axis():
    def model(axis):
        m = glassnet.Sequential([layers.Input(shape=(4,)), layers.Dense(3),
                                 layers.Softmax(axis=axis)])
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        return m
    assert model(-1)._fused()
    assert not model(1)._fused()


def test_activation_layers_config_and_errors():
    assert layers.ReLU(max_value=6.0).get_config()["max_value"] == 6.0
    config = layers.LeakyReLU(0.1).get_config()
    assert config["negative_slope"] == 0.1 and list(config)[-1] == "negative_slope"
    assert layers.Softmax(axis=(1, 2)).get_config()["axis"] == [1, 2]
    for cls in (layers.ReLU, layers.LeakyReLU, layers.Softmax):
        layer = cls()
        assert cls.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.warns(UserWarning, match="negative_slope"):
        assert layers.LeakyReLU(alpha=0.2).negative_slope == 0.2
    for build in (lambda: layers.ReLU(max_value=-1), lambda: layers.ReLU(threshold=-0.5),
                  lambda: layers.LeakyReLU(negative_slope=-0.1),
                  lambda: layers.LeakyReLU(negative_slope=None)):
        with pytest.raises(ValueError, match="non-negative"):
            build()
    assert glassnet.inspect.activation_name(layers.LeakyReLU()) == "leaky_relu"


# -- GaussianNoise ----------------------------------------------------------------------------
def test_gaussian_noise_only_while_training():
    noise = layers.GaussianNoise(0.5, seed=3)
    x = np.zeros((4000, 5), np.float32)
    assert noise(x, training=False) is not None
    np.testing.assert_array_equal(noise(x, training=False), x)
    noisy = noise(x, training=True)
    assert noisy.dtype == np.float32
    assert noisy.std() == pytest.approx(0.5, rel=0.02) and abs(noisy.mean()) < 0.01
    assert not np.array_equal(noisy, noise(x, training=True))           # fresh each batch
    again = layers.GaussianNoise(0.5, seed=3)(x, training=True)
    np.testing.assert_array_equal(again, noisy)                         # the seed fixes it


def test_gaussian_noise_gradient_is_the_identity(float64):
    noise = layers.GaussianNoise(0.3)
    reseed = lambda: setattr(noise, "generator", np.random.default_rng(0))   # noqa: E731
    errors = _gradient_errors(noise, _batch((3, 4)), training=True, reseed=reseed)
    assert errors["x"] < 1e-8


def test_gaussian_noise_config_and_errors():
    assert layers.GaussianNoise(0.1, seed=4).get_config()["stddev"] == 0.1
    with pytest.raises(ValueError, match="between 0 and 1"):
        layers.GaussianNoise(1.5)


# -- Reshape ----------------------------------------------------------------------------------
def test_reshape_shapes_and_inference_of_minus_one():
    model = glassnet.Sequential([layers.Input(shape=(12,)), layers.Reshape((3, -1)),
                                 layers.Reshape((2, 2, 3))])
    assert model.output_shape == (None, 2, 2, 3)
    assert model.layers[0].compute_output_shape((12,)) == (3, 4)
    x = np.arange(24, dtype=np.float32).reshape(2, 12)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x.reshape(2, 2, 2, 3))


def test_reshape_gradient(float64):
    errors = _gradient_errors(layers.Reshape((2, 3)), _batch((4, 6)), training=True)
    assert errors["x"] < 1e-8


def test_reshape_errors_and_config():
    with pytest.raises(ValueError, match="multiply to 10"):
        glassnet.Sequential([layers.Input(shape=(10,)), layers.Reshape((3, 3))])
    with pytest.raises(ValueError, match="at most one -1"):
        layers.Reshape((-1, -1))
    with pytest.raises(TypeError, match="target_shape"):
        layers.Reshape("abc")
    config = layers.Reshape([2, 3]).get_config()
    assert config["target_shape"] == (2, 3)
    assert layers.Reshape.from_config(config).target_shape == (2, 3)


def test_new_layers_train_in_a_model():
    """A dense network with every new layer learns: the loss falls on a small problem."""
    model = glassnet.Sequential([
        layers.Input(shape=(4,)), layers.Dense(16), layers.BatchNormalization(),
        layers.LeakyReLU(), layers.GaussianNoise(0.05), layers.Reshape((4, 4)),
        layers.Reshape((16,)), layers.Dense(8), layers.ReLU(), layers.Dense(3),
        layers.Softmax()])
    model.compile(optimizer=glassnet.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.standard_normal((96, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    history = model.fit(x, y, batch_size=16, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.85, history.history
