"""The Adam family: Adam (with AMSGrad), AdamW, Adamax, Nadam and Lamb, sharing
``beta_1``, ``beta_2``, ``epsilon``.
"""
import math

import numpy as np

from ..arrays import array_module, is_cupy
from .arguments import _check_bool, _check_range
from .base import Optimizer, _shared_views, registry
from .fused import _kernel
from .moments import _move_average, _move_square_average


class _AdamFamily(Optimizer):
    """What Adam, Adamax and Nadam share: ``beta_1``, ``beta_2``, ``epsilon`` (Keras's
    defaults 0.9, 0.999, 1e-7) and their config keys."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1 = _check_range(beta_1, "beta_1", 0.0, 1.0, high_open=True)
        self.beta_2 = _check_range(beta_2, "beta_2", 0.0, 1.0, high_open=True)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


@registry.register("Adam", "adam")
class Adam(_AdamFamily):
    """RMSprop's moving average of squared gradients plus a moving average of the gradients
    themselves (momentum), both corrected for starting at zero.

    At step ``t``: ``m = beta_1 * m + (1 - beta_1) * g``,
    ``v = beta_2 * v + (1 - beta_2) * g**2`` (Keras writes ``m += (g - m) * (1 - beta_1)``;
    this form is one pass cheaper and the order Keras runs on torch),
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)`` computed in the weights' float type,
    as Keras. amsgrad divides by the largest ``v`` so far instead (``v_hat = max(v_hat, v)``).

    Keras's epsilon and PyTorch's differ in place: this is PyTorch's Adam
    (``lr * m_hat / (sqrt(v_hat) + eps)`` with bias-corrected ``m_hat``, ``v_hat``) with
    ``eps`` replaced by ``epsilon / sqrt(1 - beta_2**t)``; the two agree exactly when epsilon
    is 0 and differ slightly otherwise (most in the first steps). Keras's default
    ``epsilon=1e-7``, PyTorch's 1e-8.
    Defaults as Keras: ``learning_rate=0.001``, ``beta_1=0.9``, ``beta_2=0.999``,
    ``epsilon=1e-7``, ``amsgrad=False``.
    """

    default_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, **kwargs)
        self.amsgrad = _check_bool(amsgrad, "amsgrad")

    def slot_groups(self):
        groups = [("momentum", "velocity")]
        if self.amsgrad:
            groups.append(("velocity_hat",))
        return groups

    def begin_step(self, step, float_type):
        self._alpha = self._step_size(step, float_type)

    def _step_size(self, t, float_type):
        """lr * sqrt(1 - beta_2**t) / (1 - beta_1**t), in the weights' float type as Keras."""
        one, t = float_type(1), float_type(t)
        return (float_type(self._lr) * np.sqrt(one - float_type(self.beta_2) ** t)
                / (one - float_type(self.beta_1) ** t))

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        m, v = slots["momentum"], slots["velocity"]
        if xp is not np and not self.amsgrad and is_cupy(xp):   # the lines below, one kernel
            _kernel("adam")(grad, self.beta_1, 1 - self.beta_1, self.beta_2, 1 - self.beta_2,
                            self.epsilon, self._alpha, param, m, v)
            return
        _move_average(m, grad, self.beta_1, scratch)
        _move_square_average(v, grad, self.beta_2, scratch)
        if self.amsgrad:                                # v_hat = max(v_hat, v)
            v = xp.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        xp.sqrt(v, out=scratch)                         # w -= alpha m / (sqrt(v) + eps)
        scratch += self.epsilon
        xp.divide(m, scratch, out=scratch)
        scratch *= self._alpha
        param -= scratch

    def get_config(self):
        return {**super().get_config(), "amsgrad": self.amsgrad}


