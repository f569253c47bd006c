"""Keras 3 as the oracle for the metrics issue 11 adds: confusion counts (TruePositives ...,
Precision, Recall, the *At* metrics, AUC with each curve and summation), F-scores, R2 and the
correlations, and the IoU family. Each is streamed over three batches, with and without
sample weights; the result and every entry of ``metric.variables`` must equal Keras's.

Keras keeps its state in float32 (glassnet sums in float64 and compares scores with thresholds
in float32, as Keras does), so results agree to float32 rounding.
"""
import re

import numpy as np
import pytest

from glassnet import metrics

RTOL, ATOL = 2e-6, 1e-6
BATCHES = ((0, 7), (7, 13), (13, 20))


def _data():
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 3, 20)
    scores = rng.dirichlet(np.ones(3), 20)
    scores[3] = [0.5, 0.25, 0.25]                     # exact thresholds and ties count too
    binary = rng.integers(0, 2, (20, 1)).astype(float)
    unit = rng.uniform(0, 1, (20, 1))
    unit[:4, 0] = [0.5, 0.0, 1.0, 0.25]
    return {
        "labels": labels, "onehot": np.eye(3)[labels], "scores": scores, "binary": binary,
        "unit": unit, "multi": rng.integers(0, 2, (20, 3)).astype(float),
        "multi_scores": rng.uniform(0, 1, (20, 3)), "logits": rng.normal(size=(20, 1)) * 3,
        "target": rng.normal(size=(20, 3)), "real": rng.normal(size=(20, 3)),
        "predicted_labels": rng.integers(0, 3, 20), "weights": rng.uniform(0, 2, 20),
        "int_weights": rng.integers(0, 3, 20),
    }


CASES = [
    ("TruePositives", {}, "binary", "unit"),
    ("FalsePositives", {"thresholds": [0.2, 0.5, 0.8]}, "binary", "unit"),
    ("TrueNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary", "unit"),
    ("FalseNegatives", {}, "multi", "multi_scores"),
    ("Precision", {}, "binary", "unit"),
    ("Precision", {"thresholds": [0.3, 0.6]}, "multi", "multi_scores"),
    ("Precision", {"top_k": 2}, "onehot", "scores"),
    ("Precision", {"class_id": 1}, "onehot", "scores"),
    ("Precision", {"top_k": 1, "class_id": 2}, "onehot", "scores"),
    ("Recall", {}, "binary", "unit"),
    ("Recall", {"thresholds": [0.0, 0.5, 1.0]}, "multi", "multi_scores"),
    ("Recall", {"top_k": 2, "class_id": 0}, "onehot", "scores"),
    ("PrecisionAtRecall", {"recall": 0.6}, "binary", "unit"),
    ("PrecisionAtRecall", {"recall": 0.5, "num_thresholds": 7, "class_id": 1}, "onehot",
     "scores"),
    ("RecallAtPrecision", {"precision": 0.5}, "binary", "unit"),
    ("RecallAtPrecision", {"precision": 0.4, "num_thresholds": 1}, "multi", "multi_scores"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "binary", "unit"),
    ("SensitivityAtSpecificity", {"specificity": 0.7, "num_thresholds": 11}, "multi",
     "multi_scores"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5}, "binary", "unit"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.8, "class_id": 2}, "onehot", "scores"),
    ("AUC", {}, "binary", "unit"),
    ("AUC", {"curve": "PR"}, "binary", "unit"),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, "binary", "unit"),
    ("AUC", {"summation_method": "majoring", "num_thresholds": 13}, "multi", "multi_scores"),
    ("AUC", {"curve": "PRGAIN"}, "binary", "unit"),
    ("AUC", {"thresholds": [0.1, 0.4, 0.5, 0.9]}, "binary", "unit"),
    ("AUC", {"curve": "PR", "thresholds": [0.25, 0.5, 0.75]}, "multi", "multi_scores"),
    ("AUC", {"from_logits": True}, "binary", "logits"),
    ("AUC", {"multi_label": True}, "multi", "multi_scores"),
    ("AUC", {"multi_label": True, "num_labels": 3, "curve": "PR",
             "label_weights": [0.2, 0.5, 0.3]}, "multi", "multi_scores"),
    ("AUC", {"label_weights": [0.2, 1.0, 0.5]}, "multi", "multi_scores"),
    ("F1Score", {}, "onehot", "scores"),
    ("F1Score", {"average": "micro", "threshold": 0.4}, "multi", "multi_scores"),
    ("F1Score", {"average": "macro"}, "onehot", "scores"),
    ("F1Score", {"average": "weighted", "threshold": 0.5}, "multi", "multi_scores"),
    ("FBetaScore", {"beta": 2.0}, "onehot", "scores"),
    ("FBetaScore", {"beta": 0.5, "average": "weighted"}, "multi", "multi_scores"),
    ("R2Score", {}, "target", "real"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "target", "real"),
    ("R2Score", {"class_aggregation": None}, "target", "real"),
    ("R2Score", {"num_regressors": 2}, "target", "real"),
    ("PearsonCorrelation", {}, "target", "real"),
    ("ConcordanceCorrelation", {}, "target", "real"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "labels", "predicted_labels"),
    ("MeanIoU", {"num_classes": 3}, "labels", "predicted_labels"),
    ("MeanIoU", {"num_classes": 3, "ignore_class": 1}, "labels", "predicted_labels"),
    ("MeanIoU", {"num_classes": 3, "sparse_y_pred": False}, "labels", "scores"),
    ("BinaryIoU", {}, "binary", "unit"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary", "unit"),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1]}, "onehot", "scores"),
    ("OneHotMeanIoU", {"num_classes": 3}, "onehot", "scores"),
]


