"""Issue 11's layers (ELU, PReLU, AlphaDropout, GaussianDropout, ActivityRegularization,
LayerNormalization, RMSNormalization, UnitNormalization, Identity, Normalization), freezing,
and the Keras differences 4, 5, 7 and 8.

Every backward pass is checked against central differences in float64 (inputs and weights);
Keras's own numbers are in tests/oracles/test_keras_layers_more.py.
"""
import numpy as np
import pytest

import glassnet
from glassnet import layers, models
from tests.test_layers_extra import _batch, _gradient_errors


def _seeded(layer, seed=3):
    """A reseed function for a noise layer: the same draw on every forward call."""
    def reseed():
        layer.generator = np.random.default_rng(seed)
    return reseed


GRADIENT_CASES = {
    "elu": (lambda: layers.ELU(alpha=0.7), (5, 4), False),
    "prelu": (lambda: layers.PReLU(alpha_initializer="random_normal"), (5, 4), False),
    "prelu-shared": (lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1]),
                     (3, 4, 2), False),
    "layernorm": (lambda: layers.LayerNormalization(gamma_initializer="random_normal",
                                                    beta_initializer="random_normal"),
                  (5, 4), False),
    "layernorm-axes": (lambda: layers.LayerNormalization(axis=[1, 2],
                                                         gamma_initializer="random_normal"),
                       (3, 4, 2), False),
    "layernorm-axis1": (lambda: layers.LayerNormalization(axis=1), (3, 4, 2), False),
    "rmsnorm": (lambda: layers.RMSNormalization(), (5, 4), False),
    "rmsnorm-axes": (lambda: layers.RMSNormalization(axis=[1, 2]), (3, 4, 2), False),
    "unitnorm": (lambda: layers.UnitNormalization(), (5, 4), False),
    "unitnorm-axes": (lambda: layers.UnitNormalization(axis=[1, 2]), (3, 4, 2), False),
    "identity": (lambda: layers.Identity(), (5, 4), False),
    "activity-regularization": (lambda: layers.ActivityRegularization(0.1, 0.2), (5, 4), False),
    "gaussian-dropout": (lambda: layers.GaussianDropout(0.3), (5, 4), True),
    "alpha-dropout": (lambda: layers.AlphaDropout(0.3), (5, 4), True),
}


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_backward_matches_central_differences(float64, case):
    make, shape, noisy = GRADIENT_CASES[case]
    layer = make()
    reseed = _seeded(layer) if noisy else None
    errors = _gradient_errors(layer, _batch(shape, loc=0.3), training=True, reseed=reseed)
    assert max(errors.values()) < 1e-7, errors
    if layer.params:
        assert set(errors) == {"x", *layer.param_names}


def test_normalization_backward_and_rms_scale(float64):
    layer = layers.Normalization()
    layer.adapt(_batch((20, 3), loc=2.0))
    errors = _gradient_errors(layer, _batch((4, 3)), training=True)
    assert errors["x"] < 1e-7


def test_unit_normalization_of_zero_is_zero_with_bounded_gradient(float64):
    layer = layers.UnitNormalization()
    x = np.array([[0.0, 0.0], [3.0, 4.0]])
    np.testing.assert_allclose(layer(x), [[0, 0], [0.6, 0.8]])
    grad = layer.backward(np.ones_like(x))
    assert np.all(np.isfinite(grad)) and np.allclose(grad[0], 1e12)


def test_noise_layers_are_the_identity_at_inference_and_keep_moments_in_training():
    x = np.random.default_rng(0).standard_normal((4000, 50)).astype(np.float32)
    for layer, variance in ((layers.GaussianDropout(0.4, seed=1), 1 / 0.6),   # E[m^2] = 1/(1-r)
                            (layers.AlphaDropout(0.2, seed=1), 1.0)):          # SELU's fixed point
        assert np.array_equal(layer(x, training=False), x)
        y = layer(x, training=True)
        assert abs(float(y.mean()) - float(x.mean())) < 0.02           # mean kept
        assert abs(float(y.var()) - variance) < 0.03
    with pytest.raises(ValueError, match="in \\[0, 1\\)"):
        layers.AlphaDropout(1.0)


def test_normalization_adapt_over_batches_equals_one_array():
    x = np.random.default_rng(1).standard_normal((100, 3)) * [1, 10, 0.1] + [5, -2, 0]
    whole, batched = layers.Normalization(), layers.Normalization()
    whole.adapt(x)
    batched.adapt(x[i:i + 16] for i in range(0, 100, 16))
    np.testing.assert_allclose(whole.adapt_mean, x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(whole.adapt_variance, x.var(0), rtol=1e-5)
    np.testing.assert_allclose(batched.adapt_mean, whole.adapt_mean, rtol=1e-5)
    np.testing.assert_allclose(batched.adapt_variance, whole.adapt_variance, rtol=1e-5)
    assert [w.shape for w in whole.get_weights()] == [(3,), (3,), ()]
    y = whole(x)
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(0), 1, atol=1e-4)
    inverse = layers.Normalization(mean=x.mean(0), variance=x.var(0), invert=True)
    np.testing.assert_allclose(inverse(y), x, rtol=1e-4, atol=1e-4)
    assert inverse.get_weights() == []
    with pytest.raises(ValueError, match="both mean= and variance="):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="adapt\\(\\) got data of shape"):
        whole.adapt(np.zeros((5, 4)))


