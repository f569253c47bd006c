"""Metrics: streaming means with weights, the accuracy family, Keras's 'accuracy' resolution and
metric names, and the Keras docstring numbers."""
import json
import pathlib

import numpy as np
import pytest

from glassnet import losses, metrics

EXAMPLES = json.loads((pathlib.Path(__file__).parent / "fixtures" /
                       "keras_docstring_examples.json").read_text())


@pytest.mark.parametrize("example", EXAMPLES["metrics"],
                         ids=lambda e: f"{e['class']}-{'sample_weight' in e}")
def test_keras_docstring_metric_examples(example):
    metric = getattr(metrics, example["class"])(**example["kwargs"])
    metric.update_state(example["y_true"], example["y_pred"], example.get("sample_weight"))
    np.testing.assert_allclose(metric.result(), example["expected"],
                               atol=10.0 ** -example["decimals"], rtol=1e-6)


def test_streaming_mean_over_batches_equals_the_mean_over_all():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(10, 3)), rng.normal(size=(10, 3))
    weights = rng.uniform(0, 2, 10)
    streamed = metrics.MeanSquaredError()
    for start in (0, 3, 7):
        stop = {0: 3, 3: 7, 7: 10}[start]
        streamed.update_state(y_true[start:stop], y_pred[start:stop], weights[start:stop])
    per_sample = np.mean((y_true - y_pred) ** 2, axis=-1)
    np.testing.assert_allclose(streamed.result(), per_sample @ weights / weights.sum())
    streamed.reset_state()
    assert streamed.result() == 0.0
    streamed.update_state(y_true, y_pred)
    np.testing.assert_allclose(streamed.result(), per_sample.mean())


def test_binary_accuracy_threshold_and_label_shapes():
    y_pred = np.array([[0.2], [0.7], [0.5], [0.9]])
    for y_true in (np.array([0, 1, 1, 1]), np.array([[0], [1], [1], [1]])):
        metric = metrics.BinaryAccuracy()
        metric.update_state(y_true, y_pred)
        assert metric.result() == 0.75             # 0.5 is not > 0.5
    low = metrics.BinaryAccuracy(threshold=0.4)
    low.update_state(np.array([0, 1, 1, 1]), y_pred)
    assert low.result() == 1.0


def test_sparse_and_categorical_accuracy_agree():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, 20)
    y_pred = rng.random((20, 4))
    sparse, categorical = metrics.SparseCategoricalAccuracy(), metrics.CategoricalAccuracy()
    sparse.update_state(labels, y_pred)
    categorical.update_state(np.eye(4)[labels], y_pred)
    expected = np.mean(np.argmax(y_pred, axis=1) == labels)
    assert sparse.result() == categorical.result() == expected


def test_top_k_counts_ties_as_keras():
    y_pred = np.array([[0.1, 0.1, 0.1], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])
    labels = np.array([0, 1, 2, 0])
    top2 = metrics.SparseTopKCategoricalAccuracy(k=2)
    top2.update_state(labels, y_pred)
    assert top2.result() == 0.5         # row 0 is a three-way tie: in; row 1: 0.2 is third
    top1 = metrics.TopKCategoricalAccuracy(k=1)
    top1.update_state(np.eye(3)[labels], y_pred)
    assert top1.result() == 0.5
    every = metrics.SparseTopKCategoricalAccuracy(k=10)   # k above the classes: always in
    every.update_state(labels, y_pred)
    assert every.result() == 1.0


def test_root_mean_squared_error_is_the_root_of_the_streamed_mean():
    metric = metrics.RootMeanSquaredError()
    metric.update_state([[0.0], [1.0]], [[1.0], [1.0]])
    metric.update_state([[3.0]], [[1.0]])
    np.testing.assert_allclose(metric.result(), np.sqrt((1 + 0 + 4) / 3))


def test_sparse_crossentropy_metric_ignores_the_ignored_class():
    y_true = np.array([0, 1, -1, 2])
    y_pred = np.array([[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.3, 0.3, 0.4], [0.1, 0.1, 0.8]])
    metric = metrics.SparseCategoricalCrossentropy(ignore_class=-1)
    metric.update_state(y_true, y_pred)
    # as Keras: without sample_weight the ignored sample counts, as a 0 (the mean is over 4)
    total = losses.SparseCategoricalCrossentropy(ignore_class=-1, reduction="sum")(y_true, y_pred)
    np.testing.assert_allclose(metric.result(), total / 4)
    weighted = metrics.SparseCategoricalCrossentropy(ignore_class=-1)
    weighted.update_state(y_true, y_pred, np.ones(4))      # with weights it leaves the mean
    np.testing.assert_allclose(weighted.result(), total / 3)


