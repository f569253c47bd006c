"""Optimizers (``keras.optimizers``): SGD, Adagrad, RMSprop, Adam and its variants AdamW,
Adamax and Nadam, then Adadelta, Ftrl, Lion, Lamb and Adafactor, with Keras 3's defaults and
update rules (``keras/src/optimizers/*.py``, as they run on the torch backend), in order of
increasing complexity.

Each step is ``optimizer.apply(params, grads)``: every weight array is updated in place.
Gradients come from the layers' ``backward``; only the optimizer changes weights. The base
class does what all of them share, in Keras's order: skip weights without a gradient, add
up gradients (``gradient_accumulation_steps``), clip them (``clipnorm`` / ``global_clipnorm``
/ ``clipvalue``), decay the weights (``weight_decay``), the subclass's ``update`` for each
weight, then the moving averages (``use_ema``), the weights' constraints, and count the step.

State ("slots", e.g. Adam's momentum and velocity) is positional: ``slots[i]`` belongs to the
i-th weight array of ``params``, in the model's trainable-weight order, so it can be saved and
read back. ``variables`` lists the whole state in Keras's order (``optimizer.variables``).

``learning_rate`` is a number or a schedule from ``glassnet.optimizers.schedules`` (or any
callable of no argument, as Keras allows): a schedule is evaluated once per step at the
number of steps already taken, before the step, as Keras does.
"""
import math
import numbers
import re
import sys
import warnings

import numpy as np

