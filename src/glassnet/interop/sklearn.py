"""Import from scikit-learn: ``from_sklearn(MLPClassifier or MLPRegressor)``.

scikit-learn's MLP is a Sequential of Dense layers: ``coefs_[i]`` is the kernel (fan_in, units)
and ``intercepts_[i]`` the bias of layer i; hidden layers use ``activation``
(identity, logistic, tanh, relu) and the last one ``out_activation_``. The imported model's
``predict`` equals the estimator's ``predict_proba`` for a classifier and ``predict`` for a
regressor (as a column ``(n, 1)`` where scikit-learn returns ``(n,)``). Output unit ``k`` of a
classifier is the class ``estimator.classes_[k]``.

Binary classification: scikit-learn has one logistic output p and reports [1 - p, p]. The
import makes that a two-unit softmax whose first logit is fixed at 0, since
softmax(0, z) = (1 - sigmoid(z), sigmoid(z)): the same probabilities from one Dense layer.
"""
import numpy as np

from .. import layers as layers_module
from ..models import Sequential
from . import UnsupportedLayerError

_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
                "softmax": "softmax", "exp": "exponential"}       # exp: the Poisson loss's output


def from_sklearn(estimator):
    """An uncompiled glassnet ``Sequential`` with the layers and weights of a fitted MLP."""
    kind = type(estimator).__name__
    if kind not in ("MLPClassifier", "MLPRegressor"):
        raise UnsupportedLayerError(f"from_sklearn converts MLPClassifier and MLPRegressor; got "
                                    f"{kind}.")
    if not hasattr(estimator, "coefs_"):
        raise ValueError(f"This {kind} is not fitted yet: call estimator.fit(X, y) first.")
    for name in (estimator.activation, estimator.out_activation_):
        if name not in _ACTIVATIONS:
            raise UnsupportedLayerError(f"{kind} uses the activation {name!r}, which glassnet "
                                        f"does not map.")
    kernels = [np.asarray(k) for k in estimator.coefs_]
    biases = [np.asarray(b) for b in estimator.intercepts_]
    activations = [_ACTIVATIONS[estimator.activation]] * (len(kernels) - 1) + \
        [_ACTIVATIONS[estimator.out_activation_]]
    if kind == "MLPClassifier" and estimator.n_outputs_ == 1:
        kernels[-1] = np.concatenate([np.zeros_like(kernels[-1]), kernels[-1]], axis=1)
        biases[-1] = np.concatenate([np.zeros_like(biases[-1]), biases[-1]])
        activations[-1] = "softmax"
    model = Sequential([layers_module.Input(shape=(kernels[0].shape[0],))] + [
        layers_module.Dense(k.shape[1], activation=a) for k, a in zip(kernels, activations)])
    for layer, kernel, bias in zip(model.layers, kernels, biases):
        layer.set_weights([kernel, bias])
    return model
