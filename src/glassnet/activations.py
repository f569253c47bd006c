"""Activation functions, each beside its derivative (``keras.activations``).

An activation is called as Keras calls it, ``f(x)`` (with Keras's keyword options, e.g.
``relu(x, max_value=6.0)``). For backpropagation it also has ``f.backward(grad, x, y, ...)``:
the gradient with respect to its input ``x`` given the gradient ``grad`` with respect to its
output ``y = f(x)`` (the same keyword options as the forward call). Derivatives are written
from the output ``y`` where that is cheaper (sigmoid' = y (1 - y), tanh' = 1 - y^2,
softplus' = 1 - exp(-y)), from the input otherwise.

Promises kept by every function here:
- a float input keeps its dtype (float32 in, float32 out); a non-float input becomes floatx;
- no overflow warning and no NaN for finite inputs of any size (each docstring says how);
- ``backward`` never writes into ``grad`` (``linear.backward`` returns ``grad`` itself).

Names and aliases are Keras 3's: ``get("swish")`` is ``silu`` and ``get("hard_swish")`` is
``hard_silu``; ``serialize`` writes the canonical name, as Keras does.
"""
import math
import warnings

import numpy as np

from . import config
from .arrays import array_module, elementwise_kernel, is_cupy, on_device
from ._registry import Registry


class ActivationFunction:
    """Base of every activation: a named callable with a ``backward``.

    A subclass defines ``__call__(x, **options)`` and ``backward(grad, x, y, **options)``.
    """

    name = None

    def __call__(self, x):
        raise NotImplementedError

    def backward(self, grad, x, y):
        raise NotImplementedError

    def output_shape(self, shape):
        """The shape of f(x) for x of ``shape``: the same, except for width-changing glu."""
        return tuple(shape)

    @property
    def __name__(self):
        return self.name

    def __repr__(self):
        return f"<activation {self.name}>"

    def __reduce__(self):              # a registered activation is its name, even across processes
        return (get, (self.name,))


registry = Registry("activation", base=ActivationFunction)


def _register(*names):
    """Register one instance of the decorated class under ``names`` (the first is canonical)."""
    def decorate(cls):
        instance = cls()
        instance.name = names[0]
        registry.register(*names)(instance)
        return instance
    return decorate


def _float(x):
    """``x`` as a float array: float dtypes kept, anything else converted to floatx."""
    xp = array_module(x)
    x = xp.asarray(x)
    return x if x.dtype.kind == "f" else x.astype(config.floatx())


def _sigmoid(x):
    """1 / (1 + exp(-x)) in a fresh array, accurate in relative terms for every x.

    exp(-x) overflows to inf for x < -88 (float32) and 1 / inf = 0, the right limit; the
    warning is silenced. Four passes and one allocation (sigmoid is on the hot path). Accuracy
    over speed: 0.5 + 0.5 tanh(x / 2) is about 1.6x faster but keeps no relative accuracy
    below ~1e-8 in float32, where the chapter's saturated units and their gradients live.
    """
    xp = array_module(x)
    with np.errstate(over="ignore"):
        t = xp.negative(x, out=xp.empty_like(x))     # an array even for 0-d input
        xp.exp(t, out=t)
        t += 1.0
        xp.reciprocal(t, out=t)
    return t


