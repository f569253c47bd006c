"""Bad input gets one clear ValueError/TypeError that says what is wrong and what to do,
raised before any work starts (the weights and the optimizer are untouched)."""
import numpy as np
import pytest

import glassnet as keras
from glassnet import layers, models

DIGITS = np.random.default_rng(0).uniform(0, 16, size=(60, 64)).astype("float32")
LABELS = np.arange(60) % 10


def _notes_model(weight_init="glorot_uniform", input_shape=(28, 28)):
    """The notes' model with its two slips fixed or not, as the caller chooses."""
    model = keras.models.Sequential()
    model.add(keras.layers.Flatten(input_shape=list(input_shape)))
    model.add(keras.layers.Dense(300, kernel_initializer=weight_init, activation="relu"))
    model.add(keras.layers.Dense(100, kernel_initializer=weight_init, activation="relu"))
    model.add(keras.layers.Dense(10, kernel_initializer=weight_init, activation="softmax"))
    return model


def _compiled(loss="sparse_categorical_crossentropy", units=10, inputs=64, metrics=None):
    model = models.Sequential([layers.Input(shape=(inputs,)), layers.Dense(8, "relu"),
                               layers.Dense(units, "softmax")])
    model.compile(optimizer="adam", loss=loss, metrics=metrics)
    return model


def _fails_before_work(model, call, error, match):
    """``call(model)`` raises ``error`` matching ``match`` and changes nothing."""
    before = model.get_weights() if model.built else None
    with pytest.raises(error, match=match):
        call(model)
    if before is not None:
        for a, b in zip(before, model.get_weights()):
            np.testing.assert_array_equal(a, b)
    if model.optimizer is not None:
        assert model.optimizer.iterations == 0


# -- the notes' two slips --------------------------------------------------------------------------

@pytest.mark.parametrize("weight_init", ["glorot_uniform", "RandomNormal", "he_normal",
                                         keras.initializers.HeNormal()])
def test_initializer_in_the_activation_position(weight_init):
    with pytest.raises(TypeError) as caught:
        keras.layers.Dense(300, weight_init, activation="relu")
    message = str(caught.value)
    assert "second positional argument of Dense is `activation`" in message
    assert f"kernel_initializer={weight_init!r}" in message


def test_initializer_passed_as_activation_by_name():
    with pytest.raises(TypeError, match=r"kernel_initializer='he_normal'"):
        keras.layers.Dense(10, activation="he_normal")


def test_flatten_for_28x28_fed_8x8_digits_as_rows():
    model = _notes_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError) as caught:
        model.fit(DIGITS, LABELS, verbose=0)
    message = str(caught.value)
    assert "784 features per sample" in message and "64 features per sample" in message
    assert "Flatten(input_shape=[28, 28])" in message
    assert "Flatten(input_shape=[8, 8])" in message and "x.reshape(-1, 8, 8)" in message
    assert "Input(shape=(64,))" in message
    assert model.optimizer.iterations == 0


