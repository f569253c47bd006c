"""Keras 3 (torch backend) as the oracle for functional models: the same graphs built by both
libraries, glassnet holding Keras's weights, give the same predictions, the same losses and
weights over 5 training steps (float32, 1e-5), the same summary() text, and each library
loads the other's .keras file (optimizer state included: the next step agrees)."""
import contextlib
import io

import numpy as np
import pytest

import glassnet

TOLERANCE = 1e-5


def two_input(lib):
    a, b = lib.Input((4,), name="a"), lib.Input((3,), name="b")
    ha = lib.layers.Dense(6, activation="relu", name="da")(a)
    hb = lib.layers.Dense(6, activation="tanh", name="db")(b)
    out = lib.layers.Dense(3, activation="softmax", name="out")(
        lib.layers.Concatenate(name="cat")([ha, hb]))
    model = lib.Model([a, b], out, name="two_input")
    return model, {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}


def residual(lib):
    x = lib.Input((5,), name="x")
    h = lib.layers.Dense(8, activation="relu", name="d1")(x)
    s = lib.layers.Add(name="add")([h, lib.layers.Dense(8, activation="relu", name="d2")(h)])
    s2 = lib.layers.Add(name="add_1")([s, lib.layers.Dense(8, name="d3")(s)])
    model = lib.Model(x, lib.layers.Dense(1, name="out")(s2), name="residual")
    return model, {"loss": "mse"}


def wide_and_deep(lib):
    wide, deep = lib.Input((6,), name="wide"), lib.Input((4,), name="deep")
    h = lib.layers.Dense(8, activation="relu", name="deep1")(deep)
    h = lib.layers.Dense(4, activation="relu", name="deep2")(h)
    joined = lib.layers.Concatenate(name="joined")([wide, h])
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(joined)
    model = lib.Model([wide, deep], out, name="wide_and_deep")
    return model, {"loss": "binary_crossentropy", "metrics": ["accuracy"]}


def two_output(lib):
    x = lib.Input((5,), name="x")
    h = lib.layers.Dense(8, activation="relu", name="h")(x)
    kind = lib.layers.Dense(3, activation="softmax", name="kind")(h)
    value = lib.layers.Dense(1, name="value")(h)
    model = lib.Model(x, [kind, value], name="two_output")
    return model, {"loss": {"kind": "sparse_categorical_crossentropy", "value": "mse"},
                   "loss_weights": {"kind": 1.0, "value": 0.3},
                   "metrics": {"kind": ["accuracy"], "value": ["mae"]}}


def shared_layers(lib):
    left, right = lib.Input((4,), name="left"), lib.Input((4,), name="right")
    encode = lib.layers.Dense(5, activation="tanh", name="encode")
    el, er = encode(left), encode(right)                   # one kernel, two calls
    parts = [lib.layers.Subtract(name="diff")([el, er]), lib.layers.Multiply(name="prod")([el, er]),
             lib.layers.Average(name="avg")([el, er]), lib.layers.Maximum(name="max")([el, er]),
             lib.layers.Minimum(name="min")([el, er])]
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(
        lib.layers.Concatenate(name="cat")(parts))
    return lib.Model([left, right], out, name="shared"), {"loss": "binary_crossentropy"}


MODELS = {"two_input": two_input, "residual": residual, "wide_and_deep": wide_and_deep,
          "two_output": two_output, "shared_layers": shared_layers}


def data(name, n=16, seed=0):
    rng = np.random.default_rng(seed)
    def floats(*shape):
        return rng.normal(size=(n,) + shape).astype("float32")
    return {"two_input": ([floats(4), floats(3)], rng.integers(0, 3, n)),
            "residual": (floats(5), floats(1)),
            "wide_and_deep": ([floats(6), floats(4)], rng.integers(0, 2, (n, 1)).astype("float32")),
            "two_output": (floats(5), [rng.integers(0, 3, n), floats(1)]),
            "shared_layers": ([floats(4), floats(4)],
                              rng.integers(0, 2, (n, 1)).astype("float32"))}[name]


def both(keras, name, optimizer="SGD", **optimizer_kwargs):
    """The model built by both, compiled alike, glassnet holding Keras's weights."""
    keras.backend.clear_session()
    glassnet.backend.clear_session()
    (theirs, settings), (ours, _) = MODELS[name](keras), MODELS[name](glassnet)
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    ours.set_weights(theirs.get_weights())
    for model, lib in ((theirs, keras), (ours, glassnet)):
        model.compile(optimizer=getattr(lib.optimizers, optimizer)(**optimizer_kwargs),
                      **settings)
    return theirs, ours


def as_list(outputs):
    return [np.asarray(o) for o in (outputs if isinstance(outputs, list) else [outputs])]


def max_difference(want, got):
    return max(float(np.max(np.abs(np.asarray(w, np.float64) - np.asarray(g, np.float64))))
               for w, g in zip(want, got))


@pytest.mark.parametrize("name", list(MODELS))
def test_same_predictions_losses_and_weights_over_five_steps(keras, name):
    theirs, ours = both(keras, name, learning_rate=0.1)
    x, y = data(name)
    assert max_difference(as_list(theirs.predict(x, verbose=0)),
                          as_list(ours.predict(x, verbose=0))) <= TOLERANCE
    for step in range(5):
        want = theirs.train_on_batch(x, y, return_dict=True)
        got = ours.train_on_batch(x, y, return_dict=True)
        losses = [k for k in want if k.endswith("loss")]
        assert sorted(losses) == sorted(k for k in got if k.endswith("loss")), (want, got)
        for key in losses:
            assert got[key] == pytest.approx(float(want[key]), abs=TOLERANCE), (step, key)
    assert max_difference(theirs.get_weights(), ours.get_weights()) <= TOLERANCE
    assert max_difference(as_list(theirs.predict(x, verbose=0)),
                          as_list(ours.predict(x, verbose=0))) <= TOLERANCE