@pytest.mark.parametrize("identifier, output_shape, y_true, expected", [
    ("accuracy", (None, 1), np.zeros(8), metrics.BinaryAccuracy),
    ("accuracy", (None, 1), np.zeros((8, 1)), metrics.BinaryAccuracy),
    ("acc", (None, 10), np.zeros(8), metrics.SparseCategoricalAccuracy),
    ("accuracy", (None, 10), np.zeros((8, 1)), metrics.SparseCategoricalAccuracy),
    ("Accuracy", (None, 10), np.zeros((8, 10)), metrics.CategoricalAccuracy),
    ("ACC", (None, 2), np.zeros((8, 2)), metrics.CategoricalAccuracy),
])
def test_accuracy_resolves_from_the_shapes_as_keras(identifier, output_shape, y_true, expected):
    # The loss plays no part in Keras 3's choice: a sparse loss changes nothing here.
    metric = metrics.resolve(identifier, losses.resolve("mse"), output_shape, y_true)
    assert type(metric) is expected and metric.name == identifier


def test_accuracy_before_the_shapes_are_known_follows_the_loss():
    assert type(metrics.resolve("accuracy", losses.resolve("sparse_categorical_crossentropy"))) \
        is metrics.SparseCategoricalAccuracy
    assert type(metrics.resolve("accuracy", losses.resolve("binary_crossentropy"))) \
        is metrics.BinaryAccuracy


@pytest.mark.parametrize("identifier, cls, name", [
    ("mse", metrics.MeanSquaredError, "mse"),
    ("MAE", metrics.MeanAbsoluteError, "MAE"),
    ("mean_squared_error", metrics.MeanSquaredError, "mean_squared_error"),
    ("MeanSquaredError", metrics.MeanSquaredError, "MeanSquaredError"),
    ("binary_crossentropy", metrics.BinaryCrossentropy, "binary_crossentropy"),
    ("log_cosh_error", metrics.LogCoshError, "log_cosh_error"),
    ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy,
     "top_k_categorical_accuracy"),
    (metrics.RootMeanSquaredError(), metrics.RootMeanSquaredError, "root_mean_squared_error"),
    (metrics.LogCoshError, metrics.LogCoshError, "logcosh"),
])
def test_metric_names_are_the_history_keys_keras_uses(identifier, cls, name):
    metric = metrics.resolve(identifier, None, (None, 3), np.zeros((4, 3)))
    assert type(metric) is cls and metric.name == name


def test_a_function_becomes_a_mean_of_its_values():
    metric = metrics.resolve(losses.mean_absolute_error, None, (None, 1), np.zeros(3))
    assert metric.name == "mean_absolute_error"
    metric.update_state([1.0, 2.0, 3.0], [[1.0], [1.0], [1.0]])
    assert metric.result() == 1.0


def test_an_instance_is_reset_when_resolved_again():
    metric = metrics.MeanSquaredError()
    metric.update_state([[1.0]], [[0.0]])
    assert metrics.resolve(metric, None, (None, 1)) is metric and metric.result() == 0.0


@pytest.mark.parametrize("name, message", [
    ("crossentropy", "Unknown metric 'crossentropy'"),      # a loss alias only, as in Keras
    ("precission", "Did you mean 'precision'"),
    ("accuracyy", "Did you mean"),
])
def test_unknown_metric_names(name, message):
    with pytest.raises(ValueError, match=message):
        metrics.resolve(name, None, None)


def test_config_round_trip():
    metric = metrics.BinaryAccuracy(threshold=0.3, name="acc")
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is metrics.BinaryAccuracy and again.threshold == 0.3 and again.name == "acc"


# -- issue 11: the classification and regression metrics Keras has -----------------------------