@registry.register("AdamW", "adamw")
class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019): before each Adam step
    every weight shrinks, ``w *= 1 - weight_decay * lr``, instead of an L2 term in the loss
    (whose gradient Adam would rescale per weight). This is the ``weight_decay`` every
    optimizer takes, on by default: ``weight_decay=0.004`` as Keras; the other defaults are
    Adam's. PyTorch's ``AdamW`` shrinks by the same factor before its step.
    """

    default_name = "adam_w"             # what Keras names it

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW needs a number as weight_decay, e.g. 0.004 (Keras's "
                             "default); got None. Use Adam for no weight decay.")
        super().__init__(learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


@registry.register("Adamax", "adamax")
class Adamax(_AdamFamily):
    """Adam with the infinity norm in place of the root mean square (Kingma & Ba 2015, 7.1).

    ``m = beta_1 * m + (1 - beta_1) * g``, ``u = max(beta_2 * u, |g|)`` (the "norm" slot),
    ``w -= lr * m / ((u + epsilon) * (1 - beta_1**t))``: no bias correction for ``u``, which
    a maximum does not need. Computed as ``(m / d) * lr``, Keras on torch as ``(m * lr) / d``:
    the same to a unit in the last place.
    """

    default_name = "adamax"

    def slot_groups(self):
        return [("momentum", "norm")]

    def begin_step(self, step, float_type):
        self._correction = float_type(1) - float_type(self.beta_1) ** float_type(step)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        m, u = slots["momentum"], slots["norm"]
        _move_average(m, grad, self.beta_1, scratch)
        u *= self.beta_2                                # u = max(beta_2 u, |g|)
        xp.maximum(u, xp.abs(grad, out=scratch), out=u)
        xp.add(u, self.epsilon, out=scratch)            # w -= lr m / ((u + eps) (1 - beta_1^t))
        scratch *= self._correction
        xp.divide(m, scratch, out=scratch)
        scratch *= self._lr
        param -= scratch


@registry.register("Nadam", "nadam")
class Nadam(_AdamFamily):
    """Adam with Nesterov momentum (Dozat 2016), with Keras's momentum schedule.

    At step ``t`` the momentum factor is ``u_t = beta_1 * (1 - 0.5 * 0.96**t)`` and
    ``P_t = u_1 * ... * u_t`` their running product (a state variable, Keras's last one).
    ``m`` and ``v`` move as Adam's; the step looks ahead one momentum factor:
    ``m_hat = u_{t+1} * m / (1 - P_t * u_{t+1}) + (1 - u_t) * g / (1 - P_t)``,
    ``v_hat = v / (1 - beta_2**t)``, ``w -= lr * m_hat / (sqrt(v_hat) + epsilon)``,
    in the order of operations Keras runs on torch.
    """

    default_name = "nadam"

    def slot_groups(self):
        return [("momentum", "velocity")]

    def build(self, params, names=None, constraints=None):
        params = list(params)
        super().build(params, names, constraints)
        self._u_product = np.ones((), dtype=self._float_type)    # a host number
        self._scratch = list(zip(self._scratch, _shared_views(params)))   # two per weight

    @property
    def variables(self):
        return super().variables + ([self._u_product] if self.built else [])

    def begin_step(self, step, float_type):
        f = float_type
        beta_1, decay, half, one = f(self.beta_1), f(0.96), f(0.5), f(1)
        u_t = beta_1 * (one - half * decay ** f(step))
        u_next = beta_1 * (one - half * decay ** f(step + 1))
        product = self._u_product * u_t
        self._u_product[...] = product
        self._u_next, self._gradient_share = u_next, one - u_t
        self._momentum_denominator = one - product * u_next
        self._gradient_denominator = one - product
        self._velocity_denominator = one - f(self.beta_2) ** f(step)
        self._step_lr = f(self._lr)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        first, second = scratch
        m, v = slots["momentum"], slots["velocity"]
        _move_average(m, grad, self.beta_1, first)
        _move_square_average(v, grad, self.beta_2, first)
        xp.multiply(m, self._u_next, out=first)         # m_hat
        first /= self._momentum_denominator
        xp.multiply(grad, self._gradient_share, out=second)
        second /= self._gradient_denominator
        first += second
        first *= self._step_lr                          # lr m_hat / (sqrt(v_hat) + eps)
        xp.divide(v, self._velocity_denominator, out=second)
        xp.sqrt(second, out=second)
        second += self.epsilon
        first /= second
        param -= first


@registry.register("Lamb", "lamb")
class Lamb(_AdamFamily):
    """Adam's bias-corrected step, rescaled per weight array by the trust ratio
    ||w|| / ||step|| (You et al. 2019), so each layer moves by a share of its own size.

    ``m += (g - m)(1 - beta_1)``, ``v += (g**2 - v)(1 - beta_2)``,
    ``step = (m / (1 - beta_1**t)) / (sqrt(v / (1 - beta_2**t)) + epsilon)``,
    ``w -= r lr step`` with ``r = ||w|| / ||step||`` (1 when either norm is 0).
    Defaults as Keras: ``learning_rate=0.001``, ``beta_1=0.9``, ``beta_2=0.999``,
    ``epsilon=1e-7``.
    """

    default_name = "lamb"

    def slot_groups(self):
        return [("momentum", "velocity")]

    def begin_step(self, step, float_type):
        f, t = float_type, float_type(step)
        self._first_correction = f(1) - f(self.beta_1) ** t
        self._second_correction = f(1) - f(self.beta_2) ** t

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        m, v = slots["momentum"], slots["velocity"]
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        step = (m / self._first_correction) / (
            xp.sqrt(v / self._second_correction) + self.epsilon)
        weight_norm = float(xp.sqrt(xp.sum(param * param)))     # exact float32 values, so the
        step_norm = float(xp.sqrt(xp.sum(step * step)))         # ratio rounds as Keras's
        ratio = weight_norm / step_norm if weight_norm > 0 and step_norm > 0 else 1.0
        param -= param.dtype.type(ratio) * param.dtype.type(self._lr) * step
