"""The functional API: symbolic tensors, graphs with merges and shared layers, several inputs
and outputs, and the clear errors before any work. Gradients against central differences."""
import numpy as np
import pytest

import glassnet
from glassnet import layers as L
from glassnet.models.functional import Functional
from tests.helpers import numeric_gradient

MERGES = [L.Add, L.Subtract, L.Multiply, L.Average, L.Maximum, L.Minimum, L.Concatenate]


@pytest.mark.parametrize("cls", MERGES, ids=lambda c: c.__name__)
def test_merge_backward_matches_central_differences(cls, float64):
    rng = np.random.default_rng(0)
    count = 2 if cls is L.Subtract else 3
    inputs = [rng.normal(size=(4, 5)) for _ in range(count)]
    if cls is L.Concatenate:
        inputs[1] = rng.normal(size=(4, 2))
    layer = cls()
    weights = rng.normal(size=layer(inputs).shape)        # loss = sum(weights * y)
    layer(inputs)
    grads = layer.backward(weights)
    for i in range(count):
        def loss(value, i=i):
            trial = list(inputs)
            trial[i] = value
            return float(np.sum(weights * cls()(trial)))
        assert np.allclose(grads[i], numeric_gradient(loss, inputs[i]), atol=1e-8), i


def test_merge_forward_formulas():
    a, b = np.array([[1.0, 5.0]]), np.array([[3.0, 2.0]])
    assert L.Add()([a, b]).tolist() == [[4, 7]]
    assert L.Subtract()([a, b]).tolist() == [[-2, 3]]
    assert L.Multiply()([a, b]).tolist() == [[3, 10]]
    assert L.Average()([a, b]).tolist() == [[2, 3.5]]
    assert L.Maximum()([a, b]).tolist() == [[3, 5]]
    assert L.Minimum()([a, b]).tolist() == [[1, 2]]
    assert L.Concatenate()([a, b]).tolist() == [[1, 5, 3, 2]]
    assert L.Concatenate(axis=1)([a[:, :, None], b[:, :, None]]).shape == (1, 4, 1)


def test_input_is_symbolic_and_layers_record_nodes():
    x = glassnet.Input((4,), name="x")
    assert x.shape == (None, 4) and x.dtype == "float32" and x.name == "x"
    dense = L.Dense(3, name="d")
    y = dense(x)
    assert y.shape == (None, 3) and y._keras_history == (dense, 0, 0)
    z = dense(L.Dense(4)(y))                 # called again: a second node, same weights
    assert z._keras_history[1] == 1 and len(dense._inbound_nodes) == 2
    with pytest.raises(TypeError, match="symbolic"):
        np.asarray(x)


def residual_model():
    x = glassnet.Input((4,), name="x")
    shared = L.Dense(4, activation="tanh", name="shared")
    h = shared(x)
    h2 = shared(h)                                          # weight sharing
    s = L.Add(name="skip")([h2, x])                         # skip connection
    out = L.Dense(2, activation="softmax", name="out")(L.Concatenate(name="cat")([s, h]))
    return Functional(x, out)


def test_dag_gradients_match_central_differences(float64):
    """Every parameter gradient of a graph with a shared layer and a skip connection, and
    the summed gradient where a tensor feeds several layers."""
    model = residual_model()
    model.compile("sgd", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 2, 6)
    model._backward(y, model._forward(x, True), None)
    for param, grad in zip(model._params, model._grads):
        def loss(value, param=param):
            saved = param.copy()
            param[...] = value
            result = model._loss_value(y, model._forward(x, False), None)
            param[...] = saved
            return result
        assert np.allclose(grad, numeric_gradient(loss, param), atol=1e-7)


