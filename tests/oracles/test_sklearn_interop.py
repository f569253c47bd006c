"""scikit-learn as the oracle of from_sklearn: predict equals predict_proba / predict."""
import warnings

import numpy as np
import pytest

import glassnet
from glassnet.interop import UnsupportedLayerError, from_sklearn

from .conftest import require


@pytest.fixture(scope="module")
def neural_network():
    require("sklearn")
    from sklearn import neural_network
    return neural_network


def _fit(estimator, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # ConvergenceWarning: few iterations
        return estimator.fit(x, y)


def _x(n=60, features=4, seed=0):
    return np.random.default_rng(seed).normal(size=(n, features))


@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize("labels", ["binary", "multiclass", "multilabel", "strings"])
def test_classifier_predict_proba(neural_network, float64, activation, labels):
    x = _x()
    y = {"binary": (x[:, 0] > 0).astype(int),
         "multiclass": (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int),
         "multilabel": np.stack([x[:, 0] > 0, x[:, 1] > 0, x[:, 2] > 1], axis=1).astype(int),
         "strings": np.where(x[:, 0] > 0, "cat", "dog")}[labels]
    estimator = _fit(neural_network.MLPClassifier((7, 5), activation=activation, max_iter=50,
                                                  random_state=0), x, y)
    model = from_sklearn(estimator)
    want = estimator.predict_proba(x)
    got = model.predict(x, verbose=0)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    if labels != "multilabel":                       # argmax names the class, via classes_
        predicted = estimator.classes_[np.argmax(got, axis=1)]
        np.testing.assert_array_equal(predicted, estimator.predict(x))


@pytest.mark.parametrize("outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_predict(neural_network, float64, outputs, loss):
    x = _x()
    y = np.abs(x[:, :outputs]) + 0.1 if outputs > 1 else np.abs(x[:, 0]) + 0.1
    estimator = _fit(neural_network.MLPRegressor(hidden_layer_sizes=(6, 6), loss=loss,
                                                 activation="tanh", max_iter=50,
                                                 random_state=0), x, y)
    got = from_sklearn(estimator).predict(x, verbose=0)
    want = estimator.predict(x)
    assert got.shape == (len(x), outputs)              # a column where scikit-learn gives (n,)
    np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-10, atol=1e-12)


def test_float32_glassnet_agrees_to_float32_rounding(neural_network):
    x = _x()
    estimator = _fit(neural_network.MLPClassifier((8,), max_iter=50, random_state=0), x,
                     (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int))
    got = from_sklearn(estimator).predict(x.astype("float32"), verbose=0)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, estimator.predict_proba(x), rtol=1e-5, atol=1e-6)


def test_what_cannot_be_imported(neural_network):
    with pytest.raises(ValueError, match="not fitted"):
        from_sklearn(neural_network.MLPClassifier())
    from sklearn.linear_model import LogisticRegression
    with pytest.raises(UnsupportedLayerError, match="LogisticRegression"):
        from_sklearn(LogisticRegression())
    tiny = _fit(neural_network.MLPRegressor(hidden_layer_sizes=(3,), max_iter=5), _x(),
                _x()[:, 0])
    assert isinstance(from_sklearn(tiny), glassnet.Sequential)