def test_precision_recall_by_hand():
    """Worked by hand: labels 1 1 0 0 1, scores .9 .4 .6 .2 .7 at threshold .5:
    predicted positive are samples 0, 2, 4 -> tp = 2 (0, 4), fp = 1 (2), fn = 1 (1)."""
    y_true, y_pred = np.array([1, 1, 0, 0, 1]), np.array([0.9, 0.4, 0.6, 0.2, 0.7])
    assert metrics.Precision()(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.Recall()(y_true, y_pred) == pytest.approx(2 / 3)
    assert metrics.TruePositives()(y_true, y_pred) == 2
    assert metrics.FalsePositives()(y_true, y_pred) == 1
    assert metrics.TrueNegatives()(y_true, y_pred) == 1
    assert metrics.FalseNegatives()(y_true, y_pred) == 1
    f1 = metrics.F1Score(threshold=0.5)(y_true[:, None], y_pred[:, None])
    np.testing.assert_allclose(f1, [2 / 3], rtol=1e-5)


def test_auc_of_a_perfect_and_of_a_reversed_ranking():
    y_true = np.array([0, 0, 1, 1])
    assert metrics.AUC()(y_true, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(1.0, abs=1e-6)
    assert metrics.AUC()(y_true, np.array([0.9, 0.8, 0.2, 0.1])) == pytest.approx(0.0, abs=1e-6)


def test_r2_of_the_mean_is_zero_and_of_the_truth_is_one():
    y = np.random.default_rng(0).normal(size=(10, 2))
    assert metrics.R2Score()(y, y) == pytest.approx(1.0)
    assert metrics.R2Score()(y, np.broadcast_to(y.mean(axis=0), y.shape)) == \
        pytest.approx(0.0, abs=1e-12)


def test_mean_iou_by_hand():
    """labels 0 0 1 1, predictions 0 1 1 1: class 0 IoU 1/2, class 1 IoU 2/3."""
    value = metrics.MeanIoU(num_classes=2)(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]))
    assert value == pytest.approx((1 / 2 + 2 / 3) / 2, rel=1e-6)


@pytest.mark.parametrize("make, message", [
    (lambda: metrics.Precision(thresholds=[0.5, 1.5]), r"\[0, 1\]"),
    (lambda: metrics.AUC(num_thresholds=1), "num_thresholds"),
    (lambda: metrics.AUC(curve="LIFT"), "curve"),
    (lambda: metrics.F1Score(average="median"), "average"),
    (lambda: metrics.FBetaScore(beta=0), "beta"),
    (lambda: metrics.R2Score(class_aggregation="max"), "class_aggregation"),
    (lambda: metrics.IoU(3, [0, 3]), "out of range"),
    (lambda: metrics.PrecisionAtRecall(1.5), "range"),
])
def test_bad_metric_arguments_say_what_is_wrong(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@pytest.mark.parametrize("name", ["AUC", "auc", "Precision", "precision", "f1_score", "R2Score",
                                  "TruePositives"])
def test_the_new_metrics_resolve_by_name(name):
    metric = metrics.resolve(name, None, (None, 1), np.zeros(4))
    assert type(metric).__name__.lower().replace("_", "") == \
        metrics.get(name).__class__.__name__.lower().replace("_", "")
    assert metric.name == name


def test_compile_and_fit_report_precision_recall_auc():
    import glassnet
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    glassnet.utils.set_random_seed(0)
    model = glassnet.Sequential([glassnet.Input((3,)), glassnet.layers.Dense(1, "sigmoid")])
    model.compile("adam", "binary_crossentropy",
                  metrics=["accuracy", metrics.Precision(), metrics.Recall(), "AUC"])
    history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "precision", "recall", "AUC"}
    assert 0.0 <= history.history["AUC"][-1] <= 1.0


def test_new_losses_and_metrics_round_trip_through_a_keras_file(tmp_path):
    import glassnet
    model = glassnet.Sequential([glassnet.Input((3,)), glassnet.layers.Dense(2, "sigmoid")])
    model.compile(optimizer="adam",
                  loss=glassnet.losses.BinaryFocalCrossentropy(gamma=3.0, alpha=0.4,
                                                               apply_class_balancing=True),
                  metrics=[metrics.Precision(thresholds=0.3), metrics.AUC(curve="PR"),
                           metrics.F1Score(average="macro"), "recall"])
    model.save(tmp_path / "m.keras")
    again = glassnet.models.load_model(tmp_path / "m.keras")
    assert again.loss.get_config() == model.loss.get_config()
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    y = (x[:, :2] > 0).astype("float32")
    assert again.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    assert [m.get_config() for m in again.metrics] == [m.get_config() for m in model.metrics]
    assert [type(m).__name__ for m in again.metrics] == ["Precision", "AUC", "F1Score", "Recall"]