def _softplus(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): exp never sees a positive argument."""
    xp = array_module(x)
    t = xp.abs(x, out=xp.empty_like(x))
    xp.negative(t, out=t)
    xp.exp(t, out=t)
    xp.log1p(t, out=t)
    t += xp.maximum(x, 0.0)
    return t


def _normal_cdf(x):
    """Phi(x) = P(N(0, 1) <= x) = erfc(-x / sqrt 2) / 2, to about 1e-13 relative, in float64.

    NumPy has no erf, so: for z = |x| / sqrt 2 < 2 the series
    erf(z) = 2/sqrt(pi) exp(-z^2) sum_n 2^n z^(2n+1) / (1*3*...*(2n+1)) (all terms positive,
    no cancellation); for z >= 2 the continued fraction
    erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
    which keeps the relative accuracy of the tiny tail Phi(-x). 50 terms of each suffice.
    """
    xp = array_module(x)
    x = xp.asarray(x, dtype=np.float64)
    z = xp.abs(x) / math.sqrt(2.0)
    cdf = xp.empty_like(z)
    near = z < 2.0
    zn = z[near]
    term, total, z2 = zn.copy(), zn.copy(), 2.0 * zn * zn
    for n in range(1, 50):
        term *= z2 / (2 * n + 1)
        total += term
    erf = 2.0 / math.sqrt(math.pi) * xp.exp(-zn * zn) * total
    cdf[near] = 0.5 * (1.0 + xp.copysign(erf, x[near]))
    zf = z[~near]
    fraction = zf.copy()
    for k in range(50, 0, -1):
        fraction = zf + (k / 2.0) / fraction
    half_erfc = 0.5 * xp.exp(-zf * zf) / (math.sqrt(math.pi) * fraction)
    cdf[~near] = xp.where(x[~near] > 0, 1.0 - half_erfc, half_erfc)
    return cdf


def _normal_pdf(x):
    xp = array_module(x)
    return xp.exp(-0.5 * xp.square(xp.asarray(x, dtype=np.float64))) / math.sqrt(2.0 * math.pi)


# --- identity and the rectifier family -------------------------------------------------------

@_register("linear")
class _Linear(ActivationFunction):
    """linear(x) = x (the input itself, as Keras); linear' = 1, so backward returns ``grad``."""

    def __call__(self, x):
        return x

    def backward(self, grad, x, y):
        return grad


@_register("relu")
class _ReLU(ActivationFunction):
    """relu(x) = max(x, 0); relu' = 1 where x > 0, else 0 (0 at the kink, as PyTorch).

    Keras's options, with Keras's exact semantics:
    ``positive = x if x > threshold else 0``, clipped to [0, max_value] when max_value is set;
    ``relu = positive - negative_slope * max(threshold - x, 0)``. (So with a negative
    threshold, values in (threshold, 0) pass through unless max_value is set, which clips them
    to 0, as in Keras.)
    """

    def __call__(self, x, negative_slope=0.0, max_value=None, threshold=0.0):
        xp = array_module(x)
        x = _float(x)
        if negative_slope == 0.0 and max_value is None and threshold == 0.0:
            return xp.maximum(x, 0.0)                          # the hot path: one pass
        y = xp.where(x > threshold, x, 0.0)
        if max_value is not None:
            xp.clip(y, 0.0, max_value, out=y)
        if negative_slope != 0.0:
            y -= negative_slope * xp.maximum(threshold - x, 0.0)
        return y

    def backward(self, grad, x, y, negative_slope=0.0, max_value=None, threshold=0.0):
        if negative_slope == 0.0 and max_value is None and threshold == 0.0:
            if on_device(grad) and is_cupy(array_module(grad)):   # the line below, one kernel
                return elementwise_kernel("relu_grad", "T g, X x", "T dx",
                                          "dx = g * (T)(x > (X)0);")(grad, x)
            return grad * (x > 0)                  # a bool mask multiplies faster than np.where
        passes = x > threshold
        if max_value is not None:
            passes &= (x > 0) & (x < max_value)
        slope = passes.astype(grad.dtype)
        if negative_slope != 0.0:
            slope += negative_slope * (x < threshold)
        return grad * slope


@_register("leaky_relu")
class _LeakyReLU(ActivationFunction):
    """leaky_relu(x) = x if x > 0 else negative_slope * x; derivative 1 or negative_slope.

    ``negative_slope`` defaults to 0.2 as ``keras.activations.leaky_relu`` (Keras's
    ``LeakyReLU`` layer defaults to 0.3).
    """

    def __call__(self, x, negative_slope=0.2):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x > 0, x, negative_slope * x)

    def backward(self, grad, x, y, negative_slope=0.2):
        xp = array_module(grad, x, y)
        return grad * xp.where(x > 0, 1.0, negative_slope).astype(grad.dtype, copy=False)


