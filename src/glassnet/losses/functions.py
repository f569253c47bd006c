"""Keras's per-sample loss functions (``mean_squared_error``, ``'mse'``, ...), the registry of
loss names, and ``get`` / ``resolve`` / ``serialize`` / ``deserialize``.
"""
import inspect

from .._registry import Registry
from .base import Loss
from .crossentropy import (BinaryCrossentropy, CategoricalCrossentropy, Crossentropy,
                           SparseCategoricalCrossentropy)
from .focal import (BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
                    CategoricalGeneralizedCrossEntropy)
from .margin import CategoricalHinge, Hinge, SquaredHinge
from .metric_learning import Circle
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError)
from .segmentation import Dice, Tversky


# -- registry: classes by class name, per-sample functions by function name and alias --------

registry = Registry("loss", base=Loss)
_CLASSES = (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
            MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity, Hinge, SquaredHinge,
            CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, BinaryFocalCrossentropy, CategoricalFocalCrossentropy,
            CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle)
for _cls in _CLASSES:
    registry.register(_cls.__name__)(_cls)

_LOSS_OF_FUNCTION = {}


def _per_sample(cls, *names):
    """Register a Keras per-sample loss function; ``compile`` trains with ``cls`` for it."""
    def decorate(function):
        registry.register(function.__name__, *names)(function)
        _LOSS_OF_FUNCTION[function] = cls
        return function
    return decorate


def _values(loss, y_true, y_pred):
    return loss.call(*loss.prepare(y_true, y_pred))


@_per_sample(MeanSquaredError, "mse", "MSE")
def mean_squared_error(y_true, y_pred):
    """Per-sample mean squared error, mean over the last axis."""
    return _values(MeanSquaredError(), y_true, y_pred)


@_per_sample(MeanAbsoluteError, "mae", "MAE")
def mean_absolute_error(y_true, y_pred):
    """Per-sample mean absolute error."""
    return _values(MeanAbsoluteError(), y_true, y_pred)


@_per_sample(MeanAbsolutePercentageError, "mape", "MAPE")
def mean_absolute_percentage_error(y_true, y_pred):
    """Per-sample mean absolute percentage error."""
    return _values(MeanAbsolutePercentageError(), y_true, y_pred)


@_per_sample(MeanSquaredLogarithmicError, "msle", "MSLE")
def mean_squared_logarithmic_error(y_true, y_pred):
    """Per-sample mean squared logarithmic error."""
    return _values(MeanSquaredLogarithmicError(), y_true, y_pred)


@_per_sample(Huber)
def huber(y_true, y_pred, delta=1.0):
    """Per-sample Huber loss."""
    return _values(Huber(delta), y_true, y_pred)


@_per_sample(LogCosh)
def log_cosh(y_true, y_pred):
    """Per-sample log-cosh loss."""
    return _values(LogCosh(), y_true, y_pred)


@_per_sample(CosineSimilarity)
def cosine_similarity(y_true, y_pred, axis=-1):
    """Per-sample negative cosine similarity."""
    return _values(CosineSimilarity(axis), y_true, y_pred)


@_per_sample(Hinge)
def hinge(y_true, y_pred):
    """Per-sample hinge loss."""
    return _values(Hinge(), y_true, y_pred)


@_per_sample(SquaredHinge)
def squared_hinge(y_true, y_pred):
    """Per-sample squared hinge loss."""
    return _values(SquaredHinge(), y_true, y_pred)


@_per_sample(CategoricalHinge)
def categorical_hinge(y_true, y_pred):
    """Per-sample categorical hinge loss."""
    return _values(CategoricalHinge(), y_true, y_pred)


@_per_sample(KLDivergence, "kld", "KLD")
def kl_divergence(y_true, y_pred):
    """Per-sample Kullback-Leibler divergence."""
    return _values(KLDivergence(), y_true, y_pred)


@_per_sample(Poisson)
def poisson(y_true, y_pred):
    """Per-sample Poisson loss."""
    return _values(Poisson(), y_true, y_pred)


@_per_sample(BinaryCrossentropy, "bce", "BCE")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary cross-entropy, mean over ``axis``."""
    return _values(BinaryCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


@_per_sample(CategoricalCrossentropy)
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample categorical cross-entropy."""
    return _values(CategoricalCrossentropy(from_logits, label_smoothing, axis), y_true, y_pred)


@_per_sample(SparseCategoricalCrossentropy)
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """Per-sample sparse categorical cross-entropy."""
    return _values(SparseCategoricalCrossentropy(from_logits, ignore_class, axis=axis),
                   y_true, y_pred)


@_per_sample(BinaryFocalCrossentropy)
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    """Per-sample binary focal cross-entropy, mean over ``axis``."""
    return _values(BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits,
                                           label_smoothing, axis), y_true, y_pred)


@_per_sample(CategoricalFocalCrossentropy)
def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Per-sample categorical focal cross-entropy."""
    return _values(CategoricalFocalCrossentropy(alpha, gamma, from_logits, label_smoothing, axis),
                   y_true, y_pred)


@_per_sample(CategoricalGeneralizedCrossEntropy)
def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """Per-sample generalized cross-entropy (1 - p^q) / q of integer labels."""
    return _values(CategoricalGeneralizedCrossEntropy(q), y_true, y_pred)


@_per_sample(Dice)
def dice(y_true, y_pred, axis=None):
    """Dice loss over ``axis`` (None: one value for everything)."""
    return _values(Dice(axis=axis), y_true, y_pred)


@_per_sample(Tversky)
def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """Tversky loss over ``axis`` (None: one value for everything)."""
    return _values(Tversky(alpha, beta, axis=axis), y_true, y_pred)


@_per_sample(Circle)
def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True, gamma=80,
           margin=0.4):
    """Per-sample circle loss; ``ref_labels`` / ``ref_embeddings`` default to the batch."""
    loss = Circle(gamma, margin, remove_diagonal)
    labels, y_pred = loss.prepare(y_true, y_pred)
    return loss._values(*loss._terms(labels, y_pred, ref_labels, ref_embeddings)[-2:])


def get(identifier):
    """Keras's ``losses.get``: a function name or alias gives the per-sample function
    (``'mse'`` -> ``mean_squared_error``), a class name an instance (``'MeanSquaredError'``),
    a config dict the object, a callable itself."""
    return registry.get(identifier)


def resolve(identifier):
    """The ``Loss`` that ``compile(loss=...)`` trains with, as Keras's ``get_loss``: a name of a
    function keeps that name (``'mse'`` -> ``MeanSquaredError(name='mse')``);
    ``'crossentropy'``/``'ce'`` (any case) pick the cross-entropy from the shapes."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("crossentropy", "ce"):
            return Crossentropy(name=identifier)
        obj = registry.lookup(identifier)
        return obj() if inspect.isclass(obj) else _LOSS_OF_FUNCTION[obj](name=identifier)
    if inspect.isclass(identifier) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, dict):
        return registry.deserialize(identifier)
    if callable(identifier) and identifier in _LOSS_OF_FUNCTION:
        return _LOSS_OF_FUNCTION[identifier](name=identifier.__name__)
    raise TypeError(f"compile(loss=...) takes a loss name such as 'mse' or "
                    f"'sparse_categorical_crossentropy', a glassnet.losses function or a "
                    f"glassnet.losses.Loss; got {identifier!r}. A plain function has no gradient "
                    f"glassnet can use: subclass glassnet.losses.Loss and define call and "
                    f"sample_gradient.")


def serialize(loss):
    return registry.serialize(loss)


def deserialize(config):
    return registry.deserialize(config)
