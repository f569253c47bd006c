"""Keras 3 (torch backend) as the oracle for every loss: values with and without from_logits,
label_smoothing, sample_weight (each shape) and each reduction, in float64 and float32; and
the gradient of Keras's own loss (by torch autograd) against ours.

Keras 3.15 on torch is float32-precise inside even when asked for float64: ``ops.mean``
computes in ``result_type(x.dtype, "float32")``, which is float32, and ``ops.divide_no_nan``
(every reduction that divides) returns float32. So values and gradients agree to float32
rounding (RTOL), not to float64's; glassnet keeps float64 throughout (its own finite-difference
tests check that).
"""
import numpy as np
import pytest

from glassnet import losses
from tests.test_losses import CASES

REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]
RTOL, ATOL = 3e-7, 1e-7          # Keras's float32 internals, see above
WEIGHTS = {"none": None, "vector": np.array([0.5, 2.0, 0.0, 1.5, 1.0]),
           "column": np.array([[0.5], [2.0], [0.0], [1.5], [1.0]]), "scalar": 2.5}


def _keras_loss(keras, ours, dtype):
    config = ours.get_config()
    config["dtype"] = dtype
    return getattr(keras.losses, type(ours).__name__)(**config)


def _numpy(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


@pytest.mark.parametrize("weights", WEIGHTS, ids=list(WEIGHTS))
@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_values_equal_keras_float64(keras, float64, case, reduction, weights):
    _, cls, kwargs, y_true, y_pred = case
    masked = kwargs.get("ignore_class") is not None or cls is losses.Circle
    if masked and weights == "scalar":
        pytest.skip("Keras raises here (its mask multiplies a scalar weight in place)")
    ours = cls(reduction=reduction, **kwargs)
    theirs = _keras_loss(keras, ours, "float64")
    sample_weight = WEIGHTS[weights]
    expected = _numpy(theirs(y_true, y_pred, sample_weight=sample_weight))
    value = ours(y_true, y_pred, sample_weight)
    assert np.shape(value) == expected.shape
    np.testing.assert_allclose(value, expected, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_loss_values_equal_keras_float32(keras, case):
    _, cls, kwargs, y_true, y_pred = case
    ours = cls(**kwargs)
    y_pred = y_pred.astype("float32")
    expected = _numpy(_keras_loss(keras, ours, "float32")(y_true, y_pred))
    value = ours(y_true, y_pred)
    assert value.dtype == np.float32
    np.testing.assert_allclose(value, expected, rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error",
                                  "mean_absolute_percentage_error",
                                  "mean_squared_logarithmic_error", "huber", "log_cosh",
                                  "cosine_similarity", "hinge", "squared_hinge",
                                  "categorical_hinge", "kl_divergence", "poisson",
                                  "binary_crossentropy", "categorical_crossentropy"])
def test_per_sample_functions_equal_keras(keras, float64, name):
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 2, (4, 3)).astype(float)
    y_pred = rng.uniform(0.05, 0.95, (4, 3))
    np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred),
                               _numpy(getattr(keras.losses, name)(y_true, y_pred)), rtol=RTOL,
                               atol=ATOL)


