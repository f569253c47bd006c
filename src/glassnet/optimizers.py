"""Optimizers (``keras.optimizers``): SGD, Adagrad, RMSprop, Adam and its variants AdamW,
Adamax and Nadam, with Keras 3's defaults and update rules (``keras/src/optimizers/*.py``,
as they run on the torch backend), in order of increasing complexity.

Each step is ``optimizer.apply(params, grads)``: every weight array is updated in place.
Gradients come from the layers' ``backward``; only the optimizer changes weights. The base
class does what all of them share, in Keras's order: count the step, clip the gradients
(``clipnorm`` / ``global_clipnorm`` / ``clipvalue``), decay the weights (``weight_decay``),
then the subclass's ``update`` for each weight.

State ("slots", e.g. Adam's momentum and velocity) is positional: ``slots[i]`` belongs to the
i-th weight array of ``params``, in the model's trainable-weight order, so it can be saved and
read back. ``variables`` lists the whole state in Keras's order (``optimizer.variables``).

``learning_rate`` is a number or a schedule from ``glassnet.optimizers.schedules`` (or any
callable of no argument, as Keras allows): a schedule is evaluated once per step at the
number of steps already taken, before the step, as Keras does.
"""
import math
import numbers
import sys
import warnings

import numpy as np

from . import config, schedules
from .backend import array_module, host_copy, to_host
from ._registry import Registry
from .naming import unique_name

_CLIP_ARGS = ("clipnorm", "global_clipnorm", "clipvalue")


FLUSH_EVERY = 32       # steps between flushes of subnormal optimizer state (see _flush_subnormals)