def test_new_layers_round_trip_through_a_keras_file(tmp_path):
    norm = layers.Normalization()
    norm.adapt(np.random.default_rng(2).standard_normal((30, 4)) + 3)
    model = models.Sequential([
        layers.Input(shape=(4,)), norm, layers.Dense(6), layers.PReLU(),
        layers.LayerNormalization(), layers.ELU(0.5), layers.RMSNormalization(),
        layers.GaussianDropout(0.1), layers.AlphaDropout(0.1), layers.Identity(),
        layers.ActivityRegularization(l2=0.01), layers.UnitNormalization(), layers.Dense(2)])
    model.compile("adam", "mse")
    x = np.random.default_rng(3).standard_normal((16, 4)).astype(np.float32)
    model.fit(x, x[:, :2], epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    assert [type(l).__name__ for l in loaded.layers] == [type(l).__name__ for l in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.layers, model.layers):
        assert a.get_config() == b.get_config()


# -- freezing ---------------------------------------------------------------------------------
def test_frozen_layers_keep_their_weights_and_summary_counts_them_non_trainable():
    glassnet.utils.set_random_seed(0)
    model = models.Sequential([layers.Input(shape=(3,)), layers.Dense(4, name="base"),
                               layers.BatchNormalization(), layers.Dense(2, name="head")])
    model.layers[0].trainable = False
    model.layers[1].trainable = False
    frozen = [w.copy() for w in model.layers[0].get_weights() + model.layers[1].get_weights()]
    head = model.layers[2].get_weights()[0].copy()
    model.compile("sgd", "mse")
    x = np.random.default_rng(0).standard_normal((32, 3)).astype(np.float32)
    model.fit(x, x[:, :2], epochs=2, verbose=0)
    now = model.layers[0].get_weights() + model.layers[1].get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(frozen, now))
    assert not np.array_equal(head, model.layers[2].get_weights()[0])
    lines = []
    model.summary(print_fn=lines.append)
    text = "".join(lines)
    assert "Trainable params: 10 " in text              # head: 4 * 2 + 2
    assert "Non-trainable params: 32 " in text          # base 3 * 4 + 4, batchnorm 4 * 4


# -- Keras differences 4, 5, 7, 8 -------------------------------------------------------------
def test_activation_layers_work_on_any_rank():
    for layer in (layers.ReLU(), layers.LeakyReLU(), layers.ELU(), layers.Activation("tanh"),
                  layers.Identity(), layers.Dropout(0.5), layers.UnitNormalization()):
        assert layer(np.array([-1.0, 2.0])).shape == (2,)
        if not isinstance(layer, layers.UnitNormalization):
            assert np.ndim(layer(np.float32(3.0))) == 0
    assert layers.ReLU()(np.array([-1.0, 2.0])).tolist() == [0.0, 2.0]
    with pytest.raises(ValueError, match="needs a batch"):
        layers.Dense(2)(np.ones(3))


def test_build_takes_the_full_shape_with_the_batch_axis():
    bn = layers.BatchNormalization()
    bn.build((None, 4, 4, 3))
    assert bn.gamma.shape == (3,) and bn(np.ones((2, 4, 4, 3))).shape == (2, 4, 4, 3)
    dense = layers.Dense(5)
    dense.build((None, 7))
    assert dense.kernel.shape == (7, 5)
    model = models.Sequential([layers.Dense(3)])
    model.build((None, 6))
    assert model.layers[0].kernel.shape == (6, 3) and model.input_shape == (None, 6)


def test_dense_activation_set_to_none_is_linear_and_unbuilt_sequential_has_no_input_shape():
    dense = layers.Dense(2, activation="relu")
    dense.build((None, 2))
    dense.set_weights([-np.eye(2), np.zeros(2)])
    dense.activation = None
    np.testing.assert_array_equal(dense(np.ones((1, 2))), [[-1.0, -1.0]])
    assert dense.get_config()["activation"] == "linear"
    model = models.Sequential([layers.Dense(2)])
    assert not hasattr(model, "input_shape")
    with pytest.raises(AttributeError, match="not built"):
        model.input_shape


def test_keras_value_errors(tmp_path):
    model = models.Sequential([layers.Input(shape=(2,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="Dense\\(10\\)"):
        model.add("dense")
    with pytest.raises(ValueError, match="first layer"):
        model.add(layers.Input(shape=(2,)))
    with pytest.raises(ValueError, match="save_format"):
        model.save(tmp_path / "m.keras", save_format="keras")
    with pytest.raises(ValueError, match="options"):
        model.save(tmp_path / "m.keras", options=None)