def test_the_notes_model_with_both_slips_fixed_trains():
    model = _notes_model("he_normal", input_shape=(8, 8))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(DIGITS.reshape(-1, 8, 8) / 16, LABELS, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()


def test_images_fed_to_a_model_of_flat_rows():
    model = _compiled()
    with pytest.raises(ValueError, match=r"Input\(shape=\(8, 8\)\)"):
        model.predict(DIGITS.reshape(-1, 8, 8), verbose=0)


def test_validation_data_of_the_wrong_shape():
    _fails_before_work(_compiled(), lambda m: m.fit(
        DIGITS, LABELS, verbose=0, validation_data=(DIGITS[:, :10], LABELS)),
        ValueError, r"validation_data x has shape \(60, 10\)")


# -- labels ----------------------------------------------------------------------------------------

def test_integer_labels_with_categorical_crossentropy():
    with pytest.raises(ValueError) as caught:
        _compiled("categorical_crossentropy").fit(DIGITS, LABELS, verbose=0)
    message = str(caught.value)
    assert "sparse_categorical_crossentropy" in message and "to_categorical" in message


@pytest.mark.parametrize("bad", [10, -1])
def test_labels_outside_the_output_units(bad):
    labels = LABELS.copy()
    labels[7] = bad
    _fails_before_work(_compiled(), lambda m: m.fit(DIGITS, labels, verbose=0),
                       ValueError, r"0\.\.9 for a model with 10 output units")


def test_labels_outside_the_units_in_validation_data():
    labels = LABELS.copy()
    labels[0] = 12
    _fails_before_work(_compiled(), lambda m: m.fit(
        DIGITS, LABELS, verbose=0, validation_data=(DIGITS, labels)), ValueError, "0..9")


def test_one_hot_labels_with_sparse_loss():
    _fails_before_work(_compiled(), lambda m: m.fit(
        DIGITS, keras.utils.to_categorical(LABELS), verbose=0),
        ValueError, "categorical_crossentropy")


def test_x_and_y_of_different_lengths():
    _fails_before_work(_compiled(), lambda m: m.fit(DIGITS, LABELS[:50], verbose=0),
                       ValueError, "60 samples but 50 labels. Give exactly one label")
    _fails_before_work(_compiled(), lambda m: m.evaluate(DIGITS[:5], LABELS, verbose=0),
                       ValueError, "5 samples but 60 labels")


def test_validation_data_lengths():
    _fails_before_work(_compiled(), lambda m: m.fit(
        DIGITS, LABELS, verbose=0, validation_data=(DIGITS[:10], LABELS[:9])),
        ValueError, "validation_data x and validation_data y have different lengths")


def test_text_labels():
    _fails_before_work(_compiled(), lambda m: m.fit(DIGITS, np.array(["cat"] * 60), verbose=0),
                       ValueError, "Encode class names as integers")


# -- NaN and inf -----------------------------------------------------------------------------------

@pytest.mark.parametrize("where", ["x", "y", "validation x", "validation y", "sample_weight"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_data(where, value):
    x, y = DIGITS.copy(), LABELS.astype("float64")
    x_val, y_val = DIGITS[:10].copy(), LABELS[:10].astype("float64")
    weights = np.ones(60)
    target = {"x": x, "y": y, "validation x": x_val, "validation y": y_val,
              "sample_weight": weights}[where]
    target.flat[3] = value
    kind = "NaN" if np.isnan(value) else "inf"
    _fails_before_work(_compiled(), lambda m: m.fit(
        x, y, verbose=0, sample_weight=weights, validation_data=(x_val, y_val)),
        ValueError, rf"contains 1 non-finite value \({kind} first.*Remove or impute")


def test_nan_in_predict_input():
    with pytest.raises(ValueError, match="x contains 128 non-finite values") as caught:
        _compiled().predict(np.full((2, 64), np.nan), verbose=0)
    assert "training" not in str(caught.value)      # predict trains nothing


# -- unknown names ---------------------------------------------------------------------------------

@pytest.mark.parametrize("build, name, suggestion", [
    (lambda: layers.Dense(3, activation="rleu"), "rleu", "relu"),
    (lambda: layers.Activation("sigmiod"), "sigmiod", "sigmoid"),
    (lambda: layers.Dense(3, kernel_initializer="glorot_unifrom"), "glorot_unifrom",
     "glorot_uniform"),
    (lambda: layers.Dense(3, bias_initializer="zeroes"), "zeroes", "zeros"),
    (lambda: _compiled(loss="sparse_categorical_crossentopy"), "sparse_categorical_crossentopy",
     "sparse_categorical_crossentropy"),
    (lambda: _compiled(loss="mse").compile(optimizer="adma", loss="mse"), "adma", "adam"),
    (lambda: _compiled(metrics=["acuracy"]), "acuracy", "accuracy"),
])
def test_unknown_names_quote_the_name_and_the_closest(build, name, suggestion):
    with pytest.raises(ValueError) as caught:
        build()
    message = str(caught.value)
    assert repr(name) in message and repr(suggestion) in message


def test_compile_resolves_every_name_before_changing_anything():
    model = _compiled()
    optimizer = model.optimizer
    with pytest.raises(ValueError, match="'acuracy'"):
        model.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    assert model.optimizer is optimizer and model.loss.name == "sparse_categorical_crossentropy"


# -- order of calls --------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["fit", "evaluate", "train_on_batch", "test_on_batch"])
def test_training_before_compile(method):
    model = models.Sequential([layers.Input(shape=(64,)), layers.Dense(10, "softmax")])
    with pytest.raises(ValueError, match=r"call model\.compile\(optimizer="):
        getattr(model, method)(DIGITS, LABELS)


def test_compile_without_a_loss():
    with pytest.raises(ValueError, match="loss='sparse_categorical_crossentropy'"):
        models.Sequential([layers.Dense(2)]).compile(optimizer="adam")


def test_metrics_in_the_loss_weights_position():
    with pytest.raises(TypeError, match=r"metrics=\['accuracy'\]"):
        _compiled().compile("adam", "sparse_categorical_crossentropy", ["accuracy"])


def test_metrics_as_a_string():
    with pytest.raises(TypeError, match=r"metrics=\['accuracy'\]"):
        _compiled(metrics="accuracy")


# -- layers ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("units", [0, -3, 2.5, "10", None, True])
def test_non_positive_or_non_integer_units(units):
    with pytest.raises(ValueError, match=r"positive integer number of units.*Dense\(10\)"):
        layers.Dense(units)


@pytest.mark.parametrize("build, wrong, right", [
    (lambda: layers.Dense(10, activaton="relu"), "activaton", "activation"),
    (lambda: layers.Dense(10, kernel_initialiser="he_normal"), "kernel_initialiser",
     "kernel_initializer"),
    (lambda: layers.Flatten(input_shap=[8, 8]), "input_shap", "input_shape"),
    (lambda: layers.Dropout(0.5, sed=1), "sed", "seed"),
])
def test_unknown_keyword_arguments_to_layers(build, wrong, right):
    with pytest.raises(TypeError, match=rf"'{wrong}' \(did you mean '{right}'\?\)"):
        build()


def test_too_many_positional_arguments():
    with pytest.raises(TypeError, match="Pass the rest by name"):
        layers.Dense(3, "relu", True, "zeros", "zeros", "extra")


@pytest.mark.parametrize("third", ["he_normal", keras.initializers.HeNormal(), "yes"])
def test_something_else_in_the_use_bias_position(third):
    with pytest.raises(TypeError, match="third positional argument of Dense is `use_bias`"):
        layers.Dense(300, "relu", third)
    assert layers.Dense(3, "relu", False).use_bias is False     # what Keras accepts still works


def test_activation_passed_as_an_initializer():
    with pytest.raises(TypeError, match=r"kernel_initializer='relu' is an activation.*"
                                        r"activation='relu'"):
        layers.Dense(300, kernel_initializer="relu")


def test_same_argument_by_position_and_by_name():
    with pytest.raises(TypeError, match="two values for `activation`"):
        layers.Dense(3, "relu", activation="tanh")


def test_unsupported_constraint_is_refused_clearly():
    layers.BatchNormalization(beta_constraint=None)           # Keras code often passes None
    with pytest.raises(ValueError, match="beta_constraint is not supported"):
        layers.BatchNormalization(beta_constraint="non_neg")


@pytest.mark.parametrize("shape", [(0,), (-1, 3), "abc", ()])
def test_bad_shapes(shape):
    with pytest.raises(ValueError, match="positive sizes"):
        layers.Input(shape=shape)


# -- weights ---------------------------------------------------------------------------------------

def test_set_weights_with_wrong_shapes():
    model = _compiled()
    weights = model.get_weights()
    weights[2] = np.zeros((10, 8))
    _fails_before_work(model, lambda m: m.set_weights(weights), ValueError,
                       r"array 2 should have shape \(8, 10\), got \(10, 8\)")
    _fails_before_work(model, lambda m: m.set_weights(weights[:3]), ValueError,
                       "needs 4 arrays")
    with pytest.raises(ValueError, match=r"kernel has shape \(64, 8\).*Give it an array"):
        model.layers[0].set_weights([np.zeros((8, 64)), np.zeros(8)])


# -- the model -------------------------------------------------------------------------------------

def test_adding_things_that_are_not_layers():
    with pytest.raises(ValueError, match=r"Dense\(10\)"):
        models.Sequential([np.zeros(3)])
    with pytest.raises(TypeError, match="list of layers"):
        models.Sequential(layers.Dense(3))


def test_duplicate_names_and_misplaced_inputs():
    with pytest.raises(ValueError, match="unique"):
        models.Sequential([layers.Dense(3, name="a"), layers.Dense(3, name="a")])
    with pytest.raises(ValueError, match="first layer"):
        models.Sequential([layers.Dense(3), layers.Input(shape=(3,))])
    with pytest.raises(ValueError, match="input_shape= belongs on the first layer only"):
        models.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(2, input_shape=(3,))])


def test_reusing_a_layer_built_for_another_shape():
    used = layers.Dense(3)
    models.Sequential([layers.Input(shape=(5,)), used])
    with pytest.raises(ValueError, match=r"built for inputs of shape \(5,\).*new layer"):
        models.Sequential([layers.Input(shape=(4,)), used])


@pytest.mark.parametrize("arguments, match", [
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"epochs": -1}, "epochs must be a positive integer"),
    ({"verbose": 3}, "verbose must be 'auto', 0, 1 or 2"),
    ({"validation_split": 1.5}, "between 0 and 1"),
    ({"validation_split": 0.99}, "leaves no training or no validation samples"),
    ({"validation_data": (DIGITS,)}, r"\(x_val, y_val\)"),
    ({"validation_freq": "often"}, "validation_freq"),
    ({"validation_freq": 0}, "validation_freq must be a positive number of epochs"),
    ({"sample_weight": np.ones(59)}, r"one weight per sample, shape \(60,\)"),
    ({"sample_weight": -np.ones(60)}, "non-negative"),
    ({"class_weight": [1, 2]}, "class_weight must be a dict"),
    ({"class_weight": {"cats": 1.0}}, "class_weight maps class indices to numbers"),
    ({"class_weight": {0: "heavy"}}, "class_weight maps class indices to numbers"),
    ({"sample_weight": np.ones(60), "class_weight": {0: 1.0}}, "not both"),
])
def test_bad_fit_arguments(arguments, match):
    _fails_before_work(_compiled(), lambda m: m.fit(DIGITS, LABELS, **arguments),
                       (ValueError, TypeError), match)


