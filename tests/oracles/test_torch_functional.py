"""PyTorch (float64 autograd) as the oracle for the functional graph's backward pass: per-layer
gradients of a DAG with a layer called twice (shared weights), a skip connection, a tensor
feeding three layers, a Concatenate and two outputs with weighted losses, to 1e-9."""
import numpy as np

import glassnet
from glassnet import layers as L

TOLERANCE = 1e-9


def glassnet_dag():
    x = glassnet.Input((4,), name="x")
    shared = L.Dense(4, activation="tanh", name="shared")
    h = shared(x)
    h2 = shared(h)                                   # same kernel and bias, second call
    s = L.Add(name="skip")([h2, x])                  # skip connection: x feeds shared and skip
    kind = L.Dense(3, activation="softmax", name="kind")(L.Concatenate(name="cat")([s, h]))
    value = L.Dense(1, name="value")(L.Multiply(name="gate")([s, h]))
    model = glassnet.Model(x, [kind, value])
    model.compile("sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.5])
    return model


def torch_loss(torch, weights, x, y_kind, y_value):
    kernel, bias, k_kind, b_kind, k_value, b_value = weights
    def dense(inputs, k, b):
        return inputs @ k + b
    h = torch.tanh(dense(x, kernel, bias))
    h2 = torch.tanh(dense(h, kernel, bias))
    s = h2 + x
    logits = dense(torch.cat([s, h], dim=1), k_kind, b_kind)
    value = dense(s * h, k_value, b_value)
    kind_loss = torch.nn.functional.cross_entropy(logits, y_kind)
    value_loss = torch.mean((value - y_value) ** 2)
    return kind_loss + 0.5 * value_loss


def test_dag_gradients_match_torch_autograd(torch, float64):
    model = glassnet_dag()
    rng = np.random.default_rng(3)
    x = rng.normal(size=(7, 4))
    y_kind, y_value = rng.integers(0, 3, 7), rng.normal(size=(7, 1))
    model._backward([y_kind, y_value], model._forward(x, True), None)
    names = [f"{l.name}.{n}" for l in model.layers for n in l.param_names]
    assert names == ["shared.kernel", "shared.bias", "kind.kernel", "kind.bias",
                     "value.kernel", "value.bias"]
    weights = [torch.tensor(p, requires_grad=True) for p in model.get_weights()]
    loss = torch_loss(torch, weights, torch.tensor(x), torch.tensor(y_kind),
                      torch.tensor(y_value))
    loss.backward()
    ours = model._loss_value([y_kind, y_value], model._forward(x, False), None)
    assert abs(loss.item() - ours) < TOLERANCE
    for name, grad, weight in zip(names, model._grads, weights):
        error = float(np.max(np.abs(grad - weight.grad.numpy())))
        assert error < TOLERANCE, f"{name}: {error:.3g}"


def test_to_torch_runs_the_graph(torch):
    """Every model of the Keras functional oracle, and a Sequential inside a graph, as a torch
    module: the same outputs as predict; the shared layer is one module, called twice."""
    from glassnet.interop import to_torch
    from .test_keras_functional import MODELS, as_list, data
    for name, build in MODELS.items():
        glassnet.backend.clear_session()
        model, _ = build(glassnet)
        x, _ = data(name, n=9)
        net = to_torch(model)
        arrays = x if isinstance(x, list) else [x]
        with torch.no_grad():
            got = net(*[torch.from_numpy(a) for a in arrays])
        got = [g.numpy() for g in (got if isinstance(got, tuple) else (got,))]
        for g, want in zip(got, as_list(model.predict(x, verbose=0))):
            np.testing.assert_allclose(g, want, rtol=1e-5, atol=1e-6, err_msg=name)
    shared = MODELS["shared_layers"](glassnet)[0]
    assert list(to_torch(shared).layers) == ["encode", "out"]
    inner = glassnet.Sequential([glassnet.Input((4,)), L.Dense(3, activation="relu")],
                                name="inner")
    x = glassnet.Input((4,))
    model = glassnet.Model(x, L.Concatenate()([inner(x), x]))
    values = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    with torch.no_grad():
        got = to_torch(model)(torch.from_numpy(values)).numpy()
    np.testing.assert_allclose(got, model.predict(values, verbose=0), rtol=1e-6, atol=1e-6)