class Optimizer:
    """Base class of the optimizers.

    Arguments every optimizer takes, as Keras: ``learning_rate`` (a number or a schedule);
    ``weight_decay`` (each step ``w *= 1 - weight_decay * learning_rate`` before the update);
    at most one of ``clipnorm`` (each gradient rescaled to an L2 norm of at most this),
    ``global_clipnorm`` (all gradients rescaled together) and ``clipvalue`` (each element
    clipped to ``[-v, v]``); ``name``.
    Keras's ``use_ema``, ``loss_scale_factor`` and ``gradient_accumulation_steps`` are accepted
    at their defaults only (so Keras configs load) and refused otherwise.

    A subclass names its state in ``slot_groups()`` and defines ``update(param, grad, slots,
    scratch)``, which changes ``param`` and the arrays of the dict ``slots`` in place.
    ``scratch`` is a preallocated array of ``param``'s shape that ``update`` may overwrite:
    with it a step allocates no array (temporaries made W1's Adam step about a quarter
    slower: allocating and first-touching fresh memory costs as much as a pass of arithmetic).
    """

    default_name = "optimizer"          # Keras's snake-case class name, e.g. "rm_sprop"

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored "
                          "(as in Keras 3).", UserWarning, stacklevel=3)
        if kwargs:
            raise TypeError(f"{type(self).__name__} got unexpected argument(s) "
                            f"{', '.join(map(repr, kwargs))}.")
        self.learning_rate = learning_rate
        self.weight_decay = _optional(weight_decay, "weight_decay", low=0.0)
        self.clipnorm = _optional(clipnorm, "clipnorm", low=0.0)
        self.clipvalue = _optional(clipvalue, "clipvalue", low=0.0)
        self.global_clipnorm = _optional(global_clipnorm, "global_clipnorm", low=0.0)
        clipping = [a for a in _CLIP_ARGS if getattr(self, a) is not None]
        if len(clipping) > 1:
            raise ValueError(f"Only one of clipnorm, clipvalue and global_clipnorm can be set; "
                             f"got {' and '.join(clipping)}.")
        _refuse("use_ema", use_ema, False)
        _refuse("ema_overwrite_frequency", ema_overwrite_frequency, None)
        _refuse("loss_scale_factor", loss_scale_factor, None)
        _refuse("gradient_accumulation_steps", gradient_accumulation_steps, None)
        self.use_ema = False
        self.ema_momentum = ema_momentum              # unused while use_ema is False
        self.ema_overwrite_frequency = None
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = None
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}.")
        self.name = name or unique_name(self.default_name)
        self.iterations = 0
        self.built = False
        self.slots = []                 # slots[i]: {slot name: array} of the i-th weight

    # -- the learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The step size now: the number, or the schedule's value at the current step count.
        A number is settable (e.g. by a callback between steps); a schedule's value is not."""
        rate = self._learning_rate
        if isinstance(rate, schedules.LearningRateSchedule):
            return rate(self.iterations)
        return rate() if callable(rate) else rate

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, dict):                     # a serialized schedule (a config)
            value = schedules.deserialize(value)
        if callable(value):
            self._learning_rate = value
            return
        if self.learning_rate_schedule is not None:
            raise TypeError(f"{type(self).__name__} {self.name!r} was created with a "
                            f"learning-rate schedule, so its learning rate cannot be set. "
                            f"Create the optimizer with a number as learning_rate to change it "
                            f"during training.")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"learning_rate must be a number such as 0.001 or a schedule such "
                            f"as glassnet.optimizers.schedules.ExponentialDecay(0.01, 1000, "
                            f"0.9); got {value!r}.")
        self._learning_rate = _check_range(value, "learning_rate", 0.0, math.inf)

    @property
    def learning_rate_schedule(self):
        """The schedule (or callable) behind ``learning_rate``, or None for a plain number."""
        rate = getattr(self, "_learning_rate", None)
        return rate if callable(rate) else None

    # -- state --------------------------------------------------------------------------------
    def slot_groups(self):
        """Names of the per-weight state arrays, grouped as Keras creates them: the names of
        one group alternate weight by weight (Adam: momentum, velocity of weight 0, then of
        weight 1, ...), and groups follow one another (then Adam's velocity_hat of each)."""
        return ()

    def initial_slot(self, name, param):
        """The starting value of slot ``name`` for ``param``: zeros (Adagrad overrides)."""
        xp = array_module(param)
        return xp.zeros_like(param)

    def build(self, params):
        """Create the state for the weight arrays ``params`` (the model's trainable weights,
        in order). ``apply`` builds on its first call; loading a saved state builds first."""
        params = list(params)
        dtypes = {p.dtype for p in params}
        if len(dtypes) > 1:
            raise TypeError(f"All weights given to one optimizer must share a dtype; got "
                            f"{sorted(d.name for d in dtypes)}.")
        names = [name for group in self.slot_groups() for name in group]
        self.slots = [{name: self.initial_slot(name, p) for name in names} for p in params]
        self._param_ids = tuple(map(id, params))
        self._float_type = params[0].dtype if params else np.dtype(config.floatx())
        self._scratch = _shared_views(params)
        self._clip_scratch = _shared_views(params) if self._clips() else [None] * len(params)
        self.built = True

    @property
    def variables(self):
        """The whole state as Keras's ``optimizer.variables`` orders it: the step count
        (``iteration``), ``learning_rate``, then the slots group by group. Slot arrays are
        the live state; the first two are snapshots (set them with ``set_weights``)."""
        return self._head() + [slots[name] for group in self.slot_groups()
                               for slots in self.slots for name in group]

    def _head(self):
        """The step count, and the learning rate unless a schedule gives it (Keras keeps no
        learning-rate variable then)."""
        head = [np.array(self.iterations, dtype=np.int32)]
        if self.learning_rate_schedule is None:
            dtype = self._float_type if self.built else config.floatx()
            head.append(np.array(self.learning_rate, dtype=dtype))
        return head

    def set_weights(self, weights):
        """Set the state from arrays in the order of ``variables`` (as Keras's)."""
        weights = list(weights)
        current = self.variables
        head = len(self._head())
        if len(weights) != len(current):
            names = "iteration" if head == 1 else "iteration, learning_rate"
            raise ValueError(
                f"{type(self).__name__} {self.name!r} has {len(current)} variables ({names} and "
                f"{len(current) - head} state arrays), got {len(weights)}. Call "
                f"optimizer.build(model.trainable_weights) first if it has not stepped yet.")
        for index, (variable, value) in enumerate(zip(current, weights)):
            value = to_host(value)
            if value.shape != variable.shape:
                raise ValueError(f"Optimizer variable {index} has shape {variable.shape}, got "
                                 f"an array of shape {value.shape}.")
        self.iterations = int(weights[0])
        if head == 2:
            self.learning_rate = float(weights[1])
        for variable, value in zip(current[head:], weights[head:]):
            variable[...] = array_module(variable).asarray(value)

    def save_own_variables(self, store):
        """Write ``variables`` into ``store`` under "0", "1", ... (Keras's file layout)."""
        for index, variable in enumerate(self.variables):
            store[str(index)] = host_copy(variable)

    def load_own_variables(self, store):
        """Read what ``save_own_variables`` wrote. As Keras, a store with another number of
        variables is skipped with a warning (e.g. state saved before the first step)."""
        count = len(self.variables)
        if len(store.keys()) != count:
            warnings.warn(f"Skipping variable loading for optimizer {self.name!r}: it has "
                          f"{count} variables, the saved optimizer has {len(store.keys())}.",
                          UserWarning, stacklevel=2)
            return
        self.set_weights([store[str(index)] for index in range(count)])

    def count_params(self):
        """What Keras's ``summary()`` prints as "Optimizer params": the size of every variable
        (iteration and learning rate included) once built, 0 before."""
        return sum(int(v.size) for v in self.variables) if self.built else 0

    # -- one step -----------------------------------------------------------------------------
    def apply(self, params, grads):
        """One step: ``iterations`` += 1, then each array of ``params`` is updated in place
        from the same-position array of ``grads``. (Keras's ``apply`` takes the gradients
        first; ``apply_gradients`` takes Keras's ``(grad, variable)`` pairs.)"""
        if len(grads) != len(params):
            raise ValueError(f"apply got {len(params)} weight arrays but {len(grads)} gradients.")
        if not params:
            return                      # nothing to train (all frozen): a no-op, as Keras
        if not self.built:
            self.build(params)
        elif tuple(map(id, params)) != self._param_ids:
            raise ValueError(
                f"Optimizer {self.name!r} was built for other weight arrays (another model, or "
                f"before the trainable weights changed). Use a new optimizer instance: "
                f"compile again with a fresh one, e.g. optimizer='{self.default_name}'.")
        self._lr = self.learning_rate       # a schedule's value before the count moves, as Keras
        self.iterations += 1
        self.begin_step(self.iterations, params[0].dtype.type)
        global_scale = self._global_clip_scale(grads) if self.global_clipnorm else None
        decay = 1.0 - self.weight_decay * self._lr if self.weight_decay else None
        for param, grad, slots, scratch, clip_out in zip(
                params, grads, self.slots, self._scratch, self._clip_scratch):
            if clip_out is not None:
                grad = self._clip(grad, global_scale, clip_out)
            if decay is not None:
                param *= decay
            self.update(param, grad, slots, scratch)
        if self.iterations % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _flush_subnormals(self):
        """Set optimizer-state values below the float type's smallest normal number to 0.

        A slot whose gradient stays 0 (a dead unit's momentum) decays geometrically into
        subnormal floats after some hundreds of steps, and CPU arithmetic on subnormals is
        many times slower: W1's Adam epochs took twice as long from epoch 13 on. Values this
        small (< 1.2e-38 in float32) cannot change a weight, so zeroing them changes no result
        beyond that size; doing it every FLUSH_EVERY steps keeps its cost negligible.
        """
        for slots in self.slots:
            for slot in slots.values():
                if slot.dtype.kind == "f":
                    xp = array_module(slot)
                    tiny = np.finfo(slot.dtype).tiny
                    xp.copyto(slot, 0, where=xp.abs(slot) < tiny)

    def apply_gradients(self, grads_and_vars):
        """Keras's form: an iterable of ``(gradient, weight)`` pairs."""
        grads, params = zip(*grads_and_vars)
        self.apply(list(params), list(grads))
        return self.iterations

    def begin_step(self, step, float_type):
        """Work done once per step before the per-weight updates (Adam's bias-corrected step
        size); ``step`` counts from 1, ``self._lr`` is this step's learning rate."""

    def update(self, param, grad, slots, scratch):
        raise NotImplementedError

    # -- clipping, as keras/src/optimizers/base_optimizer.py ----------------------------------
    def _clips(self):
        return any(getattr(self, a) for a in _CLIP_ARGS)      # 0 means off, as in Keras

    def _global_clip_scale(self, grads):
        """clipnorm * min(1 / norm, 1 / clipnorm) over all gradients; NaN when norm is not finite."""
        xp = array_module(*grads)      # the norm is fetched: clipping syncs once per step
        norm = math.sqrt(sum(float(xp.vdot(g, g)) for g in grads))
        scale = self.global_clipnorm * min(1.0 / norm if norm else math.inf,
                                           1.0 / self.global_clipnorm)
        return scale + (norm - norm)

    def _clip(self, grad, global_scale, out):
        xp = array_module(grad)
        if self.clipnorm:       # g * clipnorm / max(||g||, clipnorm)
            norm = math.sqrt(float(xp.vdot(grad, grad)))
            return xp.multiply(grad, self.clipnorm / max(norm, self.clipnorm), out=out)
        if self.global_clipnorm:
            return xp.multiply(grad, global_scale, out=out)
        return xp.clip(grad, -self.clipvalue, self.clipvalue, out=out)

    # -- config -------------------------------------------------------------------------------
    def get_config(self):
        """Keras's keys, in Keras's order (a schedule as its ``{"class_name", "config"}``)."""
        schedule = self.learning_rate_schedule
        learning_rate = self.learning_rate if schedule is None else schedule
        if isinstance(schedule, schedules.LearningRateSchedule):
            learning_rate = schedules.serialize(schedule)   # a plain function stays itself
        return {"name": self.name, "learning_rate": learning_rate,
                "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        base = Optimizer.get_config(self)
        own = {k: v for k, v in self.get_config().items() if k not in base}
        shown = {"learning_rate": self.learning_rate_schedule or self.learning_rate, **own,
                 **{k: getattr(self, k) for k in ("weight_decay",) + _CLIP_ARGS
                    if getattr(self, k) is not None}}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args}, name={self.name!r})"


