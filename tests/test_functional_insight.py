"""The rest of the library on functional models: inspect (activations, gradients, gradient
check), Probe and diagnose per layer by name on every branch, ModelCheckpoint and .keras files."""
import numpy as np
import pytest

import glassnet
from glassnet import layers as L
from tests.oracles.test_keras_functional import MODELS, as_list, data


def compiled(name):
    model, settings = MODELS[name](glassnet)
    model.compile(glassnet.optimizers.SGD(0.05), **settings)
    return model


def test_activations_follow_every_branch():
    model = compiled("two_input")
    x, _ = data("two_input")
    outputs = dict(zip([l.name for l in model.layers], glassnet.inspect.activations(model, x)))
    assert set(outputs) == {"a", "b", "da", "db", "cat", "out"}
    np.testing.assert_array_equal(outputs["a"], x[0])
    np.testing.assert_allclose(outputs["cat"], np.concatenate([outputs["da"], outputs["db"]], 1))
    np.testing.assert_allclose(outputs["out"], model.predict(x, verbose=0), rtol=1e-6)


@pytest.mark.parametrize("name", list(MODELS))
def test_gradient_check_passes_on_every_functional_model(name):
    """Backpropagation through merges, shared layers and several outputs against central
    differences, in float64 (inspect.gradient_check's copy)."""
    model = compiled(name)
    x, y = data(name, n=8)
    # (a wrong derivative scores above 1e-3; the product of two tanh outputs makes a few
    # tiny kernel gradients whose central differences carry ~1e-6 relative rounding)
    assert glassnet.inspect.gradient_check(model, x, y, max_entries=None) < 1e-5
    grads = glassnet.inspect.gradients(model, x, y)
    assert len(grads) == len(model.layers)
    assert all(set(g) == set(l.param_names) for g, l in zip(grads, model.layers))


def test_probe_records_a_row_per_layer_on_every_branch():
    model = compiled("two_output")
    x, y = data("two_output", n=32)
    probe = glassnet.callbacks.Probe(every=2, verbose=0)
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[probe])
    rows = history.probes[-1]["layers"]
    assert [row["name"] for row in rows] == ["x", "h", "kind", "value"]
    assert all(row["kernel_norm"] is not None for row in rows[1:])


def test_diagnose_names_the_layer_on_the_broken_branch():
    a, b = glassnet.Input((4,), name="a"), glassnet.Input((3,), name="b")
    dead = L.Dense(6, activation="relu", name="dead_branch",
                   bias_initializer=glassnet.initializers.Constant(-100.0))(a)
    live = L.Dense(6, activation="tanh", name="live_branch")(b)
    model = glassnet.Model([a, b], L.Dense(1, name="out")(L.Concatenate()([dead, live])))
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    findings = glassnet.diagnose(model, [rng.normal(size=(32, 4)), rng.normal(size=(32, 3))],
                                 rng.normal(size=(32, 1)))
    assert {(f.code, f.layer) for f in findings} >= {("dead_units", "dead_branch")}
    assert all(f.layer != "live_branch" for f in findings)


def test_model_checkpoint_keeps_the_best_functional_model(tmp_path):
    model = compiled("two_output")
    x, y = data("two_output", n=32)
    path = tmp_path / "best.keras"
    model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[
        glassnet.callbacks.ModelCheckpoint(path, monitor="val_value_loss", mode="min",
                                           save_best_only=True)])
    back = glassnet.models.load_model(path)
    assert [l.name for l in back.layers] == [l.name for l in model.layers]
    assert back.output_names == ["kind", "value"]
    assert set(back.evaluate(x, y, verbose=0, return_dict=True)) == {
        "loss", "kind_loss", "value_loss", "kind_accuracy", "value_mae"}


@pytest.mark.parametrize("name", list(MODELS))
def test_save_and_load_round_trip(name, tmp_path):
    model = compiled(name)
    x, y = data(name)
    model.train_on_batch(x, y)
    model.save(tmp_path / "m.keras")
    back = glassnet.models.load_model(tmp_path / "m.keras")
    for want, got in zip(as_list(model.predict(x, verbose=0)), as_list(back.predict(x, verbose=0))):
        np.testing.assert_array_equal(want, got)
    model.train_on_batch(x, y)
    back.train_on_batch(x, y)
    for want, got in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(want, got)
