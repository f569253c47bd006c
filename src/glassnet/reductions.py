"""Loss reductions and sample weights, as Keras 3's (``keras/src/losses/loss.py``).

Per-sample loss values ``l_i`` with weights ``w_i`` from ``sample_weight`` reduce to one number:

    "sum_over_batch_size", "mean"   sum_i w_i l_i / n           (n values, weighted or not)
    "sum"                           sum_i w_i l_i
    "mean_with_sample_weight"       sum_i w_i l_i / sum_i w_i   (/ n without sample_weight)
    "none", None                    w_i l_i, one value per sample

Every reduction is linear in the l_i, so the reduced loss is sum_i c_i l_i with a factor c_i
per sample (w_i / n by default): ``reduction_factors`` gives the c_i, which a loss's gradient
multiplies into each sample's d l_i / d y_pred. For "none" they are the w_i, the gradient of
sum_i w_i l_i. A division by zero gives 0, as Keras's ``divide_no_nan``.
"""
import math

import numpy as np

from .arrays import array_module

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rank matching: when ranks differ by one and the longer ends in 1, squeeze it;
    a rank-1 partner is expanded instead, so ``(n,)`` labels meet ``(n, 1)`` outputs as (n, 1)."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            x2 = x2[:, None]
        else:
            x1 = x1[..., 0]
    elif x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            x1 = x1[:, None]
        else:
            x2 = x2[..., 0]
    return x1, x2


def _sample_weights(values, sample_weight, mask, reduction):
    """Keras's merge of ``sample_weight`` and a mask into one weight array (or None).

    A masked-out value gets weight 0; for "sum_over_batch_size" the others get n / valid, so
    that dividing by n divides by the number of values that count.
    """
    xp = array_module(values, sample_weight, mask)
    weights = None
    if sample_weight is not None:
        weights = xp.asarray(sample_weight, dtype=values.dtype)
    if mask is not None:
        if reduction in ("mean", "sum_over_batch_size"):
            valid = xp.count_nonzero(mask)
            kept = mask.size / valid if valid else 0.0
            float_mask = xp.where(mask, kept, 0.0).astype(values.dtype)
        else:
            float_mask = mask.astype(values.dtype)
        if weights is None:
            weights = float_mask
        else:
            float_mask, weights = squeeze_or_expand_to_same_rank(float_mask, weights)
            weights = weights * float_mask
    return weights


def _divisor(size, weights, reduction):
    """What the weighted sum is divided by, or None when the reduction does not divide."""
    if reduction == "mean_with_sample_weight" and weights is not None:
        return weights.sum()
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        return size
    return None


def _weighted(values, weights):
    values, weights = squeeze_or_expand_to_same_rank(values, weights)
    try:
        return values * weights
    except ValueError:
        raise ValueError(f"sample_weight of shape {weights.shape} does not fit per-sample loss "
                         f"values of shape {values.shape}: give one weight per sample.") from None


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size"):
    """Keras's ``reduce_weighted_values``: weight, then reduce as the table at the top says."""
    xp = array_module(values, sample_weight, mask)
    values = xp.asarray(values)
    weights = _sample_weights(values, sample_weight, mask, reduction)
    if weights is not None:
        values = _weighted(values, weights)
    if reduction in ("none", None) or values.shape in ((), (0,)):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    divisor = _divisor(values.size, weights, reduction)
    return total / divisor if divisor else xp.zeros_like(total)


def reduction_factors(values_shape, sample_weight=None, mask=None,
                      reduction="sum_over_batch_size", dtype="float64"):
    """The factors c_i with reduced loss = sum_i c_i l_i (a plain number when all are equal).

    The derivative of ``reduce_weighted_values`` with respect to each value; "none" gives the
    weights, i.e. the derivative of their weighted sum.
    """
    xp = array_module(values_shape, sample_weight, mask)
    size = math.prod(values_shape)
    unreduced = reduction in ("none", None) or tuple(values_shape) in ((), (0,))
    if sample_weight is None and mask is None:    # the hot path: one number, nothing allocated
        return 1.0 if unreduced or reduction == "sum" or not size else 1.0 / size
    ones = xp.ones(values_shape, dtype=dtype)
    weights = _sample_weights(ones, sample_weight, mask, reduction)
    divisor = None if unreduced else _divisor(size, weights, reduction)
    factors = _weighted(ones, weights).reshape(values_shape)
    if divisor is None:
        return factors
    if not divisor:
        return factors * 0.0
    return factors / divisor