from . import config, schedules
from .backend import array_module, elementwise_kernel, host_copy, is_cupy, to_host
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
    ``use_ema``: keep an exponential moving average of each weight, ``a = m a + (1 - m) w``
    after every step (``m = ema_momentum``, 0 at the first step so that ``a`` starts at
    ``w``); every ``ema_overwrite_frequency`` steps the weights take the averages' values, and
    ``finalize_variable_values`` (called at the end of ``fit``) puts the averages in.
    ``gradient_accumulation_steps`` n: the gradients of n calls are summed and their mean
    applied at every n-th call (the steps between only accumulate); ``iterations`` then counts
    applied steps, the stored ``iteration`` every call, as Keras. Keras's
    ``loss_scale_factor`` is accepted at None only.
    A ``None`` gradient skips its weight (with Keras's warning); all ``None`` is an error.

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
        _refuse("loss_scale_factor", loss_scale_factor, None)
        self.use_ema = _check_bool(use_ema, "use_ema")
        self.ema_momentum, self.ema_overwrite_frequency = ema_momentum, ema_overwrite_frequency
        if self.use_ema:
            _check_range(ema_momentum, "ema_momentum", 0.0, 1.0)
            if ema_overwrite_frequency is not None and (
                    isinstance(ema_overwrite_frequency, bool)
                    or not isinstance(ema_overwrite_frequency, int)
                    or ema_overwrite_frequency < 1):
                raise ValueError(f"ema_overwrite_frequency must be an integer >= 1 or None; got "
                                 f"{ema_overwrite_frequency!r}.")
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = _accumulation_steps(gradient_accumulation_steps)
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a string, got {name!r}.")
        self.name = name or unique_name(self.default_name)
        self._iterations = 0            # every call of apply (Keras's "iteration" variable)
        self.built = False
        self.slots = []                 # slots[i]: {slot name: array} of the i-th weight
        self._averages, self._accumulators = [], []     # use_ema's, accumulation's
        self._param_names, self._constraints = [], []
        self.exclude_from_weight_decay()

    @property
    def iterations(self):
        """Steps applied: every call, or with ``gradient_accumulation_steps`` n the calls // n
        (Keras's ``optimizer.iterations``)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)

    # -- the learning rate --------------------------------------------------------------------
    @property
    def learning_rate(self):
        """The step size now: the number, or the schedule's value at the current step count.
        A number is settable (e.g. by a callback between steps); a schedule's value is not."""
        rate = self._learning_rate
        if isinstance(rate, schedules.LearningRateSchedule):
            return rate(self._iterations)           # every call counts, as Keras
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

    def build(self, params, names=None, constraints=None):
        """Create the state for the weight arrays ``params`` (the model's trainable weights,
        in order). ``apply`` builds on its first call; loading a saved state builds first.
        ``names`` (e.g. "kernel", "bias") are what ``exclude_from_weight_decay(var_names=)``
        matches; ``constraints`` (one callable or None per weight) are applied to each weight
        after every update, as Keras applies a variable's constraint."""
        params = list(params)
        self._param_names = list(names) if names is not None else [None] * len(params)
        self._constraints = list(constraints) if constraints is not None else \
            [None] * len(params)
        if len(self._param_names) != len(params) or len(self._constraints) != len(params):
            raise ValueError(f"build got {len(params)} weights but {len(self._param_names)} "
                             f"names and {len(self._constraints)} constraints.")
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
        zeros = [array_module(p).zeros_like(p) for p in params]
        self._averages = zeros if self.use_ema else []
        self._accumulators = [array_module(p).zeros_like(p) for p in params] \
            if self.gradient_accumulation_steps else []
        self.built = True

    @property
    def variables(self):
        """The whole state as Keras's ``optimizer.variables`` orders it: the step count
        (``iteration``), ``learning_rate``, the moving averages (``use_ema``), the gradient
        accumulators, then the slots group by group. Arrays are the live state; the first two
        are snapshots (set them with ``set_weights``)."""
        return self._head() + self._averages + self._accumulators + [
            slots[name] for group in self.slot_groups() for slots in self.slots
            for name in group]

    def _head(self):
        """The step count, and the learning rate unless a schedule gives it (Keras keeps no
        learning-rate variable then)."""
        head = [np.array(self._iterations, dtype=np.int32)]
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
        self._iterations = int(weights[0])
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
        """One step: each array of ``params`` is updated in place from the same-position array
        of ``grads`` (None: that weight is skipped), then the moving averages and the
        constraints, then the count. (Keras's ``apply`` takes the gradients first;
        ``apply_gradients`` takes Keras's ``(grad, variable)`` pairs.)"""
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
        kept = self._with_gradients(grads)
        self._lr = self.learning_rate       # a schedule's value before the count moves, as Keras
        steps = self.gradient_accumulation_steps
        if steps and (self._iterations + 1) % steps:
            for index in kept:              # not an update step: only accumulate
                self._accumulators[index] += grads[index]
        else:
            if steps:                       # the mean of the accumulated gradients
                grads = list(grads)
                for index in kept:
                    accumulated = self._accumulators[index]
                    accumulated += grads[index]
                    accumulated /= steps
                    grads[index] = accumulated
            self._update(params, grads, kept)
            for index in kept if steps else ():
                self._accumulators[index][...] = 0
        self._after_update(params, kept)
        self._iterations += 1
        if self._iterations % FLUSH_EVERY == 0:
            self._flush_subnormals()

    def _with_gradients(self, grads):
        """Indices of the weights that have a gradient (Keras skips None, with a warning)."""
        kept = [index for index, grad in enumerate(grads) if grad is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if len(kept) < len(grads):
            missing = [self._param_names[i] or f"weight {i}" for i, g in enumerate(grads)
                       if g is None]
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                          f"loss. If using `model.compile()`, did you forget to provide a "
                          f"`loss` argument?", UserWarning, stacklevel=3)
        return kept

    def _update(self, params, grads, kept):
        """Clip, decay and update the weights in ``kept`` (one applied step)."""
        self.begin_step(self.iterations + 1, params[0].dtype.type)
        chosen = [grads[i] for i in kept]
        global_scale = self._global_clip_scale(chosen) if self.global_clipnorm else None
        decay = 1.0 - self.weight_decay * self._lr if self.weight_decay else None
        for index in kept:
            param, grad, clip_out = params[index], grads[index], self._clip_scratch[index]
            if clip_out is not None:
                grad = self._clip(grad, global_scale, clip_out)
            if decay is not None and self._decays(index):
                param *= decay
            self.update(param, grad, self.slots[index], self._scratch[index])

    def _after_update(self, params, kept):
        """Keras's order after the update: the moving averages (and their overwrite every
        ``ema_overwrite_frequency`` steps), then each weight's constraint."""
        if self.use_ema:
            f = params[0].dtype.type
            momentum = f(self.ema_momentum) if self.iterations != 0 else f(0)
            for param, average in zip(params, self._averages):
                average *= momentum                 # a = m a + (1 - m) w
                average += (f(1) - momentum) * param
            frequency = self.ema_overwrite_frequency
            if frequency and (self.iterations + 1) % frequency == 0:
                self.finalize_variable_values(params)
        for index in kept:
            constraint = self._constraints[index]
            if constraint is not None:
                params[index][...] = constraint(params[index])

    def finalize_variable_values(self, var_list):
        """With ``use_ema``, give the weights their moving averages (Keras calls this at the
        end of ``fit``); otherwise nothing."""
        if self.use_ema and self.built:
            for param, average in zip(var_list, self._averages):
                param[...] = average

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Leave out of ``weight_decay`` the arrays of ``var_list`` and the weights whose name
        (given to ``build``, e.g. "bias", as Keras's ``variable.name``) matches one of the
        regular expressions ``var_names``."""
        self._excluded_ids = {id(v) for v in var_list or ()}
        self._excluded_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _decays(self, index):
        """Whether weight ``index`` takes the weight decay."""
        if self._excluded_ids and self._param_ids[index] in self._excluded_ids:
            return False
        name = self._param_names[index]
        return not (self._excluded_pattern is not None and name is not None
                    and self._excluded_pattern.search(name))

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
        return self._iterations

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
        if xp is not np and not self.centered and not self.momentum and is_cupy(xp):  # fused
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


@registry.register("Adadelta", "adadelta")
class Adadelta(Optimizer):
    """Adagrad's per-weight step without its decaying step size (Zeiler 2012): a moving
    average of squared gradients and one of squared updates, whose ratio sets the step.

    ``a = rho a + (1 - rho) g**2``, ``d = -sqrt(u + epsilon) g / sqrt(a + epsilon)``,
    ``u = rho u + (1 - rho) d**2``, ``w += lr d`` (``a`` "accumulated_grad", ``u``
    "accumulated_delta_var"; Keras on torch's order). Defaults as Keras: ``learning_rate=0.001``,
    ``rho=0.95``, ``epsilon=1e-7``.
    """

    default_name = "adadelta"

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho = _check_range(rho, "rho", 0.0, 1.0)
        self.epsilon = _check_range(epsilon, "epsilon", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulated_grad", "accumulated_delta_var")]

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        squares, deltas = slots["accumulated_grad"], slots["accumulated_delta_var"]
        _move_square_average(squares, grad, self.rho, scratch)
        delta = xp.sqrt(deltas + self.epsilon) * grad     # d = -rms(u) g / rms(a)
        delta /= xp.sqrt(squares + self.epsilon)
        delta *= -1
        _move_square_average(deltas, delta, self.rho, scratch)
        param += xp.multiply(delta, param.dtype.type(self._lr), out=scratch)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


@registry.register("Ftrl", "ftrl")
class Ftrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al. 2013), Keras's form, with L1/L2 and
    shrinkage penalties built into the step.

    With ``n`` the sum of squared gradients (from ``initial_accumulator_value``), ``p =
    -learning_rate_power`` (0.5) and ``z`` the "linear" slot: ``n' = n + g**2``;
    ``z += g + 2 s w - (n'**p - n**p) / lr * w`` (``s`` the shrinkage strength);
    ``w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 l2 + beta / lr)``: 0 while ``|z| <= l1``.
    Defaults as Keras: ``learning_rate=0.001``, ``learning_rate_power=-0.5``,
    ``initial_accumulator_value=0.1``, all strengths 0, ``beta=0``.
    """

    default_name = "ftrl"

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.learning_rate_power = _check_range(learning_rate_power, "learning_rate_power",
                                                -math.inf, 0.0)
        self.initial_accumulator_value = _check_range(
            initial_accumulator_value, "initial_accumulator_value", 0.0, math.inf)
        self.l1_regularization_strength = _check_range(
            l1_regularization_strength, "l1_regularization_strength", 0.0, math.inf)
        self.l2_regularization_strength = _check_range(
            l2_regularization_strength, "l2_regularization_strength", 0.0, math.inf)
        self.l2_shrinkage_regularization_strength = _check_range(
            l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength", 0.0,
            math.inf)
        self.beta = _check_range(beta, "beta", 0.0, math.inf)

    def slot_groups(self):
        return [("accumulator", "linear")]

    def initial_slot(self, name, param):
        if name == "accumulator":
            return array_module(param).full_like(param, self.initial_accumulator_value)
        return super().initial_slot(name, param)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        f = param.dtype.type
        lr, power = f(self._lr), -self.learning_rate_power
        accumulator, linear = slots["accumulator"], slots["linear"]
        l2 = self.l2_regularization_strength + self.beta / (f(2.0) * lr)
        new_accumulator = accumulator + grad * grad
        linear += grad + 2 * self.l2_shrinkage_regularization_strength * param
        linear -= (xp.power(new_accumulator, power) - xp.power(accumulator, power)) / lr * param
        quadratic = xp.power(new_accumulator, power) / lr + 2 * l2
        l1 = self.l1_regularization_strength
        param[...] = (xp.clip(linear, -l1, l1) - linear) / quadratic
        accumulator[...] = new_accumulator

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength":
                    self.l2_shrinkage_regularization_strength,
                "beta": self.beta}


@registry.register("Lion", "lion")
class Lion(Optimizer):
    """The sign of an interpolated momentum (Chen et al. 2023): every weight moves by exactly
    ``lr`` per step. ``c = sign(beta_1 m + (1 - beta_1) g)``, ``w -= lr c``, then
    ``m = beta_2 m + (1 - beta_2) g``. Defaults as Keras: ``learning_rate=0.001``,
    ``beta_1=0.9``, ``beta_2=0.99``; ``beta_1`` in (0, 1].
    """

    default_name = "lion"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if isinstance(beta_1, bool) or not isinstance(beta_1, numbers.Real) or \
                not 0 < beta_1 <= 1:
            raise ValueError(f"beta_1 must be in (0, 1] (otherwise Lion degenerates to SignSGD); "
                             f"got {beta_1!r}.")
        self.beta_1 = float(beta_1)
        self.beta_2 = _check_range(beta_2, "beta_2", 0.0, 1.0)

    def slot_groups(self):
        return [("momentum",)]

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        momentum = slots["momentum"]
        xp.multiply(momentum, self.beta_1, out=scratch)      # c = sign(beta_1 m + (1-b1) g)
        scratch += grad * (1 - self.beta_1)
        xp.sign(scratch, out=scratch)
        scratch *= param.dtype.type(self._lr)
        param -= scratch
        _move_average(momentum, grad, self.beta_2, scratch)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


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


@registry.register("Adafactor", "adafactor")
class Adafactor(Optimizer):
    """Adam's second moment in factored form (Shazeer & Stern 2018): for a matrix, a row and
    a column average of g**2 instead of one value per weight; with Keras's rules.

    At step t: ``beta = 1 - t**beta_2_decay``, ``q = g**2 + epsilon_1``. For a weight with two
    or more axes, ``r = beta r + (1 - beta) mean(q, -1)``, ``c = beta c + (1 - beta)
    mean(q, -2)`` and ``v = (r / mean(r)) outer c``; otherwise ``v = beta v + (1 - beta) q``.
    ``u = g / sqrt(v)``, clipped to RMS ``clip_threshold``: ``u / max(1, rms(u) / clip)``;
    ``w -= max(epsilon_2, rms(w)) min(lr, 1/sqrt(t)) u`` (with ``relative_step`` and a
    number as learning rate, lr itself is first capped at 1/sqrt(t), as Keras).
    Keras keeps two placeholder int32 zeros as r and c of a weight with fewer than two axes;
    so does ``variables``. Defaults as Keras: ``learning_rate=0.001``, ``beta_2_decay=-0.8``,
    ``epsilon_1=1e-30``, ``epsilon_2=1e-3``, ``clip_threshold=1.0``, ``relative_step=True``.
    """

    default_name = "adafactor"

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_2_decay = _check_range(beta_2_decay, "beta_2_decay", -math.inf, math.inf)
        self.epsilon_1 = _check_range(epsilon_1, "epsilon_1", 0.0, math.inf)
        self.epsilon_2 = _check_range(epsilon_2, "epsilon_2", 0.0, math.inf)
        self.clip_threshold = _check_range(clip_threshold, "clip_threshold", 0.0, math.inf)
        self.relative_step = _check_bool(relative_step, "relative_step")

    def slot_groups(self):
        return [("r", "c", "velocity")]

    def initial_slot(self, name, param):
        xp = array_module(param)
        if name == "velocity":
            return xp.zeros_like(param)
        if param.ndim < 2:
            return xp.zeros((), dtype=np.int32)       # Keras's placeholder
        shape = param.shape[:-1] if name == "r" else param.shape[:-2] + param.shape[-1:]
        return xp.zeros(shape, dtype=param.dtype)

    def begin_step(self, step, float_type):
        f = float_type
        t = f(step)
        lr = f(self._lr)
        if self.learning_rate_schedule is None and self.relative_step:
            lr = min(lr, f(1) / np.sqrt(t))
        self._rho = min(lr, f(1) / np.sqrt(t))
        self._beta = f(1) - t ** f(self.beta_2_decay)

    def update(self, param, grad, slots, scratch):
        xp = array_module(param)
        f = param.dtype.type
        beta, rest = self._beta, f(1) - self._beta
        alpha = max(f(self.epsilon_2), _rms(param)) * self._rho
        squares = grad * grad + f(self.epsilon_1)
        velocity = slots["velocity"]
        if param.ndim >= 2:
            r, c = slots["r"], slots["c"]
            r[...] = beta * r + rest * xp.mean(squares, axis=-1)
            c[...] = beta * c + rest * xp.mean(squares, axis=-2)
            velocity[...] = (r / xp.mean(r, axis=-1, keepdims=True))[..., None] * \
                c[..., None, :]
        else:
            velocity[...] = beta * velocity + rest * squares
        step = grad / xp.sqrt(velocity)
        step /= max(f(1), _rms(step) / f(self.clip_threshold))
        param -= alpha * step

    def get_config(self):
        return {**super().get_config(), "beta_2_decay": self.beta_2_decay,
                "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                "clip_threshold": self.clip_threshold, "relative_step": self.relative_step}


def _rms(x):
    """sqrt(mean(x**2)), a number in x's float type."""
    xp = array_module(x)
    return x.dtype.type(float(xp.sqrt(xp.mean(x * x))))      # a host number, also for CuPy


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


def _kernel(name):
    """The CuPy kernel of update ``name``, compiled on first use."""
    return elementwise_kernel(f"{name}_update", *_KERNELS[name])


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


def _accumulation_steps(value):
    """None (off) or an integer >= 2, as Keras requires."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 2:
        raise ValueError(f"gradient_accumulation_steps must be an integer >= 2 (or None); got "
                         f"{value!r}.")
    return int(value)


def _refuse(name, value, default):
    if value != default:
        raise ValueError(f"glassnet's optimizers do not support {name}={value!r} yet; leave it "
                         f"at {default!r}.")