registry = Registry("optimizer", base=Optimizer)


@registry.register("SGD", "sgd")
class SGD(Optimizer):
    """Gradient descent, with momentum and Nesterov momentum (Keras's form).

    ``w -= lr * g``. With momentum ``mu`` a velocity ``m`` (starting at 0) carries past steps:
    ``m = mu * m - lr * g`` and ``w += m``; Nesterov looks one step ahead:
    ``w += mu * m - lr * g`` with the new ``m``.

    PyTorch writes the same method with the learning rate outside the buffer
    (``b = mu * b + g``, ``w -= lr * b``): for a constant learning rate ``m = -lr * b`` at every
    step, so the weights agree; when the learning rate changes, Keras's velocity keeps the old
    rates' steps and PyTorch's rescales them.

    Defaults as Keras: ``learning_rate=0.01``, ``momentum=0.0``, ``nesterov=False``.
    """

    default_name = "sgd"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.nesterov = _check_bool(nesterov, "nesterov")

    def slot_groups(self):
        return [("momentum",)] if self.momentum != 0 else []

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        step = xp.multiply(grad, self._lr, out=scratch)                    # lr * g
        if self.momentum == 0:
            param -= step
            return
        velocity = slots["momentum"]
        velocity *= self.momentum
        velocity -= step
        if self.nesterov:
            param -= step
            param += xp.multiply(velocity, self.momentum, out=scratch)
        else:
            param += velocity

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _divide_by_root(grad, square_sum, epsilon, learning_rate, scratch):
    """``lr * g / sqrt(square_sum + epsilon)`` into ``scratch`` (Adagrad's and RMSprop's step;
    epsilon inside the root, as Keras)."""
    xp = array_module(grad, square_sum, scratch)
    xp.add(square_sum, epsilon, out=scratch)
    xp.sqrt(scratch, out=scratch)
    xp.divide(grad, scratch, out=scratch)
    scratch *= learning_rate
    return scratch


