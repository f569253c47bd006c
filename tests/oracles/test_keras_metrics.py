"""Keras 3 as the oracle for metrics: streamed results with and without sample_weight, the
resolution of 'accuracy' from the shapes, and the names compile gives metrics (History keys)."""
import numpy as np
import pytest

from glassnet import losses, metrics


def _batches(seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, 12)
    probs = rng.dirichlet(np.ones(4), 12)
    return {
        "labels": labels, "onehot": np.eye(4)[labels], "probs": probs,
        "binary": rng.integers(0, 2, (12, 1)).astype(float), "unit": rng.uniform(0, 1, (12, 1)),
        "real": rng.normal(size=(12, 3)), "target": rng.normal(size=(12, 3)),
        "positive": rng.uniform(0.1, 3, (12, 3)), "weights": rng.uniform(0, 2, 12),
    }


CASES = [
    ("Accuracy", {}, "labels", "labels"),
    ("BinaryAccuracy", {}, "binary", "unit"),
    ("BinaryAccuracy", {"threshold": 0.3}, "binary", "unit"),
    ("CategoricalAccuracy", {}, "onehot", "probs"),
    ("SparseCategoricalAccuracy", {}, "labels", "probs"),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", "probs"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "labels", "probs"),
    ("MeanSquaredError", {}, "target", "real"),
    ("RootMeanSquaredError", {}, "target", "real"),
    ("MeanAbsoluteError", {}, "target", "real"),
    ("MeanAbsolutePercentageError", {}, "target", "real"),
    ("MeanSquaredLogarithmicError", {}, "positive", "positive"),
    ("CosineSimilarity", {}, "target", "real"),
    ("LogCoshError", {}, "target", "real"),
    ("Hinge", {}, "binary", "unit"),
    ("SquaredHinge", {}, "binary", "unit"),
    ("CategoricalHinge", {}, "onehot", "probs"),
    ("KLDivergence", {}, "onehot", "probs"),
    ("Poisson", {}, "positive", "positive"),
    ("BinaryCrossentropy", {}, "binary", "unit"),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "binary", "real"),
    ("CategoricalCrossentropy", {}, "onehot", "probs"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2}, "onehot", "probs"),
    ("SparseCategoricalCrossentropy", {}, "labels", "probs"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "labels", "real4"),
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}{c[1] or ''}" for c in CASES])
def test_streamed_results_equal_keras(keras, case, weighted):
    name, kwargs, truth, prediction = case
    data = _batches()
    data["real4"] = np.random.default_rng(1).normal(size=(12, 4))
    y_true, y_pred = data[truth], data[prediction]
    if name == "BinaryCrossentropy" and kwargs.get("from_logits"):
        y_pred = y_pred[:, :1]
    if name == "MeanSquaredLogarithmicError" or name == "Poisson":
        y_pred = y_pred[::-1].copy()
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    for start, stop in ((0, 5), (5, 12)):             # two batches, streamed
        weights = data["weights"][start:stop] if weighted else None
        ours.update_state(y_true[start:stop], y_pred[start:stop], weights)
        theirs.update_state(y_true[start:stop], y_pred[start:stop], sample_weight=weights)
    # Keras keeps its running totals in float32.
    np.testing.assert_allclose(ours.result(), float(theirs.result()), rtol=2e-6, atol=1e-7)
    assert ours.name == theirs.name


@pytest.mark.parametrize("identifier", ["accuracy", "acc", "Accuracy", "ACC"])
@pytest.mark.parametrize("y_shape, output_shape", [
    ((8,), (None, 1)), ((8, 1), (None, 1)), ((8,), (None, 5)), ((8, 1), (None, 5)),
    ((8, 5), (None, 5)), ((8, 2), (None, 2)),
])
def test_accuracy_resolution_equals_keras(keras, identifier, y_shape, output_shape):
    from keras.src.trainers.compile_utils import get_metric
    y_true = np.zeros(y_shape)
    y_pred = np.zeros((8,) + output_shape[1:])
    theirs = get_metric(identifier, y_true, y_pred)
    ours = metrics.resolve(identifier, losses.resolve("mse"), output_shape, y_true)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name


@pytest.mark.parametrize("identifier", ["mse", "MSE", "mae", "mape", "msle", "bce",
                                        "mean_squared_error", "MeanAbsoluteError",
                                        "binary_accuracy", "sparse_top_k_categorical_accuracy",
                                        "log_cosh_error", "kl_divergence", "poisson",
                                        "categorical_hinge", "root_mean_squared_error",
                                        "auc", "AUC", "precision", "Recall", "true_positives",
                                        "FalseNegatives", "r2_score", "PearsonCorrelation",
                                        "f1_score", "concordance_correlation"])
def test_metric_names_equal_keras(keras, identifier):
    from keras.src.trainers.compile_utils import get_metric
    theirs = get_metric(identifier, np.zeros((4, 3)), np.zeros((4, 3)))
    ours = metrics.resolve(identifier, None, (None, 3), np.zeros((4, 3)))
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name


def test_names_of_instances_and_functions_equal_keras(keras):
    from keras.src.trainers.compile_utils import get_metric
    y = np.zeros((4, 1))
    for ours_id, theirs_id in ((metrics.LogCoshError(), keras.metrics.LogCoshError()),
                               (metrics.BinaryAccuracy(name="hit"),
                                keras.metrics.BinaryAccuracy(name="hit")),
                               (losses.mean_absolute_error, keras.losses.mean_absolute_error)):
        assert metrics.resolve(ours_id, None, (None, 1), y).name == \
            get_metric(theirs_id, y, y).name


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_sparse_crossentropy_metric_with_ignore_class(keras, weighted):
    """Issue 11 #1. Keras's metric gives an ignored sample the loss 0; with sample_weight the
    sample also leaves the mean (its weight becomes 0), without it counts as a 0. The issue's
    number: 0.784626 (glassnet gave 1.176939, the mean over the two kept samples)."""
    y_true = np.array([0, 1, 2])
    y_pred = np.array([[0.8, 0.1, 0.1], [0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    weights = np.array([1.0, 0.5, 2.0]) if weighted else None
    for from_logits, unweighted_value in ((False, 0.784626), (True, None)):
        ours = metrics.SparseCategoricalCrossentropy(ignore_class=0, from_logits=from_logits)
        theirs = keras.metrics.SparseCategoricalCrossentropy(ignore_class=0,
                                                             from_logits=from_logits)
        for start, stop in ((0, 2), (2, 3)):              # streamed
            w = None if weights is None else weights[start:stop]
            ours.update_state(y_true[start:stop], y_pred[start:stop], w)
            theirs.update_state(y_true[start:stop], y_pred[start:stop], sample_weight=w)
        np.testing.assert_allclose(ours.result(), float(theirs.result()), rtol=2e-6)
        if unweighted_value is not None and not weighted:
            np.testing.assert_allclose(ours.result(), unweighted_value, rtol=2e-6)
