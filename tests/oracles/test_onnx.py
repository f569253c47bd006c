"""onnxruntime as the oracle of to_onnx: the exported graph computes what predict computes."""
import numpy as np
import pytest

import glassnet
from glassnet import layers
from glassnet.interop import UnsupportedLayerError, to_onnx
from glassnet.interop.onnx import _ACTIVATIONS

from .conftest import require


@pytest.fixture(scope="module")
def ort():
    require("onnx")
    return require("onnxruntime")


def run(ort, path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": x})[0]


@pytest.mark.parametrize("activation", sorted(_ACTIVATIONS))
def test_every_supported_activation_agrees_to_1e5(ort, tmp_path, activation):
    units = 6                                       # even, so glu can halve it
    model = glassnet.Sequential([glassnet.Input((5,)), layers.Dense(units, activation="tanh"),
                                 layers.Dense(units, activation=activation)])
    x = (np.random.default_rng(1).normal(size=(9, 5)) * 3).astype("float32")
    to_onnx(model, tmp_path / "m.onnx")
    np.testing.assert_allclose(run(ort, tmp_path / "m.onnx", x), model(x), rtol=1e-5, atol=1e-5)
    if activation != "glu":                          # wide inputs, straight into the activation
        alone = glassnet.Sequential([glassnet.Input((9,)), layers.Activation(activation)])
        wide = np.array([[-30, -8, -3, -0.5, 0, 0.5, 3, 8, 30]], dtype="float32")
        to_onnx(alone, tmp_path / "a.onnx")
        np.testing.assert_allclose(run(ort, tmp_path / "a.onnx", wide), alone(wide),
                                   rtol=1e-5, atol=1e-5)


def test_the_graph_is_what_the_contract_says(ort, tmp_path):
    model = glassnet.Sequential([glassnet.Input((4, 3)), layers.Flatten(),
                                 layers.Dense(8, activation="relu"), layers.Dropout(0.5),
                                 layers.Dense(3, activation="softmax")])
    proto = to_onnx(model, tmp_path / "m.onnx")
    (graph_input,) = proto.graph.input
    assert graph_input.name == "input" and graph_input.type.tensor_type.elem_type == 1  # float
    dims = graph_input.type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [4, 3]
    assert proto.graph.output[0].name == "output"
    assert [n.op_type for n in proto.graph.node] == ["Flatten", "Gemm", "Relu", "Gemm",
                                                     "Softmax", "Identity"]
    for batch in (1, 7, 64):                          # the batch size is free
        x = np.random.default_rng(batch).normal(size=(batch, 4, 3)).astype("float32")
        np.testing.assert_allclose(run(ort, tmp_path / "m.onnx", x),
                                   model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_dense_on_3d_inputs_and_without_bias_and_channels_first(ort, tmp_path):
    model = glassnet.Sequential([glassnet.Input((3, 4)), layers.Dense(5, use_bias=False),
                                 layers.Dense(2, activation="sigmoid"),
                                 layers.Flatten(data_format="channels_first"),
                                 layers.Dense(3)])
    x = np.random.default_rng(0).normal(size=(6, 3, 4)).astype("float32")
    to_onnx(model, tmp_path / "m.onnx")
    np.testing.assert_allclose(run(ort, tmp_path / "m.onnx", x), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("relu", [{}, {"max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5},
                                  {"negative_slope": 0.2}, {"max_value": 1.0}])
def test_the_other_layers(ort, tmp_path, relu):
    model = glassnet.Sequential([
        glassnet.Input((12,)), layers.Reshape((3, 4)), layers.BatchNormalization(axis=1),
        layers.Flatten(), layers.Dense(8), layers.BatchNormalization(momentum=0.5),
        layers.ReLU(**relu), layers.GaussianNoise(0.3), layers.Dense(5), layers.LeakyReLU(0.1),
        layers.Dense(3), layers.Softmax()])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(32, 12)) * 2 + 1).astype("float32")
    model.fit(x, rng.integers(0, 3, 32), epochs=3, verbose=0)   # moving statistics move
    to_onnx(model, tmp_path / "m.onnx")
    np.testing.assert_allclose(run(ort, tmp_path / "m.onnx", x), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_a_float64_model_exports_as_float32(ort, tmp_path, float64):
    model = glassnet.Sequential([glassnet.Input((5,)), layers.Dense(4, activation="gelu")])
    to_onnx(model, tmp_path / "m.onnx")
    x = np.random.default_rng(0).normal(size=(3, 5))
    np.testing.assert_allclose(run(ort, tmp_path / "m.onnx", x.astype("float32")),
                               model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_what_cannot_be_exported_is_named(ort, tmp_path):
    model = glassnet.Sequential([glassnet.Input((4,)), layers.Dense(4, activation="sparsemax",
                                                                    name="picky")])
    with pytest.raises(UnsupportedLayerError, match="'picky'.*'sparsemax' has no ONNX form"):
        to_onnx(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(ValueError, match="built model"):
        to_onnx(glassnet.Sequential([layers.Dense(2)]), tmp_path / "m.onnx")


def test_issue_11_layers_agree_to_1e5(ort, tmp_path):
    norm = layers.Normalization()
    norm.adapt(np.random.default_rng(0).standard_normal((50, 3, 4)) * 2 + 1)
    model = glassnet.Sequential([
        glassnet.Input((3, 4)), norm, layers.PReLU(alpha_initializer="random_normal"),
        layers.LayerNormalization(axis=[1, 2], gamma_initializer="random_normal"),
        layers.ELU(0.5), layers.RMSNormalization(), layers.UnitNormalization(axis=1),
        layers.GaussianDropout(0.2), layers.AlphaDropout(0.2), layers.Identity(),
        layers.ActivityRegularization(0.1), layers.Flatten(),
        layers.LayerNormalization(beta_initializer="random_normal"), layers.Dense(3),
        layers.PReLU(shared_axes=None), layers.Normalization(mean=1.0, variance=4.0,
                                                             invert=True)])
    x = np.random.default_rng(1).standard_normal((7, 3, 4)).astype(np.float32)
    path = tmp_path / "m.onnx"
    to_onnx(model, path)
    got = ort.InferenceSession(str(path)).run(None, {"input": x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-5)