def _move_average(average, value, decay, scratch):
    """``average = decay * average + (1 - decay) * value``, in place (Keras on torch's order)."""
    xp = array_module(average, value, scratch)
    average *= decay
    average += xp.multiply(value, 1 - decay, out=scratch)


def _move_square_average(average, grad, decay, scratch):
    """``average = decay * average + (1 - decay) * grad**2``, in place."""
    xp = array_module(average, grad, scratch)
    average *= decay
    xp.multiply(grad, grad, out=scratch)
    scratch *= 1 - decay
    average += scratch


@registry.register("Adagrad", "adagrad")
class Adagrad(Optimizer):
    """SGD with a step per weight that shrinks with the sum of that weight's squared gradients.

    ``a += g**2``, ``w -= lr * g / sqrt(a + epsilon)``, the accumulator ``a`` starting at
    ``initial_accumulator_value``. Defaults as Keras: ``learning_rate=0.001``,
    ``initial_accumulator_value=0.1``, ``epsilon=1e-7``.
    """

    default_name = "adagrad"

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value = _check_range(
            initial_accumulator_value, "initial_accumulator_value", 0.0, math.inf)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulator",)]

    def initial_slot(self, name, param):
        xp = array_module(param)
        return xp.full_like(param, self.initial_accumulator_value)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        accumulator = slots["accumulator"]
        accumulator += xp.multiply(grad, grad, out=scratch)
        param -= _divide_by_root(grad, accumulator, self.epsilon, self._lr, scratch)

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@registry.register("RMSprop", "rmsprop")
class RMSprop(Optimizer):
    """Adagrad whose sum of squared gradients becomes a moving average, so steps do not
    shrink forever; optionally centered and with momentum.

    ``v = rho * v + (1 - rho) * g**2``; the step is ``lr * g / sqrt(v + epsilon)``, or
    centered ``lr * g / sqrt(v - gbar**2 + epsilon)`` with ``gbar = rho * gbar + (1 - rho) * g``
    (the variance instead of the second moment). With momentum ``mu``:
    ``m = mu * m + step``, ``w -= m``; otherwise ``w -= step``.
    Defaults as Keras: ``learning_rate=0.001``, ``rho=0.9``, ``momentum=0.0``,
    ``epsilon=1e-7``, ``centered=False``.
    """

    default_name = "rm_sprop"           # what Keras names it

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7,
                 centered=False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_range(rho, "rho", 0.0, 1.0, high_open=True)
        self.momentum = _check_range(momentum, "momentum", 0.0, 1.0)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)
        self.centered = _check_bool(centered, "centered")

    def slot_groups(self):
        groups = [("velocity",)]
        if self.momentum > 0:
            groups.append(("momentum",))
        if self.centered:
            groups.append(("average_gradient",))
        return groups

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        velocity = slots["velocity"]                    # v = rho v + (1 - rho) g^2
        if not self.centered and not self.momentum and _on_gpu(xp):   # the lines below, fused
            _kernel("rmsprop")(grad, self.rho, 1 - self.rho, self.epsilon, self._lr,
                               param, velocity)
            return
        _move_square_average(velocity, grad, self.rho, scratch)
        square_mean = velocity
        if self.centered:
            average = slots["average_gradient"]         # gbar = rho gbar + (1 - rho) g
            _move_average(average, grad, self.rho, scratch)
            xp.multiply(average, average, out=scratch)  # v - gbar^2
            square_mean = xp.subtract(velocity, scratch, out=scratch)
        step = _divide_by_root(grad, square_mean, self.epsilon, self._lr, scratch)
        if self.momentum > 0:
            momentum = slots["momentum"]
            momentum *= self.momentum
            momentum += step
            step = momentum
        param -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


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
        if not self.amsgrad and _on_gpu(xp):             # the lines below as one GPU kernel
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

    def build(self, params):
        params = list(params)
        super().build(params)
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


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', 'rmsprop', ...; case and underscores ignored,
    as Keras's), a config dict, a class, or an instance (returned as is)."""
    if identifier is None or isinstance(identifier, Optimizer):
        return identifier
    optimizer = registry.get(identifier)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"Could not interpret optimizer {identifier!r}: pass a name such as "
                        f"'adam', a config dict, or an instance such as "
                        f"glassnet.optimizers.SGD(0.01).")
    return optimizer


