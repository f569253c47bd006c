"""Keras 3 as the oracle for constraints: the projected values (float32 and float64), the
configs, and training with kernel/bias constraints (Keras applies each after the optimizer's
update): the same weights after the same steps from the same start."""
import numpy as np
import pytest

import glassnet
from glassnet import constraints

CASES = [("MaxNorm", {}), ("MaxNorm", {"max_value": 0.5, "axis": 1}),
         ("MaxNorm", {"max_value": 1.0, "axis": [0, 1]}), ("NonNeg", {}), ("UnitNorm", {}),
         ("UnitNorm", {"axis": 1}), ("MinMaxNorm", {}),
         ("MinMaxNorm", {"min_value": 0.5, "max_value": 1.5, "rate": 0.7, "axis": 1})]


def _kernel(dtype):
    kernel = np.random.default_rng(3).normal(size=(5, 4)) * [[0.1], [1.0], [2.0], [0.5], [3.0]]
    kernel[:, 1] = 0.0                                    # a zero column stays zero
    return kernel.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_projections_equal_keras(keras, name, kwargs, dtype):
    kernel = _kernel(dtype)
    expected = keras.ops.convert_to_numpy(getattr(keras.constraints, name)(**kwargs)(
        keras.ops.convert_to_tensor(kernel)))
    value = getattr(constraints, name)(**kwargs)(kernel)
    assert value.dtype == kernel.dtype
    np.testing.assert_allclose(value, expected, rtol=2e-6 if dtype == "float32" else 1e-7,
                               atol=1e-7)


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_configs_and_names_equal_keras(keras, name, kwargs):
    theirs = getattr(keras.constraints, name)(**kwargs)
    assert getattr(constraints, name)(**kwargs).get_config() == theirs.get_config()
    assert keras.constraints.serialize(theirs)["class_name"] == \
        constraints.serialize(getattr(constraints, name)(**kwargs))["class_name"]
    ours = constraints.deserialize({"class_name": name, "config": theirs.get_config()})
    assert ours.get_config() == theirs.get_config()


@pytest.mark.parametrize("kernel_constraint, bias_constraint", [
    ("max_norm", "non_neg"), (("MaxNorm", {"max_value": 0.3}), None),
    (("UnitNorm", {}), ("MinMaxNorm", {"min_value": 0.2, "max_value": 0.4}))])
def test_training_with_constraints_equals_keras(keras, kernel_constraint, bias_constraint):
    """Two Dense layers, SGD with momentum, 3 epochs of 4 batches, no shuffling."""
    def make(module, spec):
        if spec is None or isinstance(spec, str):
            return spec
        return getattr(module.constraints, spec[0])(**spec[1])

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 2)) - 1.0).astype("float32")
    theirs = keras.Sequential([
        keras.Input((4,)), keras.layers.Dense(3, activation="tanh"),
        keras.layers.Dense(2, kernel_constraint=make(keras, kernel_constraint),
                           bias_constraint=make(keras, bias_constraint))])
    ours = glassnet.Sequential([
        glassnet.Input((4,)), glassnet.layers.Dense(3, activation="tanh"),
        glassnet.layers.Dense(2, kernel_constraint=make(glassnet, kernel_constraint),
                              bias_constraint=make(glassnet, bias_constraint))])
    ours.set_weights([w.astype("float32") for w in theirs.get_weights()])
    theirs.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    ours.compile(optimizer=glassnet.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    theirs.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    ours.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    for mine, want in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(mine, want, rtol=1e-5, atol=1e-6)
    config = theirs.layers[1].get_config()
    assert ours.layers[1].get_config()["kernel_constraint"] == \
        (None if config["kernel_constraint"] is None else
         {"class_name": config["kernel_constraint"]["class_name"],
          "config": config["kernel_constraint"]["config"]})