@_register("relu6")
class _ReLU6(ActivationFunction):
    """relu6(x) = min(max(x, 0), 6); derivative 1 on (0, 6), else 0."""

    def __call__(self, x):
        xp = array_module(x)
        return xp.clip(_float(x), 0.0, 6.0)

    def backward(self, grad, x, y):
        return grad * ((x > 0) & (x < 6))


@_register("elu")
class _ELU(ActivationFunction):
    """elu(x) = x if x > 0 else alpha (exp(x) - 1); derivative 1, or alpha exp(x).

    exp is taken of min(x, 0) (as expm1, accurate near 0), so it never overflows. The
    derivative is not written from the output (y + alpha) because that cancels for x << 0:
    at x = -30 it would keep only 3 digits of alpha exp(-30).
    """

    def __call__(self, x, alpha=1.0):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0.0)))

    def backward(self, grad, x, y, alpha=1.0):
        xp = array_module(grad, x, y)
        return grad * xp.where(x > 0, 1.0, alpha * xp.exp(xp.minimum(x, 0.0)))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@_register("selu")
class _SELU(ActivationFunction):
    """selu(x) = scale * elu(x, alpha), alpha = 1.67326324..., scale = 1.05070098...

    (Klambauer et al. 2017: with LecunNormal weights, activations keep mean 0 and variance 1.)
    Derivative: scale for x > 0, else scale * alpha * exp(x) (from the input, as elu).
    """

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        negative = _SELU_ALPHA * xp.expm1(xp.minimum(x, 0.0))
        return _SELU_SCALE * xp.where(x > 0, x, negative)

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        negative = (_SELU_SCALE * _SELU_ALPHA) * xp.exp(xp.minimum(x, 0.0))
        return grad * xp.where(x > 0, _SELU_SCALE, negative)


@_register("celu")
class _CELU(ActivationFunction):
    """celu(x) = x if x >= 0 else alpha (exp(x / alpha) - 1); derivative 1, or exp(x / alpha)
    (from the input, as elu)."""

    def __call__(self, x, alpha=1.0):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x >= 0, x, alpha * xp.expm1(xp.minimum(x, 0.0) / alpha))

    def backward(self, grad, x, y, alpha=1.0):
        xp = array_module(grad, x, y)
        return grad * xp.where(x >= 0, 1.0, xp.exp(xp.minimum(x, 0.0) / alpha))


@_register("threshold")
class _Threshold(ActivationFunction):
    """threshold(x, threshold, default_value) = x if x > threshold else default_value.

    Both options are required, as in Keras. Derivative 1 where x > threshold, else 0.
    """

    def __call__(self, x, threshold, default_value):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x > threshold, x, default_value).astype(x.dtype, copy=False)

    def backward(self, grad, x, y, threshold, default_value):
        return grad * (x > threshold)


# --- the sigmoid family ----------------------------------------------------------------------

@_register("sigmoid")
class _Sigmoid(ActivationFunction):
    """sigmoid(x) = 1 / (1 + exp(-x)); sigmoid' = y (1 - y), at most 0.25 (the chapter's point:
    through many sigmoid layers the gradient shrinks at least fourfold per layer).

    See ``_sigmoid`` for the overflow-free evaluation.
    """

    def __call__(self, x):
        return _sigmoid(_float(x))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        slope = xp.subtract(1.0, y, out=xp.empty_like(y))   # y (1 - y) in one buffer (hot path)
        slope *= y
        slope *= grad
        return slope


@_register("hard_sigmoid")
class _HardSigmoid(ActivationFunction):
    """hard_sigmoid(x) = relu6(x + 3) / 6: 0 for x <= -3, 1 for x >= 3, x / 6 + 1/2 between.

    Keras 3's formula (Keras 2 used 0.2 x + 0.5). Derivative 1/6 on (-3, 3), else 0.
    """

    def __call__(self, x):
        xp = array_module(x)
        return xp.clip(_float(x) / 6.0 + 0.5, 0.0, 1.0)

    def backward(self, grad, x, y):
        return grad * ((x > -3) & (x < 3)) / 6.0


