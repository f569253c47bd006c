"""User classes through .keras files: register_keras_serializable, custom_object_scope,
get_custom_objects (as keras.saving); a file still never brings its own code."""
import json
import zipfile

import numpy as np
import pytest

import glassnet
from glassnet import layers, saving


class Scale(layers.Layer):
    """y = factor * x * kernel, with a learned per-feature kernel (a user's own layer)."""

    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        super().build(input_shape)
        self.kernel = self.add_weight("kernel", (input_shape[-1],),
                                      glassnet.initializers.get("ones"))

    def forward(self, x, training=False):
        self._x = x
        self._y = y = self.factor * x * self.kernel
        return y

    def backward(self, grad, need_input_grad=True):
        self.grads[0][...] = np.sum(grad * self.factor * self._x, axis=0)
        return grad * self.factor * self.kernel

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _model(cls):
    model = glassnet.Sequential([layers.Input(shape=(3,)), cls(factor=0.5), layers.Dense(2)])
    model.compile("adam", "mse")
    x = np.random.default_rng(0).standard_normal((8, 3)).astype(np.float32)
    model.fit(x, x[:, :2], epochs=2, verbose=0)
    return model, x


@pytest.fixture
def registry():
    saved = dict(saving.get_custom_objects())
    yield saving.get_custom_objects()
    saving.get_custom_objects().clear()
    saving.get_custom_objects().update(saved)


def test_a_registered_class_round_trips(tmp_path, registry):
    Registered = saving.register_keras_serializable(package="MyLib")(
        type("Registered", (Scale,), {}))
    assert saving.get_registered_name(Registered) == "MyLib>Registered"
    assert registry["MyLib>Registered"] is Registered
    model, x = _model(Registered)
    model.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as archive:
        entry = json.loads(archive.read("config.json"))["config"]["layers"][1]
    assert entry["registered_name"] == "MyLib>Registered"
    loaded = saving.load_model(tmp_path / "m.keras")
    assert type(loaded.layers[0]) is Registered and loaded.layers[0].factor == 0.5
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="already been registered"):
        saving.register_keras_serializable(package="MyLib")(Registered)


def test_scope_and_custom_objects_and_refusal(tmp_path, registry):
    model, x = _model(Scale)
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="custom_objects"):
        saving.load_model(tmp_path / "m.keras")            # the file cannot bring the class
    with saving.custom_object_scope({"Scale": Scale}):
        inside = saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(inside.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError):
        saving.load_model(tmp_path / "m.keras")            # the scope is closed again
    given = saving.load_model(tmp_path / "m.keras", custom_objects={"Scale": Scale})
    assert type(given.layers[0]) is Scale
    registry["Scale"] = Scale                              # Keras: editing the dict registers
    assert type(saving.load_model(tmp_path / "m.keras").layers[0]) is Scale
    assert saving.get_registered_object("Scale") is Scale
    with pytest.raises(ValueError, match="get_config"):
        saving.register_keras_serializable()(type("NoConfig", (), {}))


def test_a_file_naming_an_unknown_registered_class_is_refused(tmp_path, registry):
    Registered = saving.register_keras_serializable(package="Gone")(
        type("Vanishing", (Scale,), {}))
    model, _ = _model(Registered)
    model.save(tmp_path / "m.keras")
    del registry["Gone>Vanishing"]
    with pytest.raises(ValueError, match="custom Keras class 'Gone>Vanishing'"):
        saving.load_model(tmp_path / "m.keras")