@pytest.mark.parametrize("x, match", [
    (None, "x is None"),
    (np.array(["a", "b"]), "must be numbers"),
    ([[1.0, 2.0], [3.0]], "give every sample the same shape"),
    (np.ones(64), r"x.reshape\(1, -1\)"),
])
def test_bad_inputs(x, match):
    _fails_before_work(_compiled(), lambda m: m.fit(x, LABELS, verbose=0), ValueError, match)


@pytest.mark.parametrize("call", [
    lambda m: m.fit(DIGITS[:0], LABELS[:0], verbose=0),
    lambda m: m.evaluate(DIGITS[:0], LABELS[:0], verbose=0),
    lambda m: m.train_on_batch(DIGITS[:0], LABELS[:0]),
    lambda m: m.fit(DIGITS, LABELS, verbose=0, validation_data=(DIGITS[:0], LABELS[:0])),
], ids=["fit", "evaluate", "train_on_batch", "validation_data"])
def test_data_without_samples(call):
    _fails_before_work(_compiled(), call, ValueError, r"x has no samples \(shape \(0, 64\)\)")


def test_empty_model():
    with pytest.raises(ValueError, match=r"model\.add"):
        models.Sequential().predict(DIGITS, verbose=0)


def test_compile_refuses_a_loss_without_reduction():
    import glassnet as keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="one loss value per batch"):
        model.compile(optimizer="sgd", loss=keras.losses.MeanSquaredError(reduction=None))
