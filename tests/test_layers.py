"""Layers: every backward pass against central differences (float64), construction as Keras
(names, positional arguments, shapes), weights as copies, Dropout's masks."""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from tests.helpers import numeric_gradient

ACTIVATIONS = ["linear", "relu", "sigmoid", "tanh", "softmax", "elu", "selu", "gelu",
               "softplus", "softsign", "swish", "leaky_relu", "mish", "exponential",
               "log_softmax", "hard_sigmoid"]


def _inputs(shape, seed=0, away_from=()):
    """Random float64 inputs kept away from the activations' kinks (where the derivative jumps)."""
    x = np.random.default_rng(seed).normal(size=shape)
    for kink in away_from:
        near = np.abs(x - kink) < 0.05
        x[near] += 0.1
    return x


def _check(layer, x, training=False, before_forward=None, tolerance=1e-6):
    """Backprop of sum(upstream * layer(x)) against central differences, for the input and
    every weight array; returns the largest relative error."""
    def forward(values=None, index=None):
        if before_forward is not None:
            before_forward()
        if index is not None:
            saved = layer.params[index].copy()
            layer.params[index][...] = values
        try:
            return layer.forward(x if index is not None else values, training=training)
        finally:
            if index is not None:
                layer.params[index][...] = saved

    output = layer(x, training=training)
    upstream = np.random.default_rng(1).normal(size=output.shape)
    if before_forward is not None:
        before_forward()
    layer.forward(x, training=training)
    dx = layer.backward(upstream.copy(), need_input_grad=True)
    grads = [g.copy() for g in layer.grads]
    numeric_dx = numeric_gradient(lambda v: np.sum(upstream * forward(v)), x)
    np.testing.assert_allclose(dx, numeric_dx, rtol=tolerance, atol=tolerance)
    for index, param in enumerate(layer.params):
        numeric = numeric_gradient(lambda v: np.sum(upstream * forward(v, index)), param)
        np.testing.assert_allclose(grads[index], numeric, rtol=tolerance, atol=tolerance,
                                   err_msg=layer.param_names[index])


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_dense_gradients_for_each_activation(float64, activation):
    # Seeded inputs: no pre-activation lies within the finite-difference step of a kink.
    _check(layers.Dense(4, activation=activation), _inputs((5, 3)))


@pytest.mark.parametrize("use_bias", [True, False])
def test_dense_with_and_without_bias(float64, use_bias):
    layer = layers.Dense(3, activation="tanh", use_bias=use_bias)
    _check(layer, _inputs((6, 4)))
    assert layer.param_names == (["kernel", "bias"] if use_bias else ["kernel"])
    assert layer.count_params() == 4 * 3 + (3 if use_bias else 0)


def test_dense_on_nd_input_acts_on_last_axis(float64):
    layer = layers.Dense(2, activation="sigmoid")
    x = _inputs((3, 4, 5))
    y = layer(x)
    assert y.shape == (3, 4, 2)
    np.testing.assert_allclose(y[1, 2], glassnet.activations.sigmoid(x[1, 2] @ layer.kernel
                                                                    + layer.bias))
    _check(layer, x)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "softmax", "elu"])
def test_activation_layer_gradients(float64, activation):
    _check(layers.Activation(activation), _inputs((4, 6), away_from=[0.0]))


def test_activation_layer_equals_activation_function(float64):
    x = _inputs((3, 5))
    np.testing.assert_array_equal(layers.Activation("tanh")(x), np.tanh(x))


@pytest.mark.parametrize("data_format", [None, "channels_first"])
def test_flatten_gradients_and_order(float64, data_format):
    layer = layers.Flatten(data_format=data_format)
    x = _inputs((2, 3, 4, 5))
    y = layer(x)
    assert y.shape == (2, 60)
    expected = x if data_format is None else np.moveaxis(x, 1, -1)
    np.testing.assert_array_equal(y, expected.reshape(2, -1))
    _check(layer, x)


def test_flatten_output_shape_and_view():
    layer = layers.Flatten(input_shape=[8, 8])
    assert layer.compute_output_shape((8, 8)) == (64,)
    x = np.zeros((4, 8, 8), dtype="float32")
    assert np.shares_memory(layer(x), x)          # a view: no copy on the hot path


def test_dropout_gradient_with_a_fixed_mask(float64):
    layer = layers.Dropout(0.4)

    def fix_mask():
        layer.generator = np.random.default_rng(7)

    _check(layer, _inputs((6, 5)), training=True, before_forward=fix_mask)


def test_dropout_scales_kept_units_and_is_identity_in_inference():
    layer = layers.Dropout(0.25, seed=3)
    x = np.ones((2000, 50), dtype="float32")
    assert layer(x, training=False) is x
    y = layer(x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.01          # 100,000 draws: 4 standard errors ~ 0.0055
    grad = layer.backward(np.ones_like(x))
    np.testing.assert_array_equal(grad, y)         # same mask, same scale


def test_dropout_noise_shape_broadcasts_one_mask():
    layer = layers.Dropout(0.5, noise_shape=(None, 1), seed=0)
    y = layer(np.ones((20, 6)), training=True)
    for row in y:
        assert len(set(row.tolist())) == 1          # a whole row kept or dropped


def test_dropout_seed_gives_same_masks():
    x = np.ones((10, 10))
    first = layers.Dropout(0.5, seed=11)(x, training=True)
    second = layers.Dropout(0.5, seed=11)(x, training=True)
    np.testing.assert_array_equal(first, second)


def test_dropout_rate_zero_is_identity():
    x = np.arange(12.0).reshape(3, 4)
    assert layers.Dropout(0.0)(x, training=True) is not None
    np.testing.assert_array_equal(layers.Dropout(0.0)(x, training=True), x)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5, "half", True])