def serialize(optimizer):
    return registry.serialize(optimizer)


def deserialize(config_):
    return registry.deserialize(config_)


# Keras's `keras.optimizers.schedules`: also importable as `glassnet.optimizers.schedules`
sys.modules[__name__ + ".schedules"] = schedules


# -- one GPU kernel per update (CuPy only) ----------------------------------------------------
# On a GPU each NumPy-style line above is one kernel launch, and a small network's step is
# bound by launches, not arithmetic: Adam's update is ten launches per weight array. These are
# the same lines, in the same order, as one CuPy ElementwiseKernel each (the results agree with
# the NumPy lines to float rounding: the GPU may fuse a multiply and an add).
_KERNELS = {
    "adam": ("T g, T beta_1, T one_minus_beta_1, T beta_2, T one_minus_beta_2, T epsilon, "
             "T alpha", "T w, T m, T v",
             "m = m * beta_1 + g * one_minus_beta_1;"
             "v = v * beta_2 + (g * g) * one_minus_beta_2;"
             "w -= (m / (sqrt(v) + epsilon)) * alpha;"),
    "rmsprop": ("T g, T rho, T one_minus_rho, T epsilon, T lr", "T w, T v",
                "v = v * rho + (g * g) * one_minus_rho;"
                "w -= (g / sqrt(v + epsilon)) * lr;"),
}
_COMPILED = {}