def test_two_output_fit_history_keys_and_evaluate_order(keras):
    theirs, ours = both(keras, "two_output", learning_rate=0.05)
    x, y = data("two_output")
    histories = [m.fit(x, y, epochs=2, batch_size=4, shuffle=False, verbose=0,
                       validation_data=(x, y)).history for m in (theirs, ours)]
    assert set(histories[0]) == set(histories[1])
    for key, values in histories[0].items():
        assert histories[1][key] == pytest.approx(values, abs=1e-4), key
    assert ours.evaluate(x, y, verbose=0) == pytest.approx(theirs.evaluate(x, y, verbose=0),
                                                           abs=1e-5)


def summary_text(model, **options):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model.summary(**options)
    return buffer.getvalue()


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("options", [{}, {"line_length": 120}, {"show_trainable": True}],
                         ids=["default", "line_length", "show_trainable"])
def test_summary_text_is_keras_text(keras, name, options):
    theirs, ours = both(keras, name)
    assert summary_text(ours, **options) == summary_text(theirs, **options)


def nested_sequential(lib):
    x = lib.Input((4,), name="x")
    inner = lib.Sequential([lib.Input((4,)), lib.layers.Dense(3, activation="relu", name="i1"),
                            lib.layers.Dense(4, name="i2")], name="inner")
    out = lib.layers.Dense(2, name="out")(lib.layers.Add(name="add")([inner(x), x]))
    return lib.Model(x, out, name="nested")


def test_a_sequential_inside_a_graph_in_files_both_ways(keras, tmp_path):
    """Keras nests its weights under layers/sequential/layers/...; both libraries read the
    other's file, optimizer state included, and the summaries agree."""
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    y = x[:, :2] * 2
    for writer in ("keras", "glassnet"):
        keras.backend.clear_session()
        glassnet.backend.clear_session()
        theirs, ours = nested_sequential(keras), nested_sequential(glassnet)
        ours.set_weights(theirs.get_weights())
        assert summary_text(ours) == summary_text(theirs)
        source = theirs if writer == "keras" else ours
        source.compile(optimizer="adam", loss="mse")
        for _ in range(3):
            source.train_on_batch(x, y)
        source.save(tmp_path / f"{writer}.keras")
        loaded = (glassnet.models.load_model(tmp_path / f"{writer}.keras") if writer == "keras"
                  else keras.models.load_model(tmp_path / f"{writer}.keras"))
        assert max_difference([source.predict(x, verbose=0)],
                              [loaded.predict(x, verbose=0)]) <= TOLERANCE
        source.train_on_batch(x, y)
        loaded.train_on_batch(x, y)
        assert max_difference(source.get_weights(), loaded.get_weights()) <= TOLERANCE, writer


def test_chain_summary_has_no_connected_to_column(keras):
    def chain(lib):
        x = lib.Input((3,), name="x")
        return lib.Model(x, lib.layers.Dense(2, name="d")(lib.layers.Dense(4, name="h")(x)),
                         name="chain")
    keras.backend.clear_session()
    glassnet.backend.clear_session()
    text = summary_text(chain(glassnet))
    assert text == summary_text(chain(keras)) and "Connected to" not in text


@pytest.mark.parametrize("name", list(MODELS))
def test_each_library_loads_the_others_file(keras, name, tmp_path):
    """Trained 3 Adam steps by one library, saved, loaded by the other: same predictions,
    same optimizer step count, and the next step gives the same weights."""
    x, y = data(name)
    for writer in ("keras", "glassnet"):
        theirs, ours = both(keras, name, optimizer="Adam", learning_rate=0.01)
        source = theirs if writer == "keras" else ours
        for _ in range(3):
            source.train_on_batch(x, y)
        path = tmp_path / f"{name}_{writer}.keras"
        source.save(path)
        loaded = (glassnet.models.load_model(path) if writer == "keras"
                  else keras.models.load_model(path))
        assert max_difference(as_list(source.predict(x, verbose=0)),
                              as_list(loaded.predict(x, verbose=0))) <= TOLERANCE
        assert int(loaded.optimizer.iterations) == int(source.optimizer.iterations) == 3
        source.train_on_batch(x, y)
        loaded.train_on_batch(x, y)
        assert max_difference(source.get_weights(), loaded.get_weights()) <= TOLERANCE, writer


@pytest.mark.parametrize("name", list(MODELS))
def test_from_keras_reads_a_live_functional_model(keras, name):
    from glassnet.interop import from_keras
    keras.backend.clear_session()
    theirs, _ = MODELS[name](keras)
    ours = from_keras(theirs)
    x, _ = data(name)
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert max_difference(as_list(theirs.predict(x, verbose=0)),
                          as_list(ours.predict(x, verbose=0))) <= TOLERANCE


def test_sample_weights_per_output_as_keras(keras):
    theirs, ours = both(keras, "two_output", learning_rate=0.1)
    x, y = data("two_output")
    rng = np.random.default_rng(5)
    per_output = [rng.random(16), rng.random(16)]
    for sample_weight in (per_output, per_output[0]):          # a list per output, or one
        want = theirs.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True)
        got = ours.train_on_batch(x, y, sample_weight=sample_weight, return_dict=True)
        for key in want:
            assert got[key] == pytest.approx(float(want[key]), abs=TOLERANCE), key
    assert max_difference(theirs.get_weights(), ours.get_weights()) <= TOLERANCE