@_register("sparse_sigmoid")
class _SparseSigmoid(ActivationFunction):
    """sparse_sigmoid(x) = 0 for x <= -1, (x + 1) / 2 between, 1 for x >= 1;
    derivative 1/2 between."""

    def __call__(self, x):
        xp = array_module(x)
        return xp.clip(0.5 * (_float(x) + 1.0), 0.0, 1.0)

    def backward(self, grad, x, y):
        return grad * ((x > -1) & (x < 1)) * 0.5


@_register("log_sigmoid")
class _LogSigmoid(ActivationFunction):
    """log_sigmoid(x) = log(1 / (1 + exp(-x))) = -softplus(-x), stable for every x.

    Derivative 1 - sigmoid(x) = -expm1(y) from the output (accurate when y is tiny).
    """

    def __call__(self, x):
        xp = array_module(x)
        return xp.negative(_softplus(xp.negative(_float(x))))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        return grad * -xp.expm1(y)


@_register("silu", "swish")
class _SiLU(ActivationFunction):
    """silu(x) = swish(x) = x sigmoid(x); derivative s + y (1 - s) with s = sigmoid(x)."""

    def __call__(self, x):
        x = _float(x)
        return x * _sigmoid(x)

    def backward(self, grad, x, y):
        s = _sigmoid(x)
        return grad * (s + y * (1.0 - s))


@_register("hard_silu", "hard_swish")
class _HardSiLU(ActivationFunction):
    """hard_silu(x) = x relu6(x + 3) / 6: 0 for x <= -3, x for x >= 3, x (x + 3) / 6 between.

    Derivative 0, 1, or (2x + 3) / 6 between (Howard et al. 2019).
    """

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        return x * xp.clip(x + 3.0, 0.0, 6.0) / 6.0

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        slope = xp.where(x >= 3, 1.0, (2.0 * x + 3.0) / 6.0)
        return grad * xp.where(x <= -3, 0.0, slope)


# --- the tanh family -------------------------------------------------------------------------

@_register("tanh")
class _Tanh(ActivationFunction):
    """tanh(x); tanh' = 1 - y^2 from the output, at most 1 (saturates for |x| >> 1)."""

    def __call__(self, x):
        xp = array_module(x)
        return xp.tanh(_float(x))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        slope = xp.square(y, out=xp.empty_like(y))          # 1 - y^2 in one buffer (hot path)
        xp.subtract(1.0, slope, out=slope)
        slope *= grad
        return slope


@_register("hard_tanh")
class _HardTanh(ActivationFunction):
    """hard_tanh(x) = min(max(x, -1), 1); derivative 1 on (-1, 1), else 0."""

    def __call__(self, x):
        xp = array_module(x)
        return xp.clip(_float(x), -1.0, 1.0)

    def backward(self, grad, x, y):
        return grad * ((x > -1) & (x < 1))


@_register("tanh_shrink")
class _TanhShrink(ActivationFunction):
    """tanh_shrink(x) = x - tanh(x); derivative tanh(x)^2 (recomputed: x - y would cancel)."""

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        return x - xp.tanh(x)

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        return grad * xp.square(xp.tanh(x))


@_register("soft_shrink")
class _SoftShrink(ActivationFunction):
    """soft_shrink(x) = x - t for x > t, x + t for x < -t, else 0 (t = threshold = 0.5)."""

    def __call__(self, x, threshold=0.5):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x > threshold, x - threshold,
                        xp.where(x < -threshold, x + threshold, 0.0)).astype(x.dtype, copy=False)

    def backward(self, grad, x, y, threshold=0.5):
        xp = array_module(grad, x, y)
        return grad * (xp.abs(x) > threshold)