def _ids(case):
    return f"{case[0]}{case[1] or ''}"


@pytest.mark.filterwarnings("ignore:You are passing weight as `float`")
@pytest.mark.filterwarnings("ignore:More independent predictors")
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_streamed_results_and_variables_equal_keras(keras, case, weighted):
    name, kwargs, truth, prediction = case
    data = _data()
    y_true, y_pred = data[truth], data[prediction]
    iou = "IoU" in name
    ours = getattr(metrics, name)(**kwargs)
    theirs = getattr(keras.metrics, name)(**kwargs)
    for start, stop in BATCHES:
        weights = None
        if weighted:
            weights = (data["int_weights"] if iou else data["weights"])[start:stop]
        ours.update_state(y_true[start:stop], y_pred[start:stop], weights)
        theirs.update_state(y_true[start:stop], y_pred[start:stop], sample_weight=weights)
    expected = keras.ops.convert_to_numpy(theirs.result())
    np.testing.assert_allclose(ours.result(), expected, rtol=RTOL, atol=ATOL)
    assert np.shape(ours.result()) == np.shape(expected)
    theirs_variables = [keras.ops.convert_to_numpy(v.value) for v in theirs.variables]
    assert [np.shape(v) for v in ours.variables] == [v.shape for v in theirs_variables]
    for mine, want in zip(ours.variables, theirs_variables):     # counts: float32 sums
        np.testing.assert_allclose(mine, want, rtol=RTOL, atol=RTOL * np.max(np.abs(want)))
    assert ours.name == re.sub(r"_\d+$", "", theirs.name)      # Keras counts auc, auc_1
    ours.reset_state()
    theirs.reset_state()
    np.testing.assert_allclose(ours.result(), keras.ops.convert_to_numpy(theirs.result()),
                               atol=ATOL)


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_config_as_keras_and_round_trip(keras, case):
    name, kwargs, _, _ = case
    config = getattr(metrics, name)(**kwargs).get_config()
    ours = dict(config)
    theirs = getattr(keras.metrics, name)(**kwargs).get_config()
    ours.pop("dtype"), theirs.pop("dtype")                # Keras writes the resolved floatx
    theirs["name"] = ours["name"]                         # Keras counts auc, auc_1, ...
    if "thresholds" in theirs and theirs["thresholds"] is not None:
        theirs["thresholds"] = [float(t) for t in theirs["thresholds"]]
    if theirs.get("label_weights") is not None:          # Keras holds them in float32
        np.testing.assert_allclose(ours.pop("label_weights"),
                                   keras.ops.convert_to_numpy(theirs.pop("label_weights")),
                                   rtol=1e-7)
    assert ours == theirs
    assert list(ours) == list(theirs)
    rebuilt = getattr(metrics, name).from_config(config)
    assert rebuilt.get_config() == config
    assert type(metrics.deserialize(metrics.serialize(rebuilt))) is type(rebuilt)


@pytest.mark.parametrize("name, kwargs", [("Mean", {}), ("Sum", {}), ("Accuracy", {}),
                                          ("MeanSquaredError", {}),
                                          ("SparseCategoricalCrossentropy", {}),
                                          ("RootMeanSquaredError", {})])
def test_variables_of_the_older_metrics_equal_keras(keras, name, kwargs):
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    rng = np.random.default_rng(2)
    if name in ("Mean", "Sum"):
        args = (rng.normal(size=6), rng.uniform(0, 2, 6))
    elif name == "SparseCategoricalCrossentropy":
        args = (rng.integers(0, 3, 6), rng.dirichlet(np.ones(3), 6), rng.uniform(0, 2, 6))
    else:
        args = (rng.integers(0, 2, (6, 1)).astype(float), rng.integers(0, 2, (6, 1)).astype(float),
                rng.uniform(0, 2, 6))
    ours.update_state(*args)
    theirs.update_state(*args)
    theirs_variables = [keras.ops.convert_to_numpy(v.value) for v in theirs.variables]
    assert len(ours.variables) == len(theirs_variables)
    for mine, want in zip(ours.variables, theirs_variables):
        np.testing.assert_allclose(mine, want, rtol=RTOL)
