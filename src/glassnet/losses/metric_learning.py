"""Circle loss: a metric-learning loss on embeddings, pairs of one class pulled together and
pairs of different classes pushed apart.
"""
import numpy as np

from ..arrays import array_module
from ..reductions import reduction_factors
from .base import Loss, _check_class_labels, _shape, _sigmoid, _softplus


class Circle(Loss):
    """Circle loss (Sun et al. 2020) on L2-normalized embeddings p (rows) with integer labels.

    With cosine distances d_ij = max(1 - p_i . r_j, 0) to the reference rows r (p itself),
    positives P (same label, j != i when ``remove_diagonal``) and negatives N:

        s_ij = -gamma max(m + d_ij, 0) (m - d_ij)          for j in P
        s_ij =  gamma max(1 + m - d_ij, 0) (1 - m - d_ij)  for j in N
        l_i = softplus(logsumexp_{j in P} s_ij + logsumexp_{j in N} s_ij)

    (m = ``margin``). As Keras, the weights max(...) are not held constant in the gradient, and
    a sample with no positive gives l_i = 0 and does not count in the mean. The gradient goes
    through both sides of each similarity: dL/dp = (G + G^T) p with G = dL/d(p p^T).
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(name, reduction, dtype)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def prepare(self, y_true, y_pred):
        xp = array_module(y_true, y_pred)
        y_pred = Loss.prepare(self, y_pred, y_pred)[1]
        labels = xp.asarray(y_true)
        if labels.ndim == 2 and labels.shape[-1] == 1:
            labels = labels[:, 0]
        if y_pred.ndim != 2 or labels.shape != y_pred.shape[:1]:
            raise ValueError(f"{self.name} needs embeddings of shape (n, d) and one integer "
                             f"label per row; got labels of shape {_shape(y_true)} and "
                             f"embeddings of shape {y_pred.shape}.")
        return labels.astype(np.int64), y_pred

    def check_labels(self, y_true, output_shape):
        _check_class_labels(self, y_true, None)

    def _terms(self, labels, y_pred, ref_labels=None, ref_embeddings=None):
        """The similarity logits s (-inf outside P and N) and what their gradient needs."""
        xp = array_module(labels, y_pred, ref_labels, ref_embeddings)
        ref_labels = labels if ref_labels is None else xp.asarray(ref_labels).reshape(-1)
        ref = y_pred if ref_embeddings is None else xp.asarray(ref_embeddings, y_pred.dtype)
        distance = 1.0 - y_pred @ ref.T
        near = distance > 0                                 # where max(., 0) passes
        distance = xp.maximum(distance, 0.0)
        positive = labels[:, None] == ref_labels[None, :]
        negative = ~positive
        if self.remove_diagonal:
            positive = positive & ~xp.eye(len(labels), len(ref_labels), dtype=bool)
        m, gamma = self.margin, self.gamma
        pos_weight = xp.maximum((m + distance) * positive, 0.0)
        neg_weight = xp.maximum((1.0 + m - distance) * negative, 0.0)
        pos_logit = -gamma * pos_weight * (m - distance)
        neg_logit = gamma * neg_weight * (1.0 - m - distance)
        return (positive, negative, distance, near, pos_weight, neg_weight,
                xp.where(positive, pos_logit, -np.inf), xp.where(negative, neg_logit, -np.inf))

    def _values(self, pos_logit, neg_logit):
        return _softplus(_logsumexp(pos_logit) + _logsumexp(neg_logit))

    def call(self, y_true, y_pred):
        return self._values(*self._terms(y_true, y_pred)[-2:])

    def mask(self, y_true, y_pred):
        return self.call(y_true, y_pred) > 0               # Keras's mask: rows that count

    def gradient(self, y_true, y_pred, sample_weight=None):
        xp = array_module(y_true, y_pred, sample_weight)
        labels, y_pred = self.prepare(y_true, y_pred)
        (positive, negative, distance, near, pos_weight, neg_weight, pos_logit,
         neg_logit) = self._terms(labels, y_pred)
        pos_lse, neg_lse = _logsumexp(pos_logit), _logsumexp(neg_logit)
        values = _softplus(pos_lse + neg_lse)
        factors = reduction_factors(values.shape, sample_weight, values > 0, self.reduction,
                                    y_pred.dtype)
        outer = xp.asarray(factors * _sigmoid(pos_lse + neg_lse))[..., None] \
            * xp.ones_like(distance)                        # dL / d(logsumexp) per row
        m, gamma = self.margin, self.gamma
        # d s / d d for each kind of pair (the product rule on weight * gap)
        pos_passes = (positive & (m + distance > 0)).astype(distance.dtype)
        neg_passes = (negative & (1.0 + m - distance > 0)).astype(distance.dtype)
        pos_slope = -gamma * (pos_passes * (m - distance) - pos_weight)
        neg_slope = gamma * (-neg_passes * (1.0 - m - distance) - neg_weight)
        by_distance = outer * (_softmax_rows(pos_logit) * pos_slope
                               + _softmax_rows(neg_logit) * neg_slope)
        by_similarity = -by_distance * near                 # d = max(1 - p r^T, 0)
        return ((by_similarity + by_similarity.T) @ y_pred).astype(y_pred.dtype)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma, "margin": self.margin,
                "remove_diagonal": self.remove_diagonal}


def _logsumexp(x):
    """log sum exp over each row; a row of -inf only gives -inf (no warning)."""
    xp = array_module(x)
    top = xp.max(x, axis=-1, keepdims=True)
    safe = xp.where(xp.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return (safe + xp.log(xp.sum(xp.exp(x - safe), axis=-1, keepdims=True)))[..., 0]


def _softmax_rows(x):
    """softmax over each row, 0 for a row of -inf only."""
    xp = array_module(x)
    top = xp.max(x, axis=-1, keepdims=True)
    exp = xp.exp(x - xp.where(xp.isfinite(top), top, 0.0))
    total = xp.sum(exp, axis=-1, keepdims=True)
    return exp / xp.where(total > 0, total, 1.0)