@_register("hard_shrink")
class _HardShrink(ActivationFunction):
    """hard_shrink(x) = x if |x| > threshold else 0 (threshold 0.5); derivative 1 or 0."""

    def __call__(self, x, threshold=0.5):
        xp = array_module(x)
        x = _float(x)
        return xp.where(xp.abs(x) > threshold, x, 0.0)

    def backward(self, grad, x, y, threshold=0.5):
        xp = array_module(grad, x, y)
        return grad * (xp.abs(x) > threshold)


# --- smooth rectifiers -----------------------------------------------------------------------

@_register("softplus")
class _Softplus(ActivationFunction):
    """softplus(x) = log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)).

    Derivative sigmoid(x) = 1 - exp(-y) = -expm1(-y) from the output.
    """

    def __call__(self, x):
        return _softplus(_float(x))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        return grad * -xp.expm1(-y)


@_register("softsign")
class _Softsign(ActivationFunction):
    """softsign(x) = x / (1 + |x|); derivative 1 / (1 + |x|)^2 (squared after the division, so
    it cannot overflow)."""

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        return x / (1.0 + xp.abs(x))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        return grad * xp.square(1.0 / (1.0 + xp.abs(x)))


@_register("squareplus")
class _Squareplus(ActivationFunction):
    """squareplus(x) = (x + sqrt(x^2 + b)) / 2, b = 4 (Ramachandran et al. 2021).

    For x < 0 it is computed as b / (2 (sqrt(x^2 + b) - x)), the same number without the
    cancellation. Derivative (1 + x / sqrt(x^2 + b)) / 2 = y / sqrt(x^2 + b).
    """

    def __call__(self, x, b=4):
        xp = array_module(x)
        x = _float(x)
        root = xp.sqrt(xp.square(x) + b)
        return xp.where(x >= 0, 0.5 * (x + root), 0.5 * b / (root - xp.minimum(x, 0.0)))

    def backward(self, grad, x, y, b=4):
        xp = array_module(grad, x, y)
        return grad * (y / xp.sqrt(xp.square(x) + b))


@_register("sparse_plus")
class _SparsePlus(ActivationFunction):
    """sparse_plus(x) = 0 for x <= -1, (x + 1)^2 / 4 between, x for x >= 1.

    Derivative 0, (x + 1) / 2, 1.
    """

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        return xp.where(x >= 1, x, 0.25 * xp.square(xp.clip(x, -1.0, 1.0) + 1.0))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        return grad * xp.where(x >= 1, 1.0, 0.5 * (xp.clip(x, -1.0, 1.0) + 1.0))


@_register("gelu")
class _GELU(ActivationFunction):
    """gelu(x) = x Phi(x), Phi the standard normal CDF (Hendrycks & Gimpel 2016).

    ``approximate=False`` is the default of ``keras.activations.gelu`` (``keras.ops.gelu``
    defaults to True). Exact: Phi from ``_normal_cdf`` (float64 inside), derivative
    Phi(x) + x phi(x). Approximate: 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3),
    evaluated as x sigmoid(2u) (the same number, without 1 + tanh cancelling for x << 0; x is
    clipped to +-1e3 inside u, where sigmoid(2u) is already exactly 0 or 1, so x^3 cannot
    overflow); derivative s + x s (1 - s) 2u'.
    """

    _C = math.sqrt(2.0 / math.pi)

    def __call__(self, x, approximate=False):
        x = _float(x)
        if approximate:
            return x * _sigmoid(2.0 * self._u(x))
        return (x * _normal_cdf(x)).astype(x.dtype, copy=False)

    def backward(self, grad, x, y, approximate=False):
        xp = array_module(grad, x, y)
        if approximate:
            s = _sigmoid(2.0 * self._u(x))
            du = self._C * (1.0 + 3.0 * 0.044715 * xp.square(xp.clip(x, -1e3, 1e3)))
            return grad * (s + x * s * (1.0 - s) * 2.0 * du)
        slope = _normal_cdf(x) + x * _normal_pdf(x)
        return grad * slope.astype(grad.dtype, copy=False)

    def _u(self, x):
        xp = array_module(x)
        x = xp.clip(x, -1e3, 1e3)
        return self._C * (x + 0.044715 * x * x * x)