def test_layers_in_keras_order_and_model_from_model_class():
    a, b = glassnet.Input((4,), name="a"), glassnet.Input((3,), name="b")
    h = L.Dense(5, name="d1")(a)
    s = L.Add(name="add")([h, L.Dense(5, name="d2")(b)])
    model = glassnet.Model([a, b], [L.Dense(2, name="o1")(s), L.Dense(1, name="o2")(s)])
    assert isinstance(model, Functional) and isinstance(model, glassnet.models.Model)
    assert [l.name for l in model.layers] == ["a", "b", "d1", "d2", "add", "o1", "o2"]
    assert model.output_shape == [(None, 2), (None, 1)]
    assert model.count_params() == 25 + 20 + 12 + 6


def two_output_model():
    a, b = glassnet.Input((4,), name="a"), glassnet.Input((3,), name="b")
    s = L.Add(name="add")([L.Dense(5, activation="relu", name="d1")(a),
                           L.Dense(5, name="d2")(b)])
    out1 = L.Dense(2, activation="softmax", name="out1")(L.Concatenate(name="cat")([s, b]))
    out2 = L.Dense(1, name="out2")(s)
    return glassnet.Model([a, b], [out1, out2], name="two")


def two_output_data(n=16):
    rng = np.random.default_rng(0)
    return ([rng.random((n, 4), dtype=np.float32), rng.random((n, 3), dtype=np.float32)],
            [rng.integers(0, 2, n), rng.random((n, 1), dtype=np.float32)])


def test_several_inputs_and_outputs_train_with_keras_log_keys():
    model = two_output_model()
    model.compile("sgd", loss={"out1": "sparse_categorical_crossentropy", "out2": "mse"},
                  loss_weights={"out1": 1.0, "out2": 0.5},
                  metrics={"out1": ["accuracy"], "out2": ["mae"]})
    x, y = two_output_data()
    history = model.fit(x, y, epochs=2, batch_size=4, verbose=0, validation_data=(x, y))
    assert set(history.history) == {
        "loss", "out1_loss", "out2_loss", "out1_accuracy", "out2_mae", "val_loss",
        "val_out1_loss", "val_out2_loss", "val_out1_accuracy", "val_out2_mae"}
    loss, out1, out2, *_ = model.evaluate(x, y, verbose=0)
    assert loss == pytest.approx(out1 + 0.5 * out2, rel=1e-6)
    by_name = model.evaluate({"a": x[0], "b": x[1]}, {"out1": y[0], "out2": y[1]}, verbose=0)
    assert by_name[0] == pytest.approx(loss)
    predictions = model.predict(x, verbose=0)
    assert isinstance(predictions, list) and [p.shape for p in predictions] == [(16, 2), (16, 1)]
    assert np.allclose(model(x)[1], predictions[1])


def test_dict_outputs_predict_a_dict_and_list_losses():
    a = glassnet.Input((3,), name="a")
    h = L.Dense(4, name="h")(a)
    model = glassnet.Model({"a": a}, {"p": L.Dense(2, name="p")(h), "q": L.Dense(1, name="q")(h)})
    model.compile("adam", loss=["mse", "mae"])
    x = np.ones((5, 3), dtype=np.float32)
    model.fit(x, [np.zeros((5, 2)), np.zeros((5, 1))], verbose=0)
    out = model.predict({"a": x}, verbose=0)
    assert set(out) == {"p", "q"} and out["q"].shape == (5, 1)


def test_sequential_keeps_taking_input():
    model = glassnet.Sequential([glassnet.Input(shape=(4,)), L.Dense(3)])
    assert model.input_shape == (None, 4)
    other = glassnet.Sequential()
    other.add(glassnet.Input(shape=(4,)))
    other.add(L.Dense(2))
    assert other.predict(np.ones((2, 4)), verbose=0).shape == (2, 2)