def _on_gpu(xp):
    return xp.__name__ == "cupy"


def _kernel(name):
    """The CuPy kernel of update ``name``, compiled on first use."""
    if name not in _COMPILED:
        import cupy
        in_params, out_params, body = _KERNELS[name]
        _COMPILED[name] = cupy.ElementwiseKernel(in_params, out_params, body,
                                                 f"glassnet_{name}_update")
    return _COMPILED[name]


# -- helpers --------------------------------------------------------------------------------
def _shared_views(params):
    """One buffer as long as the largest array, seen in the shape of each: scratch space that
    the per-weight updates reuse one after another."""
    if not params:
        return []
    xp = array_module(*params)
    buffer = xp.empty(max(p.size for p in params), dtype=params[0].dtype)
    return [buffer[:p.size].reshape(p.shape) for p in params]


def _check_range(value, name, low, high, high_open=False):
    """``value`` as a float in [low, high] (or [low, high)); else one clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}.")
    value = float(value)
    inside = low <= value < high if high_open else low <= value <= high
    if not inside:
        interval = f"[{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return value


def _optional(value, name, low):
    return None if value is None else _check_range(value, name, low, math.inf)


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _refuse(name, value, default):
    if value != default:
        raise ValueError(f"glassnet's optimizers do not support {name}={value!r} yet; leave it "
                         f"at {default!r}.")