def test_dropout_rejects_bad_rates(rate):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        layers.Dropout(rate)


# -- construction ---------------------------------------------------------------------------------

def test_names_are_unique_as_keras_gives_them():
    assert [layers.Dense(2).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert layers.Flatten().name == "flatten"
    assert layers.Input(shape=(3,)).name == "input_layer"
    assert layers.Dense(2, name="out").name == "out"


def test_dense_positional_arguments_follow_keras_order():
    layer = layers.Dense(5, "relu", False)
    assert layer.activation.__name__ == "relu" and layer.use_bias is False
    layer.build((None, 3))
    assert layer.params[0].shape == (3, 5) and len(layer.params) == 1


def test_dense_accepts_keras_names_for_initializers():
    layer = layers.Dense(4, kernel_initializer="he_normal", bias_initializer="ones")
    layer.build((None, 100))
    np.testing.assert_array_equal(layer.bias, np.ones(4))
    assert layer.kernel.dtype == np.float32
    assert 0.05 < layer.kernel.std() < 0.2              # He normal: std sqrt(2 / 100) ~ 0.14


def test_dense_accepts_integral_float_units():
    assert layers.Dense(10.0).units == 10


def test_dense_build_and_output_shape():
    layer = layers.Dense(7)
    assert layer.compute_output_shape((5,)) == (7,)
    layer.build((None, 5))
    assert layer.built and layer.kernel.shape == (5, 7) and layer.bias.shape == (7,)


def test_input_shapes():
    """Input returns Keras's symbolic tensor: the shape with its batch axis (None unless
    batch_size says); its InputLayer keeps one sample's shape."""
    assert layers.Input(shape=(8, 8)).shape == (None, 8, 8)
    assert layers.Input(shape=64).shape == (None, 64)
    assert layers.Input(batch_shape=(None, 5)).layer.shape == (5,)
    assert layers.Input(shape=(3,), batch_size=16).shape == (16, 3)
    assert layers.InputLayer(shape=(3,), batch_size=16).batch_shape == (16, 3)


def test_input_shape_and_input_dim_on_a_layer():
    assert layers.Flatten(input_shape=[28, 28]).input_shape_hint == (28, 28)
    assert layers.Dense(3, input_dim=4).input_shape_hint == (4,)


def test_layer_call_builds_and_needs_a_batch():
    layer = layers.Dense(2)
    assert layer(np.ones((3, 4))).shape == (3, 2)
    with pytest.raises(ValueError, match=r"x\[None\]"):
        layers.Dense(2)(np.ones(4))


def test_get_weights_copies_and_set_weights_copies_in_place(float64):
    layer = layers.Dense(2)
    layer.build((None, 3))
    kernel = layer.kernel
    weights = layer.get_weights()
    weights[0][...] = 5.0
    assert not np.any(layer.kernel == 5.0)
    new = [np.full((3, 2), 0.5), np.array([1.0, -1.0])]
    layer.set_weights(new)
    assert layer.kernel is kernel                     # same array: optimizer state stays attached
    new[0][...] = 9.0
    np.testing.assert_array_equal(layer.kernel, np.full((3, 2), 0.5))


def test_trainable_and_non_trainable_weights():
    layer = layers.Dense(2)
    layer.build((None, 3))
    assert len(layer.trainable_weights) == 2 and layer.non_trainable_weights == []
    layer.trainable = False
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 2


def test_get_config_round_trips():
    layer = layers.Dense(3, activation="relu", use_bias=False, kernel_initializer="he_uniform",
                         name="hidden")
    config = layer.get_config()
    assert config["units"] == 3 and config["activation"] == "relu"
    assert config["use_bias"] is False and config["name"] == "hidden"
    again = layers.Dense.from_config(config)
    assert again.units == 3 and again.activation.__name__ == "relu" and not again.use_bias
    assert layers.Dropout.from_config(layers.Dropout(0.3).get_config()).rate == 0.3


def test_reprs_say_what_the_layer_is():
    assert repr(layers.Dense(3, activation="relu", name="d")) == \
        "<Dense name='d' units=3 activation='relu'>"
    assert "rate=0.5" in repr(layers.Dropout(0.5))
    assert "shape=(4,)" in repr(layers.InputLayer(shape=(4,)))
    assert "shape=(None, 4)" in repr(layers.Input(shape=(4,)))


def test_glu_halves_the_width_in_dense_and_activation_layers():
    import glassnet as keras
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="glu"),
                              keras.layers.Dense(2, activation="softmax")])
    assert model.layers[0].compute_output_shape((4,)) == (3,)
    assert model.predict(np.ones((3, 4)), verbose=0).shape == (3, 2)
    assert keras.Sequential([keras.Input((4,)), keras.layers.Activation("glu")]).output_shape == (None, 2)
    with pytest.raises(ValueError, match="even"):
        keras.layers.Dense(5, activation="glu").compute_output_shape((4,))


def test_input_batch_shape_without_a_sample_shape_is_refused():
    import glassnet as keras
    with pytest.raises(ValueError, match="batch size then the shape"):
        keras.Input(batch_shape=[])
