"""onnxruntime as the oracle of to_onnx on functional models: every model of the Keras
functional oracle (two inputs, residual Adds, wide-and-deep, two outputs, shared layers) and a
Sequential inside a graph computes in onnxruntime what predict computes, to 1e-5."""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.interop import to_onnx

from .conftest import require
from .test_keras_functional import MODELS, as_list, data


@pytest.fixture(scope="module")
def ort():
    require("onnx")
    return require("onnxruntime")


def run(ort, path, model, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    arrays = x if isinstance(x, list) else [x]
    assert [i.name for i in session.get_inputs()] == model.input_names
    assert [o.name for o in session.get_outputs()] == model.output_names
    return session.run(None, dict(zip(model.input_names, arrays)))


@pytest.mark.parametrize("name", list(MODELS))
def test_onnxruntime_agrees_with_predict(ort, tmp_path, name):
    model, _ = MODELS[name](glassnet)
    x, _ = data(name, n=11)
    to_onnx(model, tmp_path / "m.onnx")
    for got, want in zip(run(ort, tmp_path / "m.onnx", model, x),
                         as_list(model.predict(x, verbose=0))):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_a_sequential_inside_a_graph_is_exported_layer_by_layer(ort, tmp_path):
    x = glassnet.Input((4,), name="x")
    inner = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(3, activation="relu"),
                                 layers.Dense(4)], name="inner")
    model = glassnet.Model(x, layers.Dense(2, activation="softmax", name="out")(
        layers.Add()([inner(x), x])))
    values = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    to_onnx(model, tmp_path / "m.onnx")
    (got,) = run(ort, tmp_path / "m.onnx", model, values)
    np.testing.assert_allclose(got, model.predict(values, verbose=0), rtol=1e-5, atol=1e-6)