def test_clear_errors_before_any_work():
    a, b = glassnet.Input((4,), name="a"), glassnet.Input((3,), name="b")
    other = glassnet.Input((2,), name="other")
    with pytest.raises(ValueError, match=r"'out' .*not reachable.*'other'"):
        glassnet.Model(a, L.Dense(1, name="out")(other))
    with pytest.raises(ValueError, match="Input 'b' is not used"):
        glassnet.Model([a, b], L.Dense(1)(a))
    with pytest.raises(ValueError, match=r"'joined' needs inputs of one shape, got \(None, 4\) "
                                         r"and \(None, 3\)"):
        L.Add(name="joined")([a, b])
    with pytest.raises(ValueError, match=r"'cat'.*\(None, 4, 2\) and \(None, 3, 2\)"):
        L.Concatenate(name="cat")([glassnet.Input((4, 2)), glassnet.Input((3, 2))])
    with pytest.raises(TypeError, match="NumPy arrays"):
        L.Add()([a, np.ones((1, 4))])
    eager = L.Dense(2)(np.ones((1, 4)))
    with pytest.raises(TypeError, match="outputs\\[0\\] is a NumPy array"):
        glassnet.Model(a, eager)
    model = glassnet.Model([a, b], L.Add()([L.Dense(2)(a), L.Dense(2)(b)]))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="2 inputs"):
        model.fit(np.ones((3, 4)), np.ones((3, 2)), verbose=0)
    with pytest.raises(ValueError, match="different numbers of samples"):
        model.fit([np.ones((3, 4)), np.ones((2, 3))], np.ones((3, 2)), verbose=0)


def test_shared_layer_refuses_another_shape():
    dense = L.Dense(2, name="shared")
    dense(glassnet.Input((4,)))
    with pytest.raises(ValueError, match="'shared' was built for inputs of shape \\(None, 4\\)"):
        dense(glassnet.Input((3,)))


def test_a_sequential_is_a_layer_of_a_functional_model(float64):
    x = glassnet.Input((4,), name="x")
    inner = glassnet.Sequential([glassnet.Input((4,)), L.Dense(3, activation="tanh"),
                                 L.Dense(4)], name="inner")
    model = glassnet.Model(x, L.Dense(2, name="out")(L.Add()([inner(x), x])))
    assert [l.name for l in model.layers] == ["x", "inner", "add", "out"]
    assert model.count_params() == 15 + 16 + 10
    model.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    xv, yv = rng.normal(size=(5, 4)), rng.normal(size=(5, 2))
    model._backward(yv, model._forward(xv, True), None)
    assert len(model._params) == 6
    for param, grad in zip(model._params, model._grads):
        def loss(value, param=param):
            saved = param.copy()
            param[...] = value
            result = model._loss_value(yv, model._forward(xv, False), None)
            param[...] = saved
            return result
        assert np.allclose(grad, numeric_gradient(loss, param), atol=1e-7)
    with pytest.raises(ValueError, match="already called"):
        inner(glassnet.Input((4,)))


def test_a_graph_with_a_nested_sequential_saves_and_loads(tmp_path):
    x = glassnet.Input((4,))
    inner = glassnet.Sequential([glassnet.Input((4,)), L.Dense(3, activation="relu"),
                                 L.Dense(4)], name="inner")
    model = glassnet.Model(x, L.Dense(2, name="out")(L.Add()([inner(x), x])))
    model.compile("adam", "mse")
    values = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    model.train_on_batch(values, values[:, :2])
    model.save(tmp_path / "m.keras")
    back = glassnet.models.load_model(tmp_path / "m.keras")
    assert [l.name for l in back.layers] == ["input_layer", "inner", "add", "out"]
    np.testing.assert_array_equal(back.predict(values, verbose=0),
                                  model.predict(values, verbose=0))
    model.train_on_batch(values, values[:, :2])
    back.train_on_batch(values, values[:, :2])
    for want, got in zip(model.get_weights(), back.get_weights()):
        np.testing.assert_array_equal(want, got)
    graph = glassnet.Model(x, L.Add()([glassnet.Model(x, L.Dense(4)(x), name="f")(x), x]))
    with pytest.raises(ValueError, match="functional model as a layer \\('f'\\)"):
        graph.save(tmp_path / "g.keras")
