"""Losses: gradients against central differences, the fused logits gradients, Keras's
reductions and names, label checks, the Keras docstring numbers and the notes' worked example."""
import json
import pathlib

import numpy as np
import pytest

import glassnet
from glassnet import losses
from glassnet.activations import sigmoid, softmax
from tests.helpers import numeric_gradient

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"]


def _data(seed=0, n=5, k=4):
    """Labels and predictions in float64, away from every kink and clip boundary."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    onehot = np.eye(k)[labels]
    probs = softmax(rng.normal(size=(n, k)))
    binary = rng.integers(0, 2, (n, 2)).astype(float)
    return rng, labels, onehot, probs, binary


def _cases():
    rng, labels, onehot, probs, binary = _data()
    real = rng.normal(size=(5, 3))
    target = rng.normal(size=(5, 3))
    positive = rng.uniform(0.2, 3.0, (5, 3))
    counts = rng.integers(0, 4, (5, 3)).astype(float)
    unit = rng.uniform(0.05, 0.95, (5, 2))
    soft = softmax(rng.normal(size=(5, 4)))
    logits = rng.normal(size=(5, 4)) * 2
    # Hinge: keep every margin 1 - y p away from 0.
    signs = np.where(rng.random((5, 3)) < 0.5, -1.0, 1.0)
    margin_pred = signs * rng.choice([-0.6, 0.4, 1.7], (5, 3))
    huber_pred = target + rng.choice([-2.5, -0.4, 0.3, 1.8], (5, 3))
    return [
        ("mse", losses.MeanSquaredError, {}, target, real),
        ("mse_column", losses.MeanSquaredError, {}, target[:, 0], real[:, :1]),
        ("mae", losses.MeanAbsoluteError, {}, target, real),
        ("mape", losses.MeanAbsolutePercentageError, {}, target, real),
        ("msle", losses.MeanSquaredLogarithmicError, {}, positive, positive[::-1]),
        ("huber", losses.Huber, {}, target, huber_pred),
        ("huber_delta", losses.Huber, {"delta": 0.5}, target, huber_pred),
        ("log_cosh", losses.LogCosh, {}, target, real),
        ("cosine", losses.CosineSimilarity, {}, target, real),
        ("hinge", losses.Hinge, {}, signs, margin_pred),
        ("hinge_01", losses.Hinge, {}, (signs + 1) / 2, margin_pred),
        ("squared_hinge", losses.SquaredHinge, {}, signs, margin_pred),
        ("categorical_hinge", losses.CategoricalHinge, {}, onehot, logits),
        ("kld", losses.KLDivergence, {}, soft, probs),
        ("poisson", losses.Poisson, {}, counts, positive),
        ("bce", losses.BinaryCrossentropy, {}, binary, unit),
        ("bce_smooth", losses.BinaryCrossentropy, {"label_smoothing": 0.2}, binary, unit),
        ("bce_logits", losses.BinaryCrossentropy, {"from_logits": True}, binary, real[:, :2]),
        ("bce_logits_smooth", losses.BinaryCrossentropy,
         {"from_logits": True, "label_smoothing": 0.1}, binary, real[:, :2]),
        ("cce", losses.CategoricalCrossentropy, {}, onehot, probs),
        ("cce_unnormalized", losses.CategoricalCrossentropy, {}, soft, probs * 3.0),
        ("cce_smooth", losses.CategoricalCrossentropy, {"label_smoothing": 0.1}, onehot, probs),
        ("cce_logits", losses.CategoricalCrossentropy, {"from_logits": True}, soft, logits),
        ("cce_logits_multi_hot", losses.CategoricalCrossentropy, {"from_logits": True},
         soft * 1.7, logits),
        ("cce_logits_smooth", losses.CategoricalCrossentropy,
         {"from_logits": True, "label_smoothing": 0.2}, onehot, logits),
        ("scce", losses.SparseCategoricalCrossentropy, {}, labels, probs),
        ("scce_column", losses.SparseCategoricalCrossentropy, {}, labels[:, None], probs * 2.0),
        ("scce_logits", losses.SparseCategoricalCrossentropy, {"from_logits": True}, labels,
         logits),
        ("scce_ignore", losses.SparseCategoricalCrossentropy, {"ignore_class": 0}, labels,
         probs),
    ] + _newer_cases(labels, onehot, probs, binary, unit, soft, logits, real)


def _newer_cases(labels, onehot, probs, binary, unit, soft, logits, real):
    """The focal, generalized, overlap and circle losses (issue 11), on data of their own."""
    rng = np.random.default_rng(11)
    embeddings = rng.normal(size=(5, 3))
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)     # unit rows, as Keras
    groups = np.array([0, 1, 0, 1, 1])
    return [
        ("binary_focal", losses.BinaryFocalCrossentropy, {}, binary, unit),
        ("binary_focal_balanced", losses.BinaryFocalCrossentropy,
         {"apply_class_balancing": True, "gamma": 3.0, "label_smoothing": 0.1}, binary, unit),
        ("binary_focal_logits", losses.BinaryFocalCrossentropy, {"from_logits": True}, binary,
         real[:, :2]),
        ("binary_focal_gamma0", losses.BinaryFocalCrossentropy, {"gamma": 0.0}, binary, unit),
        ("categorical_focal", losses.CategoricalFocalCrossentropy, {}, onehot, probs),
        ("categorical_focal_logits", losses.CategoricalFocalCrossentropy,
         {"from_logits": True, "label_smoothing": 0.1}, onehot, logits),
        ("categorical_focal_alphas", losses.CategoricalFocalCrossentropy,
         {"alpha": [0.1, 0.2, 0.3, 0.4], "gamma": 1.5}, soft, probs * 2.0),
        ("generalized_ce", losses.CategoricalGeneralizedCrossEntropy, {}, labels, probs),
        ("generalized_ce_q", losses.CategoricalGeneralizedCrossEntropy, {"q": 0.8}, labels,
         probs),
        ("dice", losses.Dice, {"axis": -1}, binary, unit),
        ("tversky", losses.Tversky, {"alpha": 0.3, "beta": 0.7, "axis": -1}, binary, unit),
        ("circle", losses.Circle, {}, groups, embeddings),
        ("circle_gentle", losses.Circle, {"gamma": 10.0, "margin": 0.25,
                                          "remove_diagonal": False}, groups, embeddings),
    ]


CASES = _cases()
WEIGHTS = np.array([0.5, 2.0, 0.0, 1.5, 1.0])


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradient_matches_central_differences(float64, case, reduction, weighted):
    _, cls, kwargs, y_true, y_pred = case
    loss = cls(reduction=reduction, **kwargs)
    weights = WEIGHTS if weighted else None

    def reduced(p):
        return float(np.sum(loss(y_true, p, weights)))   # "none": the sum of weighted values

    expected = numeric_gradient(reduced, y_pred)
    grad = loss.gradient(y_true, y_pred, weights)
    assert grad.shape == y_pred.shape
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_per_sample_values_and_dtype(case):
    _, cls, kwargs, y_true, y_pred = case
    loss = cls(reduction="none", **kwargs)
    values = loss(y_true, y_pred.astype("float32"))
    assert values.shape == (5,)
    assert values.dtype == np.float32                    # floatx, as Keras computes
    assert loss.gradient(y_true, y_pred.astype("float32")).dtype == np.float32
    default = cls(**kwargs)(y_true, y_pred)
    np.testing.assert_allclose(default, values.astype("float64").mean(), rtol=1e-5)


# -- fused softmax + CE and sigmoid + BCE -----------------------------------------------------

def _fused_cases():
    rng, labels, onehot, _, binary = _data(seed=3)
    logits4 = rng.normal(size=(5, 4))
    logits2 = rng.normal(size=(5, 2))
    return [
        ("cce", losses.CategoricalCrossentropy(), onehot, logits4, softmax),
        ("cce_smooth", losses.CategoricalCrossentropy(label_smoothing=0.1), onehot, logits4,
         softmax),
        ("cce_multi_hot", losses.CategoricalCrossentropy(), onehot + onehot[::-1], logits4,
         softmax),
        ("scce", losses.SparseCategoricalCrossentropy(), labels, logits4, softmax),
        ("scce_ignore", losses.SparseCategoricalCrossentropy(ignore_class=1), labels, logits4,
         softmax),
        ("scce_sum", losses.SparseCategoricalCrossentropy(reduction="sum"), labels, logits4,
         softmax),
        ("bce", losses.BinaryCrossentropy(), binary, logits2, sigmoid),
        ("bce_column", losses.BinaryCrossentropy(), binary[:, 0], logits2[:, :1], sigmoid),
        ("bce_smooth", losses.BinaryCrossentropy(label_smoothing=0.2), binary, logits2, sigmoid),
        ("ce_auto_sparse", losses.resolve("crossentropy"), labels, logits4, softmax),
        ("ce_auto_binary", losses.resolve("ce"), binary[:, :1], logits2[:, :1], sigmoid),
    ]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", _fused_cases(), ids=[c[0] for c in _fused_cases()])
def test_fused_logits_gradient_equals_chained_gradient(float64, case, weighted):
    _, loss, y_true, logits, activation = case
    weights = WEIGHTS if weighted else None
    p = activation(logits)
    loss.check_labels(y_true, (None,) + p.shape[1:])
    assert loss.fuses_with == activation.name
    chained = activation.backward(loss.gradient(y_true, p, weights), logits, p)
    before = p.copy()
    fused = loss.logits_gradient(y_true, p, weights)
    np.testing.assert_array_equal(p, before)          # the layer's output is left intact
    np.testing.assert_allclose(fused, chained, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("cls, labels", [
    (losses.CategoricalCrossentropy, np.eye(4)[[0, 3, 1]]),
    (losses.SparseCategoricalCrossentropy, np.array([0, 3, 1])),
])
def test_from_logits_gradient_is_the_fused_gradient(float64, cls, labels):
    logits = np.array([[2.0, -1.0, 0.5, 0.0], [0.1, 0.2, 0.3, 0.4], [-3.0, 4.0, 1.0, 0.0]])
    on_logits = cls(from_logits=True).gradient(labels, logits)
    fused = cls().logits_gradient(labels, softmax(logits))
    np.testing.assert_allclose(on_logits, fused, rtol=1e-12)
    np.testing.assert_allclose(on_logits, (softmax(logits) - np.eye(4)[[0, 3, 1]]) / 3)


def test_fused_gradient_keeps_learning_where_the_clip_stops_the_chained_one(float64):
    # p of the true class is below eps = 1e-7: the clipped loss is flat there (chained
    # gradient 0), but the loss on the logits still pulls toward the label: (p - y) / n.
    logits = np.array([[40.0, 0.0, 0.0]])
    p = softmax(logits)
    loss = losses.SparseCategoricalCrossentropy()
    chained = softmax.backward(loss.gradient([1], p), logits, p)
    fused = loss.logits_gradient([1], p)
    np.testing.assert_allclose(chained, 0.0, atol=1e-12)
    np.testing.assert_allclose(fused, [[1.0, -1.0, 0.0]], atol=1e-12)


def test_sparse_fused_gradient_makes_one_copy_in_float32():
    p = softmax(np.random.default_rng(0).normal(size=(6, 3)).astype("float32"))
    grad = losses.SparseCategoricalCrossentropy().logits_gradient(np.array([0, 1, 2, 2, 1, 0]), p)
    assert grad.dtype == np.float32 and not np.shares_memory(grad, p)
    expected = (p - np.eye(3, dtype="float32")[[0, 1, 2, 2, 1, 0]]) / 6
    np.testing.assert_allclose(grad, expected, rtol=1e-6)


# -- reductions -------------------------------------------------------------------------------

def test_reductions_as_keras_defines_them():
    y_true = np.array([[0.0], [1.0], [2.0], [3.0]])
    y_pred = np.zeros((4, 1))                       # per-sample values 0, 1, 4, 9
    weights = np.array([1.0, 2.0, 0.5, 0.0])        # weighted values 0, 2, 2, 0
    values = {r: losses.MeanSquaredError(reduction=r)(y_true, y_pred, weights)
              for r in REDUCTIONS}
    assert values["sum"] == 4.0
    assert values["sum_over_batch_size"] == values["mean"] == 1.0        # / n = 4
    assert values["mean_with_sample_weight"] == 4.0 / 3.5                # / sum of weights
    np.testing.assert_array_equal(values["none"], [0.0, 2.0, 2.0, 0.0])
    assert losses.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred) == 3.5
    zero = losses.MeanSquaredError(reduction="mean_with_sample_weight")(y_true, y_pred,
                                                                         np.zeros(4))
    assert zero == 0.0                                                   # divide_no_nan


def test_sample_weight_shapes():
    y_true, y_pred = np.array([1.0, 2.0, 3.0]), np.zeros((3, 1))
    loss = losses.MeanSquaredError()
    assert loss(y_true, y_pred, [1.0, 1.0, 2.0]) == loss(y_true, y_pred, [[1.0], [1.0], [2.0]])
    assert loss(y_true, y_pred, 2.0) == 2.0 * loss(y_true, y_pred)
    # Keras's quirk, kept: a scalar weight divides "mean_with_sample_weight" by itself, not n w.
    assert losses.MeanSquaredError(reduction="mean_with_sample_weight")(
        y_true, y_pred, 2.0) == 14.0
    with pytest.raises(ValueError, match="one weight per sample"):
        loss(y_true, y_pred, [1.0, 2.0])


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="sum_over_batch_size"):
        losses.MeanSquaredError(reduction="average")


def test_ignore_class_divides_by_the_samples_that_count():
    y_true = np.array([0, 1, -1, 2])
    y_pred = np.array([[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]])
    kept = -np.log([0.5, 0.6, 0.8])
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    make = lambda r: losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction=r)  # noqa
    np.testing.assert_allclose(make("none")(y_true, y_pred), [kept[0], kept[1], 0, kept[2]])
    np.testing.assert_allclose(make("sum_over_batch_size")(y_true, y_pred), kept.sum() / 3)
    np.testing.assert_allclose(make("sum")(y_true, y_pred), kept.sum())
    weighted = kept @ [1.0, 2.0, 4.0]
    np.testing.assert_allclose(make("sum_over_batch_size")(y_true, y_pred, weights), weighted / 3)
    np.testing.assert_allclose(make("mean_with_sample_weight")(y_true, y_pred, weights),
                               weighted / 7)
    grad = make("sum_over_batch_size").gradient(y_true, y_pred, weights)
    np.testing.assert_array_equal(grad[2], 0.0)


# -- names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, function", [
    ("mse", "mean_squared_error"), ("MSE", "mean_squared_error"),
    ("mean_squared_error", "mean_squared_error"), ("mae", "mean_absolute_error"),
    ("mape", "mean_absolute_percentage_error"), ("msle", "mean_squared_logarithmic_error"),
    ("kld", "kl_divergence"), ("KLD", "kl_divergence"), ("bce", "binary_crossentropy"),
    ("huber", "huber"), ("log_cosh", "log_cosh"), ("hinge", "hinge"),
    ("categorical_crossentropy", "categorical_crossentropy"),
    ("sparse_categorical_crossentropy", "sparse_categorical_crossentropy"),
])
def test_get_gives_the_per_sample_function_for_function_names(name, function):
    assert losses.get(name) is getattr(losses, function)
    resolved = losses.resolve(name)
    assert isinstance(resolved, losses.Loss) and resolved.name == name   # as Keras's get_loss


@pytest.mark.parametrize("name", ["MeanSquaredError", "Huber", "LogCosh", "KLDivergence",
                                  "BinaryCrossentropy", "SparseCategoricalCrossentropy"])
def test_get_gives_an_instance_for_class_names(name):
    loss = losses.get(name)
    assert type(loss) is getattr(losses, name)
    assert type(losses.resolve(name)) is type(loss)


def test_unknown_loss_name_suggests_the_closest():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.resolve("sparse_categorical_crossentropi")


def test_resolve_takes_functions_classes_instances_and_configs():
    assert type(losses.resolve(losses.huber)) is losses.Huber
    assert losses.resolve(losses.huber).name == "huber"
    assert type(losses.resolve(losses.Poisson)) is losses.Poisson
    loss = losses.Huber(delta=2.0)
    assert losses.resolve(loss) is loss
    again = losses.resolve(losses.serialize(loss))
    assert type(again) is losses.Huber and again.delta == 2.0
    with pytest.raises(TypeError, match="subclass glassnet.losses.Loss"):
        losses.resolve(lambda y, p: 0.0)


@pytest.mark.parametrize("loss", [cls(**kw) for _, cls, kw, _, _ in CASES],
                         ids=[c[0] for c in CASES])
def test_config_round_trip(loss):
    again = type(loss).from_config(loss.get_config())
    assert again.get_config() == loss.get_config()
    assert type(loss).__name__ in repr(loss)


@pytest.mark.parametrize("name", ["crossentropy", "ce", "CE", "CrossEntropy"])
def test_crossentropy_picks_as_keras_from_the_shapes(name):
    loss = losses.resolve(name)
    assert loss.name == name
    assert loss.choose((8,), (None, 1)) is loss.binary
    assert loss.choose((8, 1), (None, 1)) is loss.binary
    assert loss.choose((8,), (None, 3)) is loss.sparse
    assert loss.choose((8, 1), (None, 3)) is loss.sparse
    assert loss.choose((8, 3), (None, 3)) is loss.categorical
    assert loss.fuses_with == "softmax"


# -- label checks -----------------------------------------------------------------------------

def test_integer_labels_with_categorical_crossentropy_suggest_the_fixes():
    with pytest.raises(ValueError) as error:
        losses.resolve("categorical_crossentropy").check_labels(np.array([0, 2, 1]), (None, 3))
    assert "sparse_categorical_crossentropy" in str(error.value)
    assert "to_categorical(y, 3)" in str(error.value)


def test_one_hot_with_the_wrong_number_of_classes():
    with pytest.raises(ValueError, match="5 columns.*10 output units"):
        losses.CategoricalCrossentropy().check_labels(np.eye(5), (None, 10))


def test_sparse_labels_outside_the_output_units():
    loss = losses.SparseCategoricalCrossentropy()
    loss.check_labels(np.array([0, 9, 3]), (None, 10))
    with pytest.raises(ValueError, match=r"0\.\.9 for a model with 10 output units.*got 10"):
        loss.check_labels(np.array([0, 10, 3]), (None, 10))
    with pytest.raises(ValueError, match="got -1"):
        loss.check_labels(np.array([0, -1]), (None, 10))
    with pytest.raises(ValueError, match="integer class labels"):
        loss.check_labels(np.array([0.5, 1.0]), (None, 10))
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        loss.check_labels(np.eye(10), (None, 10))
    losses.SparseCategoricalCrossentropy(ignore_class=255).check_labels(
        np.array([0, 255, 3]), (None, 10))
    with pytest.raises(ValueError, match="output units"):   # also when called directly
        loss(np.array([0, 3]), np.full((2, 3), 1 / 3))


def test_label_range_message_fits_the_mistake():
    loss = losses.SparseCategoricalCrossentropy()
    with pytest.raises(ValueError) as negative:     # 1..10 or -1..8: shift, not more units
        loss.check_labels(np.arange(-1, 9), (None, 10))
    assert "y - (-1)" in str(negative.value) and "units" not in str(negative.value).split(". ")[-1]
    with pytest.raises(ValueError, match=r"pass y - 1; otherwise .* classes \(11 here\?\)"):
        loss.check_labels(np.arange(1, 11), (None, 10))
    with pytest.raises(ValueError, match=r"as many units as there are classes \(15 here\?\)"):
        loss.check_labels(np.arange(0, 15), (None, 10))
    with pytest.raises(ValueError, match=r"but got 0\.5\.") as fraction:
        loss.check_labels(np.array([0.5, 1.0]), (None, 10))
    assert "np.float" not in str(fraction.value)


def test_binary_crossentropy_labels():
    loss = losses.BinaryCrossentropy()
    loss.check_labels(np.array([0, 1, 1]), (None, 1))
    loss.check_labels(np.array([[0.2], [1.0]]), (None, 1))
    with pytest.raises(ValueError, match="between 0 and 1.*sparse_categorical_crossentropy"):
        loss.check_labels(np.array([0, 1, 2]), (None, 1))
    with pytest.raises(ValueError, match="hinge"):
        loss.check_labels(np.array([-1, 1]), (None, 1))
    with pytest.raises(ValueError, match="10 output units"):
        loss.check_labels(np.array([0, 1, 1]), (None, 10))


def test_regression_label_shape_mismatch():
    loss = losses.MeanSquaredError()
    loss.check_labels(np.zeros(4), (None, 1))
    loss.check_labels(np.zeros((4, 3)), (None, 3))
    with pytest.raises(ValueError, match=r"shape \(4, 2\) and outputs \(None, 3\)"):
        loss.check_labels(np.zeros((4, 2)), (None, 3))


# -- Keras's docstring numbers and the notes' worked example ----------------------------------

EXAMPLES = json.loads((FIXTURES / "keras_docstring_examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES["losses"],
                         ids=lambda e: f"{e['class']}-{e['kwargs']}-{'sample_weight' in e}")
def test_keras_docstring_loss_examples(example):
    loss = getattr(losses, example["class"])(**example["kwargs"])
    value = loss(example["y_true"], example["y_pred"], example.get("sample_weight"))
    # Keras prints some numbers rounded and some cut off: one unit of the last decimal.
    np.testing.assert_allclose(value, example["expected"], atol=10.0 ** -example["decimals"])


@pytest.mark.parametrize("example", EXAMPLES["functions"], ids=lambda e: e["function"])
def test_keras_docstring_function_examples(example):
    values = getattr(losses, example["function"])(example["y_true"], example["y_pred"],
                                                  **example["kwargs"])
    if example.get("reduce") == "mean":
        values = np.mean(values)
    np.testing.assert_allclose(values, example["expected"], atol=10.0 ** -example["decimals"])


def test_worked_cross_entropy_example_sample_3_has_the_largest_loss(float64):
    """The notes (§3) work cross-entropy by hand over a few samples and find sample #3 worst.

    Their table is an image the text does not reproduce, so the probabilities below are an
    example of the same kind, not the notes' own numbers. Three classes 0 dog, 1 cat, 2 tiger
    (the notes' labels); CE of one sample = -ln(probability of its label):
        #1  dog    p = [0.7, 0.2, 0.1]   -ln 0.7 = 0.3567
        #2  cat    p = [0.1, 0.8, 0.1]   -ln 0.8 = 0.2231
        #3  tiger  p = [0.6, 0.3, 0.1]   -ln 0.1 = 2.3026   <- largest: confident and wrong
        #4  dog    p = [0.4, 0.4, 0.2]   -ln 0.4 = 0.9163
    mean over the batch = (0.3567 + 0.2231 + 2.3026 + 0.9163) / 4 = 0.9497
    """
    labels = np.array([0, 1, 2, 0])
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.4, 0.4, 0.2]])
    by_hand = np.array([0.3567, 0.2231, 2.3026, 0.9163])
    logits = np.log(p) + 1.5                    # softmax(logits) = p: any shift will do
    onehot = glassnet.utils.to_categorical(labels, 3)
    per_sample = [
        losses.categorical_crossentropy(onehot, p),
        losses.sparse_categorical_crossentropy(labels, p),
        losses.categorical_crossentropy(onehot, logits, from_logits=True),
        losses.sparse_categorical_crossentropy(labels, logits, from_logits=True),
    ]
    for values in per_sample:
        np.testing.assert_allclose(values, by_hand, atol=5e-5)
        assert np.argmax(values) == 2           # sample #3
    for loss in (losses.CategoricalCrossentropy()(onehot, p),
                 losses.SparseCategoricalCrossentropy()(labels, p),
                 losses.CategoricalCrossentropy(from_logits=True)(onehot, logits),
                 losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits),
                 losses.resolve("crossentropy")(labels, p)):
        np.testing.assert_allclose(loss, 0.9497, atol=5e-5)


@pytest.mark.parametrize("cls, labels", [
    (losses.SparseCategoricalCrossentropy, np.array([0, 2, 1, 2])),
    (losses.CategoricalCrossentropy, np.eye(3)[[0, 2, 1, 2]]),
])
@pytest.mark.parametrize("from_logits", [False, True])
def test_class_axis_first_equals_class_axis_last(float64, cls, labels, from_logits):
    y_pred = softmax(np.random.default_rng(4).normal(size=(4, 3)))
    last = cls(from_logits=from_logits)
    first = cls(from_logits=from_logits, axis=0)
    labels_first = labels if labels.ndim == 1 else labels.T
    np.testing.assert_allclose(first(labels_first, y_pred.T), last(labels, y_pred))
    np.testing.assert_allclose(first.gradient(labels_first, y_pred.T),
                               last.gradient(labels, y_pred).T)


def test_reductions_live_in_their_own_module_and_keep_their_losses_names():
    from glassnet import reductions
    assert losses.reduce_weighted_values is reductions.reduce_weighted_values
    assert losses.reduction_factors is reductions.reduction_factors
    assert losses.REDUCTIONS == reductions.REDUCTIONS
    values = np.array([1.0, 2.0, 3.0])
    assert reductions.reduce_weighted_values(values, np.array([1.0, 0.0, 1.0]),
                                             reduction="mean_with_sample_weight") == 2.0
    np.testing.assert_allclose(reductions.reduction_factors((3,), np.array([1.0, 0.0, 1.0]),
                                                            reduction="mean_with_sample_weight"),
                               [0.5, 0.0, 0.5])


@pytest.mark.parametrize("axis", ["x", 1e308, [], None, True])
def test_a_loss_axis_that_is_not_one_integer_is_refused_when_the_loss_is_made(axis):
    for cls in (losses.CategoricalCrossentropy, losses.BinaryCrossentropy,
                losses.CosineSimilarity):
        with pytest.raises(ValueError, match="axis is one integer"):
            cls(axis=axis)


# -- issue 11: the newer losses beyond CASES, and Keras's shape rules --------------------------

@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", [losses.Dice(), losses.Tversky(alpha=0.2, beta=0.8),
                                  losses.Dice(axis=(1, 2))], ids=["dice", "tversky", "dice12"])
def test_overlap_gradients_over_several_axes(float64, loss, reduction, weighted):
    """Dice/Tversky over every axis (Keras's default: one number for the batch) or a tuple."""
    rng = np.random.default_rng(2)
    y_true = rng.integers(0, 2, (5, 2, 3)).astype(float)
    y_pred = rng.uniform(0.05, 0.95, (5, 2, 3))
    loss.reduction = reduction
    weights = WEIGHTS[:, None] if weighted else None

    def reduced(p):
        return float(np.sum(loss(y_true, p, weights)))

    np.testing.assert_allclose(loss.gradient(y_true, y_pred, weights),
                               numeric_gradient(reduced, y_pred), rtol=1e-6, atol=1e-8)


def test_circle_sample_without_a_positive_does_not_count(float64):
    """A label seen once has no positive pair: its value is 0 and the mean leaves it out."""
    rng = np.random.default_rng(1)
    unit = rng.normal(size=(4, 3))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    labels = np.array([0, 0, 1, 2])
    values = losses.Circle(reduction="none")(labels, unit)
    assert values[2] == 0 and values[3] == 0 and np.all(values[:2] > 0)
    assert losses.Circle()(labels, unit) == pytest.approx(values[:2].mean())
    grad = losses.Circle().gradient(labels, unit)
    np.testing.assert_allclose(grad, numeric_gradient(
        lambda p: float(losses.Circle()(labels, p)), unit), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("q", [0, 1, -0.5, 1.5, "a", True])
def test_generalized_cross_entropy_q_outside_0_1_is_refused(q):
    with pytest.raises(ValueError, match=r"q must be in the interval \(0, 1\)"):
        losses.CategoricalGeneralizedCrossEntropy(q=q)


def test_integer_label_losses_check_their_labels():
    probs = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match="Labels must be integers 0..3"):
        losses.CategoricalGeneralizedCrossEntropy()(np.array([0, 4, 1]), probs)
    with pytest.raises(ValueError, match="one integer class label per sample"):
        losses.CategoricalGeneralizedCrossEntropy().check_labels(np.eye(4)[:3], (None, 4))
    with pytest.raises(ValueError, match="integer class labels"):
        losses.Circle().check_labels(np.array([0.5, 1.0]), (None, 8))
    losses.Circle().check_labels(np.array([3, 7, 3]), (None, 8))      # any integers: groups


@pytest.mark.parametrize("name, cls", [
    ("binary_focal_crossentropy", losses.BinaryFocalCrossentropy),
    ("categorical_focal_crossentropy", losses.CategoricalFocalCrossentropy),
    ("dice", losses.Dice), ("tversky", losses.Tversky), ("circle", losses.Circle),
    ("BinaryFocalCrossentropy", losses.BinaryFocalCrossentropy), ("Dice", losses.Dice),
    ("CategoricalGeneralizedCrossEntropy", losses.CategoricalGeneralizedCrossEntropy)])
def test_newer_losses_resolve_and_serialize(name, cls):
    loss = losses.resolve(name)
    assert type(loss) is cls
    again = losses.deserialize(losses.serialize(loss))
    assert type(again) is cls and again.get_config() == loss.get_config()


@pytest.mark.parametrize("cls", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy])
def test_labels_of_another_shape_are_refused_not_broadcast(cls):
    with pytest.raises(ValueError, match=r"same shape.*\(3, 1\).*\(3, 3\)"):
        cls()(np.ones((3, 1)), np.full((3, 3), 0.3))
    losses.BinaryCrossentropy()(np.ones(3), np.full((3, 1), 0.3))   # (n,) meets (n, 1)


def test_categorical_crossentropy_over_one_class_warns():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        value = losses.categorical_crossentropy(np.ones((2, 1)), np.full((2, 1), 0.4))
    np.testing.assert_allclose(value, -np.log1p(-1e-7))   # q = 1 clipped to 1 - eps: ~0


@pytest.mark.parametrize("loss, y", [
    ("binary_focal_crossentropy", "binary"), ("dice", "binary"), ("tversky", "binary"),
    (losses.CategoricalFocalCrossentropy(), "onehot"),
    (losses.CategoricalGeneralizedCrossEntropy(), "labels"), ("circle", "labels")])
def test_newer_losses_train_a_model(loss, y):
    """compile + fit with each: the loss goes down over a few epochs of full-batch Adam."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    classes = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    targets = {"binary": (x[:, :1] > 0).astype("float32"), "labels": classes,
               "onehot": np.eye(3, dtype="float32")[classes]}[y]
    units = {"binary": 1, "labels": 3, "onehot": 3}[y]
    last = "sigmoid" if y == "binary" else "softmax"
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(8, "tanh"),
                                 glassnet.layers.Dense(units, last)])
    if loss == "circle":            # embeddings: no softmax; Circle wants unit rows at best
        model = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(3)])
    model.compile(optimizer=glassnet.optimizers.Adam(0.05), loss=loss)
    history = model.fit(x, targets, batch_size=64, epochs=15, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("loss, y", [
    (losses.BinaryFocalCrossentropy(), "binary"), (losses.CategoricalFocalCrossentropy(), "onehot"),
    (losses.CategoricalGeneralizedCrossEntropy(), "labels"), (losses.Dice(), "binary"),
    (losses.Tversky(axis=-1), "binary"), (losses.Circle(), "labels")],
    ids=lambda value: type(value).__name__ if isinstance(value, losses.Loss) else value)
def test_newer_losses_through_probe_diagnose_and_gradient_check(float64, loss, y):
    """A whole model's backprop with each loss against central differences
    (glassnet.inspect.gradient_check), and a probed fit that diagnose reads."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(16, 4))
    classes = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0)
    targets = {"binary": (x[:, :2] > 0).astype(float), "labels": classes,
               "onehot": np.eye(3)[classes]}[y]
    units = 2 if y == "binary" else 3
    last = None if isinstance(loss, losses.Circle) else ("sigmoid" if y == "binary" else "softmax")
    model = glassnet.Sequential([glassnet.Input((4,)), glassnet.layers.Dense(5, "tanh"),
                                 glassnet.layers.Dense(units, last)])
    model.compile(optimizer="adam", loss=loss)
    assert glassnet.inspect.gradient_check(model, x, targets) < 1e-5
    history = model.fit(x, targets, epochs=2, batch_size=8, verbose=0,
                        callbacks=[glassnet.callbacks.Probe()])
    assert len(history.probes) > 0
    assert all(finding.code != "diverged" for finding in glassnet.diagnose(history))


def test_overlap_losses_refuse_other_shapes_and_axes_outside_the_predictions():
    """Keras broadcasts (n, 1) labels against (n, k) predictions here and wraps no axis;
    glassnet says what is wrong instead."""
    with pytest.raises(ValueError, match="same shape"):
        losses.Dice()(np.ones((4, 1)), np.full((4, 3), 0.5))
    with pytest.raises(ValueError, match=r"axis 5 does not fit predictions with 2 axes"):
        losses.Tversky(axis=5)(np.ones((4, 3)), np.full((4, 3), 0.5))
    np.testing.assert_allclose(losses.Dice()(np.ones(4), np.full((4, 1), 0.5)), 1 / 3, rtol=1e-6)