@_register("mish")
class _Mish(ActivationFunction):
    """mish(x) = x tanh(softplus(x)) (Misra 2019).

    Derivative tanh(sp) + x (1 - tanh(sp)^2) sigmoid(x), with sp = softplus(x).
    """

    def __call__(self, x):
        xp = array_module(x)
        x = _float(x)
        return x * xp.tanh(_softplus(x))

    def backward(self, grad, x, y):
        xp = array_module(grad, x, y)
        t = xp.tanh(_softplus(x))
        return grad * (t + x * (1.0 - t * t) * _sigmoid(x))


@_register("exponential")
class _Exponential(ActivationFunction):
    """exponential(x) = exp(x); derivative y. exp(x) is inf beyond x = 88 (float32) or 709
    (float64), as in Keras; that inf is returned without a warning (the loss reports it)."""

    def __call__(self, x):
        xp = array_module(x)
        with np.errstate(over="ignore"):
            return xp.exp(_float(x))

    def backward(self, grad, x, y):
        return grad * y


# --- over an axis ----------------------------------------------------------------------------

def _warn_single_class(x, axis, what):
    if isinstance(axis, int) and -x.ndim <= axis < x.ndim and x.shape[axis] == 1:
        warnings.warn(f"You are using a {what} over axis {axis} of a tensor of shape {x.shape}. "
                      f"This axis has size 1, so the {what} is constant. Did you mean to use a "
                      f"sigmoid instead?", stacklevel=3)


@_register("softmax")
class _Softmax(ActivationFunction):
    """softmax(x)_i = exp(x_i - max x) / sum_j exp(x_j - max x) over ``axis`` (-1; a tuple of
    axes works too). Shifting by the max changes nothing mathematically and keeps exp from
    overflowing. Warns, as Keras does, when the axis has size 1 (the output is then all ones).

    Jacobian diag(y) - y y^T, so the backward pass is y * (grad - sum(grad * y)).
    """

    def __call__(self, x, axis=-1):
        xp = array_module(x)
        x = _float(x)
        _warn_single_class(x, axis, "softmax")
        e = x - xp.max(x, axis=axis, keepdims=True)          # one full-size buffer, reused
        xp.exp(e, out=e)
        e /= xp.sum(e, axis=axis, keepdims=True)
        return e

    def backward(self, grad, x, y, axis=-1):
        xp = array_module(grad, x, y)
        dx = xp.multiply(grad, y)                           # one full-size buffer, reused
        total = xp.sum(dx, axis=axis, keepdims=True)
        xp.subtract(grad, total, out=dx)
        dx *= y
        return dx


@_register("log_softmax")
class _LogSoftmax(ActivationFunction):
    """log_softmax(x) = x - max x - log(sum exp(x - max x)) over ``axis``; exp(y) is the softmax.

    Derivative: grad - exp(y) * sum(grad) over the axis.
    """

    def __call__(self, x, axis=-1):
        xp = array_module(x)
        x = _float(x)
        _warn_single_class(x, axis, "log_softmax")
        shifted = x - xp.max(x, axis=axis, keepdims=True)
        shifted -= xp.log(xp.sum(xp.exp(shifted), axis=axis, keepdims=True))
        return shifted

    def backward(self, grad, x, y, axis=-1):
        xp = array_module(grad, x, y)
        return grad - xp.exp(y) * xp.sum(grad, axis=axis, keepdims=True)


