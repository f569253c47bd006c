"""glassnet.inspect: activations, gradients, gradient check, statistics, plots."""
import numpy as np
import pytest

import glassnet as keras
from glassnet import inspect
from glassnet.activations import ActivationFunction
from glassnet.callbacks import Probe
from tests.helpers import numeric_gradient

L = keras.layers


def small_model(activation="tanh", dropout=0.0, compile=True,
                loss="sparse_categorical_crossentropy"):
    layers = [keras.Input(shape=(4,)), L.Dense(5, activation=activation)]
    if dropout:
        layers.append(L.Dropout(dropout))
    layers += [L.Activation("linear"), L.Dense(3, activation="softmax")]
    model = keras.Sequential(layers)
    if compile:
        model.compile(optimizer="adam", loss=loss)
    return model


def data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)), rng.integers(0, 3, n)


def snapshot(model):
    """Everything inspect must leave alone: weights, gradients, caches, optimizer state."""
    state = {"weights": model.get_weights(),
             "grads": [g.copy() for layer in model.layers for g in layer.grads],
             "caches": [{k: v.copy() for k, v in vars(layer).items()
                         if k.startswith("_") and isinstance(v, np.ndarray)}
                        for layer in model.layers]}
    if model.optimizer is not None:
        state["iterations"] = model.optimizer.iterations
    return state