@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("weights", ["none", "vector"])
def test_ignore_class_equals_keras(keras, float64, reduction, weights):
    rng = np.random.default_rng(2)
    y_true = np.array([0, 3, 1, 3, 2, 3])
    for from_logits in (False, True):
        y_pred = rng.normal(size=(6, 4)) if from_logits else rng.uniform(0.1, 1.0, (6, 4))
        sample_weight = None if weights == "none" else rng.uniform(0, 2, 6)
        ours = losses.SparseCategoricalCrossentropy(from_logits, ignore_class=3,
                                                    reduction=reduction)
        theirs = _keras_loss(keras, ours, "float64")
        np.testing.assert_allclose(ours(y_true, y_pred, sample_weight),
                                   _numpy(theirs(y_true, y_pred, sample_weight=sample_weight)),
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("cls, y_true, y_pred", [
    # Probabilities at exactly 0 and 1: the clip at 1e-7 decides the value.
    (losses.BinaryCrossentropy, [[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]),
    (losses.CategoricalCrossentropy, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]],
     [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    (losses.SparseCategoricalCrossentropy, [1, 0], [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]),
    (losses.KLDivergence, [[0.0, 1.0], [1.0, 0.0]], [[0.0, 1.0], [0.0, 1.0]]),
    (losses.MeanAbsolutePercentageError, [[0.0, 1.0]], [[0.5, 1.0]]),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clipping_at_epsilon_equals_keras(keras, cls, y_true, y_pred, dtype):
    ours = cls(reduction="none", dtype=dtype)
    expected = _numpy(_keras_loss(keras, ours, dtype)(np.array(y_true), np.array(y_pred)))
    np.testing.assert_allclose(ours(y_true, y_pred), expected, rtol=1e-6)


@pytest.mark.parametrize("cls", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy])
def test_extreme_logits_equal_keras(keras, float64, cls):
    y_true = np.array([[1.0, 0.0], [0.0, 1.0]])
    logits = np.array([[-80.0, 80.0], [500.0, -500.0]])
    ours = cls(from_logits=True, reduction="none")
    expected = _numpy(_keras_loss(keras, ours, "float64")(y_true, logits))
    np.testing.assert_allclose(ours(y_true, logits), expected, rtol=RTOL)
    assert np.all(np.isfinite(ours.gradient(y_true, logits)))


@pytest.mark.parametrize("setting", ["sum", "weighted_sum", "default",
                                     "mean_with_sample_weight"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_gradients_equal_keras_autograd(keras, torch, float64, case, setting):
    _, cls, kwargs, y_true, y_pred = case
    reduction = {"default": "sum_over_batch_size", "weighted_sum": "sum"}.get(setting, setting)
    sample_weight = None if setting in ("default", "sum") else WEIGHTS["vector"]
    ours = cls(reduction=reduction, **kwargs)
    theirs = _keras_loss(keras, ours, "float64")
    prediction = torch.tensor(np.ascontiguousarray(y_pred), requires_grad=True)
    value = theirs(torch.tensor(np.asarray(y_true)), prediction, sample_weight=sample_weight)
    value.backward()
    np.testing.assert_allclose(ours.gradient(y_true, y_pred, sample_weight),
                               prediction.grad.numpy(), rtol=10 * RTOL, atol=ATOL)


# -- issue 11: the newer losses where CASES cannot hold them, and Keras's shape rules ----------

@pytest.mark.parametrize("weights", ["none", "column", "scalar"])
@pytest.mark.parametrize("reduction", REDUCTIONS, ids=str)
@pytest.mark.parametrize("cls, kwargs", [(losses.Dice, {}), (losses.Tversky, {"alpha": 0.2}),
                                         (losses.Dice, {"axis": (1, 2)}),
                                         (losses.Tversky, {"axis": [2], "beta": 0.9})])
def test_overlap_losses_over_several_axes_equal_keras(keras, torch, float64, cls, kwargs,
                                                      reduction, weights):
    """axis=None (Keras's default) gives one number for the whole batch; a tuple sums those
    axes. Values, and gradients by Keras's own autograd."""
    rng = np.random.default_rng(8)
    y_true = rng.integers(0, 2, (5, 2, 3)).astype(float)
    y_pred = rng.uniform(0.05, 0.95, (5, 2, 3))
    sample_weight = WEIGHTS[weights]
    ours = cls(reduction=reduction, **kwargs)
    theirs = _keras_loss(keras, ours, "float64")
    prediction = torch.tensor(y_pred, requires_grad=True)
    expected = theirs(torch.tensor(y_true), prediction, sample_weight=sample_weight)
    torch.sum(expected).backward()
    value = ours(y_true, y_pred, sample_weight)
    assert np.shape(value) == tuple(expected.shape)
    np.testing.assert_allclose(value, _numpy(expected), rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(ours.gradient(y_true, y_pred, sample_weight),
                               prediction.grad.numpy(), rtol=10 * RTOL, atol=ATOL)


@pytest.mark.parametrize("name, kwargs", [
    ("binary_focal_crossentropy", {"gamma": 3.0, "apply_class_balancing": True}),
    ("categorical_focal_crossentropy", {"alpha": 0.5}), ("dice", {}), ("dice", {"axis": -1}),
    ("tversky", {"alpha": 0.1, "beta": 0.9}), ("categorical_generalized_cross_entropy",
                                               {"q": 0.3})])
def test_newer_per_sample_functions_equal_keras(keras, float64, name, kwargs):
    rng = np.random.default_rng(6)
    y_true = rng.integers(0, 2, (4, 3)).astype(float)
    if name == "categorical_generalized_cross_entropy":
        y_true = np.array([0, 2, 1, 1])
    y_pred = rng.uniform(0.05, 0.95, (4, 3))
    expected = getattr(keras.losses, name)(keras.ops.convert_to_tensor(y_true),
                                           keras.ops.convert_to_tensor(y_pred), **kwargs)
    np.testing.assert_allclose(getattr(losses, name)(y_true, y_pred, **kwargs),
                               _numpy(expected), rtol=RTOL, atol=ATOL)


def test_circle_function_with_reference_embeddings_equals_keras(keras, float64):
    rng = np.random.default_rng(9)
    unit = rng.normal(size=(9, 4))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    labels, ref_labels = np.array([0, 1, 2, 0]), np.array([0, 0, 1, 1, 2])
    for kwargs in ({}, {"gamma": 20, "margin": 0.3, "remove_diagonal": False}):
        expected = keras.losses.circle(labels, unit[:4], ref_labels=ref_labels,
                                       ref_embeddings=unit[4:], **kwargs)
        np.testing.assert_allclose(losses.circle(labels, unit[:4], ref_labels=ref_labels,
                                                 ref_embeddings=unit[4:], **kwargs),
                                   _numpy(expected), rtol=RTOL)


@pytest.mark.parametrize("cls", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
                                 losses.BinaryFocalCrossentropy,
                                 losses.CategoricalFocalCrossentropy])
def test_labels_of_another_shape_raise_as_keras(keras, cls):
    """(3, 1) labels against (3, 3) outputs: Keras raises ValueError; broadcasting them would
    compare every label with every output. (Keras's CategoricalFocalCrossentropy alone does
    broadcast them; glassnet refuses there too.)"""
    y_true = np.array([[1.0], [0.0], [1.0]])
    y_pred = np.full((3, 3), 0.3)
    if cls is not losses.CategoricalFocalCrossentropy:
        with pytest.raises(ValueError, match="same shape"):
            getattr(keras.losses, cls.__name__)()(y_true, y_pred)
    with pytest.raises(ValueError, match="same shape"):
        cls()(y_true, y_pred)
    with pytest.raises(ValueError, match="same shape"):
        cls().gradient(y_true, y_pred)


@pytest.mark.parametrize("name", ["categorical_crossentropy", "categorical_focal_crossentropy"])
def test_a_single_class_warns_as_keras(keras, name):
    y_true, y_pred = np.ones((2, 1)), np.full((2, 1), 0.7)
    with pytest.warns(SyntaxWarning, match=r"expected y_pred.shape to be \(batch_size, "
                                           r"num_classes\)") as theirs:
        expected = _numpy(getattr(keras.losses, name)(y_true, y_pred))
    with pytest.warns(SyntaxWarning, match=r"expected y_pred.shape to be \(batch_size, "
                                           r"num_classes\)") as ours:
        value = getattr(losses, name)(y_true, y_pred)
    np.testing.assert_allclose(value, expected, atol=1e-7)
    assert str(ours[0].message).split(".")[0] == str(theirs[0].message).split(".")[0]