@_register("sparsemax")
class _Sparsemax(ActivationFunction):
    """sparsemax(x) = max(x - tau, 0) over ``axis``, tau chosen so the outputs sum to 1
    (Martins & Astudillo 2016): the Euclidean projection of x onto the probability simplex,
    exactly zero outside a support S.

    Derivative on S: grad - mean of grad over S; 0 outside S.
    """

    def __call__(self, x, axis=-1):
        xp = array_module(x)
        x = xp.moveaxis(_float(x), axis, -1)
        ranked = -xp.sort(-x, axis=-1)
        cumulative = xp.cumsum(ranked, axis=-1)
        k = xp.arange(1, x.shape[-1] + 1, dtype=x.dtype)
        support = ranked - (cumulative - 1.0) / k > 0
        size = xp.sum(support, axis=-1, keepdims=True)
        tau = (xp.take_along_axis(cumulative, size - 1, axis=-1) - 1.0) / size
        return xp.moveaxis(xp.maximum(x - tau.astype(x.dtype), 0.0), -1, axis)

    def backward(self, grad, x, y, axis=-1):
        xp = array_module(grad, x, y)
        support = y > 0
        mean = xp.sum(grad * support, axis=axis, keepdims=True) / xp.sum(
            support, axis=axis, keepdims=True)
        return (grad - mean.astype(grad.dtype, copy=False)) * support


@_register("glu")
class _GLU(ActivationFunction):
    """glu(x) = a * sigmoid(b), where a and b are the two halves of x along ``axis``
    (Dauphin et al. 2017); the output is half as wide.

    Derivative: d a = grad * sigmoid(b), d b = grad * y * (1 - sigmoid(b)).
    """

    def __call__(self, x, axis=-1):
        a, b = self._halves(_float(x), axis)
        return a * _sigmoid(b)

    def backward(self, grad, x, y, axis=-1):
        xp = array_module(grad, x, y)
        a, b = self._halves(x, axis)
        gate = _sigmoid(b)
        return xp.concatenate([grad * gate, grad * y * (1.0 - gate)], axis=axis)

    def output_shape(self, shape):
        shape = tuple(shape)
        if shape and shape[-1] is not None:
            if shape[-1] % 2:
                raise ValueError(f"glu halves the last axis, so its size must be even; got "
                                 f"{shape[-1]} units. Give the layer an even number of units.")
            shape = shape[:-1] + (shape[-1] // 2,)
        return shape

    @staticmethod
    def _halves(x, axis):
        xp = array_module(x)
        if x.shape[axis] % 2:
            raise ValueError(f"glu splits axis {axis} into two halves, so its size must be even; "
                             f"got shape {x.shape}.")
        return xp.split(x, 2, axis=axis)


linear = registry.lookup("linear")
relu = registry.lookup("relu")
leaky_relu = registry.lookup("leaky_relu")
relu6 = registry.lookup("relu6")
elu = registry.lookup("elu")
selu = registry.lookup("selu")
celu = registry.lookup("celu")
threshold = registry.lookup("threshold")
sigmoid = registry.lookup("sigmoid")
hard_sigmoid = registry.lookup("hard_sigmoid")
sparse_sigmoid = registry.lookup("sparse_sigmoid")
log_sigmoid = registry.lookup("log_sigmoid")
silu = swish = registry.lookup("silu")
hard_silu = hard_swish = registry.lookup("hard_silu")
tanh = registry.lookup("tanh")
hard_tanh = registry.lookup("hard_tanh")
tanh_shrink = registry.lookup("tanh_shrink")
soft_shrink = registry.lookup("soft_shrink")
hard_shrink = registry.lookup("hard_shrink")
softplus = registry.lookup("softplus")
softsign = registry.lookup("softsign")
squareplus = registry.lookup("squareplus")
sparse_plus = registry.lookup("sparse_plus")
gelu = registry.lookup("gelu")
mish = registry.lookup("mish")
exponential = registry.lookup("exponential")
softmax = registry.lookup("softmax")
log_softmax = registry.lookup("log_softmax")
sparsemax = registry.lookup("sparsemax")
glu = registry.lookup("glu")


def get(identifier):
    """Keras's ``activations.get``: None -> linear, a name -> the activation, a callable -> itself.

    An unknown name raises ``UnknownNameError`` (a ``ValueError``) quoting the closest names.
    """
    if identifier is None:
        return linear
    return registry.get(identifier)


def serialize(activation):
    """The canonical name of a built-in activation (``swish`` -> ``'silu'``), as Keras."""
    return registry.serialize(activation)


def deserialize(config):
    return registry.deserialize(config)