def assert_same(before, after):
    for a, b in zip(before["weights"], after["weights"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(before["grads"], after["grads"]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(before["caches"], after["caches"]):
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    assert before.get("iterations") == after.get("iterations")


# -- activations --------------------------------------------------------------------------------
def test_activations_one_output_per_layer_in_inference_mode():
    model = small_model(dropout=0.5, compile=False)
    x, _ = data()
    outputs = inspect.activations(model, x)
    assert len(outputs) == len(model.layers) == 4
    assert [o.shape for o in outputs] == [(6, 5), (6, 5), (6, 5), (6, 3)]
    np.testing.assert_array_equal(outputs[1], outputs[0])          # dropout off
    kernel, bias = model.layers[0].get_weights()
    np.testing.assert_allclose(outputs[0], np.tanh(x.astype("float32") @ kernel + bias), rtol=1e-5)
    np.testing.assert_allclose(outputs[-1], model.predict(x, verbose=0), rtol=1e-6)


def test_activations_change_nothing_after_training():
    model = small_model()
    x, y = data()
    model.fit(x, y, epochs=1, verbose=0)
    before = snapshot(model)
    inspect.activations(model, x[:2])
    assert_same(before, snapshot(model))


def test_activations_reject_a_non_model():
    with pytest.raises(TypeError, match="Sequential"):
        inspect.activations([1, 2], np.zeros((1, 4)))


# -- gradients ----------------------------------------------------------------------------------
def test_gradients_match_central_differences(float64):
    model = small_model(activation="sigmoid")
    x, y = data()
    grads = inspect.gradients(model, x, y)
    assert [sorted(g) for g in grads] == [["bias", "kernel"], [], ["bias", "kernel"]]
    for layer, grad in zip(model.layers, grads):
        for name, param in zip(layer.param_names, layer.params):
            def loss_at(value, param=param):
                saved = param.copy()
                param[...] = value
                loss = model.evaluate(x, y, verbose=0)
                param[...] = saved
                return loss
            np.testing.assert_allclose(grad[name], numeric_gradient(loss_at, param),
                                       rtol=1e-6, atol=1e-9)


def test_gradients_change_nothing():
    model = small_model(dropout=0.3)
    x, y = data()
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    before = snapshot(model)
    state = keras.utils.global_generator().bit_generator.state
    first = inspect.gradients(model, x, y)
    second = inspect.gradients(model, x, y)
    assert_same(before, snapshot(model))
    assert keras.utils.global_generator().bit_generator.state == state
    for a, b in zip(first, second):                    # dropout off: deterministic
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])


def test_gradients_need_a_compiled_model():
    model = small_model(compile=False)
    with pytest.raises(ValueError, match="compile"):
        inspect.gradients(model, *data())


# -- gradient check -----------------------------------------------------------------------------
def test_gradient_check_passes_on_glassnet_layers_and_leaves_the_model_float32():
    model = small_model(activation="sigmoid")
    x, y = data()
    before = snapshot(model)
    error = inspect.gradient_check(model, x, y)
    assert error < 1e-6
    assert_same(before, snapshot(model))
    assert all(w.dtype == np.float32 for w in model.get_weights())


def test_gradient_check_catches_a_wrong_derivative():
    class WrongTanh(ActivationFunction):
        name = "wrong_tanh"

        def __call__(self, x):
            return np.tanh(x)

        def backward(self, grad, x, y):
            return grad * (1.0 - y)          # should be 1 - y**2

    model = keras.Sequential([keras.Input(shape=(4,)), L.Dense(5, activation=WrongTanh()),
                              L.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert inspect.gradient_check(model, *data()) > 1e-2


def test_gradient_check_includes_the_penalties_fit_minimizes():
    model = keras.Sequential([
        keras.Input(shape=(4,)),
        L.Dense(5, activation="tanh", kernel_regularizer="l2", activity_regularizer="l2"),
        L.Dense(3, activation="softmax", bias_regularizer=keras.regularizers.L1L2(0.1, 0.2))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert inspect.gradient_check(model, *data()) < 1e-6


def test_gradient_check_and_gradients_with_batch_normalization_and_activation_layers():
    model = keras.Sequential([keras.Input(shape=(4,)), L.Dense(6), L.BatchNormalization(),
                              L.ReLU(), L.Dense(5), L.LeakyReLU(), L.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x, y = data(12)
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)           # moving statistics move
    before = snapshot(model)
    buffers = [b.copy() for b in model.layers[1].buffers]
    assert inspect.gradient_check(model, x, y) < 1e-6
    grads = inspect.gradients(model, x, y)
    assert [sorted(g) for g in grads] == [["bias", "kernel"], ["beta", "gamma"], [],
                                          ["bias", "kernel"], [], ["bias", "kernel"]]
    assert_same(before, snapshot(model))
    for a, b in zip(buffers, model.layers[1].buffers):
        np.testing.assert_array_equal(a, b)


def test_gradient_check_follows_the_gradient_and_the_random_directions_asked(monkeypatch):
    model = small_model()             # four weight arrays: kernel 4x5, bias 5, kernel 5x3, bias 3
    calls = []
    from glassnet.insight import measure
    loss = measure._loss
    monkeypatch.setattr(measure, "_loss", lambda *args: calls.append(1) or loss(*args))
    steps = len(measure.STEPS)              # a further step only where the first disagrees
    for directions in (0, 1, 5):
        calls.clear()
        assert 0 <= inspect.gradient_check(model, *data(), directions=directions) < 1e-6
        per_step = 2 * 4 * (1 + directions)  # two passes per array, direction and step
        assert per_step <= len(calls) <= per_step * steps, directions
    calls.clear()
    assert inspect.gradient_check(model, *data(), eps=1e-3, directions=2) < 1e-6
    assert len(calls) == 2 * 4 * 3                        # one given step: used alone
    assert inspect.gradient_check(model, *data()) == inspect.gradient_check(model, *data())


def test_gradient_check_max_entries_is_deprecated_and_bad_arguments_are_refused():
    model = small_model()
    with pytest.warns(DeprecationWarning, match="directions"):
        assert inspect.gradient_check(model, *data(), max_entries=3) < 1e-6
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="directions"):
            inspect.gradient_check(model, *data(), directions=bad)
    for bad in (0, -1e-3, ()):
        with pytest.raises(ValueError, match="eps"):
            inspect.gradient_check(model, *data(), eps=bad)


# -- statistics ---------------------------------------------------------------------------------
def test_norm_and_ratio_keep_ieee_results():
    assert inspect.norm(np.array([[3.0, 4.0]], dtype="float32")) == pytest.approx(5.0)
    assert inspect.norm(np.full(4, 1e30, dtype="float32")) == pytest.approx(2e30, rel=1e-6)
    assert np.isnan(inspect.norm(np.array([np.nan, 1.0])))
    assert inspect.ratio(1.0, 0.0) == np.inf
    assert np.isnan(inspect.ratio(0.0, 0.0))
    assert inspect.ratio(1.0, 4.0) == 0.25


def test_output_statistics_of_sigmoid_and_relu_layers():
    sigmoid = L.Dense(4, activation="sigmoid")
    output = np.array([[0.01, 0.5, 0.99, 0.97], [0.02, 0.6, 0.5, 0.951]], dtype="float32")
    mean, std, saturated, alive = inspect.output_statistics(sigmoid, output)
    assert mean == pytest.approx(output.mean(), rel=1e-6)
    assert std == pytest.approx(output.std(), rel=1e-4)
    assert saturated == pytest.approx(5 / 8)               # within 5% of 0 or 1
    assert alive is None
    relu = L.Dense(3, activation="relu")
    output = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], dtype="float32")
    _, _, saturated, alive = inspect.output_statistics(relu, output)
    assert saturated is None
    assert alive.tolist() == [False, True, True]


def built_dense(kernel, bias):
    layer = L.Dense(kernel.shape[1])
    layer.build((None, kernel.shape[0]))
    layer.set_weights([kernel, bias])
    return layer


def test_identical_units_groups_equal_columns_only():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((6, 8)).astype("float32")
    bias = rng.standard_normal(8).astype("float32")
    kernel[:, 3], bias[3] = kernel[:, 0], bias[0]                  # group {0, 3, 5}
    kernel[:, 5], bias[5] = kernel[:, 0] * (1 + 1e-7), bias[0]     # equal to rounding
    kernel[:, 6], bias[6] = kernel[:, 2], bias[2]                  # group {2, 6}
    kernel[:, 7], bias[7] = kernel[:, 1], bias[1] + 0.1            # differs in its bias
    assert inspect.identical_units(built_dense(kernel, bias)) == (2, 5)
    assert inspect.identical_units(built_dense(kernel, bias), tolerance=1e-9) == (2, 4)


def test_identical_units_scale_with_each_unit_not_the_largest():
    kernel = np.array([[1e6, 1.0, 1.5], [1e6, 2.0, 2.5]], dtype="float32")
    assert inspect.identical_units(built_dense(kernel, np.zeros(3, "float32"))) == (0, 0)
    kernel[:, 2] = kernel[:, 1]
    kernel[0, 0] = np.nan                                          # ignored, never raises
    assert inspect.identical_units(built_dense(kernel, np.zeros(3, "float32"))) == (1, 2)


def test_identical_units_agree_with_counting_unique_columns():
    rng = np.random.default_rng(1)
    for _ in range(100):                     # small integer weights: many exact ties
        units, fan_in = int(rng.integers(2, 40)), int(rng.integers(1, 6))
        kernel = rng.integers(0, 3, size=(fan_in, units)).astype("float32")
        bias = rng.integers(0, 2, size=units).astype("float32")
        columns = np.concatenate([kernel.T, bias[:, None]], axis=1)
        _, counts = np.unique(columns, axis=0, return_counts=True)
        expected = (int(np.sum(counts > 1)), int(np.sum(counts[counts > 1])))
        assert inspect.identical_units(built_dense(kernel, bias)) == expected


def test_identical_units_of_a_layer_without_kernel():
    assert inspect.identical_units(L.Activation("relu")) == (None, None)


def trained_with_probe(epochs=2):
    model = small_model(activation="relu")
    x, y = data(24)
    history = model.fit(x, y, batch_size=8, epochs=epochs, verbose=0, callbacks=[Probe()])
    return model, history


def test_probe_series_gives_one_array_per_layer():
    model, history = trained_with_probe()
    steps, series = inspect.probe_series(history, "grad_norm")
    assert steps.tolist() == list(range(6))
    assert list(series) == [model.layers[0].name, model.layers[2].name]
    assert all(values.shape == (6,) for values in series.values())
    _, loss = inspect.probe_series(history.probes, "loss")
    assert loss["loss"].shape == (6,)
    with pytest.raises(ValueError, match="no statistic 'gradient'"):
        inspect.probe_series(history, "gradient")
    with pytest.raises(TypeError, match="History"):
        inspect.probe_series(3, "loss")


# -- plots --------------------------------------------------------------------------------------
def test_activation_histograms_one_axes_per_layer():
    pytest.importorskip("matplotlib")
    model = small_model(compile=False)
    x, _ = data(50)
    figure = inspect.plot_activation_histograms(model, x)
    assert len(figure.axes) == len(model.layers)
    assert [ax.get_title() for ax in figure.axes] == [layer.name for layer in model.layers]
    assert all(len(ax.patches) == 30 for ax in figure.axes)          # 30 bins each
    figure = inspect.plot_activation_histograms(inspect.activations(model, x), layers=[0, 2])
    assert len(figure.axes) == 2


def test_probe_plots_one_line_per_weighted_layer():
    pytest.importorskip("matplotlib")
    model, history = trained_with_probe()
    (ax,) = inspect.plot_gradient_norms(history).axes
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"
    (ax,) = inspect.plot_update_ratios(history).axes
    assert len(ax.lines) == 3                       # two layers and the 1e-3 reference
    (ax,) = inspect.plot_probe(history, "activation_std", log=False).axes
    assert len(ax.lines) == len(model.layers) == 3  # every layer has an output
    with pytest.raises(ValueError, match="Probe"):
        inspect.plot_probe(keras.callbacks.History(), "grad_norm")


def test_history_curves_one_panel_per_metric(tmp_path):
    pytest.importorskip("matplotlib")
    model = small_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x, y = data(20)
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    figure = inspect.plot_history(history)
    assert [ax.get_title() for ax in figure.axes] == ["accuracy", "loss"]
    assert all(len(ax.lines) == 2 for ax in figure.axes)
    assert len(figure.axes[0].lines[0].get_xdata()) == 3
    figure.savefig(tmp_path / "history.png")                # renders headless (Agg)
    assert (tmp_path / "history.png").stat().st_size > 1000


def test_activation_histograms_share_one_count_axis():
    pytest.importorskip("matplotlib")
    figure = inspect.plot_activation_histograms([np.zeros((10, 2)), np.zeros((1000, 2)),
                                                 np.full((3, 2), np.nan)])
    first, second, empty = figure.axes
    assert first.get_ylim() == second.get_ylim()            # heights compare across layers
    assert [t.get_text() for t in empty.texts] == ["no finite values"]


def test_probe_plot_of_a_statistic_no_layer_has_says_so():
    pytest.importorskip("matplotlib")
    _, history = trained_with_probe(epochs=1)                 # ReLU layers: no saturation
    with pytest.raises(ValueError, match="sigmoid/tanh-like"):
        inspect.plot_probe(history, "saturated_share")
